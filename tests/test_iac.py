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
    p = run("iac", "nope", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.strip() == "error: path not found: nope"  # a user mistake: one line


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


# ----------------------------------------------------------------------------- Terraform through the evaluator
def _tf(tmp_path, files: dict[str, str], **kw):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    doc = scan_paths([tmp_path], base=tmp_path, **kw)
    assert inv.validate(doc) == []
    return doc


def _by_addr(doc):
    return {r["source"]["address"]: r for r in doc["resources"]}


def _status(doc):
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    return {(r.rule.id, r.resource["source"].get("address")): r.status.value for r in rep.results}


GUARDRAIL = '''resource "aws_bedrock_guardrail" "%s" {
  %s
  name                      = "%s"
  blocked_input_messaging   = "no"
  blocked_outputs_messaging = "no"
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }
}
'''


def test_count_and_for_each_give_one_resource_per_instance(tmp_path):
    doc = _tf(tmp_path, {"main.tf": '''
variable "enabled" {
  type    = bool
  default = false
}
locals { tenants = { a = "x", b = "y" } }
''' + GUARDRAIL % ("off", "count = var.enabled ? 1 : 0", "off") + GUARDRAIL % ("one", "count = 1", "one")
        + GUARDRAIL % ("three", "count = 3", "three") + GUARDRAIL % ("per_tenant", "for_each = local.tenants", "t")
        + GUARDRAIL % ("per_set", 'for_each = toset(["p", "q"])', "s")})
    assert set(_by_addr(doc)) == {
        "aws_bedrock_guardrail.one[0]", "aws_bedrock_guardrail.three[0]", "aws_bedrock_guardrail.three[1]",
        "aws_bedrock_guardrail.three[2]", 'aws_bedrock_guardrail.per_tenant["a"]', 'aws_bedrock_guardrail.per_tenant["b"]',
        'aws_bedrock_guardrail.per_set["p"]', 'aws_bedrock_guardrail.per_set["q"]'}  # count = 0 deploys nothing
    assert doc["scan"]["iac"]["ai_resources"] == 8 and doc["errors"] == []
    enabled = _tf(tmp_path, {}, variables={"enabled": "true"})
    assert "aws_bedrock_guardrail.off[0]" in _by_addr(enabled)  # --var like terraform's own


def test_unknown_stays_unknown_and_null_stays_null(tmp_path):
    doc = _tf(tmp_path, {"main.tf": '''
variable "x" {
  type = object({ kms_key_arn = optional(string) })
}
variable "no_key" { default = null }
variable "strength" { default = { prompt = "HIGH" } }
resource "aws_kms_key" "k" {}
''' + GUARDRAIL % ("unknown_key", "kms_key_arn = try(var.x.kms_key_arn, null)", "u")
        + GUARDRAIL % ("null_key", "kms_key_arn = var.no_key", "n")
        + GUARDRAIL % ("ref_key", "kms_key_arn = aws_kms_key.k.arn", "r")
        + GUARDRAIL % ("lookup_key", 'kms_key_arn = lookup(var.x, "kms_key_arn", "arn:aws:kms:eu-west-1:1:key/fallback")', "l")
        + GUARDRAIL % ("cond_key", 'kms_key_arn = var.x != null ? "arn:aws:kms:eu-west-1:1:key/a" : null', "c")
        + GUARDRAIL % ("merged", 'tags = merge({ team = "ai" }, { env = var.strength.prompt })', "m")})
    res = _by_addr(doc)
    assert res["aws_bedrock_guardrail.unknown_key"]["attrs"]["encryption"]["cmk"] is None
    assert res["aws_bedrock_guardrail.lookup_key"]["attrs"]["encryption"]["cmk"] is None  # lookup on an unset variable
    assert res["aws_bedrock_guardrail.cond_key"]["attrs"]["encryption"]["cmk"] is None   # conditional on an unset variable
    assert res["aws_bedrock_guardrail.null_key"]["attrs"]["encryption"]["cmk"] is False  # a known null: no key
    assert res["aws_bedrock_guardrail.ref_key"]["attrs"]["encryption"]["cmk"] is True    # set to a key known after apply
    assert res["aws_bedrock_guardrail.merged"]["tags"] == {"team": "ai", "env": "HIGH"}
    st = _status(doc)
    assert st[("AIP-ENC-006", "aws_bedrock_guardrail.unknown_key")] == "error"  # never a pass on unknown
    assert st[("AIP-ENC-006", "aws_bedrock_guardrail.null_key")] == "fail"
    assert st[("AIP-ENC-006", "aws_bedrock_guardrail.ref_key")] == "pass"


def test_module_inputs_outputs_and_policy_documents_link(tmp_path):
    doc = _tf(tmp_path, {
        "main.tf": GUARDRAIL % ("g", "", "g") + '''
module "agent" {
  source       = "./modules/agent"
  guardrail_id = aws_bedrock_guardrail.g.guardrail_id
  role_arn     = module.role.arn
}
module "role" {
  source = "./modules/role"
}
''',
        "modules/agent/main.tf": '''
variable "guardrail_id" {}
variable "role_arn" {}
resource "aws_bedrockagent_agent" "this" {
  agent_name              = "a"
  agent_resource_role_arn = var.role_arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  guardrail_configuration {
    guardrail_identifier = var.guardrail_id
    guardrail_version    = "1"
  }
}
''',
        "modules/role/main.tf": '''
resource "aws_iam_role" "r" {
  name               = "agent"
  assume_role_policy = "{}"
}
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = data.aws_iam_policy_document.admin.json
}
output "arn" { value = aws_iam_role.r.arn }
'''})
    res = _by_addr(doc)
    agent = res["module.agent.aws_bedrockagent_agent.this"]
    assert agent["attrs"]["content_filter"]["attached"] is True
    assert agent["attrs"]["content_filter"]["id"] == res["aws_bedrock_guardrail.g"]["id"]  # across the module boundary
    assert res["aws_bedrock_guardrail.g"]["attrs"]["attached"] is True
    assert agent["attrs"]["execution_role"]["admin"] is True  # rendered policy document, through a module output
    assert agent["source"]["file"] == "modules/agent/main.tf" and agent["source"]["line"] == 4
    assert _status(doc)[("AIP-AGT-003", "module.agent.aws_bedrockagent_agent.this")] == "fail"


def test_registry_module_read_when_fetched_else_not_checked(tmp_path):
    files = {"main.tf": 'module "guard" {\n  source  = "aws-ia/bedrock/aws"\n  version = "0.0.1"\n  name = "x"\n}\n'}
    doc = _tf(tmp_path, files)
    nc = [e for e in doc["errors"] if e["code"] == "ModuleNotFetched"]
    assert len(nc) == 1 and "'guard'" in nc[0]["message"] and "terraform init" in nc[0]["message"]
    assert nc[0]["scope"] == {"file": "main.tf", "line": 1}
    assert pipeline.evaluate(doc, pipeline.Options(), Config()).incomplete
    fetched = _tf(tmp_path, {
        ".terraform/modules/modules.json": json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."}, {
            "Key": "guard", "Source": "registry.terraform.io/aws-ia/bedrock/aws", "Version": "0.0.1",
            "Dir": ".terraform/modules/guard"}]}),
        ".terraform/modules/guard/main.tf": 'variable "name" {}\n' + GUARDRAIL % ("this", "", "${var.name}-g")})
    assert [e for e in fetched["errors"] if e["code"] == "ModuleNotFetched"] == []
    g = _by_addr(fetched)["module.guard.aws_bedrock_guardrail.this"]
    assert g["name"] == "x-g" and g["source"]["file"] == ".terraform/modules/guard/main.tf"


