from collections import Counter
from pathlib import Path

import pytest

from aiposture.catalog import catalog
from aiposture.docs import inventory_markdown, rules_markdown
from aiposture.engine import load_rules
from aiposture.engine.testing import run_rule_tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pack():
    rules, problems = load_rules()
    assert problems == []
    return rules


def test_pack_size_and_families(pack):
    assert len(pack) >= 40
    families = {Path(r.file).parent.name for r in pack}
    assert families == {"guardrails", "rate-limits", "logging", "auth", "network", "encryption", "agents", "data"}


def test_every_embedded_case_gives_the_expected_verdict(pack):
    bad = [f"{o.rule.id} #{o.index + 1} {o.name}: expected {o.expected}, got {o.actual} ({o.detail})"
           for o in run_rule_tests(pack) if not o.ok]
    assert bad == []


def test_rule_test_runner_detects_a_wrong_expectation(pack):
    rule = next(r for r in pack if r.id == "AIP-GR-001")
    broken = type(rule)(**{**rule.__dict__, "tests": [{"attrs": {"prompt_attack": {"enabled": False}}, "expect": "pass"}]})
    assert not run_rule_tests([broken])[0].ok


def test_every_rule_has_mappings_and_remediation(pack):
    cat = catalog()
    for r in pack:
        assert set(r.threats) <= set(cat["threats"]), r.id
        assert r.controls.get("owasp_llm_2025") or "owasp_llm_2025" in r.not_applicable, r.id
        assert r.remediation["terraform"].strip(), r.id
        assert any(k in r.remediation for k in ("aws", "azure", "gcp")), r.id


def test_configured_but_ineffective_rules_exist(pack):
    ids = {r.id for r in pack if "ineffective" in (r.message or "") or "ineffective" in r.rationale.lower()}
    assert {"AIP-GR-002", "AIP-GR-007", "AIP-LOG-002"} <= ids


def test_cross_cloud_rules_are_the_norm(pack):
    cross = [r for r in pack if not r.providers or len(r.providers) > 1]
    assert len(cross) >= len(pack) // 3


def test_rule_ids_match_file_names(pack):
    for r in pack:
        assert Path(r.file).stem == r.id


def test_threat_coverage(pack):
    covered = Counter(t for r in pack for t in r.threats)
    for t in ("data_poisoning", "evasion", "model_extraction", "membership_inference", "model_inversion",
              "prompt_injection", "output_injection"):
        assert covered[t] > 0, t


def test_generated_docs_are_current(pack):
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(pack), "run: aiposture rules docs -o docs/rules.md"
    assert (ROOT / "docs" / "inventory.md").read_text() == inventory_markdown(), "run: aiposture inventory docs -o docs/inventory.md"
