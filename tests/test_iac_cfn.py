"""CloudFormation: cfn-lint decoding with exact lines, IAM policies linked to agent roles, Fn::ForEach, SAM."""

import pytest
from test_iac_arm import FIX, scan_and_judge

from aiposture import pipeline
from aiposture.engine import Config

_scan = scan_and_judge


@pytest.fixture(scope="module")
def iam():
    return _scan(FIX / "cloudformation-iam")


@pytest.mark.parametrize("agent,admin,how", [
    ("OpsAgent", True, "AWS::IAM::Policy attached with Roles: [!Ref OpsRole]"),
    ("BillingAgent", True, "AWS::IAM::ManagedPolicy referenced from ManagedPolicyArns"),
    ("DevAgent", True, "AdministratorAccess through !Sub arn:${AWS::Partition}"),
    ("FaqAgent", False, "inline Policies, read-only AWS managed policy"),
])
def test_role_privileges_from_attached_policies(iam, agent, admin, how):
    _doc, res, status = iam
    assert res[agent]["attrs"]["execution_role"]["admin"] is admin, how
    assert status[("AIP-AGT-003", agent)] == ("fail" if admin else "pass"), how


def test_unresolvable_managed_policy_is_unknown_not_least_privilege(iam):
    _doc, res, status = iam
    assert res["ReportAgent"]["attrs"]["execution_role"]["admin"] is None
    assert status[("AIP-AGT-003", "ReportAgent")] == "error"


def test_exact_lines_from_the_decoder(iam):
    _doc, res, _ = iam
    text = (FIX / "cloudformation-iam" / "agents.yaml").read_text().splitlines()
    for name in ("OpsAgent", "BillingAgent", "FaqAgent", "ReportAgent", "DevAgent"):
        assert text[res[name]["source"]["line"] - 1].strip() == f"{name}:"


def test_foreach_expanded_or_listed():
    doc, res, status = _scan(FIX / "cloudformation-foreach")
    # Ref to a CommaDelimitedList default, and a literal list with &{} (alphanumeric) keys
    assert set(res) == {"salesGuardrail", "supportGuardrail", "devLenient", "prodLenient"}
    assert res["salesGuardrail"]["name"] == "sales-guardrail"
    assert status[("AIP-GR-001", "salesGuardrail")] == "pass" and status[("AIP-GR-001", "devLenient")] == "fail"
    # !GetAZs is known only at deploy time: the loop is listed, not dropped
    nc = [e for e in doc["errors"] if e["code"] == "NotChecked"]
    assert len(nc) == 1 and "Fn::ForEach" in nc[0]["message"] and nc[0]["scope"]["line"] == 36
    assert pipeline.evaluate(doc, pipeline.Options(), Config()).incomplete


def test_sam_template_is_read():
    doc, res, status = _scan(FIX / "cloudformation-sam")
    assert doc["errors"] == [] and list(res) == ["ChatGuardrail"]
    assert res["ChatGuardrail"]["source"]["line"] == 17
    assert status[("AIP-GR-002", "ChatGuardrail")] == "pass"


def test_short_form_tags_join_select_findinmap(tmp_path):
    (tmp_path / "t.yaml").write_text("""AWSTemplateFormatVersion: '2010-09-09'
Mappings:
  Strength:
    prod: {Prompt: HIGH}
    dev: {Prompt: NONE}
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  G:
    Type: AWS::Bedrock::Guardrail
    Properties:
      Name: !Join ["-", [chat, !Ref Env]]
      BlockedInputMessaging: !Select [0, [Sorry., x]]
      BlockedOutputsMessaging: Sorry.
      KmsKeyArn: !Sub "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/abc"
      ContentPolicyConfig:
        FiltersConfig:
          - Type: PROMPT_ATTACK
            InputStrength: !FindInMap [Strength, !Ref Env, Prompt]
            OutputStrength: NONE
""")
    doc, res, status = _scan(tmp_path, base=tmp_path)
    g = res["G"]
    assert g["name"] == "chat-dev" and g["source"]["line"] == 9
    assert g["attrs"]["prompt_attack"]["input_strength"] == "none"  # FindInMap with the default Env
    assert g["attrs"]["encryption"]["cmk"] is True  # a key ARN known at deploy time is still a customer key
    assert status[("AIP-GR-001", "G")] == "fail"


def test_duplicate_keys_and_broken_yaml_are_parse_errors(tmp_path):
    (tmp_path / "dup.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: AWS::Bedrock::Guardrail\n"
                                       "  A:\n    Type: AWS::Bedrock::Guardrail\n")
    (tmp_path / "bad.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: [\n")
    doc, _res, _ = _scan(tmp_path, base=tmp_path)
    errs = {e["scope"]["file"]: e for e in doc["errors"]}
    assert errs["dup.yaml"]["code"] == errs["bad.yaml"]["code"] == "ParseError"
    assert errs["dup.yaml"]["scope"]["line"] in (3, 5) and errs["bad.yaml"]["scope"]["line"]