def test_awscc_twins_judged_like_aws(tmp_path):
    doc = _tf(tmp_path, {"main.tf": GUARDRAIL % ("aws", "", "aws") + '''
resource "awscc_bedrock_guardrail" "cc" {
  name                      = "cc"
  blocked_input_messaging   = "no"
  blocked_outputs_messaging = "no"
  content_policy_config = {
    filters_config = [{ type = "PROMPT_ATTACK", input_strength = "HIGH", output_strength = "NONE" }]
  }
}
resource "awscc_bedrock_agent" "cc" {
  agent_name                  = "cc"
  foundation_model            = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  idle_session_ttl_in_seconds = 7200
  guardrail_configuration = {
    guardrail_identifier = awscc_bedrock_guardrail.cc.guardrail_id
    guardrail_version    = "DRAFT"
  }
  action_groups = [{
    action_group_name     = "refunds"
    action_group_executor = { lambda = "arn:aws:lambda:eu-west-1:1:function:f" }
    function_schema       = { functions = [{ name = "refund", require_confirmation = "DISABLED" }] }
  }]
}
resource "aws_bedrockagent_agent" "aws" {
  agent_name                  = "aws"
  agent_resource_role_arn     = "arn:aws:iam::1:role/x"
  foundation_model            = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  idle_session_ttl_in_seconds = 7200
  guardrail_configuration {
    guardrail_identifier = aws_bedrock_guardrail.aws.guardrail_id
    guardrail_version    = "DRAFT"
  }
}
resource "aws_bedrockagent_agent_action_group" "refunds" {
  agent_id          = aws_bedrockagent_agent.aws.agent_id
  agent_version     = "DRAFT"
  action_group_name = "refunds"
  action_group_executor { lambda = "arn:aws:lambda:eu-west-1:1:function:f" }
  function_schema {
    member_functions {
      functions {
        name                 = "refund"
        require_confirmation = "DISABLED"
      }
    }
  }
}
resource "awscc_bedrock_prompt" "p" {
  name = "p"
}
'''})
    st = _status(doc)

    def rules(addr):
        return {(rule, s) for (rule, a), s in st.items() if a == addr}

    assert rules("awscc_bedrock_guardrail.cc") == rules("aws_bedrock_guardrail.aws")
    assert rules("awscc_bedrock_agent.cc") == rules("aws_bedrockagent_agent.aws")
    assert ("AIP-AGT-005", "fail") in rules("awscc_bedrock_agent.cc")  # action without confirmation, inline
    res = _by_addr(doc)
    assert res["awscc_bedrock_guardrail.cc"]["attrs"]["attached"] is True
    assert res["awscc_bedrock_prompt.p"]["kind"] == "prompt_template"  # judged since issue 15
    assert not any("awscc_bedrock_prompt" in n for n in doc["scan"]["notes"])


