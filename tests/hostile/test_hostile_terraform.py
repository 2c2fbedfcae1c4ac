"""Hostile Terraform trees (issue 10): nothing outside the tree is read, nothing is lost, nothing crashes.

Each test builds the hostile tree in tmp_path and runs the real reader (tfparse in its child
process) or the real CLI. The fake secret must appear in no output at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac import terraform_source
from aiposture.iac.scan import scan_paths

SECRET = "AKIAFAKESECRET0123456789"
GUARDRAIL = 'resource "aws_bedrock_guardrail" "%s" {\n  name = "%s"\n  blocked_input_messaging = "x"\n  blocked_outputs_messaging = "x"\n}\n'


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "aiposture", *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def _all_output(tmp: Path, p: subprocess.CompletedProcess[str]) -> str:
    out = p.stdout + p.stderr
    for f in tmp.glob("out.*"):
        out += f.read_text(errors="replace")
    return out


def _accounted(doc: dict, rel: str) -> bool:
    return rel in doc["scan"]["iac"]["files"] or any(e["scope"].get("file") == rel for e in doc["errors"])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "outside"
    d.mkdir()
    (d / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    (d / "secret.tf").write_text(GUARDRAIL % ("leak", SECRET))
    return d


def test_symlinked_tf_outside_the_tree_is_not_read(tmp_path: Path, outside: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(GUARDRAIL % ("ok", "ok"))
    (repo / "creds.tf").symlink_to(outside / "credentials")
    (repo / "leak.tf").symlink_to(outside / "secret.tf")
    p = _cli("iac", "repo", "-f", "json", "-o", "out.json", "-f", "sarif", "-o", "out.sarif", "--save-inventory", "out.inv.json",
             cwd=tmp_path)
    assert p.returncode in (1, 3)
    assert SECRET not in _all_output(tmp_path, p)
    doc = json.loads((tmp_path / "out.inv.json").read_text())
    links = {e["scope"]["file"]: e for e in doc["errors"] if e["code"] == "Symlink"}
    assert set(links) == {"repo/creds.tf", "repo/leak.tf"}
    assert "outside the scanned tree" in links["repo/leak.tf"]["message"]
    assert [r["name"] for r in doc["resources"]] == ["ok"]


def test_symlink_inside_the_tree_is_read(tmp_path: Path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "g.tf.txt").write_text(GUARDRAIL % ("g", "shared"))
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "g.tf").symlink_to(tmp_path / "shared" / "g.tf.txt")
    doc = scan_paths([tmp_path], base=tmp_path)
    assert [r["name"] for r in doc["resources"]] == ["shared"] and doc["errors"] == []


def test_file_functions_and_module_sources_cannot_leave_the_tree(tmp_path: Path, outside: Path):
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "policies" / "ok.txt").write_text("in-tree")
    depth = len(repo.parts)
    up = "../" * depth
    (repo / "main.tf").write_text(
        'resource "aws_bedrock_guardrail" "f" {\n'
        f'  name = file("{up}{outside.relative_to("/")}/credentials")\n'
        f'  description = file("${{path.module}}/../outside/credentials")\n'
        '  blocked_input_messaging = file("${path.module}/policies/ok.txt")\n'
        '  blocked_outputs_messaging = core::file ("/proc/self/environ")\n}\n'
        'module "escape" {\n  source = "../outside"\n}\n')
    (repo / ".terraform" / "modules").mkdir(parents=True)
    (repo / ".terraform" / "modules" / "modules.json").write_text(json.dumps(
        {"Modules": [{"Key": "x", "Source": "x", "Dir": str(outside)}, {"Key": "y", "Source": "y", "Dir": "../../outside"}]}))
    p = _cli("iac", "repo", "-f", "json", "-o", "out.json", "--save-inventory", "out.inv.json", cwd=tmp_path)
    assert SECRET not in _all_output(tmp_path, p)
    assert "HOME=" not in _all_output(tmp_path, p) and "PATH=" not in _all_output(tmp_path, p)
    doc = json.loads((tmp_path / "out.inv.json").read_text())
    g = doc["resources"][0]
    assert g["name"] == "f"  # the blocked call made name unknown; the address names it
    codes = [e["code"] for e in doc["errors"]]
    assert codes.count("ModuleOutsideTree") == 3  # the module call and both modules.json entries


def test_size_limits_and_parse_errors_never_copy_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from aiposture.iac import tree

    monkeypatch.setattr(tree, "MAX_FILE_BYTES", 2000)
    (tmp_path / "big.tf").write_text(GUARDRAIL % ("big", "x" * 3000))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_text(f'resource "x" "y" {{\n  {SECRET} {SECRET} = = "{SECRET}"\n}}\n')
    (tmp_path / "bad" / "ok.tf").write_text(GUARDRAIL % ("ok", "ok"))
    doc = scan_paths([tmp_path], base=tmp_path)
    errs = {e["scope"]["file"]: e for e in doc["errors"]}
    assert errs["big.tf"]["code"] == "TooLarge" and "too large" in errs["big.tf"]["message"]
    assert errs["bad/main.tf"]["code"] == "ParseError" and errs["bad/main.tf"]["scope"]["line"] == 2
    assert SECRET not in json.dumps(doc)
    assert [r["name"] for r in doc["resources"]] == ["ok"]  # the rest of the configuration is still read


def test_odd_names_unreadable_dirs_deep_modules_and_json_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.tf"
    with open(raw, "wb") as fh:
        fh.write((GUARDRAIL % ("latin", "latin")).encode())
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.tf").write_text(GUARDRAIL % ("locked", "locked"))
    real_scandir = os.scandir

    def scandir(path):  # root ignores file modes: simulate an unreadable directory
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    # local modules nested 10 deep
    d = tmp_path / "deep"
    d.mkdir()
    (d / "main.tf").write_text('module "m" {\n  source = "./m"\n}\n')
    for i in range(10):
        d = d / "m"
        d.mkdir()
        (d / "main.tf").write_text(('module "m" {\n  source = "./m"\n}\n' if i < 9 else "") + GUARDRAIL % (f"d{i}", f"d{i}"))
    (tmp_path / "state.json").write_text(json.dumps({"version": 4, "terraform_version": "1.9.0", "lineage": "x", "resources": []}))
    (tmp_path / "plan-nover.json").write_text(json.dumps({"planned_values": {"root_module": {}}}))
    (tmp_path / "plan-types.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": 5, "type": ["x"], "values": "nope"}]}}, "resource_changes": "x"}))
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {"aws_bedrock_guardrail": {"j": {"name": "json"}}}}))
    doc = scan_paths([tmp_path], base=tmp_path)
    codes = {e["scope"].get("file"): e["code"] for e in doc["errors"]}
    assert codes["locked"] == "Unreadable"
    assert codes["state.json"] == "NotSupported" and codes["plan-nover.json"] == "NotSupported"
    assert codes["plan-types.json"] == "ParseError"
    assert any(c == "TooDeep" for c in codes.values())
    names = {r["name"] for r in doc["resources"]}
    assert {"latin", "json", "d0", "d7"} <= names and "d9" not in names
    assert "caf\\xe9.tf" in doc["scan"]["iac"]["files"]  # read; its name is shown escaped
    assert pipeline.evaluate(doc, pipeline.Options(), Config()).incomplete


def test_five_megabyte_tf_is_read(tmp_path: Path):
    """A 5 MB file (a 3 MB heredoc, long comments, 500 resources) is read; the heredoc is too long to evaluate.

    The worst case with 5 MB of resources (about 25,000) is measured, not tested: see benchmarks/iac_scan.py.
    """
    block = GUARDRAIL % ("g%d", "g%d")
    body = "".join(block % (i, i) for i in range(500))
    heredoc = 'resource "aws_bedrock_guardrail" "doc" {\n  name = "doc"\n  description = <<EOT\n' + ("x" * 99 + "\n") * 30_000 + "EOT\n}\n"
    comments = ("# " + "c" * 97 + "\n") * 20_000
    text = body + heredoc + comments
    assert len(text) > 5_000_000
    (tmp_path / "main.tf").write_text(text)
    doc = scan_paths([tmp_path], base=tmp_path)
    assert len(doc["resources"]) == 501
    assert [(e["code"], e["scope"]["line"]) for e in doc["errors"]] == [("TooLarge", 2503)]  # the 3 MB heredoc: unknown


# ----------------------------------------------------------------------------- fuzz
_pieces = st.sampled_from([
    'resource "aws_bedrock_guardrail" "g" {', "}", "{", '"', "${", "<<EOF", "EOF", "name = ", "var.x", "local.y", "module.m",
    '"text"', "# comment", "/*", "*/", "dynamic \"filters_config\" {", "content {", "for_each = ", "[1, 2]", "? 1 : 0",
    'module "m" {', 'source = "../../x"', 'file("/etc/passwd")', "\n", " ", "=", "(", ")", "[", "]", "\u00e9", "\x00", "%{",
])
_text = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_fuzz_source_index_never_crashes(text: str):
    try:
        blocks = terraform_source.index(text)
    except terraform_source.ScanError as e:
        assert e.line >= 1 and e.reason
        return
    for b, _ in terraform_source.walk(blocks):
        assert b.line >= 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_text, min_size=1, max_size=3), st.booleans())
def test_fuzz_terraform_reader_accounts_for_every_file(tmp_path_factory: pytest.TempPathFactory, texts: list[str], as_json: bool):
    d = tmp_path_factory.mktemp("fuzz")
    names = []
    for i, t in enumerate(texts):
        name = f"f{i}.tf.json" if as_json and i == 0 else f"f{i}.tf"
        (d / name).write_text(json.dumps({"resource": {"aws_bedrock_guardrail": {"g": {"name": t}}}}) if name.endswith(".json") else t)
        names.append(name)
    doc = scan_paths([d], base=d)
    for n in names:
        assert _accounted(doc, n), (n, doc["errors"])


def test_an_evaluator_that_dies_is_not_checked_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A Go panic or an out-of-memory kill of the evaluator's process ends as "not checked" for that root."""
    from aiposture.iac import terraform_eval

    if terraform_eval._SHARED is not None:
        terraform_eval._SHARED.close()
    monkeypatch.setattr(terraform_eval, "MEMORY_LIMIT", 64 << 20)  # too small to load the evaluator: the child dies
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(GUARDRAIL % ("g", "g"))
    (tmp_path / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_bedrock_guardrail.p", "mode": "managed", "type": "aws_bedrock_guardrail", "name": "p",
         "values": {"name": "p"}}]}}}))
    doc = scan_paths([tmp_path], base=tmp_path)
    errs = [e for e in doc["errors"] if e["code"] == "EvaluatorError"]
    assert len(errs) == 1 and errs[0]["scope"]["file"] == "tf" and "not checked" in errs[0]["message"]
    assert [r["name"] for r in doc["resources"]] == ["p"]  # the rest of the scan went on
    assert terraform_eval._SHARED is not None
    terraform_eval._SHARED.close()
