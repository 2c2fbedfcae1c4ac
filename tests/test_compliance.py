"""Compliance view: per framework control, pass / fail / not checked / not covered, on the demo inventory."""

import csv
import datetime as dt
import io
import json
from collections import Counter

import pytest
from click.testing import CliRunner

from aiposture import compliance, pipeline
from aiposture import inventory as inv
from aiposture.catalog import control_catalogue, slugs
from aiposture.cli import main
from aiposture.engine import Config
from aiposture.engine.config import Waiver
from aiposture.engine.model import Status

# Counts of controls per status on examples/inventory.json with the built-in pack (27 resources, one
# AccessDenied scope). A change here means a mapping or a rule changed: check it is meant.
DEMO_COUNTS = {
    # A.5.31 and A.8.18 (AIP-DATA-030, AIP-AUTH-031: no organisation policy or notebook in the demo) are not checked
    "iso27001": {"controls": 93, "fail": 23, "not_checked": 4, "pass": 1, "not_covered": 65},
    "iso42001": {"controls": 38, "fail": 11, "not_checked": 0, "pass": 2, "not_covered": 25},
    "owasp-llm-2025": {"controls": 10, "fail": 9, "not_checked": 0, "pass": 0, "not_covered": 1},
    "mitre-atlas": {"controls": 205, "fail": 27, "not_checked": 1, "pass": 4, "not_covered": 173},
    "eu-ai-act": {"controls": 19, "fail": 6, "not_checked": 0, "pass": 1, "not_covered": 12},
    "iso27090": {"controls": 14, "fail": 14, "not_checked": 0, "pass": 0, "not_covered": 0},
}


@pytest.fixture(scope="module")
def demo_views(demo_report):
    return {v.catalogue.slug: v for v in compliance.views(demo_report)}


@pytest.mark.parametrize("slug", sorted(DEMO_COUNTS))
def test_demo_counts_per_framework(demo_views, slug):
    assert demo_views[slug].summary == DEMO_COUNTS[slug]


@pytest.mark.parametrize("slug", sorted(DEMO_COUNTS))
def test_counts_agree_with_the_results_computed_independently(demo_report, demo_views, slug):
    """The verdicts follow from the raw results: recompute them without the compliance module."""
    cat = control_catalogue(slug)
    mapped: dict[str, set[str]] = {}
    for r in demo_report.rules:
        for cid in cat.rule_ids(r):
            mapped.setdefault(cid, set()).add(r.id)
    statuses: dict[str, Counter] = {cid: Counter() for cid in mapped}
    for res in demo_report.results:
        for cid in cat.rule_ids(res.rule):
            statuses[cid][res.status.value] += 1
    fail = {cid for cid, c in statuses.items() if c["fail"]}
    not_checked = {cid for cid, c in statuses.items() if not c["fail"] and (c["error"] or not (c["pass"] + c["waived"]))}
    view = demo_views[slug]
    by_status = {s: {c.id for c in view.controls if c.status == s} for s in compliance.STATUSES}
    assert by_status["fail"] == fail
    assert by_status["not_checked"] == not_checked
    assert by_status["pass"] == set(mapped) - fail - not_checked
    assert by_status["not_covered"] == set(cat.controls) - set(mapped)


def test_failing_resources_and_rules_behind_a_control(demo_report, demo_views):
    a815 = next(c for c in demo_views["iso27001"].controls if c.id == "A.8.15")
    assert a815.status == "fail" and {"AIP-LOG-001", "AIP-LOG-003"} <= set(a815.rules)
    expected = {r.resource_id for r in demo_report.results if r.status is Status.FAIL and "A.8.15" in r.rule.controls["iso27001"]}
    assert set(a815.failing_ids()) == expected and len(a815.failing_ids()) == len(expected)
    full = a815.failing_resources()
    assert {f["resource_id"] for f in full} == expected
    for f in full:  # each failing resource names exactly the mapped rules that failed on it
        assert set(f["rules"]) == {r.rule.id for r in demo_report.results if r.status is Status.FAIL
                                   and r.resource_id == f["resource_id"] and "A.8.15" in r.rule.controls["iso27001"]}
    assert a815.failing_resources(limit=1) == full[:1]


