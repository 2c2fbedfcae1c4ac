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
    (["scan", "azure", "--subscription", "s"], "azure.mgmt.cognitiveservices", "azure"),
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
