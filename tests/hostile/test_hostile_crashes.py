"""Inputs that used to crash with a traceback and exit 1 (the "findings" code), and silent skips.

Every user mistake is exit 2 with one line naming the file (and field or line); what could
not be read is listed and exit 3; an internal bug is exit 4 with a hint to report it.
"""

from __future__ import annotations

import json
import os

import pytest
from safety_helpers import EXAMPLE, ROOT, cli, example_doc, failing_filter, one_error_line, proc, write_doc

from aiposture import inventory as inv


def _deep(n):
    node: dict = {}
    top = node
    for _ in range(n):
        node["a"] = {}
        node = node["a"]
    return top


def _replace_ttl(text: str, value: str) -> str:
    return text.replace('"idle_session_ttl_seconds": 600', f'"idle_session_ttl_seconds": {value}', 1)


INVENTORY_CASES = {
    "utf-16": (lambda: json.dumps(example_doc()).encode("utf-16"), ["UTF-16", "UTF-8"]),
    "utf-32": (lambda: json.dumps(example_doc()).encode("utf-32"), ["UTF-32"]),
    "latin-1": (lambda: json.dumps(example_doc()).replace("claims-assistant", "caf\u00e9").encode("latin-1"),
                ["not valid UTF-8", "0xe9"]),
    "deep-attrs": (lambda: json.dumps({**example_doc(), "resources": [
        {**example_doc()["resources"][0], "attrs": {"deep": _deep(300)}}]}).encode(), ["nested more than 64"]),
    "deep-array": (lambda: (b'{"resources": ' + b"[" * 100000 + b"]" * 100000 + b"}"), ["nested too deeply"]),
    "huge-integer": (lambda: _replace_ttl(json.dumps(example_doc()), "9" * 5000).encode(), [":1:", "out of range"]),
    "int-over-64-bit": (lambda: _replace_ttl(json.dumps(example_doc()), str(2**64)).encode(),
                        ["attrs/idle_session_ttl_seconds", "out of range"]),
    "float-overflow": (lambda: _replace_ttl(json.dumps(example_doc()), "1e999").encode(),
                       ["attrs/idle_session_ttl_seconds", "out of range"]),
    "nan": (lambda: _replace_ttl(json.dumps(example_doc()), "NaN").encode(), ["NaN is not a JSON number"]),
    "infinity": (lambda: _replace_ttl(json.dumps(example_doc()), "-Infinity").encode(), ["-Infinity"]),
    "lone-surrogate": (lambda: json.dumps(example_doc()).replace('"claims-assistant"', '"claims\\ud800"').encode(),
                       ["resources/0/name", "lone surrogate"]),
    "surrogate-key": (lambda: json.dumps(example_doc()).replace('"attrs": {', '"attrs": {"\\udfff": 1, ', 1).encode(),
                      ["lone surrogate"]),
    "wrong-types": (lambda: json.dumps({**example_doc(), "resources": {"a": 1}}).encode(), ["resources", "array"]),
    "not-json": (lambda: b"{not json", [":1:2:", "not valid JSON"]),
    "empty": (lambda: b"", ["not valid JSON"]),
}


@pytest.mark.parametrize("case", sorted(INVENTORY_CASES))
def test_hostile_inventory_is_one_line_exit_2(tmp_path, case):
    make, names = INVENTORY_CASES[case]
    p = tmp_path / "inv.json"
    p.write_bytes(make())
    one_error_line(cli("scan", "--inventory", p), "inv.json", *names)
    r = cli("inventory", "validate", p)
    assert r.code == 2 and "inv.json" in r.stdout + r.stderr


def test_inventory_that_is_a_directory(tmp_path):
    r = cli("scan", "--inventory", tmp_path)
    assert r.code == 2 and "is a directory" in r.stderr


def test_inventory_size_limit(tmp_path):
    p = write_doc(tmp_path / "inv.json", [failing_filter(name="x" * 200_000)])
    one_error_line(cli("scan", "--inventory", p, env={"AIPOSTURE_MAX_INVENTORY_MB": "0.1"}), "over the", "MB limit")
    one_error_line(cli("scan", "--inventory", p, env={"AIPOSTURE_MAX_INVENTORY_MB": "lots"}), "AIPOSTURE_MAX_INVENTORY_MB")
    assert cli("scan", "--inventory", p, "-q").code == 1


