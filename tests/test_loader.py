import textwrap

import pytest

from aiposture.engine import load_rules
from aiposture.engine.loader import load_rule_file

GOOD = """\
id: ACME-GR-001
title: Prompt attack filter on
kind: content_filter
severity: high
condition: resource.attrs.prompt_attack.enabled == true
threats: [prompt_injection]
controls: {iso27001: [A.8.28], owasp_llm_2025: ["LLM01:2025"]}
rationale: A test rule for the loader tests only.
remediation: {aws: do it, terraform: do it}
tests:
  - {attrs: {prompt_attack: {enabled: true}}, expect: pass}
  - {attrs: {prompt_attack: {enabled: false}}, expect: fail}
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_good_rule_loads_and_compiles(tmp_path):
    rule = load_rule_file(write(tmp_path, "r.yaml", GOOD))
    assert rule.id == "ACME-GR-001" and rule.program is not None
    assert rule.paths == (("prompt_attack", "enabled"),)


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, "bad.yaml", GOOD.replace("severity: high", "severity: [high"))
    with pytest.raises(Exception) as e:
        load_rule_file(p)
    assert "bad.yaml:" in str(e.value) and "malformed YAML" in str(e.value)


def test_schema_error_names_rule_id_field_and_line(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("severity: high", "severity: urgent"))
    with pytest.raises(Exception) as e:
        load_rule_file(p)
    msg = str(e.value)
    assert "r.yaml:4" in msg and "[ACME-GR-001]" in msg and "at severity" in msg


def test_missing_fail_test_case_rejected(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("expect: fail", "expect: pass"))
    with pytest.raises(Exception, match="at tests"):
        load_rule_file(p)


def test_bad_cel_is_reported_with_field(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("== true\n", "== \n"))
    with pytest.raises(Exception) as e:
        load_rule_file(p)
    assert "invalid CEL" in str(e.value) and "at condition" in str(e.value)


def test_unknown_attribute_is_caught_at_load_time(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("prompt_attack.enabled == true\n", "promt_attack.enabled == true\n"))
    with pytest.raises(Exception, match="no attribute 'promt_attack'"):
        load_rule_file(p)


def test_unknown_nested_attribute_is_caught(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("prompt_attack.enabled == true\n", "prompt_attack.enabld == true\n"))
    with pytest.raises(Exception, match="no attribute 'enabld'"):
        load_rule_file(p)


def test_yaml_tags_are_not_executed(tmp_path):
    p = write(tmp_path, "r.yaml", "!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(Exception, match="malformed YAML"):
        load_rule_file(p)


def test_loading_continues_after_broken_files_and_rejects_duplicates(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", "id: [oops\n")
    write(tmp_path, "c.yaml", GOOD)  # duplicate id
    write(tmp_path, "_data.yaml", "not: a rule\n")  # data file: ignored
    rules, problems = load_rules([tmp_path], include_builtin=False)
    assert [r.id for r in rules] == ["ACME-GR-001"]
    assert len(problems) == 2
    assert any("b.yaml" in str(p) for p in problems)
    assert any("duplicate rule id" in str(p) for p in problems)


def test_user_rule_cannot_silently_replace_builtin(tmp_path):
    write(tmp_path, "x.yaml", GOOD.replace("ACME-GR-001", "AIP-GR-001"))
    rules, problems = load_rules([tmp_path])
    assert any("duplicate rule id" in str(p) for p in problems)
    assert next(r for r in rules if r.id == "AIP-GR-001").file.endswith("AIP-GR-001.yaml")


def test_missing_rules_dir_is_a_problem_not_a_crash(tmp_path):
    rules, problems = load_rules([tmp_path / "nope"])
    assert rules and any("not found" in str(p) for p in problems)


def test_unknown_variable_rejected_but_comprehension_vars_allowed(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("resource.attrs.prompt_attack.enabled == true\n", "inventory.size() > 0\n"))
    with pytest.raises(Exception, match="unknown variable"):
        load_rule_file(p)
    ok = GOOD.replace("kind: content_filter", "kind: knowledge_base").replace(
        "resource.attrs.prompt_attack.enabled == true\n", "resource.attrs.data_sources.all(d, d.cmk == true)\n")
    ok = ok.replace("{prompt_attack: {enabled: true}}", "{data_sources: []}").replace("{prompt_attack: {enabled: false}}", "{data_sources: [{cmk: false}]}")
    assert load_rule_file(write(tmp_path, "k.yaml", ok)).paths == (("data_sources",),)