def test_tfvars_precedence_and_var_files(tmp_path):
    base = 'variable "name" { default = "default" }\n' + GUARDRAIL % ("g", "", "${var.name}")
    doc = _tf(tmp_path, {"main.tf": base})
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "default"
    doc = _tf(tmp_path, {"terraform.tfvars": 'name = "tfvars"\n'})
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "tfvars"
    doc = _tf(tmp_path, {"terraform.tfvars.json": '{"name": "tfvars-json"}'})
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "tfvars-json"
    doc = _tf(tmp_path, {"b.auto.tfvars": 'name = "auto"\n'})
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "auto"
    vf = tmp_path.parent / f"{tmp_path.name}-prod.tfvars"
    vf.write_text('name = "var-file"\n')
    doc = _tf(tmp_path, {}, var_files=[vf])
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "var-file"
    doc = _tf(tmp_path, {}, var_files=[vf], variables={"name": "cli"})
    assert _by_addr(doc)["aws_bedrock_guardrail.g"]["name"] == "cli"


def test_tf_json_and_cdktf_output(tmp_path):
    cdk = {"resource": {"aws_bedrock_guardrail": {"g": {
        "name": "cdk", "blocked_input_messaging": "no", "blocked_outputs_messaging": "no",
        "content_policy_config": [{"filters_config": [{"type": "HATE", "input_strength": "HIGH", "output_strength": "HIGH"}]}],
        "//": {"metadata": {"path": "stack/g"}}}}}}
    doc = _tf(tmp_path, {"cdktf.out/stacks/app/cdk.tf.json": json.dumps(cdk),
                         "plain/main.tf.json": json.dumps({"resource": {"azurerm_cognitive_account": {"a": {
                             "name": "oai", "kind": "OpenAI", "location": "westeurope", "resource_group_name": "rg",
                             "sku_name": "S0"}}}})})
    res = _by_addr(doc)
    assert res["aws_bedrock_guardrail.g"]["source"]["file"] == "cdktf.out/stacks/app/cdk.tf.json"
    assert res["aws_bedrock_guardrail.g"]["attrs"]["prompt_attack"]["enabled"] is False
    assert res["azurerm_cognitive_account.a"]["attrs"]["local_auth_enabled"] is True  # provider default
    assert doc["scan"]["iac"]["files_read"] == 2