def test_inventory_validate_lists_every_problem(tmp_path):
    doc = example_doc()
    for r in doc["resources"][:3]:
        r["provider"] = "nope"
    p = tmp_path / "inv.json"
    p.write_text(json.dumps(doc))
    one_error_line(cli("scan", "--inventory", p), "inv.json", "(+2 more")
    r = cli("inventory", "validate", p)
    assert r.code == 2 and r.stdout.count("provider") == 3


@pytest.mark.parametrize(("content", "names"), [
    (b'{"results": ' + b"[" * 100000 + b"]" * 100000 + b"}", ["nested too deeply"]),
    (b'{"results": ' + b"[" * 100 + b"]" * 100 + b"}", ["nested more than"]),
    (b'{"results": 5}', ["results", "not a JSON result"]),
    (b'{"results": [1, 2]}', ["not a JSON result"]),
    (b"[]", ["not a JSON result"]),
    (json.dumps({"results": []}).encode("utf-16"), ["UTF-16"]),
    (b'{"results": [NaN]}', ["NaN"]),
])
def test_hostile_baseline_is_one_line_exit_2(tmp_path, content, names):
    base = tmp_path / "base.json"
    base.write_bytes(content)
    tf = ROOT / "tests" / "fixtures" / "iac" / "cloudformation"
    one_error_line(cli("iac", tf, "--baseline", base, "-q"), "base.json", *names)


def test_unreadable_rules_subdirectory_is_listed_never_skipped(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    (rules / "ok").mkdir(parents=True)
    (rules / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path=".", *a, **kw):  # root ignores permission bits: refuse like a 0700 dir of another user
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *a, **kw)

    monkeypatch.setattr(os, "scandir", scandir)
    clean = write_doc(tmp_path / "clean.json", [failing_filter()])
    r = cli("scan", "--inventory", clean, "--rules-dir", rules, "--rule", "AIP-GR-001")
    assert r.code == 1 and "locked" in r.stdout and "cannot read this rules directory" in r.stdout
    r = cli("scan", "--inventory", clean, "--rules-dir", rules, "--rule", "AIP-GR-002", "-f", "json", "-o", "-")
    assert r.code == 3 and any("locked" in p for p in json.loads(r.stdout)["rule_problems"])  # not checked: exit 3
    r = cli("rules", "validate", rules)
    assert r.code == 2 and "locked" in r.stderr


def test_rule_link_out_of_the_rules_directory_is_not_read(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("aws_secret_access_key: SECRET-VALUE-1234\n")
    (rules / "creds.yaml").symlink_to(secret)
    r = cli("rules", "validate", rules)
    assert r.code == 2 and "outside the rules directory" in r.stderr and "SECRET-VALUE" not in r.stderr + r.stdout


@pytest.mark.parametrize(("content", "names"), [
    (b"id: X\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nest"]),
    (b"id: X\ntitle: caf\xe9\n", ["not UTF-8"]),
    (b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        b"a%d: &a%d [" % (i, i) + b",".join([b"*a" + (str(i - 1).encode() if i > 1 else b"")] * 9) + b"]\n"
        for i in range(1, 9)), ["expands"]),
    (b"id: X\nexpires: 2026-02-30\n", ["x.yaml"]),
])
def test_hostile_rule_file_is_a_rule_problem(tmp_path, content, names):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.yaml").write_bytes(content)
    r = cli("rules", "validate", rules)
    assert r.code == 2 and all(n in r.stderr for n in names), r


