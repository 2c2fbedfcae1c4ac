import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiposture import inventory as inv


def run(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "aiposture", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


@pytest.fixture
def clean_inv(tmp_path):
    """An inventory where everything passes the selected rule."""
    res = inv.make_resource(id="gr-1", provider="aws", kind="content_filter", native_type="t", name="ok",
                            attrs={"prompt_attack": {"enabled": True}})
    p = tmp_path / "clean.json"
    inv.save(inv.new_document([res]), p)
    return p


def test_demo_writes_every_format(tmp_path):
    p = run("demo", "--output-dir", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    names = {f.name for f in (tmp_path / "out").iterdir()}
    assert {"aiposture.json", "aiposture.sarif", "aiposture-junit.xml", "aiposture.csv", "aiposture.txt", "inventory.json"} <= names
    assert "By ISO/IEC 27090 threat" in p.stdout


def test_exit_codes(tmp_path, clean_inv, example_copy):
    assert run("scan", "--inventory", clean_inv, "--rule", "AIP-GR-001", "-q").returncode == 0
    assert run("scan", "--inventory", example_copy, "-q").returncode == 1
    assert run("scan", "--inventory", example_copy, "--soft-fail", "-q").returncode == 3  # incomplete remains
    assert run("scan", "--inventory", example_copy, "--soft-fail", "--tolerate-errors", "-q").returncode == 0
    # only the AccessDenied scope is left when selecting agent rules that pass elsewhere... use fail-on critical+soft
    assert run("scan", "--inventory", tmp_path / "missing.json").returncode == 2


def test_fail_on_threshold(example_copy):
    # AIP-RL-003 (low) fails on oai-dev; with --fail-on high it does not fail the run
    assert run("scan", "--inventory", example_copy, "--rule", "AIP-RL-003", "-q").returncode == 1
    assert run("scan", "--inventory", example_copy, "--rule", "AIP-RL-003", "--fail-on", "high", "-q").returncode == 0


def test_incomplete_scan_exits_3(example_copy):
    p = run("scan", "--inventory", example_copy, "--rule", "AIP-AGT-006", "--fail-on", "critical", "-q")
    assert p.returncode == 3 and "NOT CHECKED" in p.stdout


def test_usage_errors_are_clear(tmp_path, example_copy):
    p = run("scan", "--inventory", example_copy, "-f", "json", "-f", "sarif")
    assert p.returncode == 2 and "--output" in p.stderr
    p = run("scan", "--inventory", example_copy, "-f", "yaml")
    assert p.returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    p = run("scan", "--inventory", bad)
    assert p.returncode == 2 and "bad.json:1:2: not valid JSON" in p.stderr
    cfg = tmp_path / "c.yaml"
    cfg.write_text("waivers: [{rule: X}]\n")
    p = run("scan", "--inventory", example_copy, "--config", cfg)
    assert p.returncode == 2 and "invalid configuration" in p.stderr
    p = run("scan")
    assert p.returncode == 2 and "--inventory" in p.stderr


def test_broken_user_rule_is_reported_and_scan_continues(tmp_path, clean_inv):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.yaml").write_text("id: ACME-GR-001\ntitle: [unclosed\n")
    p = run("scan", "--inventory", clean_inv, "--rules-dir", rules, "--rule", "AIP-GR-001")
    assert p.returncode == 3
    assert "x.yaml" in p.stdout and "RULE NOT LOADED" in p.stdout


def test_multiple_formats_and_outputs(tmp_path, example_copy):
    p = run("scan", "--inventory", example_copy, "-f", "json", "-o", tmp_path / "a.json", "-f", "sarif", "-o",
            tmp_path / "a.sarif", "--soft-fail", "--tolerate-errors")
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "a.json").read_text())["summary"]["fail"] > 0
    assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"


def test_config_file_only_from_config_option_or_env(tmp_path, example_copy):
    import os

    (tmp_path / ".aiposture.yaml").write_text(
        "waivers:\n  - {rule: AIP-RL-003, resource: '*oai-dev', reason: sandbox throttling, owner: alice, expires: 2099-01-01}\n")
    # a config in the current directory (a scanned checkout) is not loaded, only mentioned
    p = run("scan", "--inventory", example_copy, "--rule", "AIP-RL-003", "-f", "json", "-o", "-", cwd=tmp_path)
    assert p.returncode == 1 and ".aiposture.yaml" in p.stderr and "not loaded" in p.stderr
    assert json.loads(p.stdout)["summary"]["waived"] == 0
    p = run("scan", "--inventory", example_copy, "--rule", "AIP-RL-003", "-f", "json", "-o", "-",
            "--config", tmp_path / ".aiposture.yaml", cwd=tmp_path)
    assert p.returncode == 0 and json.loads(p.stdout)["summary"]["waived"] == 1
    env = {**os.environ, "AIPOSTURE_CONFIG": str(tmp_path / ".aiposture.yaml")}
    p = subprocess.run([sys.executable, "-m", "aiposture", "scan", "--inventory", str(example_copy), "--rule", "AIP-RL-003",
                        "-f", "json", "-o", "-"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0 and json.loads(p.stdout)["summary"]["waived"] == 1


def test_rules_subcommands(tmp_path):
    p = run("rules", "test")
    assert p.returncode == 0 and " 0 failed" in p.stdout
    p = run("rules", "list", "--json", "--framework", "LLM06:2025")
    assert p.returncode == 0 and all("LLM06:2025" in r["controls"]["owasp_llm_2025"] for r in json.loads(p.stdout))
    p = run("rules", "show", "aip-gr-002")
    assert p.returncode == 0 and "Remediation" in p.stdout
    assert run("rules", "show", "NOPE-1").returncode == 2
    assert run("rules", "validate").returncode == 0
    (tmp_path / "bad.yaml").write_text("id: X\n")
    p = run("rules", "validate", tmp_path / "bad.yaml")
    assert p.returncode == 2 and "bad.yaml" in p.stderr


def test_rules_test_fails_on_wrong_expectation(tmp_path):
    src = (Path(__file__).resolve().parent.parent / "rules" / "guardrails" / "AIP-GR-001.yaml").read_text()
    (tmp_path / "r.yaml").write_text(src.replace("AIP-GR-001", "ACME-GR-001").replace("expect: error", "expect: pass"))
    p = run("rules", "test", "--rules-dir", tmp_path, "--rule", "ACME-*")
    assert p.returncode == 1 and "FAIL ACME-GR-001" in p.stdout


def test_help_teaches(tmp_path):
    p = run("scan", "--help")
    assert "Exit codes" in p.stdout and "Examples" in p.stdout


def test_startup_does_not_import_cloud_sdks():
    # compare before/after: some SDKs' *-nspkg.pth files create empty 'google' namespaces at interpreter start
    code = ("import sys; before=set(sys.modules); from aiposture import cli; "
            "import aiposture.pipeline, aiposture.engine, aiposture.output; "
            "new=set(sys.modules)-before; "
            "bad=sorted(m for m in new if m.split('.')[0] in ('boto3','botocore','azure','google','moto','hcl2')); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("cmd,module,extra", [
    (["scan", "aws", "--regions", "us-east-1"], "boto3", "aws"),
    (["scan", "azure", "--subscription", "s"], "azure.identity", "azure"),
    (["scan", "gcp", "--project", "p"], "google.cloud.aiplatform_v1", "gcp"),
])
def test_live_scan_without_its_sdk_says_what_to_install(monkeypatch, cmd, module, extra):
    import sys

    from click.testing import CliRunner

    from aiposture.cli import main

    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    r = CliRunner().invoke(main, cmd)
    assert r.exit_code == 2, r.output
    assert f"pip install 'aiposture[{extra}]'" in r.output


# --- CI gate: selections, outputs, layouts, conventions -------------------------------------------

def invoke(*args, env=None):
    """In-process run (fast); stdout is not a terminal, like a CI log."""
    from click.testing import CliRunner

    from aiposture.cli import main

    r = CliRunner(env=env).invoke(main, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


@pytest.mark.parametrize("args,needle", [
    (["--framework", "nosuch"], "--framework 'nosuch' is neither a framework nor a control id"),
    (["--threat", "prompt_injeciton"], "did you mean 'prompt_injection'"),
    (["--rule", "NOPE-1"], "--rule 'NOPE-1' matches no rule"),
    (["--rule", "AIP-GR-001,NOPE-2"], "--rule 'NOPE-2' matches no rule"),
    (["--framework", "iso2700"], "did you mean 'iso27001'"),
    (["--skip-rule", "*"], "every rule is skipped"),
])
def test_a_selection_typo_is_a_usage_error_not_a_green_gate(example_copy, args, needle):
    r = invoke("scan", "--inventory", example_copy, *args, "-q")
    assert r.exit_code == 2 and needle in r.stderr, r.output
    assert r.stdout == ""  # nothing evaluated, no report that could read as a pass


def test_selection_typos_in_rules_commands(tmp_path):
    r = invoke("rules", "test", "--rule", "nope")
    assert r.exit_code == 2 and "--rule 'nope' matches no rule" in r.stderr
    r = invoke("rules", "list", "--threat", "prompt-injeciton")
    assert r.exit_code == 2 and "did you mean 'prompt_injection'" in r.stderr
    r = invoke("rules", "test", "--rule", "AIP-GR-001,AIP-GR-002")
    assert r.exit_code == 0 and "(2 rules)" in r.stdout


def test_a_config_selection_typo_names_the_config_key(tmp_path, example_copy):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("select: {frameworks: [ISO2700]}\n")
    r = invoke("scan", "--inventory", example_copy, "--config", cfg)
    assert r.exit_code == 2 and f"select.frameworks in {cfg} 'ISO2700'" in r.stderr


def _rule_ids(r) -> set[str]:
    return {x["id"] for x in json.loads(r.stdout)["rules"]}


def test_commas_and_case_in_selections(example_copy):
    r = invoke("scan", "--inventory", example_copy, "--rule", "AIP-GR-001,aip-gr-002", "-f", "json", "-o", "-", "--soft-fail")
    assert _rule_ids(r) == {"AIP-GR-001", "AIP-GR-002"}
    upper = _rule_ids(invoke("scan", "--inventory", example_copy, "--framework", "ISO27001", "-f", "json", "-o", "-", "--soft-fail"))
    lower = _rule_ids(invoke("scan", "--inventory", example_copy, "--framework", "iso27001", "-f", "json", "-o", "-", "--soft-fail"))
    assert upper and upper == lower
    llm = _rule_ids(invoke("scan", "--inventory", example_copy, "--framework", "llm01:2025", "--severity", "critical,high",
                           "-f", "json", "-o", "-", "--soft-fail"))
    from aiposture.engine import load_rules

    want = {r.id for r in load_rules()[0] if "LLM01:2025" in r.framework_ids() and r.severity in ("critical", "high")}
    assert llm == want and want


@pytest.mark.parametrize("cmd", [
    ["scan", "--inventory", "{inv}", "--output-dir", "/proc/nope", "-f", "json"],
    ["scan", "--inventory", "{inv}", "--output-dir", "{blocked}/out", "-f", "json"],
    ["scan", "--inventory", "{inv}", "-f", "sarif", "-o", "{blocked}/x.sarif"],
    ["scan", "--inventory", "{inv}", "-f", "evidence", "-o", "{blocked}/x.zip"],
    ["scan", "--inventory", "{inv}", "-f", "table", "-o", "{tmp}"],
    ["iac", "{tf}", "--save-inventory", "{blocked}/inv.json"],
    ["rules", "docs", "-o", "{blocked}/rules.md"],
    ["inventory", "docs", "-o", "/proc/nope/inventory.md"],
    ["demo", "--output-dir", "{blocked}/demo"],
])
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, example_copy, cmd):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    tf = Path(__file__).parent / "fixtures" / "iac" / "terraform"
    args = [a.format(inv=example_copy, blocked=blocked, tmp=tmp_path, tf=tf) for a in cmd]
    p = invoke(*args, *(["-q"] if cmd[0] in ("scan", "iac") else []))
    assert p.exit_code == 2, (p.exit_code, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write "), p.stderr


def test_live_scan_checks_outputs_and_selection_before_collecting(tmp_path, monkeypatch):
    # an endpoint that refuses connections: reaching the network would be exit 3 after retries, not exit 2
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_DEFAULT_REGION": "us-east-1"}
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    r = invoke("scan", "aws", "--regions", "us-east-1", "--output-dir", blocked / "out", env=env)
    assert r.exit_code == 2 and "cannot write the table output to " in r.stderr
    r = invoke("scan", "aws", "--regions", "us-east-1", "--save-inventory", blocked / "inv.json", env=env)
    assert r.exit_code == 2 and "cannot write the inventory" in r.stderr
    r = invoke("scan", "aws", "--regions", "us-east-1", "--framework", "nosuch", env=env)
    assert r.exit_code == 2 and "--framework 'nosuch'" in r.stderr
    r = invoke("scan", "aws", "--regions", "us-east-1", "--rule", "AIP-AUTH-001", env=env)  # an Azure-only rule
    assert r.exit_code == 2 and "no rule matches --rule AIP-AUTH-001 and --provider aws" in r.stderr


def test_dash_o_with_a_format_name_and_no_dash_f(example_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = invoke("scan", "--inventory", example_copy, "-o", "sarif", "--soft-fail", "--tolerate-errors")
    assert p.exit_code == 0 and json.loads(p.stdout)["version"] == "2.1.0"
    assert "note: '-o sarif' read as '-f sarif' written to stdout" in p.stderr
    assert not (tmp_path / "sarif").exists()
    p = invoke("scan", "--inventory", example_copy, "-f", "json", "-o", "sarif")
    assert p.exit_code == 2 and "-o sarif names the sarif format, but it is the path for -f json" in p.stderr
    assert not (tmp_path / "sarif").exists()
    p = invoke("scan", "--inventory", example_copy, "-f", "json", "-o", "./sarif", "--soft-fail", "--tolerate-errors")
    assert p.exit_code == 0 and json.loads((tmp_path / "sarif").read_text())["summary"]
    p = invoke("scan", "--inventory", example_copy, "-o", "sarif", "-o", "json")
    assert p.exit_code == 2 and "-o is the output path" in p.stderr


def test_ci_log_is_one_line_per_finding_with_an_unambiguous_summary(example_copy):
    p = run("scan", "--inventory", example_copy)  # stdout is a pipe: compact
    assert p.returncode == 1
    out = p.stdout
    summary = json.loads(invoke("scan", "--inventory", example_copy, "-f", "json", "-o", "-").stdout)["summary"]
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL ")]
    assert len(fails) == summary["fail"]
    assert not any(ch in out for ch in "┏┃│└")  # no box drawing, no wrapping
    # failing results vs failing rules, and severities of failing results only (errors are not "critical")
    failing_rules = len({ln.split()[2] for ln in fails})
    pack = len(list((Path(__file__).resolve().parent.parent / "rules").rglob("AIP-*.yaml")))
    assert f"failing: {summary['fail']} results from {failing_rules} of {pack} rules" in out
    sev = summary["by_severity"]
    assert "(" + ", ".join(f"{sev[s]} {s}" for s in ("critical", "high", "medium", "low") if sev[s]) + ")" in out
    assert f"results: {summary['total']} = {summary['fail']} fail, {summary['error']} error" in out
    # the one AccessDenied scope is listed once, with the number of rules it kept from being checked
    scope_lines = [ln for ln in out.splitlines() if "bedrock:ListAgents" in ln]
    assert len(scope_lines) == 1 and scope_lines[0].startswith("NOT CHECKED aws") and "rules affected)" in scope_lines[0]
    assert len(out.splitlines()) < summary["fail"] + summary["error"] + 40


def test_compact_and_wide_can_be_forced(example_copy, tmp_path):
    wide = invoke("scan", "--inventory", example_copy, "--no-compact").stdout
    assert "STATUS  RULE" in wide and not any(ln.startswith("FAIL ") for ln in wide.splitlines())
    env_wide = invoke("scan", "--inventory", example_copy, env={"AIPOSTURE_COMPACT": "false"}).stdout
    assert "STATUS  RULE" in env_wide
    assert "\x1b[" not in wide  # no colour off a terminal
    # -f table -o FILE is compact unless told otherwise
    invoke("scan", "--inventory", example_copy, "-f", "table", "-o", tmp_path / "t.txt", "-q")
    assert any(ln.startswith("FAIL ") for ln in (tmp_path / "t.txt").read_text().splitlines())


def test_a_terminal_gets_the_wide_layout_in_colour(example_copy):
    import os
    import pty

    def on_tty(extra_env):
        leader, follower = pty.openpty()
        env = {**os.environ, "COLUMNS": "150", "TERM": "xterm", **extra_env}
        env.pop("NO_COLOR", None) if "NO_COLOR" not in extra_env else None
        proc = subprocess.Popen([sys.executable, "-m", "aiposture", "scan", "--inventory", str(example_copy)],
                                stdout=follower, stderr=subprocess.PIPE, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
        os.close(leader)
        return proc.returncode, b"".join(chunks).decode()

    rc, out = on_tty({})
    assert rc == 1 and "STATUS  RULE" in out and "\x1b[31m" in out
    rc, out = on_tty({"NO_COLOR": "1"})
    assert rc == 1 and "STATUS  RULE" in out and "\x1b[" not in out
    rc, out = on_tty({"AIPOSTURE_COMPACT": "1"})
    assert any(ln.startswith("FAIL ") or ln.startswith("\x1b[31mFAIL ") for ln in out.splitlines())


def test_hostile_names_cannot_drive_the_terminal(tmp_path):
    evil = "bad\x1b]0;pwned\x07\x1b[2J\u202eevil\rname"
    res = inv.make_resource(id="gr-1", provider="aws", kind="content_filter", native_type="t", name=evil,
                            attrs={"prompt_attack": {"enabled": True, "input_action": "none", "input_strength": "high"}})
    p = tmp_path / "evil.json"
    inv.save(inv.new_document([res]), p)
    for layout in ("--compact", "--no-compact"):
        out = invoke("scan", "--inventory", p, "--rule", "AIP-GR-002", layout).stdout
        assert "\x1b" not in out and "\u202e" not in out and "\r" not in out and "\x07" not in out
        assert "bad\\x1b]0;pwned\\x07" in out and "\\u202eevil\\x0dname" in out


def test_environment_variables_stand_for_the_main_flags(example_copy, tmp_path):
    env = {"AIPOSTURE_FORMAT": "json,sarif", "AIPOSTURE_OUTPUT_DIR": str(tmp_path / "out"), "AIPOSTURE_FAIL_ON": "critical",
           "AIPOSTURE_RULE": "AIP-RL-003", "AIPOSTURE_QUIET": "1"}
    r = invoke("scan", "--inventory", example_copy, env=env)
    assert r.exit_code == 0, r.output  # AIP-RL-003 is low: below the critical threshold
    assert {f.name for f in (tmp_path / "out").iterdir()} >= {"aiposture.json", "aiposture.sarif"}
    assert invoke("scan", "--inventory", example_copy, "--fail-on", "low", env=env).exit_code == 1  # the flag wins
    help_text = invoke("scan", "--help").stdout
    for var in ("AIPOSTURE_FORMAT", "AIPOSTURE_OUTPUT", "AIPOSTURE_OUTPUT_DIR", "AIPOSTURE_FAIL_ON", "AIPOSTURE_SOFT_FAIL",
                "AIPOSTURE_CONFIG", "AIPOSTURE_COMPACT", "AIPOSTURE_FRAMEWORK"):
        assert var in help_text, var


def test_version_and_shell_completion():
    from aiposture import __version__

    assert invoke("-V").stdout.strip() == f"aiposture, version {__version__}"
    import os

    script = subprocess.run([sys.executable, "-m", "aiposture"], env={**os.environ, "_AIPOSTURE_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=60)
    assert "_aiposture_completion" in script.stdout
    env = {**os.environ, "_AIPOSTURE_COMPLETE": "bash_complete", "COMP_WORDS": "aiposture scan --format sa", "COMP_CWORD": "3"}
    p = subprocess.run([sys.executable, "-m", "aiposture"], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,sarif" in p.stdout
    assert "_AIPOSTURE_COMPLETE=bash_source" in invoke("--help").stdout
