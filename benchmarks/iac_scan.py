"""`aiposture iac` on N generated AI resources, as a Terraform HCL directory and as plan JSON.

    python benchmarks/iac_scan.py [N ...] [--mode hcl|plan|both] [--checkov PATH/TO/checkov]

Each input is scanned by the real CLI in a child process (start-up, reading, the
evaluator's child process, rules and the JSON report included), so wall time, CPU time
(user + sys of the process tree) and peak memory (largest RSS of any process of the
tree) are what a user gets. With ``--checkov``, Checkov scans the same files
(``checkov -d DIR --framework terraform`` / ``checkov -f plan.json --framework
terraform_plan``) and both are printed on one line per input and N, with the load
average (the machine is shared; compare figures taken together).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PER_FILE = 250  # resources per generated .tf file


def _guardrail(i: int) -> tuple[str, dict]:
    return "aws_bedrock_guardrail", {"name": f"g{i}", "blocked_input_messaging": "no", "blocked_outputs_messaging": "no",
                                     "content_policy_config": [{"filters_config": [
                                         {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"},
                                         {"type": "HATE", "input_strength": "LOW", "output_strength": "LOW"}]}]}


def _resource(i: int) -> tuple[str, dict]:
    k = i % 3
    if k == 0:
        return _guardrail(i)
    if k == 1:
        return "azurerm_cognitive_account", {"name": f"a{i}", "kind": "OpenAI", "location": "westeurope",
                                             "resource_group_name": "rg", "sku_name": "S0", "local_auth_enabled": i % 2 == 0,
                                             "public_network_access_enabled": True}
    return "google_vertex_ai_endpoint", {"name": f"e{i}", "display_name": "e", "location": "europe-west4", "project": "p"}


def _hcl_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


def _hcl_block(name: str, body: dict, indent: str) -> list[str]:
    lines = [f"{indent}{name} {{"]
    for k, v in body.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            for item in v:
                lines += _hcl_block(k, item, indent + "  ")
        else:
            lines.append(f"{indent}  {k} = {_hcl_value(v)}")
    lines.append(f"{indent}}}")
    return lines


def make_hcl(n: int, d: Path) -> None:
    for f in range(0, n, PER_FILE):
        lines: list[str] = []
        for i in range(f, min(n, f + PER_FILE)):
            t, v = _resource(i)
            lines += _hcl_block(f'resource "{t}" "r{i}"', v, "")
        (d / f"ai_{f // PER_FILE:04d}.tf").write_text("\n".join(lines) + "\n")


def make_plan(n: int) -> dict:
    res, changes = [], []
    for i in range(n):
        t, v = _resource(i)
        addr = f"{t}.r{i}"
        res.append({"address": addr, "mode": "managed", "type": t, "name": f"r{i}", "values": v})
        changes.append({"address": addr, "type": t, "change": {"actions": ["create"], "after_unknown": {"id": True}}})
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": res}}, "resource_changes": changes,
            "configuration": {"root_module": {"resources": []}}}


def _peak_rss_tree(cmd: list[str], cwd: Path) -> tuple[float, float, float, int]:
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run each measurement in a fresh interpreter
    code = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
            "p=subprocess.run(json.loads(sys.argv[1]),stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "w=time.perf_counter()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(json.dumps([w,r.ru_utime+r.ru_stime,r.ru_maxrss/1024,p.returncode]))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(cmd)], cwd=cwd, capture_output=True, text=True, check=True)
    w, c, m, rc = json.loads(out.stdout)
    return w, c, m, rc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="*", type=int, default=[5000])
    ap.add_argument("--mode", choices=["hcl", "plan", "both"], default="both")
    ap.add_argument("--checkov", help="path to a checkov executable (installed outside the project)")
    args = ap.parse_args()
    aip = [sys.executable, "-m", "aiposture", "iac", "-q", "-f", "json", "-o", os.devnull, "--soft-fail", "--tolerate-errors"]
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            inputs = []
            if args.mode in ("hcl", "both"):
                (d / "hcl").mkdir()
                make_hcl(n, d / "hcl")
                inputs.append(("hcl", d / "hcl", ["-d", str(d / "hcl"), "--framework", "terraform"]))
            if args.mode in ("plan", "both"):
                (d / "plan.json").write_text(json.dumps(make_plan(n)))
                inputs.append(("plan", d / "plan.json", ["-f", str(d / "plan.json"), "--framework", "terraform_plan"]))
            for kind, path, ck_args in inputs:
                load = os.getloadavg()[0]
                w, c, m, rc = _peak_rss_tree([*aip, str(path)], d)
                line = f"{kind:4} N={n:>6}: aiposture {w:7.2f} s wall, {c:7.2f} s CPU, {m:5.0f} MB peak (exit {rc})"
                if args.checkov:
                    cw, cc, cm, crc = _peak_rss_tree([args.checkov, *ck_args, "--quiet", "--compact", "-o", "json",
                                                      "--skip-download"], d)
                    line += f" | checkov {cw:7.2f} s wall, {cc:7.2f} s CPU, {cm:5.0f} MB peak (exit {crc}) | {cw / w:5.1f}x"
                line += f" | load {load:.1f}->{os.getloadavg()[0]:.1f}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
