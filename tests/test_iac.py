import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "iac"


@pytest.fixture(scope="module")
def results():
    doc = scan_paths([FIX / "terraform", FIX / "cloudformation", FIX / "arm"], base=ROOT)
    assert inv.validate(doc) == []
    rep = pipeline.evaluate(doc, pipeline.Options(), Config(inline_suppressions=True))
    return doc, rep


def found(rep, status="fail"):
    return {(r.rule.id, r.resource["source"]["file"], r.resource["source"]["line"]) for r in rep.results if r.status.value == status}


def test_terraform_findings_with_file_and_line(results):
    _doc, rep = results
    f = found(rep)
    tf = "tests/fixtures/iac/terraform/main.tf"
    assert ("AIP-GR-001", tf, 22) in f           # PROMPT_ATTACK strength NONE via var default
    assert ("AIP-GR-007", tf, 22) in f           # PII entity with action NONE: configured but ineffective
    assert ("AIP-LOG-002", tf, 68) in f          # invocation logging without text
    assert ("AIP-AUTH-001", tf, 79) in f         # azurerm default: local auth enabled
    assert ("AIP-GR-002", tf, 88) in f           # jailbreak filter annotates only
    assert ("AIP-GR-012", tf, 117) in f          # deployment falls back to the default RAI policy
    assert ("AIP-AUTH-003", tf, 154) in f        # allUsers on roles/aiplatform.user
    assert ("AIP-GR-008", tf, 139) in f          # Model Armor INSPECT_ONLY
    mod = "tests/fixtures/iac/terraform/modules/agent/main.tf"
    assert {("AIP-AGT-003", mod, 9), ("AIP-AGT-005", mod, 9), ("AIP-AGT-002", mod, 9)} <= f  # admin role via attachment, no confirmation, DRAFT


def test_relationships_resolve(results):
    doc, _rep = results
    by_addr = {r["source"]["address"]: r for r in doc["resources"]}
    agent = by_addr["module.support_agent.aws_bedrockagent_agent.support"]
    assert agent["attrs"]["content_filter"]["attached"] is True
    assert agent["attrs"]["content_filter"]["id"].endswith("#aws_bedrock_guardrail.support")
    assert by_addr["aws_bedrock_guardrail.support"]["attrs"]["attached"] is True
    assert by_addr["azurerm_cognitive_account_rai_policy.lenient"]["attrs"]["attached"] is True
    chat = by_addr["azurerm_cognitive_deployment.chat"]["attrs"]["content_filter"]
    assert chat["is_default"] is False and chat["id"].endswith("#azurerm_cognitive_account_rai_policy.lenient")
    assert by_addr["oai-prod/gpt-4o"]["attrs"]["content_filter"]["id"].endswith("#oai-prod/lenient")  # ARM nested


def test_same_misconfiguration_same_rules_across_formats(results):
    _doc, rep = results
    def rules_for(addr):
        return {r.rule.id for r in rep.results if r.resource["source"].get("address") == addr and r.status.value in ("fail", "waived")}
    assert rules_for("aws_bedrock_guardrail.support") == rules_for("SupportGuardrail")
    assert rules_for("azurerm_cognitive_account.openai") == rules_for("oai-prod")
    assert rules_for("azurerm_cognitive_account_rai_policy.lenient") == rules_for("oai-prod/lenient")
    assert rules_for("azurerm_cognitive_deployment.mini") == rules_for("oai-prod/gpt-4o-mini")
    agent_tf = rules_for("module.support_agent.aws_bedrockagent_agent.support")
    assert agent_tf == rules_for("SupportAgent")  # includes AGT-004, waived inline in the CFN template


def test_same_misconfiguration_matches_the_live_shape():
    """The live inventory's normalised guardrail from the example fails the same prompt-attack rules."""
    from aiposture.engine import Engine, load_rules
    rules, _ = load_rules()
    live = inv.make_resource(id="arn:live", provider="aws", kind="content_filter", native_type="AWS::Bedrock::Guardrail", name="g",
                             attrs={"prompt_attack": {"enabled": False, "input_strength": "none", "output_strength": "none",
                                                      "input_action": "none", "output_action": "none"}})
    doc = scan_paths([FIX / "cloudformation"], base=ROOT)
    iac_res = next(r for r in doc["resources"] if r["kind"] == "content_filter")
    eng = Engine([r for r in rules if r.id in ("AIP-GR-001", "AIP-GR-002")])
    assert [x.status.value for x in eng.evaluate_resource(live)] == [x.status.value for x in eng.evaluate_resource(iac_res)]


