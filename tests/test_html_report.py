"""HTML report: shared responsibility, remediation for the finding's own cloud and IaC flavour, rule docs
links, the compliance tab, and (in headless Chromium) a first page of failing findings with passes hidden."""

import json
import os
import re
import shutil
import subprocess

import pytest

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.catalog import DOCS_URL
from aiposture.engine import Config, load_rules
from aiposture.output import html, sarif

HOSTILE = 'bad</script><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def demo_html(demo_report):
    return html.render(demo_report)


def _report(resources, rule_ids):
    return pipeline.evaluate(inv.new_document(resources), pipeline.Options(rule_ids=rule_ids), Config())


def _fix(text: str) -> str:
    return text.split('<div id="p-fix">', 1)[1]


def test_shared_responsibility_per_provider_and_family(demo_html):
    from aiposture import providers

    shared = demo_html.split('<div id="p-shared">', 1)[1].split('<div id="p-fix">', 1)[0]
    for p in ("aws", "azure", "gcp"):
        assert providers.title(p) in shared.replace("&amp;", "&")
        for fam in providers.families(p):
            split = providers.family_split(p, fam)
            assert split is not None and split.provider and split.customer
            for line in (*split.provider, *split.customer):
                assert html._e(line) in shared, (p, fam, line)
    # each failing finding's family gets its split in "how to fix"
    assert "Shared responsibility (Logging and monitoring): AWS attests CloudTrail event history" in _fix(demo_html)


def test_remediation_is_for_the_findings_own_cloud_and_iac_flavour():
    azure_tf = inv.make_resource(id="main.tf:azurerm_cognitive_account_rai_policy.p", provider="azure", kind="content_filter",
                                 native_type="Microsoft.CognitiveServices/accounts/raiPolicies", name="p",
                                 attrs={"prompt_attack": {"enabled": False}}, origin="terraform", file="main.tf", line=3)
    fix = _fix(html.render(_report([azure_tf], ["AIP-GR-001"])))
    assert "Azure, Terraform: 1 failing" in fix and "azurerm_cognitive_account_rai_policy" in fix
    assert "Jailbreak filter for source Prompt" in fix  # the Azure wording
    for other in ("aws_bedrock_guardrail", "content_policy_config", "inputStrength HIGH", "google_model_armor", "Model Armor template"):
        assert other not in fix, other
    aws_cfn = inv.make_resource(id="t.yaml:Guardrail", provider="aws", kind="content_filter", native_type="AWS::Bedrock::Guardrail",
                                name="g", attrs={"prompt_attack": {"enabled": False}}, origin="cloudformation", file="t.yaml", line=1)
    fix = _fix(html.render(_report([aws_cfn], ["AIP-GR-001"])))
    assert "AWS, CloudFormation: 1 failing" in fix and "PROMPT_ATTACK" in fix
    assert "content_policy_config" not in fix and "azurerm" not in fix  # no Terraform snippet for a CloudFormation finding
    gcp_live = inv.make_resource(id="projects/p/locations/l/templates/t", provider="gcp", kind="content_filter",
                                 native_type="modelarmor.googleapis.com/Template", name="t", attrs={"prompt_attack": {"enabled": False}})
    fix = _fix(html.render(_report([gcp_live], ["AIP-GR-001"])))
    assert "Google Cloud, live scan" in fix and "google_model_armor_template" in fix and "aws_bedrock" not in fix


def test_remediation_for_picks_snippets_by_cloud():
    rules = {r.id: r for r in load_rules()[0]}
    for r in rules.values():  # every remediation key is its own YAML key, not text swallowed by a block scalar
        for key, text in r.remediation.items():
            assert not re.search(r"(terraform|terraform_\w+|cloudformation|arm|aws|azure|gcp): \|", text), (r.id, key)
    gr2 = rules["AIP-GR-002"]
    assert [label for label, _, _ in html.remediation_for(gr2, "aws", "terraform")] == ["AWS", "Terraform"]
    assert "PROMPT_ATTACK" in html.remediation_for(gr2, "aws", "terraform")[1][1]
    assert "Jailbreak" in html.remediation_for(gr2, "azure", "terraform")[1][1]
    assert [label for label, _, _ in html.remediation_for(gr2, "gcp", "arm")] == ["Google Cloud"]
    # a snippet that names no cloud is a general note shown for every cloud; a single-cloud rule's snippet is its cloud's
    assert html.snippet_cloud(rules["AIP-AUTH-007"].remediation["terraform"], rules["AIP-AUTH-007"]) is None
    assert html.snippet_cloud(rules["AIP-RL-002"].remediation["terraform"], rules["AIP-RL-002"]) == "azure"
    assert html.snippet_cloud(rules["AIP-RL-001"].remediation["terraform"], rules["AIP-RL-001"]) == "azure"
    assert not [x for x in html.remediation_for(rules["AIP-RL-001"], "aws", "terraform") if x[0] == "Terraform"]
    # code that names no cloud on a rule for several clouds is not shown on any (it would be one cloud's code on another's)
    from dataclasses import replace

    ambiguous = replace(gr2, remediation={**gr2.remediation, "terraform": 'filters_config { type = "X" }'})
    ambiguous.remediation.pop("terraform_azure")
    assert html.snippet_cloud(ambiguous.remediation["terraform"], ambiguous) == "unknown"
    assert [label for label, _, _ in html.remediation_for(ambiguous, "azure", "terraform")] == ["Azure"]


