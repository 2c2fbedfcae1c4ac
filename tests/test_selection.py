"""Rule selection: a typo is an error with a suggestion, never an empty (green) gate."""

from __future__ import annotations

import pytest

from aiposture.engine import load_rules
from aiposture.engine.selection import Criteria, SelectionError, resolve, select_rules, split_values
from aiposture.errors import AiPostureError


@pytest.fixture(scope="module")
def pack():
    rules, problems = load_rules()
    assert not problems
    return rules


def ids(rules) -> set[str]:
    return {r.id for r in rules}


def test_commas_split_wherever_values_repeat():
    assert split_values(["AIP-GR-001,AIP-GR-002", " AIP-LOG-001 ", "", "a,,b"]) == [
        "AIP-GR-001", "AIP-GR-002", "AIP-LOG-001", "a", "b"]


def test_framework_keys_and_controls_match_case_insensitively(pack):
    iso = ids(select_rules(pack, frameworks=["iso27001"]))
    assert iso and iso == ids(select_rules(pack, frameworks=["ISO27001"])) == ids(select_rules(pack, frameworks=["Iso27001"]))
    llm01 = ids(select_rules(pack, frameworks=["LLM01:2025"]))
    assert llm01 and llm01 == ids(select_rules(pack, frameworks=["llm01:2025"]))
    # the report tag names the same framework
    assert ids(select_rules(pack, frameworks=["owasp-llm"])) == ids(select_rules(pack, frameworks=["owasp_llm_2025"]))


def test_a_control_selects_its_sub_controls(pack):
    parent = ids(select_rules(pack, frameworks=["AML.T0051"]))
    child = ids(select_rules(pack, frameworks=["AML.T0051.000"]))
    assert child and child <= parent
    assert ids(select_rules(pack, frameworks=["LLM01"])) == ids(select_rules(pack, frameworks=["LLM01:2025"]))
    a8 = ids(select_rules(pack, frameworks=["A.8"]))
    assert ids(select_rules(pack, frameworks=["A.8.15"])) <= a8
    # a prefix that is not a whole segment is not a parent: A.8.1 does not select a rule mapped only to A.8.15
    only_815 = [r for r in pack if "A.8.15" in r.framework_ids()
                and not any(c == "A.8.1" or c.startswith(("A.8.1.", "A.8.1(")) for c in r.framework_ids())]
    assert only_815 and not ids(only_815) & ids(select_rules(pack, frameworks=["A.8.1"]))


def test_rule_ids_match_case_insensitively_and_by_glob(pack):
    assert ids(select_rules(pack, ids=["aip-gr-001"])) == {"AIP-GR-001"}
    assert ids(select_rules(pack, ids=["AIP-GR-001,AIP-GR-002"])) == {"AIP-GR-001", "AIP-GR-002"}
    assert "AIP-GR-001" not in ids(select_rules(pack, skip=["aip-gr-00*"]))


def test_threats_accept_dashes_and_case(pack):
    assert ids(select_rules(pack, threats=["Prompt-Injection"])) == ids(select_rules(pack, threats=["prompt_injection"]))


@pytest.mark.parametrize("criteria,needle,suggestion", [
    (Criteria(frameworks=["nosuch"]), "--framework 'nosuch' is neither a framework nor a control id", "iso27001"),
    (Criteria(frameworks=["iso2700"]), "--framework 'iso2700'", "did you mean 'iso27001'"),
    (Criteria(threats=["prompt_injeciton"]), "--threat 'prompt_injeciton' is not a known threat", "did you mean 'prompt_injection'"),
    (Criteria(ids=["NOPE-1"]), "--rule 'NOPE-1' matches no rule", "aiposture rules list"),
    (Criteria(ids=["AIP-GR-0001"]), "--rule 'AIP-GR-0001' matches no rule", "did you mean 'AIP-GR-001'"),
    (Criteria(kinds=["content_filtr"]), "--kind 'content_filtr'", "did you mean 'content_filter'"),
])
def test_unknown_values_are_usage_errors_with_a_suggestion(pack, criteria, needle, suggestion):
    with pytest.raises(SelectionError) as e:
        resolve(pack, criteria)
    assert needle in str(e.value) and suggestion in str(e.value)
    assert isinstance(e.value, AiPostureError)  # the CLI maps it to exit 2


def test_every_bad_value_is_named_at_once(pack):
    with pytest.raises(SelectionError) as e:
        resolve(pack, Criteria(ids=["NOPE-1"], threats=["nosuch"]))
    assert "NOPE-1" in str(e.value) and "nosuch" in str(e.value)


def test_a_selection_of_known_values_that_matches_nothing_is_refused(pack):
    with pytest.raises(SelectionError, match="selection is empty: every rule is skipped"):
        resolve(pack, Criteria(skip=["*"]))
    azure_only = next(r for r in pack if r.providers == ["azure"])
    with pytest.raises(SelectionError, match=f"no rule matches --rule {azure_only.id} and --provider aws"):
        resolve(pack, Criteria(ids=[azure_only.id], providers=["aws"]))
    # a listing may be empty
    assert resolve(pack, Criteria(ids=[azure_only.id], providers=["aws"]), allow_empty=True)[0] == []


def test_config_values_are_named_as_config_keys(pack):
    c = Criteria(threats=["nosuch"], labels={"threats": "select.threats in .aiposture.yaml"})
    with pytest.raises(SelectionError, match=r"select\.threats in \.aiposture\.yaml 'nosuch'"):
        resolve(pack, c)


def test_unknown_skip_is_a_warning_not_an_error(pack):
    selected, warnings = resolve(pack, Criteria(skip=["AIP-GR-0001"]))
    assert len(selected) == len(pack)
    assert len(warnings) == 1 and warnings[0].startswith("--skip-rule 'AIP-GR-0001' matches no rule (did you mean 'AIP-GR-001'")