def test_inline_suppressions(results):
    _doc, rep = results
    waived = {(r.rule.id, r.resource["source"].get("address")): r for r in rep.results if r.status.value == "waived"}
    assert ("AIP-RL-002", "azurerm_cognitive_deployment.chat") in waived
    assert "finance" in waived[("AIP-RL-002", "azurerm_cognitive_deployment.chat")].message
    assert ("AIP-AGT-004", "SupportAgent") in waived
    # without the user's permission the same comments are listed but not applied
    doc = scan_paths([FIX / "terraform"], base=ROOT)
    rep = pipeline.evaluate(doc, pipeline.Options(rule_ids=["AIP-RL-002"]), Config())
    r = next(r for r in rep.results if r.resource["source"].get("address") == "azurerm_cognitive_deployment.chat")
    assert r.status.value == "fail" and r.waiver["status"] == "not-allowed" and "finance" in r.waiver["reason"]


def test_plan_unknown_values_and_tf_root_lines():
    doc = scan_paths([FIX / "plan" / "plan.json"], tf_root=FIX / "plan" / "src", base=ROOT)
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    acct = next(r for r in doc["resources"] if r["kind"] == "ai_service")
    assert acct["attrs"]["local_auth_enabled"] is None  # known after apply: unknown, not false
    assert acct["source"]["file"] == "tests/fixtures/iac/plan/src/main.tf" and acct["source"]["line"] == 1
    st = {r.rule.id: r.status.value for r in rep.results if r.resource["id"] == acct["id"]}
    assert st["AIP-AUTH-001"] == "error"
    assert st["AIP-NET-001"] == "fail"
    g = next(r for r in doc["resources"] if r["kind"] == "content_filter")
    assert g["attrs"]["encryption"]["cmk"] is True  # a key ARN known after apply is still a customer key
    assert g["source"]["line"] == 10
    assert g["attrs"]["pii"]["enabled"] is False  # [] in a plan = block absent