def test_rule_docs_links_and_sarif_help_uri(demo_report, demo_html, tmp_path):
    for rid in {r.rule.id for r in demo_report.results if r.status.value == "fail"}:
        assert f'href="{DOCS_URL}#{rid.lower()}"' in demo_html, rid
    rules = sarif.build(demo_report, base=tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"{DOCS_URL}#{r['id'].lower()}" for r in rules)
    # the anchors exist in the generated catalog
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text()
    assert all(f"### {r['id']}\n" in doc for r in rules)


def test_compliance_tab_has_every_framework_with_cloud_and_account_summaries(demo_html):
    comp = demo_html.split('<div id="p-compliance">', 1)[1].split('<div id="p-shared">', 1)[0]
    for slug in ("iso27001", "iso42001", "owasp-llm-2025", "mitre-atlas", "eu-ai-act", "iso27090"):
        assert f'id="fwp-{slug}"' in comp
    assert comp.count("<h3>By cloud</h3>") == 6 and comp.count("By account (5)") == 6
    assert "Art.26(6)" in comp and "not covered by any rule" in comp.lower()


def test_passes_are_not_rendered_until_asked(demo_report, demo_html):
    data = json.loads(demo_html.split('id="findings-data">', 1)[1].split("</script>", 1)[0])
    counts = dict(zip(("fail", "error", "waived", "pass"), data["counts"], strict=True))
    assert counts == {s: sum(r.status.value == s for r in demo_report.results) for s in counts}
    assert len(data["message"]) == len(demo_report.results) - counts["pass"]  # passes carry no message
    assert '<table id="findings">' in demo_html and demo_html.split('<table id="findings">', 1)[1].split("</table>", 1)[0].count("<tr>") == 1


def test_json_block_cannot_be_broken_out_of():
    r = inv.make_resource(id=HOSTILE, provider="aws", kind="content_filter", native_type="AWS::Bedrock::Guardrail", name=HOSTILE,
                          attrs={"prompt_attack": {"enabled": False}})
    text = html.render(_report([r], ["AIP-GR-001"]))
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert len(re.findall(r"<script\b", text)) == 2 and len(re.findall(r"</script>", text)) == 2
    block = text.split('id="findings-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["res"][0][0] == HOSTILE  # the value survives intact as data


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed (scripts/debian-packages.txt)")
def test_in_a_browser_failing_findings_render_and_hostile_names_stay_text(tmp_path):
    from aiposture.paths import examples_dir

    doc = inv.load(examples_dir() / "inventory.json")
    victim = next(r for r in doc["resources"] if r["kind"] == "content_filter" and r["provider"] == "azure")
    victim["name"] = HOSTILE
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    page = tmp_path / "report.html"
    page.write_text(html.render(rep), encoding="utf-8")
    p = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                        "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False,
                       env={**os.environ, "HOME": str(tmp_path)})
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    body = dom.split('<table id="findings">', 1)[1].split("</tbody>", 1)[0]
    rows = body.count("<tr>") - 1
    non_pass = sum(r.status.value != "pass" for r in rep.results)
    assert rows == min(100, non_pass) and rows > 0
    assert 'class="st st-fail">FAIL' in body and "st-pass" not in body  # failing first; passes hidden by default
    assert "bad&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in body  # rendered as text
    assert "<img" not in dom  # no element was created from the name
    assert f"1-{rows} of {non_pass}" in dom