def test_an_unreadable_result_never_makes_a_control_pass(demo_views):
    # AIP-DATA-007 passes on one project and errors on the other: its controls are 'not checked', never 'pass'
    a519 = next(c for c in demo_views["iso27001"].controls if c.id == "A.5.19")
    assert a519.status == "not_checked" and a519.counts["error"] and a519.counts["pass"]
    assert "could not be checked" in a519.reason


def test_per_cloud_and_per_account_summaries(demo_views):
    view = demo_views["iso27001"]
    assert set(view.by_cloud) == {"aws", "azure", "gcp"}
    for counts in view.by_cloud.values():
        assert sum(counts.values()) == 93 and counts["not_covered"] == 65
    accounts = {(a["provider"], a["account"]) for a in view.by_account}
    assert accounts == {("aws", "111122223333"), ("aws", "444455556666"), ("azure", "0b1f6471-1bf0-4dda-aec3-111111111111"),
                        ("gcp", "acme-ml-prod"), ("gcp", "acme-ml-sandbox")}
    assert all(sum(a[s] for s in compliance.STATUSES) == 93 for a in view.by_account)


def test_waived_failures_pass_and_are_counted(example_copy):
    cfg = Config(waivers=[Waiver("AIP-AUTH-001", "*", "migration", "alice", dt.date.today() + dt.timedelta(days=30))])
    rep = pipeline.evaluate(inv.load(example_copy), pipeline.Options(rule_ids=["AIP-AUTH-001"]), cfg)
    a517 = next(c for c in compliance.build("iso27001", rep.results, rep.rules).controls if c.id == "A.5.17")
    assert a517.status == "pass" and a517.counts["waived"] >= 1 and "waived" in a517.reason


def test_not_selected_is_not_checked_not_uncovered(example_copy):
    rep = pipeline.evaluate(inv.load(example_copy), pipeline.Options(rule_ids=["AIP-GR-001"]), Config())
    view = compliance.build("iso27001", rep.results, rep.rules, rep.available_rules)
    a815 = next(c for c in view.controls if c.id == "A.8.15")
    assert a815.status == "not_checked" and "not selected" in a815.reason and "AIP-LOG-001" in a815.other_rules
    assert next(c for c in view.controls if c.id == "A.6.1").status == "not_covered"


def test_rules_declaring_a_framework_not_applicable_are_listed(demo_views):
    na = demo_views["owasp-llm-2025"].not_applicable
    assert "AIP-ENC-006" in na and "LLM07" in na["AIP-ENC-006"]


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_scan_compliance_json_csv_and_table(example_copy, tmp_path):
    r = _cli("scan", "--inventory", example_copy, "--compliance", "iso27001", "--compliance", "eu-ai-act",
             "-f", "json", "-o", tmp_path / "c.json", "-f", "csv", "-o", tmp_path / "c.csv", "-q")
    assert r.exit_code == 1, r.output  # failing findings still decide the exit code
    doc = json.loads((tmp_path / "c.json").read_text())
    assert [f["framework"]["slug"] for f in doc["frameworks"]] == ["iso27001", "eu-ai-act"]
    assert doc["frameworks"][0]["summary"] == DEMO_COUNTS["iso27001"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text())))
    assert len(rows) == 93 + 19
    a815 = next(x for x in rows if x["control"] == "A.8.15")
    assert a815["status"] == "fail" and "AIP-LOG-001" in a815["rules"] and int(a815["failing_resources"]) >= 1
    assert all(not x["failing_resource_ids"].startswith(("=", "+", "-", "@")) for x in rows)
    r = _cli("scan", "--inventory", example_copy, "--compliance", "owasp-llm-2025", "--soft-fail", "--tolerate-errors")
    assert r.exit_code == 0 and "LLM01:2025" in r.output and "Not covered by any rule (1): LLM07:2025" in r.output


