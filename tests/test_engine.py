import datetime as dt

import pytest

from aiposture.engine import Config, Engine, Status, Waiver, load_config, load_rules
from aiposture.engine.evaluator import select_rules, summarize
from aiposture.inventory import make_error, make_resource, new_document


@pytest.fixture(scope="module")
def pack():
    rules, problems = load_rules()
    assert not problems
    return rules


def by_id(rules, *ids):
    return [r for r in rules if r.id in ids]


def cf(pid="gr", provider="aws", **attrs):
    return make_resource(id=pid, provider=provider, kind="content_filter", native_type="t", name=pid, attrs=attrs)


def statuses(results):
    return {(r.rule.id, r.resource_id): r.status for r in results}


def test_pass_fail_and_unknown(pack):
    eng = Engine(by_id(pack, "AIP-GR-001"))
    ok = cf("ok", prompt_attack={"enabled": True})
    bad = cf("bad", prompt_attack={"enabled": False})
    unknown = cf("unk", prompt_attack=None)
    res = statuses(eng.evaluate(new_document([ok, bad, unknown])))
    assert res[("AIP-GR-001", "ok")] is Status.PASS
    assert res[("AIP-GR-001", "bad")] is Status.FAIL
    assert res[("AIP-GR-001", "unk")] is Status.ERROR


def test_unknown_leaf_is_error_not_fail(pack):
    eng = Engine(by_id(pack, "AIP-GR-002"))
    r = eng.evaluate_resource(cf(prompt_attack={"enabled": True, "input_action": None, "input_strength": "high"}))
    assert r[0].status is Status.ERROR and "attrs.prompt_attack.input_action is unknown" in r[0].message


def test_absent_attribute_means_not_applicable(pack):
    # Azure's jailbreak filter has no strength: the key is absent, and the rule judges the action only
    eng = Engine(by_id(pack, "AIP-GR-002"))
    r = eng.evaluate_resource(cf(provider="azure", prompt_attack={"enabled": True, "input_action": "block"}))
    assert r[0].status is Status.PASS


def test_absent_required_attribute_means_rule_does_not_apply(pack):
    # e.g. an IaC resource that cannot express prompt_attack: no result, whereas null is an error
    eng = Engine(by_id(pack, "AIP-GR-001"))
    assert eng.evaluate_resource(cf(mode="block")) == []
    assert eng.evaluate_resource(cf(prompt_attack=None))[0].status is Status.ERROR


def test_required_paths_exclude_has_guards():
    from aiposture.engine.model import required_paths

    expr = "!has(resource.attrs.a.b) || resource.attrs.a.b == 1 && resource.attrs.c && resource.attrs.a.x"
    assert set(required_paths(expr)) == {("c",), ("a", "x")}
    assert set(required_paths("has(resource.attrs.x) && resource.attrs.y.z")) == {("y", "z")}


def test_applies_if_false_yields_no_result(pack):
    eng = Engine(by_id(pack, "AIP-GR-002"))
    assert eng.evaluate_resource(cf(prompt_attack={"enabled": False})) == []


def test_provider_scoped_rule_ignores_other_clouds(pack):
    eng = Engine(by_id(pack, "AIP-GR-003"))  # azure only
    assert eng.evaluate_resource(cf(provider="aws", indirect_attack={"enabled": False})) == []
    assert eng.evaluate_resource(cf(provider="azure", indirect_attack={"enabled": False, "input_action": "none"}))[0].status is Status.FAIL


def test_non_boolean_condition_is_error(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "id: T-GR-001\ntitle: returns a string\nkind: content_filter\nseverity: low\ncondition: resource.attrs.mode\n"
        "threats: [evasion]\ncontrols: {iso27001: [A.8.28], owasp_llm_2025: ['LLM01:2025']}\n"
        "rationale: returns a string not a bool\nremediation: {aws: x, terraform: x}\n"
        "tests: [{attrs: {mode: block}, expect: pass}, {attrs: {mode: annotate}, expect: fail}]\n")
    rules, _problems = load_rules([tmp_path], include_builtin=False)
    r = Engine(rules).evaluate_resource(cf(mode="block"))
    assert r[0].status is Status.ERROR and "not a boolean" in r[0].message


def test_scope_errors_become_error_results_for_affected_kinds_only(pack):
    eng = Engine(pack)
    err = make_error("aws", "denied", code="AccessDeniedException", kinds=["agent"], account="1", region="eu-west-1")
    results = eng.evaluate(new_document([], [err]))
    agent_rules = {r.id for r in pack if r.kind == "agent" and r.applies_to_provider("aws")}
    assert {r.rule.id for r in results} == agent_rules
    assert all(r.status is Status.ERROR and "AccessDeniedException" in r.message for r in results)


def test_scope_error_without_kinds_covers_every_rule_of_the_provider(pack):
    results = Engine(pack).evaluate(new_document([], [make_error("gcp", "boom", account="p")]))
    assert {r.rule.id for r in results} == {r.id for r in pack if r.applies_to_provider("gcp")}