def test_non_utf8_file_names_on_the_command_line(tmp_path):
    bad = os.fsencode(tmp_path) + b"/inv\xff.json"
    with open(bad, "wb") as f:
        f.write(EXAMPLE.read_bytes())
    out = os.fsencode(tmp_path) + b"/out\xfe.sarif"
    p = proc("scan", "--inventory", bad, "-f", "sarif", "-o", out, "-f", "json", "-o", tmp_path / "o.json",
             "--soft-fail", "--tolerate-errors")
    assert p.returncode == 0, p.stderr
    assert b"out\\xfe.sarif" in p.stderr  # named with the byte shown, not a crash
    sarif = json.loads(open(out, "rb").read())
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("inv%FF.json")
    p = proc("scan", "--inventory", os.fsencode(tmp_path) + b"/missing\xff.json")
    assert p.returncode == 2 and b"missing\\xff.json" in p.stderr
    infra = os.fsencode(tmp_path) + b"/infra\xff"
    os.mkdir(infra)
    with open(infra + b"/main.tf", "wb") as f:
        f.write((ROOT / "tests" / "fixtures" / "iac" / "terraform" / "main.tf").read_bytes())
    p = proc("iac", infra, "-f", "json", "-o", tmp_path / "iac.json", "-q")
    assert p.returncode == 1, p.stderr
    json.loads((tmp_path / "iac.json").read_bytes().decode("utf-8"))  # valid UTF-8 JSON


def test_internal_error_is_exit_4_with_a_hint_never_1(tmp_path, monkeypatch):
    from aiposture.engine import evaluator

    def boom(self, doc):
        raise KeyError("value-from-the-input")

    monkeypatch.setattr(evaluator.Engine, "evaluate", boom)
    r = cli("scan", "--inventory", EXAMPLE)
    assert r.code == 4, r
    assert "internal error in aiposture" in r.stderr and "KeyError" in r.stderr and "please report it" in r.stderr
    assert "value-from-the-input" not in r.stderr and "Traceback" not in r.stderr  # no input data, no traceback
    r = CliRunnerNoCheck.invoke(["--debug", "scan", "--inventory", str(EXAMPLE)])
    assert r.exit_code == 4 and "value-from-the-input" in r.stderr and "Traceback" in r.stderr  # on request
    r = CliRunnerNoCheck.invoke(["scan", "--inventory", str(EXAMPLE)], env={"AIPOSTURE_DEBUG": "1"})
    assert r.exit_code == 4 and "Traceback" in r.stderr


class CliRunnerNoCheck:
    """The runner without the no-traceback assertion (for --debug)."""

    @staticmethod
    def invoke(args, env=None):
        from click.testing import CliRunner

        from aiposture.cli import main

        return CliRunner().invoke(main, args, env=env)


def test_keyboard_interrupt_is_not_findings(monkeypatch):
    from aiposture import inventory as inv_mod

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(inv_mod, "load", interrupted)
    r = CliRunnerNoCheck.invoke(["scan", "--inventory", str(EXAMPLE)])
    assert r.exit_code == 130


def test_nothing_silently_passes_on_a_valid_but_empty_inventory(tmp_path):
    p = write_doc(tmp_path / "empty.json", [])
    r = cli("scan", "--inventory", p)
    assert r.code == 0 and "0 resources" in r.stdout  # honest: nothing to check, said so
    assert inv.load(p)["resources"] == []


def test_missing_rules_directory_is_a_usage_error(tmp_path):
    clean = write_doc(tmp_path / "clean.json", [failing_filter()])
    one_error_line(cli("scan", "--inventory", clean, "--rules-dir", tmp_path / "nope"), "--rules-dir", "nope", "not found")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rule_dirs: [missing-rules]\n")
    one_error_line(cli("scan", "--inventory", clean, "--config", cfg), "c.yaml", "rule_dirs.0", "not found")


def test_a_token_whose_claims_nest_too_deep_names_no_one_and_does_not_crash():
    """The scanning identity is read from the access token's claims: bounded like every other parse."""
    import base64

    from aiposture.collect.azure_openai import token_principal

    def jwt(claims: bytes) -> str:
        return "h." + base64.urlsafe_b64encode(claims).decode().rstrip("=") + ".s"

    assert token_principal(jwt(b"[" * 12_000)) is None  # RecursionError in json, not a traceback
    assert token_principal(jwt(b'{"oid": "o-1", "tid": "t-1"}')) == {"principal": "o-1", "type": "", "account": "t-1",
                                                                     "name": ""}
