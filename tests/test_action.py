"""The composite GitHub Action's shell steps, run locally with GitHub's expression substitution emulated.

No runner here, so `uses:` steps (setup-python, upload-sarif) and the pip install are skipped; the
scan and fail-on steps run exactly as written in action.yml, against the installed aiposture.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXPR = re.compile(r"\$\{\{\s*(inputs|steps\.scan\.outputs)\.([\w-]+)\s*\}\}")


def run_action(cwd: Path, **inputs: str) -> tuple[dict[str, str], int]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    outputs: dict[str, str] = {}
    rc = 0
    env_base = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for step in action["runs"]["steps"]:
        if "uses" in step or step.get("name") == "Install aiposture":
            continue
        sub = lambda m: values[m.group(2)] if m.group(1) == "inputs" else outputs.get(m.group(2), "")  # noqa: E731
        env = {k: EXPR.sub(sub, str(v)) for k, v in (step.get("env") or {}).items()}
        gh_out = cwd / f"gh-output-{step.get('id', 'x')}"
        gh_out.write_text("")
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                           env={**env_base, **env, "GITHUB_OUTPUT": str(gh_out)}, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in p.stderr, p.stderr
        if step.get("id") == "scan":
            outputs.update(line.split("=", 1) for line in gh_out.read_text().splitlines() if "=" in line)
        rc = p.returncode
        if rc:
            break
    return outputs, rc


def test_action_fails_the_job_on_findings_and_writes_sarif(tmp_path):
    shutil.copytree(ROOT / "tests" / "fixtures" / "iac" / "terraform", tmp_path / "infra")
    outputs, rc = run_action(tmp_path, paths="infra", fail_on="high")
    assert outputs["exit_code"] == "1" and rc == 1
    assert (tmp_path / outputs["sarif"]).is_file()


def test_action_passes_a_clean_repository(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    outputs, rc = run_action(tmp_path, paths="infra")
    assert outputs["exit_code"] == "0" and rc == 0


def test_action_reports_unparsable_iac_as_incomplete(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text('resource "aws_bedrock_guardrail" "g" {\n  name = \n}\n')
    outputs, rc = run_action(tmp_path, paths="infra")
    assert outputs["exit_code"] == "3" and rc == 3
