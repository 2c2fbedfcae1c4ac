import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config, load_rules
from aiposture.output import writers
from aiposture.paths import schema

DATA = Path(__file__).parent / "data"
EVIL = 'evil](https://attacker.example) <script>alert(1)</script> =cmd|"/c calc"!A1 **bold** \x07'


@pytest.fixture
def report(example_copy):
    doc = inv.load(example_copy)
    # an attacker-controlled name on a failing resource
    agent = next(r for r in doc["resources"] if r["kind"] == "agent" and r["account"] == "444455556666")
    agent["name"] = EVIL
    inv.save(doc, example_copy)
    doc = inv.load(example_copy)
    opts = pipeline.Options()
    return pipeline.evaluate(doc, opts, Config(), inventory_path=example_copy)


def sarif(report, base):
    from aiposture.output.sarif import build

    return build(report, base=base)


def test_sarif_is_valid_against_oasis_schema(report, tmp_path):
    s = json.loads(json.dumps(sarif(report, tmp_path)))
    oasis = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    errors = list(Draft4Validator(oasis).iter_errors(s))
    assert errors == [], [e.message for e in errors[:5]]


def test_sarif_meets_github_code_scanning_rules(report, tmp_path):
    s = sarif(report, tmp_path)
    assert len(s["runs"]) == 1
    run = s["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    for r in rules:
        tags = r["properties"]["tags"]
        assert len(tags) == len(set(tags)) <= 20
        sev = r["properties"]["security-severity"]
        assert isinstance(sev, str) and 0.1 <= float(sev) <= 10.0
        assert r["help"]["markdown"] and r["help"]["text"]
        # ISO/IEC 27090 is not published: threat names are the project's wording and say so (issue 14)
        assert "**ISO/IEC 27090 threats (aiposture wording, pending publication)**" in r["help"]["markdown"]
        assert len(r["fullDescription"]["text"]) <= 1024
    assert run["automationDetails"]["id"].endswith("/")
    assert run["results"], "the example has failures"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"]["uri"] and phys["region"]["startLine"] >= 1
        assert res["partialFingerprints"]["primaryLocationLineHash"]
    assert run["invocations"][0]["executionSuccessful"] is False  # the example has an AccessDenied scope


def test_sarif_live_findings_point_at_the_resource_line(report, tmp_path, example_copy):
    s = sarif(report, example_copy.parent)
    lines = example_copy.read_text().splitlines()
    for res in s["runs"][0]["results"]:
        loc = res["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "inventory.json"
        line = lines[loc["physicalLocation"]["region"]["startLine"] - 1]
        assert json.loads(line.rstrip(","))["id"] == loc["logicalLocations"][0]["fullyQualifiedName"]


def test_sarif_fingerprints_are_stable_and_order_deterministic(report, tmp_path, example_copy):
    a = sarif(report, tmp_path)["runs"][0]["results"]
    # a fresh run over the same inventory with shifted lines keeps the fingerprints
    doc = inv.load(example_copy)
    doc["resources"].reverse()
    inv.save(doc, example_copy)
    report2 = pipeline.evaluate(inv.load(example_copy), pipeline.Options(), Config(), inventory_path=example_copy)
    b = sarif(report2, tmp_path)["runs"][0]["results"]
    fa = {(r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"]) for r in a}
    fb = {(r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"]) for r in b}
    assert fa == fb
    assert [r["ruleId"] for r in a] == [r["ruleId"] for r in b]


def test_sarif_iac_findings_use_source_file_and_line(tmp_path):
    res = inv.make_resource(id="main.tf:aws_bedrock_guardrail.g", provider="aws", kind="content_filter",
                            native_type="aws_bedrock_guardrail", name="g", attrs={"prompt_attack": {"enabled": False}},
                            origin="terraform", file="infra/main.tf", line=42)
    _rules, _ = load_rules()
    rep = pipeline.evaluate(inv.new_document([res]), pipeline.Options(rule_ids=["AIP-GR-001"]), Config())
    s = sarif(rep, tmp_path)
    loc = s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 42
    assert s["runs"][0]["automationDetails"]["id"] == "aiposture/iac/"


def test_sarif_escapes_untrusted_names(report, tmp_path):
    text = json.dumps(sarif(report, tmp_path))
    assert "evil](https" not in text  # no forged SARIF/markdown link
    assert "evil\\\\](https" in text


def test_waived_findings_are_sarif_suppressions(example_copy, tmp_path):
    import datetime as dt

    from aiposture.engine.config import Waiver

    cfg = Config(waivers=[Waiver("AIP-AUTH-001", "*oai-dev", "dev sandbox", "alice", dt.date.today() + dt.timedelta(days=9))])
    rep = pipeline.evaluate(inv.load(example_copy), pipeline.Options(rule_ids=["AIP-AUTH-001"]), cfg, inventory_path=example_copy)
    res = sarif(rep, tmp_path)["runs"][0]["results"]
    assert len(res) == 1 and res[0]["suppressions"][0]["status"] == "accepted"
    assert "dev sandbox" in res[0]["suppressions"][0]["justification"]


def test_json_output_matches_findings_schema(report):
    doc = json.loads(writers()["json"](report))
    registry = Registry().with_resource("inventory.schema.json", Resource.from_contents(schema("inventory")))
    validator = Draft202012Validator(schema("findings"), registry=registry)
    errors = list(validator.iter_errors(doc))
    assert errors == [], [e.message for e in errors[:5]]
    assert doc["summary"]["fail"] == sum(r["status"] == "fail" for r in doc["results"])


def test_junit_is_well_formed_and_counts(report):
    root = ET.fromstring(writers()["junit"](report).encode())
    assert int(root.get("failures")) == sum(r.status.value == "fail" for r in report.results)
    assert int(root.get("errors")) == sum(r.status.value == "error" for r in report.results)
    names = [c.get("name") for c in root.iter("testcase")]
    assert any("<script>alert(1)</script>" in (c.get("message") or "") for c in root.iter("failure")) or \
        any(EVIL.replace("\x07", "") in n for n in names)
    assert "\x07" not in writers()["junit"](report)


def test_csv_neutralises_formulas(report):
    rows = list(csv.DictReader(io.StringIO(writers()["csv"](report))))
    assert rows and all(not r["resource_name"].startswith(("=", "+", "-", "@")) for r in rows)
    assert len(rows) == len(report.results)


def test_table_renders_names_literally(report):
    out = writers()["table"](report)
    assert "not checked" in out and "By ISO/IEC 27090 threat" in out
    assert "<script>alert(1)</script>" in out  # shown as text, rich markup not interpreted


def test_html_is_self_contained_and_escapes_untrusted_names(report):
    from html.parser import HTMLParser

    from aiposture.catalog import DOCS_URL

    text = writers()["html"](report)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    tags: list[str] = []
    scripts: list[dict] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)
            if tag == "script":
                scripts.append(dict(attrs))
            for k, v in attrs:
                assert not (k.startswith("on")), (tag, k)  # no event handlers in markup
                assert not (k == "src" and v and "://" in v), (tag, k, v)  # nothing fetched from the network
                assert not (k == "href" and v and not v.startswith(DOCS_URL + "#")), (tag, k, v)  # only rule docs links

    P().feed(text)
    # one inert data block (findings as JSON) and one script that renders it
    assert tags.count("script") == 2 and "link" not in tags and "iframe" not in tags
    assert scripts[0] == {"type": "application/json", "id": "findings-data"} and scripts[1] == {}
    data = text.split('id="findings-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data  # no value can close the script element
    assert len(json.loads(data)["rule"]) == sum(json.loads(data)["counts"]) == len(report.results)
    assert "Threats by cloud" in text and "Content-Security-Policy" in text
    fails = len([r for r in report.results if r.status.value == "fail"])
    assert f'<div class="card fail"><b>{fails}</b>' in text


def test_evidence_needs_a_file(example_copy):
    from click.testing import CliRunner

    from aiposture.cli import main

    r = CliRunner().invoke(main, ["scan", "--inventory", str(example_copy), "-f", "evidence"])
    assert r.exit_code == 2 and "zip file" in r.output