def test_broken_files_are_errors_and_scan_continues(tmp_path):
    shutil.copytree(FIX / "cloudformation", tmp_path / "cfn")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_text('resource "aws_bedrock_guardrail" "x" {\n  name = \n}\n')
    (tmp_path / "cfn" / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: [\n")
    doc = scan_paths([tmp_path], base=tmp_path)
    files = {e["scope"]["file"] for e in doc["errors"]}
    assert {"bad/main.tf", "cfn/broken.yaml"} <= files
    assert any(r["source"]["address"] == "SupportGuardrail" for r in doc["resources"])
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    assert rep.incomplete


def run(*args, cwd):
    p = subprocess.run([sys.executable, "-m", "aiposture", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def test_cli_sarif_points_at_sources_and_validates(tmp_path):
    shutil.copytree(FIX, tmp_path / "infra")
    p = run("iac", "infra", "-f", "sarif", "-o", "out.sarif", "-q", "--allow-inline-suppressions", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    s = json.loads((tmp_path / "out.sarif").read_text())
    oasis = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    assert list(Draft4Validator(oasis).iter_errors(s)) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in s["runs"][0]["results"]}
    assert "infra/terraform/main.tf" in uris and "infra/cloudformation/bedrock.yaml" in uris and "infra/arm/openai.json" in uris
    assert "infra/plan/plan.json" in uris  # the plan was read without --tf-root: its findings point at plan.json
    assert s["runs"][0]["automationDetails"]["id"] == "aiposture/iac/"
    sup = [r for r in s["runs"][0]["results"] if r.get("suppressions")]
    assert sup and all(x["suppressions"][0]["kind"] == "inSource" for x in sup)


def test_cli_broken_file_exit_3_and_baseline(tmp_path):
    shutil.copytree(FIX / "arm", tmp_path / "arm")
    assert run("iac", "arm", "-f", "json", "-o", "base.json", "-q", cwd=tmp_path).returncode == 1
    # the same findings again: with the baseline nothing new fails
    assert run("iac", "arm", "--baseline", "base.json", "-q", cwd=tmp_path).returncode == 0
    (tmp_path / "arm" / "broken.json").write_text('{"$schema": "x", "contentVersion": "1", "resources": [\n')
    p = run("iac", "arm", "--baseline", "base.json", cwd=tmp_path)
    assert p.returncode == 3 and "broken.json" in p.stdout
    assert run("iac", "nope", cwd=tmp_path).returncode == 3


def test_azapi_rai_policies_and_deployments():
    doc = scan_paths([FIX / "terraform-azapi"], base=ROOT)
    assert inv.validate(doc) == [] and doc["errors"] == []
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    tf = "tests/fixtures/iac/terraform-azapi/main.tf"
    res = {r["source"]["address"]: r for r in doc["resources"]}
    lenient, strict = res["azapi_resource.lenient_filter"], res["azapi_resource.strict_filter"]
    assert lenient["kind"] == strict["kind"] == "content_filter"
    assert lenient["attrs"]["attached"] is True          # referenced by the azurerm deployment
    assert strict["attrs"]["attached"] is True           # named by the azapi deployment's raiPolicyName
    assert lenient["attrs"]["mode"] == "async" and strict["attrs"]["prompt_attack"]["input_action"] == "block"
    chat, batch = res["azurerm_cognitive_deployment.chat"], res["azapi_resource.batch"]
    assert chat["attrs"]["content_filter"]["id"] == lenient["id"]
    assert batch["kind"] == "model_deployment" and batch["attrs"]["content_filter"]["id"] == strict["id"]
    assert batch["attrs"]["rate_limit"]["tokens_per_minute"] == 50000
    f = found(rep)
    assert ("AIP-GR-002", tf, 13) in f and ("AIP-GR-008", tf, 13) in f   # jailbreak annotates; async mode
    assert not {x for x in f if x[2] == 31 and x[0] in ("AIP-GR-002", "AIP-GR-003", "AIP-GR-008")}


def test_plan_with_child_module_links_across_files_and_modules():
    """terraform show -json of a root with a local module; --tf-root maps findings to three .tf files."""
    fx = FIX / "plan-modules"
    doc = scan_paths([fx / "plan.json"], tf_root=fx / "src", base=ROOT)
    assert doc["errors"] == []
    res = {r["source"]["address"]: r for r in doc["resources"]}
    agent = res["module.support_agent.aws_bedrockagent_agent.this"]
    assert agent["source"]["file"].endswith("plan-modules/src/modules/agent/main.tf") and agent["source"]["line"] == 4
    # var.guardrail_id inside the module = aws_bedrock_guardrail.support (declared in guardrails.tf, unknown id)
    assert agent["attrs"]["content_filter"]["attached"] is True
    assert agent["attrs"]["content_filter"]["version"] == "DRAFT"
    support, unused = res["aws_bedrock_guardrail.support"], res["aws_bedrock_guardrail.unused"]
    assert support["source"]["file"].endswith("plan-modules/src/guardrails.tf") and support["source"]["line"] == 1
    assert support["attrs"].get("attached") is True and "attached" not in unused["attrs"]
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    f = found(rep)
    assert ("AIP-AGT-002", agent["source"]["file"], 4) in f      # agent uses the DRAFT guardrail
    assert ("AIP-AGT-006", agent["source"]["file"], 4) in f      # two-hour idle sessions
    assert ("AIP-GR-001", unused["source"]["file"], 15) in f     # no prompt-attack filter
    assert not [x for x in f if x[0] == "AIP-AGT-001"]            # the guardrail is attached across the module boundary


def test_dynamic_blocks_expand_or_stay_unknown():
    doc = scan_paths([FIX / "terraform-dynamic"], base=ROOT)
    res = {r["source"]["address"]: r for r in doc["resources"]}
    shared, tenant = res["aws_bedrock_guardrail.shared"]["attrs"], res["aws_bedrock_guardrail.per_tenant"]["attrs"]
    assert shared["prompt_attack"]["input_action"] == "block" and shared["prompt_attack"]["input_strength"] == "high"
    assert set(shared["harm_categories"]) == {"hate", "sexual", "violence"}
    assert shared["pii"] == {"entity_count": 2, "input_action": "block", "output_action": "block", "enabled": True}
    assert tenant["prompt_attack"] is None and tenant["harm_categories"] is None  # for_each has no value before plan
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    st = {(r.rule.id, r.resource["source"]["address"]): r.status.value for r in rep.results}
    assert st[("AIP-GR-001", "aws_bedrock_guardrail.shared")] == "pass"
    assert st[("AIP-GR-001", "aws_bedrock_guardrail.per_tenant")] == "error"


def test_a_resource_that_cannot_be_normalised_is_an_error_not_a_crash(monkeypatch):
    from aiposture.normalize import aws as naws

    def boom(*a, **k):
        raise ValueError("unexpected shape")

    monkeypatch.setattr(naws, "guardrail", boom)
    doc = scan_paths([FIX / "terraform-dynamic", FIX / "terraform-azapi"], base=ROOT)
    errs = [e for e in doc["errors"] if e["code"] == "NormaliseError"]
    assert {e["scope"]["file"] for e in errs} == {"tests/fixtures/iac/terraform-dynamic/main.tf"} and all(e["scope"]["line"] for e in errs)
    assert any(r["provider"] == "azure" for r in doc["resources"])  # the rest was still read
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    assert rep.incomplete


def test_cloudformation_conditions_with_parameter_defaults():
    doc = scan_paths([FIX / "cloudformation-conditions"], base=ROOT)
    res = {r["source"]["address"]: r for r in doc["resources"]}
    assert set(res) == {"Guardrail"}  # ProdOnlyGuardrail has Condition IsProd, false with Stage=dev
    g = res["Guardrail"]
    assert g["name"] == "assistant-dev"
    assert g["attrs"]["prompt_attack"]["input_strength"] == "low"  # Fn::If picked the dev branch
    assert g["attrs"]["encryption"] == {"cmk": False, "key_id": None}  # AWS::NoValue removed KmsKeyArn
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    st = {r.rule.id: r.status.value for r in rep.results}
    assert st["AIP-GR-002"] == "fail" and st["AIP-ENC-006"] == "fail"


def test_string_templates_keep_a_value(tmp_path):
    (tmp_path / "main.tf").write_text('''variable "env" {}
variable "region" { default = "swedencentral" }
resource "azurerm_cognitive_account" "a" {
  name                  = "oai-${var.env}"
  location              = var.region
  resource_group_name   = "rg"
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-${var.env}-${var.region}"
  local_auth_enabled    = false
}
''')
    doc = scan_paths([tmp_path], base=tmp_path)
    acct = doc["resources"][0]
    assert acct["attrs"]["custom_subdomain"] is True  # set, even though var.env has no value yet
    assert acct["name"] == "oai-${var.env}"


def test_bicep_compiled_arm_expressions_and_symbolic_names():
    doc = scan_paths([FIX / "arm-bicep"], base=ROOT)
    assert doc["errors"] == []
    res = {r["source"]["address"]: r for r in doc["resources"]}
    assert set(res) == {"oai-prod", "oai-prod/lenient", "oai-prod/chat"}  # format()/variables() names
    acct = res["oai-prod"]["attrs"]
    assert acct["local_auth_enabled"] is False and acct["public_network_access"] is False and acct["custom_subdomain"] is True
    chat = res["oai-prod/chat"]["attrs"]
    assert chat["rate_limit"]["tokens_per_minute"] == 50000
    assert chat["content_filter"]["id"] == res["oai-prod/lenient"]["id"] and res["oai-prod/lenient"]["attrs"]["attached"] is True
    assert res["oai-prod"]["region"] == ""  # resourceGroup().location is only known at deploy time
    f = found(pipeline.evaluate(doc, pipeline.Options(), Config()))
    assert ("AIP-GR-002", "tests/fixtures/iac/arm-bicep/main.json", res["oai-prod/lenient"]["source"]["line"]) in f