def test_terragrunt_and_unknown_for_each_are_listed_not_checked(tmp_path):
    doc = _tf(tmp_path, {"live/terragrunt.hcl": 'terraform { source = "../modules/x" }\n',
                         "main.tf": 'variable "tenants" { type = set(string) }\n'
                                    + GUARDRAIL % ("t", "for_each = var.tenants", "t")})
    msgs = {e["code"]: e for e in doc["errors"]}
    assert "render it with terragrunt first" in msgs["Terragrunt"]["message"]
    assert msgs["Terragrunt"]["scope"]["file"] == "live/terragrunt.hcl"
    assert "aws_bedrock_guardrail.t" in msgs["UnknownForEach"]["message"]
    assert msgs["UnknownForEach"]["scope"] == {"file": "main.tf", "line": 2}


def test_no_iac_at_all_is_said(tmp_path):
    (tmp_path / "README.md").write_text("# hello\n")
    doc = scan_paths([tmp_path / "README.md"], base=tmp_path)
    assert [e["code"] for e in doc["errors"]] == ["NoIaC"]
    p = run("iac", "README.md", cwd=tmp_path)
    assert p.returncode == 3 and "no infrastructure-as-code found" in p.stdout + p.stderr
    assert "read 0 IaC files" in p.stderr


def test_cli_var_options_and_summary(tmp_path):
    (tmp_path / "main.tf").write_text('variable "enabled" { default = false }\n'
                                      + GUARDRAIL % ("g", "count = var.enabled ? 1 : 0", "g"))
    (tmp_path / "prod.tfvars").write_text("enabled = true\n")
    off = run("iac", ".", "-f", "json", "-o", "off.json", cwd=tmp_path)
    assert off.returncode == 0 and "read 2 IaC files, 0 resources; 0 AI resources checked" in off.stderr  # main.tf, prod.tfvars
    on = run("iac", ".", "--var-file", "prod.tfvars", "-f", "json", "-o", "on.json", cwd=tmp_path)
    assert on.returncode == 1 and "1 AI resources checked" in on.stderr  # the guardrail now exists and fails rules
    assert run("iac", ".", "--var", "enabled=true", "-q", cwd=tmp_path).returncode == 1
    bad = run("iac", ".", "--var", "enabled", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --var 'enabled': expected NAME=VALUE"
    missing = run("iac", ".", "--var-file", "nope.tfvars", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.tfvars" in missing.stderr


@pytest.mark.parametrize(("rai", "want"), [
    ("null", {}),      # empty for_each: no rai_settings block, so no harm filter (GoogleCloudPlatform vertex-ai module)
    ('{ dangerous = "HIGH" }', None),  # an instance whose nested blocks are not computed: unknown, never "none"
])
def test_empty_dynamic_block_with_nested_blocks_is_absent_not_unknown(tmp_path, rai, want):
    (tmp_path / "main.tf").write_text(f'''variable "rai_filters" {{ default = {rai} }}
resource "google_model_armor_template" "t" {{
  location    = "us"
  template_id = "t"
  filter_config {{
    dynamic "rai_settings" {{
      for_each = var.rai_filters == null ? [] : ["rai_settings"]
      content {{
        dynamic "rai_filters" {{
          for_each = lookup(var.rai_filters, "dangerous") == null ? [] : ["dangerous"]
          content {{
            filter_type      = "DANGEROUS"
            confidence_level = lookup(var.rai_filters, "dangerous")
          }}
        }}
      }}
    }}
  }}
}}
''')
    doc = scan_paths([tmp_path], base=tmp_path)
    (t,) = [r for r in doc["resources"] if r["source"]["address"] == "google_model_armor_template.t"]
    assert t["attrs"]["harm_categories"] == want