def test_iac_and_demo_take_compliance_too(tmp_path):
    tf = tmp_path / "main.tf"
    tf.write_text('resource "aws_bedrock_guardrail" "g" {\n  name = "g"\n  blocked_input_messaging = "x"\n'
                  '  blocked_outputs_messaging = "x"\n}\n')
    r = _cli("iac", tmp_path, "--compliance", "owasp-llm-2025", "-f", "json", "--soft-fail", "--tolerate-errors")
    assert r.exit_code == 0, r.output
    view = json.loads(r.stdout)["frameworks"][0]
    assert next(c for c in view["controls"] if c["id"] == "LLM01:2025")["status"] == "fail"
    r = _cli("demo", "--output-dir", tmp_path / "demo", "--compliance", "eu-ai-act")
    assert r.exit_code == 0 and "Art.15(5)" in r.output and "EU AI Act" in r.output


def test_unknown_framework_is_a_usage_error(example_copy):
    r = _cli("scan", "--inventory", example_copy, "--compliance", "iso9001")
    assert r.exit_code == 2 and "unknown framework 'iso9001'" in r.output and len(r.output.strip().splitlines()) == 1


def test_compliance_list_and_coverage():
    r = _cli("compliance", "list", "--json")
    assert r.exit_code == 0
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert set(rows) == set(slugs())
    assert rows["iso27001"]["controls"] == 93 and rows["iso27001"]["covered"] + rows["iso27001"]["not_covered"] == 93
    r = _cli("compliance", "coverage", "iso42001", "-f", "csv")
    assert r.exit_code == 0
    cov = {x["control"]: x for x in csv.DictReader(io.StringIO(r.output))}
    assert len(cov) == 38 and cov["A.6.2.8"]["covered"] == "yes" and cov["A.2.2"]["covered"] == "no"
    assert "AIP-LOG-001" in cov["A.6.2.8"]["rules"]


def test_user_rule_with_an_id_outside_the_catalogue_is_shown_not_dropped(tmp_path, example_copy):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "USR-ABC-001.yaml").write_text(
        "id: USR-ABC-001\ntitle: Agent has a guardrail (user copy)\nkind: agent\nseverity: low\n"
        "condition: resource.attrs.content_filter.attached == true\nthreats: [prompt_injection]\n"
        'controls: {iso27001: [A.8.99], owasp_llm_2025: ["LLM01:2025"]}\nrationale: Enough words to pass the length check.\n'
        'remediation: {aws: fix, terraform: "# fix"}\ntests:\n  - {attrs: {content_filter: {attached: true}}, expect: pass}\n'
        "  - {attrs: {content_filter: {attached: false}}, expect: fail}\n")
    r = _cli("scan", "--inventory", example_copy, "--rules-dir", rules, "--rule", "USR-*", "--compliance", "iso27001", "-f", "json",
             "--soft-fail", "--tolerate-errors")
    view = json.loads(r.stdout)["frameworks"][0]
    odd = next(c for c in view["controls"] if c["id"] == "A.8.99")
    assert odd["title"] == "(not in the shipped catalogue)" and odd["rules"] == ["USR-ABC-001"]


def test_rules_validate_names_control_ids_outside_the_catalogues(tmp_path):
    rule = tmp_path / "USR-ABC-002.yaml"
    rule.write_text(
        "id: USR-ABC-002\ntitle: Agent has a guardrail (user copy)\nkind: agent\nseverity: low\n"
        "condition: resource.attrs.content_filter.attached == true\nthreats: [prompt_injection]\n"
        'controls: {iso27001: [A.8.99], owasp_llm_2025: ["LLM01:2025"]}\nrationale: Enough words to pass the length check.\n'
        'remediation: {aws: fix, terraform: "# fix"}\ntests:\n  - {attrs: {content_filter: {attached: true}}, expect: pass}\n'
        "  - {attrs: {content_filter: {attached: false}}, expect: fail}\n")
    r = _cli("rules", "validate", rule)
    assert r.exit_code == 2 and "'A.8.99' is not in ISO/IEC 27001:2022 Annex A" in r.output and "0 valid, 1 invalid" in r.output
    assert _cli("rules", "validate").exit_code == 0  # the built-in pack maps only catalogued ids


def test_json_output_matches_the_compliance_schema(demo_report):
    from jsonschema import Draft202012Validator

    from aiposture.output import compliance as out
    from aiposture.paths import schema

    doc = json.loads(out.render_json(demo_report, []))
    errors = list(Draft202012Validator(schema("compliance")).iter_errors(doc))
    assert errors == [], [e.message for e in errors[:5]]
    assert len(doc["frameworks"]) == len(slugs())
