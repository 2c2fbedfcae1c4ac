"""Live AgentCore / Flows / Prompts collection: real boto3 through AWS_ENDPOINT_URL against moto + the gap fake."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests import agentcore_scenario as sc
from tests.aws_fixtures import aws, moto_port, point_at, reset, results, run  # noqa: F401
from tests.fakes.aws import AwsFake

GOOD, BAD = "us-east-1", "us-west-2"

NEW_RULES_FAIL_BAD_PASS_GOOD = [
    "AIP-NET-101",   # PUBLIC runtime
    "AIP-AUTH-101",  # resource policy Principal '*'
    "AIP-AGT-101",   # MMDSv2 not required
    "AIP-AGT-102",   # OPENAI_API_KEY in environment variables
    "AIP-AUTH-103",  # gateway authorizerType NONE
    "AIP-AGT-104",   # policy engine LOG_ONLY
    "AIP-AGT-105",   # exceptionLevel DEBUG
    "AIP-AGT-106",   # admin execution role on gateway / code interpreter
    "AIP-ENC-101",   # gateway without a customer key
    "AIP-AUTH-105",  # target reached with a static API key
    "AIP-NET-102",   # PUBLIC code interpreter
    "AIP-ENC-102",   # memory without a customer key
    "AIP-DATA-101",  # memory keeps events 365 days
    "AIP-AUTH-106",  # API-key credential provider (good region: OAuth)
    "AIP-ENC-104",   # token vault service-managed key
    "AIP-AGT-001",   # flow generating nodes without a guardrail
    "AIP-AGT-003",   # flow execution role is admin
    "AIP-AGT-103",   # flow alias routes to DRAFT
    "AIP-ENC-005",   # flow without a customer key
    "AIP-ENC-103",   # prompt without a customer key
    "AIP-GR-101",    # prompt run by an unguarded flow node
]


def _by_region(path, rule: str) -> dict[str, set[str]]:
    doc = json.loads(open(path).read())
    out: dict[str, set[str]] = {GOOD: set(), BAD: set()}
    for r in doc["results"]:
        if r["rule_id"] == rule and r["region"] in out:
            out[r["region"]].add(r["status"])
    return out


@pytest.fixture
def estate(aws):
    return {"bad": sc.careless(BAD, aws)}


@pytest.fixture(scope="module")
def scanned(moto_port, tmp_path_factory):
    """One estate, one scan with every output format (the expensive part, shared by the read-only tests)."""
    tmp_path = tmp_path_factory.mktemp("agentcore")
    reset(moto_port)
    fake = AwsFake(moto_port).start()
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, tmp_path, fake.url)
        estate = {"good": sc.hardened(GOOD, fake), "bad": sc.careless(BAD, fake)}
        r = run("--regions", f"{GOOD},{BAD}", "-f", "json", "-o", "out.json", "-f", "sarif", "-o", "out.sarif",
                "-f", "csv", "-o", "out.csv", "-f", "html", "-o", "out.html", "-f", "evidence", "-o", "pack.zip",
                "--evidence-raw", "--save-inventory", "inv.json", "-f", "table", "-o", "table.txt")
        import boto3  # what the API really serves (in clear), so the leak test below can fail

        served = boto3.client("bedrock-agentcore-control", region_name=BAD).get_agent_runtime(
            agentRuntimeId=estate["bad"]["runtime_id"])
        yield {"r": r, "tmp": tmp_path, "estate": estate, "ops": fake.collector_ops(), "served": served}
    fake.stop()


def test_agentcore_flows_prompts_hardened_pass_careless_fail(scanned):
    r, tmp_path, estate = scanned["r"], scanned["tmp"], scanned["estate"]
    assert r.exit_code == 1, r.output
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert inv["errors"] == [], inv["errors"]
    natives = {(x["region"], x["native_type"]) for x in inv["resources"]}
    for region in (GOOD, BAD):
        for native in ("AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::Memory",
                       "AWS::BedrockAgentCore::CodeInterpreterCustom", "AWS::BedrockAgentCore::TokenVault",
                       "AWS::Bedrock::Flow", "AWS::Bedrock::Prompt"):
            assert (region, native) in natives, (region, native)
    assert (GOOD, "AWS::Bedrock::FlowAlias") in natives and (GOOD, "AWS::BedrockAgentCore::BrowserCustom") in natives
    assert (GOOD, "AWS::BedrockAgentCore::OAuth2CredentialProvider") in natives
    assert (BAD, "AWS::BedrockAgentCore::ApiKeyCredentialProvider") in natives
    wrong = []
    for rule in NEW_RULES_FAIL_BAD_PASS_GOOD:
        got = _by_region(tmp_path / "out.json", rule)
        if "fail" not in got[BAD] or not got[GOOD] or got[GOOD] != {"pass"}:
            wrong.append((rule, sorted(got[BAD]), sorted(got[GOOD])))
    assert not wrong
    # JWT without audience: the careless runtime fails, the IAM-authorized one is out of scope
    assert _by_region(tmp_path / "out.json", "AIP-AUTH-102") == {GOOD: set(), BAD: {"fail"}}

    res = {x["id"]: x for x in inv["resources"]}
    good_flow = res[estate["good"]["flow"]]["attrs"]
    assert good_flow["content_filter"] == {"attached": True, "id": estate["good"]["guardrail"], "version": "1"}
    assert good_flow["action_groups"] == {"count": 1, "code_interpreter": True} and good_flow["alias_on_draft"] is False
    bad_flow = res[estate["bad"]["flow"]]["attrs"]
    assert bad_flow["content_filter"]["attached"] is False and bad_flow["alias_on_draft"] is True
    # the guardrail version the flow pins counts as used (AIP-GR-010)
    guard = res[f"{estate['good']['guardrail']}:1"]
    assert guard["attrs"]["attached"] is True
    gw = res[estate["bad"]["gateway"]]["attrs"]
    assert gw["targets"] == [{"type": "mcp_server", "external": True, "outbound_auth": "api_key"}]
    key = next(x for x in inv["resources"] if x["native_type"] == "AWS::BedrockAgentCore::ApiKeyCredentialProvider")
    assert key["attrs"] == {"auth_type": "key", "secret_source": "MANAGED", "target": estate["bad"]["gateway"]}
    assert res[estate["bad"]["runtime"]]["attrs"]["secrets_in_env"] is True


def test_secret_values_never_reach_any_output(scanned):
    r, tmp_path = scanned["r"], scanned["tmp"]
    assert r.exit_code == 1, r.output
    texts = {"stdout": r.output}
    for name in ("out.json", "out.sarif", "out.csv", "out.html", "inv.json", "table.txt"):
        texts[name] = (tmp_path / name).read_text()
    with zipfile.ZipFile(tmp_path / "pack.zip") as z:
        for member in z.namelist():
            texts[f"pack.zip/{member}"] = z.read(member).decode("utf-8", "replace")
    assert "OPENAI_API_KEY" not in texts["out.json"]  # not even the name goes into findings
    leaked = [n for n, t in texts.items() for s in (sc.SECRET_VALUE, sc.OAUTH_SECRET) if s in t]
    assert leaked == []
    # the API really served the value in clear (so this test can fail)
    assert scanned["served"]["environmentVariables"]["OPENAI_API_KEY"] == sc.SECRET_VALUE


def test_every_call_is_a_documented_read_only_permission(scanned):
    from aiposture.collect.aws_bedrock import IAM_ACTIONS, iam_action

    ops = scanned["ops"]
    assert ("bedrock-agentcore-control", "GetAgentRuntime") in ops and ("bedrock-agent", "GetFlow") in ops
    assert {iam_action(s, o) for s, o in ops} - set(IAM_ACTIONS) - {"sts:GetCallerIdentity"} == set()
    # every call an AgentCore / Flows / Prompts spec declares is made against this estate
    from aiposture import specs

    ours = {(c.service, c.operation) for n in ("AWS::BedrockAgentCore::", "AWS::Bedrock::Flow", "AWS::Bedrock::Prompt")
            for s in specs.all_specs("aws") if s.native_type.startswith(n) for c in s.calls}
    assert ours - set(ops) == set(), ours - set(ops)
    assert not [o for _, o in ops if o.startswith(("Create", "Put", "Update", "Delete", "Set"))]
    assert not {"GetResourceApiKey", "GetResourceOauth2Token", "GetSecretValue"} & {o for _, o in ops}


def test_an_unreadable_runtime_is_unknown_not_passing(aws, estate, tmp_path):
    aws.fail("GetAgentRuntime", 500, "InternalServerException")
    aws.fail("GetResourcePolicy", 403, "AccessDeniedException")
    r = run("--regions", BAD, "--max-attempts", "1", "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    assert r.exit_code in (1, 3), r.output
    inv = json.loads((tmp_path / "inv.json").read_text())
    runtime = next(x for x in inv["resources"] if x["native_type"] == "AWS::BedrockAgentCore::Runtime")
    assert runtime["attrs"]["public_network"] is None and runtime["attrs"]["inbound_auth"] is None
    assert any(e.get("partial") and "runtime" in e["message"] for e in inv["errors"])
    st = results(tmp_path / "out.json")
    for rule in ("AIP-NET-101", "AIP-AUTH-101", "AIP-AGT-101", "AIP-AGT-102"):
        assert st[(rule, runtime["id"])] == "error", rule
    # the gateway's resource policy could not be read: unknown, not "no policy"
    gw = next(x for x in inv["resources"] if x["native_type"] == "AWS::BedrockAgentCore::Gateway")
    assert gw["attrs"]["invoke_policy_public"] is None and st[("AIP-AUTH-104", gw["id"])] == "error"


def test_a_denied_list_is_a_scope_error_and_prompts_become_unknown(aws, estate, tmp_path):
    from tests.fakes.aws import DEFAULT_ACCOUNT

    aws.deny(DEFAULT_ACCOUNT, "ListGateways", "ListFlows")
    r = run("--regions", BAD, "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    assert r.exit_code == 1, r.output  # findings win over incomplete
    inv = json.loads((tmp_path / "inv.json").read_text())
    scope = [e for e in inv["errors"] if not e.get("partial")]
    assert any(e.get("kinds") == ["agent_tool"] for e in scope) and any(e.get("kinds") == ["agent"] for e in scope)
    doc = json.loads((tmp_path / "out.json").read_text())
    gateway_rules = {x["status"] for x in doc["results"] if x["rule_id"] == "AIP-AUTH-103"}
    assert gateway_rules == {"error"}
    prompt = next(x for x in inv["resources"] if x["kind"] == "prompt_template")
    assert prompt["attrs"]["used_unguarded"] is None  # a flow that runs it unguarded may not have been seen
    assert results(tmp_path / "out.json")[("AIP-GR-101", prompt["id"])] == "error"