def test_waiver_valid_and_expired(pack):
    today = dt.date.today()
    future = Waiver("AIP-GR-00*", "arn:*:guardrail/*", "accepted for pilot", "alice", today + dt.timedelta(days=30))
    past = Waiver("AIP-GR-001", "old-*", "was fine last year", "bob", today - dt.timedelta(days=1))
    eng = Engine(by_id(pack, "AIP-GR-001"), Config(waivers=[future, past]))
    waived = eng.evaluate_resource(cf("arn:aws:bedrock:x:guardrail/g1", prompt_attack={"enabled": False}))[0]
    assert waived.status is Status.WAIVED and "alice" in waived.message and waived.waiver["expired"] is False
    expired = eng.evaluate_resource(cf("old-1", prompt_attack={"enabled": False}))[0]
    assert expired.status is Status.FAIL and "expired" in expired.message and expired.waiver["expired"] is True
    passing = eng.evaluate_resource(cf("old-2", prompt_attack={"enabled": True}))[0]
    assert passing.status is Status.PASS


def test_config_file_loading_and_validation(tmp_path):
    p = tmp_path / ".aiposture.yaml"
    p.write_text("fail_on: high\nwaivers:\n  - {rule: AIP-GR-001, resource: '*', reason: pilot only, owner: alice, expires: 2030-01-01}\n")
    assert load_config(None).waivers == []  # no file named: defaults, nothing discovered
    cfg = load_config(p)
    assert cfg.fail_on == "high" and cfg.waivers[0].expires == dt.date(2030, 1, 1)
    p.write_text("waivers:\n  - {rule: AIP-GR-001, resource: '*', reason: pilot only}\n")
    with pytest.raises(Exception, match="owner"):
        load_config(p)
    p.write_text("fail_on: [\n")
    with pytest.raises(Exception, match="malformed YAML"):
        load_config(p)


def test_selection(pack):
    assert {r.id for r in select_rules(pack, ids=["AIP-GR-00*"])} >= {"AIP-GR-001", "AIP-GR-009"}
    assert all(r.severity == "critical" for r in select_rules(pack, severities=["critical"]))
    assert all("prompt_injection" in r.threats for r in select_rules(pack, threats=["prompt_injection"]))
    llm06 = select_rules(pack, frameworks=["LLM06:2025"])
    assert llm06 and all("LLM06:2025" in r.controls["owasp_llm_2025"] for r in llm06)
    assert len(select_rules(pack, frameworks=["eu_ai_act"])) < len(pack)
    gcp = select_rules(pack, providers=["gcp"])
    assert all(not r.providers or "gcp" in r.providers for r in gcp)
    assert "AIP-GR-001" not in {r.id for r in select_rules(pack, skip=["AIP-GR-001"])}
    assert all(r.severity in ("critical", "high") for r in select_rules(pack, min_severity="high"))


def test_example_inventory_results_are_deterministic(pack, example_doc):
    a = [(r.rule.id, r.resource_id, r.status) for r in Engine(pack).evaluate(example_doc)]
    b = [(r.rule.id, r.resource_id, r.status) for r in Engine(pack).evaluate(example_doc)]
    assert a == b
    s = summarize(Engine(pack).evaluate(example_doc))
    assert s["fail"] > 0 and s["pass"] > 0 and s["error"] > 0


def test_context_holds_everything_a_custom_rule_reads(tmp_path):
    """The engine builds the CEL context from only what the rules read; tags, name and whole attrs must survive."""
    (tmp_path / "custom.yaml").write_text(
        "id: ORG-GR-001\ntitle: prod filters are named and tagged\nkind: content_filter\nseverity: low\n"
        "condition: resource.tags.env == 'prod' && resource.name.startsWith('prod-') && "
        "resource.attrs.mode == 'block' && size(resource.attrs) > 1\n"
        "threats: [evasion]\ncontrols: {iso27001: [A.8.28], owasp_llm_2025: ['LLM01:2025']}\n"
        "rationale: prod filters are named and tagged\nremediation: {aws: x, terraform: x}\n"
        "tests: [{attrs: {mode: block}, expect: pass}, {attrs: {mode: annotate}, expect: fail}]\n")
    rules, problems = load_rules([tmp_path], include_builtin=False)
    assert not problems, problems
    ok = make_resource(id="a", provider="aws", kind="content_filter", native_type="t", name="prod-a",
                       attrs={"mode": "block", "pii": {"enabled": True}}, tags={"env": "prod"})
    bad = make_resource(id="b", provider="aws", kind="content_filter", native_type="t", name="prod-b",
                        attrs={"mode": "block"}, tags={"env": "prod"})
    res = statuses(Engine(rules).evaluate(new_document([ok, bad])))
    assert res == {("ORG-GR-001", "a"): Status.PASS, ("ORG-GR-001", "b"): Status.FAIL}


def test_partial_scope_error_reports_per_resource_not_per_scope(pack):
    eng = Engine(by_id(pack, "AIP-LOG-001", "AIP-NET-002"))
    svc = make_resource(id="svc", provider="aws", kind="ai_service", native_type="t", name="svc", account="1", region="r",
                        attrs={"invocation_logging": {"enabled": True}, "private_endpoints": None})
    err = make_error("aws", "VPC endpoints: denied", code="AccessDenied", kinds=["ai_service"], partial=True,
                     account="1", region="r")
    res = statuses(eng.evaluate(new_document([svc], [err])))
    assert res == {("AIP-LOG-001", "svc"): Status.PASS, ("AIP-NET-002", "svc"): Status.ERROR}
    whole = make_error("aws", "denied", code="AccessDenied", kinds=["ai_service"], account="2", region="r")
    res = statuses(eng.evaluate(new_document([svc], [whole])))
    assert res[("AIP-LOG-001", "aws:2/r")] is Status.ERROR and res[("AIP-NET-002", "aws:2/r")] is Status.ERROR
