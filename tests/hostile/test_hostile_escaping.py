"""Names, ids, messages and file names from clouds and repositories, escaped in every output.

Each test writes a report from an inventory holding hostile strings and checks it by
*parsing* the output the way its consumer would (terminal bytes, csv with several
separators, an XML parser, a strict JSON parser, the SARIF 2.1.0 schema).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from jsonschema import Draft4Validator
from safety_helpers import HOSTILE_NAME, ROOT, SARIF_SCHEMA, cli, failing_filter, write_doc

from aiposture import inventory as inv
from aiposture.cli.common import run_pipeline
from aiposture.collect.base import report_errors
from aiposture.pipeline import Options

# control sequences a terminal or a CI log viewer would act on
TERMINAL_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
HOSTILE_FILE = "infra dir/#main?%20 é\u202e.tf"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_inventory(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    live = failing_filter(rid=f"arn:aws:bedrock:eu-west-1:111122223333:guardrail/{HOSTILE_NAME}", name=HOSTILE_NAME,
                          tags={"owner": HOSTILE_NAME})
    iac = failing_filter(rid=f"{HOSTILE_FILE}#aws_bedrock_guardrail.x", name=HOSTILE_NAME)
    iac["source"] = {"origin": "terraform", "file": HOSTILE_FILE, "line": 3, "address": "aws_bedrock_guardrail.x"}
    err = inv.make_error("aws", f"AccessDenied for {HOSTILE_NAME}", code="AccessDenied", kinds=["agent"],
                         account="111122223333", region=HOSTILE_NAME)
    return write_doc(d / "inventory.json", [live, iac], [err])


def _report(hostile_inventory, fmt):
    r = cli("scan", "--inventory", hostile_inventory, "-f", fmt, "-o", "-")
    assert r.code == 1, r
    return r.stdout


def test_terminal_table_shows_controls_as_text(hostile_inventory):
    out = _report(hostile_inventory, "table")
    assert not TERMINAL_ACTIVE.search(out), repr(TERMINAL_ACTIVE.search(out))
    assert "\\x1b[2J" in out and "\\u202e" in out  # visible, not lost
    # a newline in a name must not start a new log line (GitHub workflow command injection)
    assert not any(line.lstrip("│ ").startswith("::error::") for line in out.splitlines())


def test_notes_warnings_errors_and_progress_are_cleaned(hostile_inventory, tmp_path):
    buf = io.StringIO()
    doc = inv.load(hostile_inventory)
    doc["scan"]["notes"] = [f"skipped {HOSTILE_NAME}"]
    report_errors(doc, buf)
    assert not TERMINAL_ACTIVE.search(buf.getvalue()) and buf.getvalue().count("\n") == 2
    # an error naming a hostile file name
    r = cli("scan", "--inventory", tmp_path / "x\x1b[2J\u202e.json")
    assert r.code == 2 and not TERMINAL_ACTIVE.search(r.stderr) and "\\x1b[2J" in r.stderr


def test_rules_show_and_list_clean_rule_text(tmp_path):
    import yaml

    rules = tmp_path / "rules"
    rules.mkdir()
    rule = yaml.safe_load((ROOT / "rules" / "guardrails" / "AIP-GR-001.yaml").read_text())
    rule.update(id="ACME-GR-001", title="Evil \x1b[2J title \u202e", rationale=rule["rationale"] + " \x1b]0;pwned\x07")
    (rules / "x.yaml").write_text(yaml.safe_dump(rule))
    shown = cli("rules", "show", "ACME-GR-001", "--rules-dir", rules)
    assert shown.code == 0, shown
    assert not TERMINAL_ACTIVE.search(shown.stdout) and "\\x1b[2J" in shown.stdout
    listed = cli("rules", "list", "--rules-dir", rules)
    assert not TERMINAL_ACTIVE.search(listed.stdout)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_has_no_formula_cell_whatever_the_separator(hostile_inventory, delimiter):
    text = _report(hostile_inventory, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "status" and len({len(r) for r in rows}) == 1  # still a regular CSV
    assert any("x;'=1+2" in cell for row in rows for cell in row)
    # an importer splitting on another separator (or ignoring quotes) never sees a cell start with a trigger
    for line in text.splitlines():
        for cell in re.split(re.escape(delimiter), line):
            cell = cell.strip().strip('"').strip()
            assert not cell.startswith(FORMULA_START), (delimiter, cell)


def test_junit_is_well_formed_xml_without_invalid_characters(hostile_inventory):
    text = _report(hostile_inventory, "junit")
    root = ET.fromstring(text.encode("utf-8"))  # expat rejects U+FFFE/U+FFFF and C0 controls
    names = [c.get("name") for c in root.iter("testcase")]
    assert any("\\ufffe" in n and "\\uffff" in n and "\\u0001" in n for n in names)
    assert "<script>" in " ".join(names)  # text, escaped by the serialiser, not markup


def test_sarif_uris_are_percent_encoded_and_the_log_is_schema_valid(hostile_inventory):
    sarif = json.loads(_report(hostile_inventory, "sarif"))
    assert list(Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).iter_errors(sarif)) == []
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in sarif["runs"][0]["results"] for loc in res["locations"]]
    rfc3986 = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$")
    assert uris and all(rfc3986.match(u) for u in uris), uris
    assert "infra%20dir/%23main%3F%2520%20%C3%A9%E2%80%AE.tf" in uris
    # messages cannot forge Markdown links
    texts = [res["message"]["text"] for res in sarif["runs"][0]["results"]]
    assert all("[link](" not in t for t in texts) and any("\\[link\\]" in t for t in texts)


def _strict(text):
    def no_constant(name):
        raise ValueError(f"{name} in output")
    return json.loads(text, parse_constant=no_constant)


def test_json_output_never_contains_nan_or_lone_surrogates(tmp_path, monkeypatch, capsys):
    # a document built in this process (an IaC reader parsed NaN from an ARM template, a lone surrogate escape)
    res = failing_filter(name="bad\ud800name")
    res["attrs"]["prompt_attack"].update(input_strength=float("nan"), output_strength=float("-inf"))
    doc = inv.new_document([res])
    monkeypatch.chdir(tmp_path)
    run_pipeline(doc, Options(formats=["json", "sarif"], outputs=["out.json", "out.sarif"]), None,
                 save_inventory=tmp_path / "inv.json")
    out = _strict((tmp_path / "out.json").read_bytes().decode("utf-8"))  # strict UTF-8 too
    r = out["inventory"]["resources"][0]
    assert r["attrs"]["prompt_attack"] == {"enabled": False, "input_strength": None, "output_strength": None}
    assert r["name"] == "bad\ufffdname"
    _strict((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert inv.load(tmp_path / "inv.json")["resources"][0]["name"] == "bad\ufffdname"
    assert "non-finite number" in capsys.readouterr().err


def test_duplicate_resource_ids_never_share_a_fingerprint(tmp_path, monkeypatch):
    doc = inv.new_document([failing_filter(rid="dup"), failing_filter(rid="dup"), failing_filter(rid="dup")])
    monkeypatch.chdir(tmp_path)
    run_pipeline(doc, Options(formats=["json"], outputs=["out.json"], rule_ids=["AIP-GR-001"], quiet=True), None)
    out = json.loads((tmp_path / "out.json").read_text())
    prints = [r["fingerprint"] for r in out["results"]]
    assert len(prints) == 3 and len(set(prints)) == 3
    assert sorted(r["resource_id"] for r in out["results"]) == ["dup", "dup#2", "dup#3"]
    # a saved inventory with duplicate ids is refused (findings are tracked by rule + resource id)
    saved = tmp_path / "dup.json"
    saved.write_text(json.dumps(inv.new_document([failing_filter(rid="dup"), failing_filter(rid="dup")])))
    r = cli("scan", "--inventory", saved)
    assert r.code == 2 and "duplicate resource id 'dup'" in r.stderr
