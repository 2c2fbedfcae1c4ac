"""AgentCore, Flows and Prompt management in Terraform (aws and awscc providers) and CloudFormation:
the same rules as the live scan, links inside the configuration, unknown stays unknown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths

DATA = Path(__file__).parent / "data" / "agentcore"


def _scan(tmp_path, *names: str, extra: dict[str, str] | None = None):
    for n in names:
        shutil.copy(DATA / n, tmp_path / n)
    for n, text in (extra or {}).items():
        (tmp_path / n).write_text(text)
    doc = scan_paths([tmp_path], base=tmp_path)
    assert inv.validate(doc) == []
    return doc


def _status(doc):
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    return {(r.rule.id, r.resource["source"].get("address")): r.status.value for r in rep.results}


def _attrs(doc):
    return {r["source"]["address"]: r["attrs"] for r in doc["resources"]}


@pytest.fixture(scope="module")
def terraform(tmp_path_factory):
    doc = _scan(tmp_path_factory.mktemp("tf"), "main.tf")
    return doc, _status(doc), _attrs(doc)


def test_terraform_careless_fails_and_hardened_passes(terraform):
    doc, st, _ = terraform
    assert doc["errors"] == []
    expect = {
        ("AIP-NET-101", "aws_bedrockagentcore_agent_runtime.bad"): "fail",
        ("AIP-NET-101", "aws_bedrockagentcore_agent_runtime.good"): "pass",
        ("AIP-AUTH-102", "aws_bedrockagentcore_agent_runtime.bad"): "fail",
        ("AIP-AUTH-102", "aws_bedrockagentcore_agent_runtime.good"): "pass",
        ("AIP-AUTH-101", "aws_bedrockagentcore_agent_runtime.bad"): "fail",  # the resource policy in the same config
        ("AIP-AUTH-101", "aws_bedrockagentcore_agent_runtime.good"): "pass",
        ("AIP-AGT-102", "aws_bedrockagentcore_agent_runtime.bad"): "fail",
        ("AIP-AGT-102", "aws_bedrockagentcore_agent_runtime.good"): "pass",
        ("AIP-AGT-003", "aws_bedrockagentcore_agent_runtime.good"): "pass",  # its role, declared here, is narrow
        ("AIP-AUTH-103", "aws_bedrockagentcore_gateway.open"): "fail",
        ("AIP-AUTH-103", "aws_bedrockagentcore_gateway.iam"): "pass",
        ("AIP-AGT-105", "aws_bedrockagentcore_gateway.open"): "fail",
        ("AIP-AGT-105", "aws_bedrockagentcore_gateway.iam"): "pass",
        ("AIP-ENC-101", "aws_bedrockagentcore_gateway.open"): "fail",
        ("AIP-ENC-101", "aws_bedrockagentcore_gateway.iam"): "pass",
        ("AIP-AUTH-105", "aws_bedrockagentcore_gateway.open"): "fail",  # its target (declared apart) uses an API key
        ("AIP-AUTH-105", "aws_bedrockagentcore_gateway.iam"): "pass",
        ("AIP-AUTH-106", "aws_bedrockagentcore_api_key_credential_provider.vendor"): "fail",
        ("AIP-ENC-102", "aws_bedrockagentcore_memory.bad"): "fail",
        ("AIP-ENC-102", "aws_bedrockagentcore_memory.good"): "pass",
        ("AIP-DATA-101", "aws_bedrockagentcore_memory.bad"): "fail",
        ("AIP-DATA-101", "aws_bedrockagentcore_memory.good"): "pass",
        ("AIP-NET-102", "aws_bedrockagentcore_code_interpreter.public"): "fail",
        ("AIP-AGT-001", "aws_bedrockagent_flow.guarded"): "pass",
        ("AIP-AGT-002", "aws_bedrockagent_flow.guarded"): "pass",  # pinned to aws_bedrock_guardrail_version
        ("AIP-ENC-005", "aws_bedrockagent_flow.guarded"): "pass",
        ("AIP-AGT-001", "awscc_bedrock_flow.open"): "fail",
        ("AIP-AGT-103", "awscc_bedrock_flow.open"): "fail",  # awscc_bedrock_flow_alias routes to DRAFT
        ("AIP-AGT-103", "aws_bedrockagent_flow.guarded"): "pass",
        ("AIP-GR-101", "awscc_bedrock_prompt.p"): "fail",  # the awscc flow runs it without a guardrail
        ("AIP-ENC-103", "awscc_bedrock_prompt.p"): "fail",
        ("AIP-GR-010", "aws_bedrock_guardrail.g"): "pass",  # used by a flow node: attached
    }
    got = {k: st.get(k) for k in expect}
    assert got == expect


def test_terraform_links_and_shapes(terraform):
    doc, _, at = terraform
    assert at["aws_bedrockagentcore_gateway.iam"]["targets"] == [{"type": "lambda", "external": False, "outbound_auth": "iam"}]
    assert at["aws_bedrockagentcore_api_key_credential_provider.vendor"]["target"].endswith("#aws_bedrockagentcore_gateway.open")
    assert at["aws_bedrockagent_flow.guarded"]["content_filter"] == {"attached": True, "id": "${aws_bedrock_guardrail.g}",
                                                                     "version": "published"}
    # link-only types give no resource of their own
    assert not any(a.startswith(("aws_bedrockagentcore_gateway_target.", "aws_bedrockagentcore_resource_policy.",
                                 "awscc_bedrock_flow_alias.")) for a in at)
    assert not any("awscc_bedrock_prompt" in n or "aws_bedrockagent_flow" in n for n in doc["scan"]["notes"])
    # a secret written in the repository never reaches the output
    assert "sk-in-the-repo" not in json.dumps(doc) and "in-the-repo" not in json.dumps(doc)


def test_cloudformation_reads_the_same_types(tmp_path):
    doc = _scan(tmp_path, "template.yaml")
    st, at = _status(doc), _attrs(doc)
    assert doc["errors"] == []
    assert st[("AIP-NET-101", "OpenRuntime")] == "fail" and st[("AIP-NET-101", "PrivateRuntime")] == "pass"
    assert st[("AIP-AGT-102", "OpenRuntime")] == "fail"
    assert st[("AIP-AUTH-103", "OpenGateway")] == "fail" and st[("AIP-AUTH-103", "JwtGateway")] == "pass"
    # !GetAtt Key.Arn of a key in the template is a customer-managed key
    assert st[("AIP-ENC-101", "JwtGateway")] == "pass" and st[("AIP-ENC-102", "Memory")] == "pass"
    assert st[("AIP-ENC-103", "Prompt")] == "pass"
    assert st[("AIP-AGT-001", "Flow")] == "fail" and st[("AIP-GR-101", "Prompt")] == "fail"
    assert at["Memory"]["retention_days"] == 30


def test_unknown_definitions_and_keys_stay_unknown(tmp_path):
    doc = _scan(tmp_path, extra={"main.tf": '''
variable "key" { type = string }
variable "mode" { type = string }
resource "awscc_bedrock_flow" "s3" {
  name                   = "s3"
  execution_role_arn     = "arn:aws:iam::1:role/flow"
  definition_s3_location = { bucket = "b", key = "flow.json" }
}
resource "aws_bedrockagentcore_memory" "m" {
  name                  = "m"
  event_expiry_duration = 30
  encryption_key_arn    = var.key
}
resource "aws_bedrockagentcore_code_interpreter" "ci" {
  name = "ci"
  network_configuration { network_mode = var.mode }
}
'''})
    st, at = _status(doc), _attrs(doc)
    assert at["awscc_bedrock_flow.s3"]["content_filter"] is None and st[("AIP-AGT-001", "awscc_bedrock_flow.s3")] == "error"
    assert at["aws_bedrockagentcore_memory.m"]["encryption"]["cmk"] is None
    assert st[("AIP-ENC-102", "aws_bedrockagentcore_memory.m")] == "error"
    assert st[("AIP-NET-102", "aws_bedrockagentcore_code_interpreter.ci")] == "error"
