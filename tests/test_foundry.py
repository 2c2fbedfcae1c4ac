"""Azure AI Foundry: live (azure-core's ARM pipeline against the local HTTPS ARM fake, through --arm-endpoint) and
IaC (Terraform azurerm/azapi, ARM). Projects, connections, capability hosts, agent network injection, Content Safety
accounts; each test names the behaviour it would catch."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

pytest.importorskip("azure.mgmt.core")
pytest.importorskip("trustme")

from aiposture.cli import main
from tests import azure_ai_scenario as ai
from tests.test_collect_azure import azure, ca, run, scan  # noqa: F401  (fixtures)

SUB = "44444444-4444-4444-4444-444444444444"




def test_foundry_live_projects_connections_agents_and_content_safety(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    r, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1, r.output  # findings, nothing unreadable
    assert inv["errors"] == []
    acct = ai.by_id(inv, ids["foundry"])["attrs"]
    assert acct["project_management"] is True and acct["agent_network_injection"] is True
    support, sandbox = ai.by_id(inv, ids["support"]), ai.by_id(inv, ids["sandbox"])
    assert support["native_type"] == "Microsoft.CognitiveServices/accounts/projects"
    # support: own identity; its project capability host names customer stores, the account's one a subnet
    assert support["attrs"] == {"managed_identity": True, "agents": None,
                                "agent_data": {"customer_storage": True, "customer_subnet": True}}
    assert sandbox["attrs"] == {"managed_identity": False, "agents": None,
                                "agent_data": {"customer_storage": False, "customer_subnet": True}}
    assert ai.status(res, "AIP-AUTH-022", ids["support"]) == "pass" and ai.status(res, "AIP-AUTH-022", ids["sandbox"]) == "fail"
    assert ai.status(res, "AIP-AGT-020", ids["support"]) == "pass" and ai.status(res, "AIP-AGT-020", ids["sandbox"]) == "fail"
    assert ai.status(res, "AIP-NET-020", ids["foundry"]) == "pass"
    assert ai.status(res, "AIP-AUTH-022", ids["foundry"]) is None  # the project rule does not judge accounts
    # connections: ApiKey shared with every project fails both rules; AAD passes; AccountKey shared fails
    vendor = ai.by_id(inv, ids["vendor"])
    assert vendor["kind"] == "ai_connection" and vendor["attrs"]["target_external"] is True
    assert vendor["attrs"]["auth_type"] == "key" and vendor["attrs"]["shared_to_all"] is True
    assert ai.status(res, "AIP-AUTH-020", ids["vendor"]) == "fail" and ai.status(res, "AIP-AUTH-021", ids["vendor"]) == "fail"
    assert ai.status(res, "AIP-AUTH-020", ids["search"]) == "pass" and ai.status(res, "AIP-AUTH-021", ids["search"]) is None
    assert ai.by_id(inv, ids["search"])["attrs"]["private_endpoint_required"] is True
    assert ai.status(res, "AIP-AUTH-021", ids["thread"]) == "fail"
    project_conn = next(x for x in inv["resources"] if x["native_type"].endswith("projects/connections"))
    assert project_conn["name"] == "contoso-foundry/support/crm-cosmos" and project_conn["attrs"]["auth_type"] == "identity"
    # Content Safety accounts are judged like any AI account; Prompt Shields = Jailbreak + Indirect Attack blocking
    assert ai.status(res, "AIP-AUTH-001", ids["safety"]) == "fail" and ai.status(res, "AIP-NET-001", ids["safety"]) == "fail"
    assert not [p for _, p in azure.calls if "/contoso-safety/" in p and p.endswith(("/deployments", "/raiPolicies"))]
    shields = next(x for x in inv["resources"] if x["name"] == "contoso-foundry/shields")
    assert ai.status(res, "AIP-GR-001", shields["id"]) == "pass" and ai.status(res, "AIP-GR-003", shields["id"]) == "pass"


def _log_token_requests(tmp_path):
    """Wrap the fixture's stand-in 'az' so each token request's arguments (the resource asked for) are logged."""
    import os
    import sys

    az = tmp_path / "bin" / "az"
    az.rename(tmp_path / "bin" / "az-real")
    az.write_text(f"#!{sys.executable}\nimport os, sys\nopen({str(tmp_path / 'az.log')!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                  f"os.execv({str(tmp_path / 'bin' / 'az-real')!r}, [{str(tmp_path / 'bin' / 'az-real')!r}, *sys.argv[1:]])\n")
    os.chmod(az, 0o755)
    return tmp_path / "az.log"


def _agents_scan(azure, tmp_path, *args):
    return scan(azure, tmp_path, "--subscription", SUB, "--foundry-agents",
                "--foundry-endpoint-template", azure.url + "/{account}", *args)


def test_foundry_agents_and_tools_from_the_data_plane(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    agents = ai.populate_agents(azure, SUB)
    log = _log_token_requests(tmp_path)
    r, inv, res = _agents_scan(azure, tmp_path)
    assert r.exit_code == 1, r.output
    # the data plane gets a token for its own audience from the same credential (ARM keeps its own)
    asked = log.read_text()
    assert "https://ai.azure.com" in asked and "https://management" in asked, asked
    assert inv["errors"] == [] and not any("Foundry agents were not read" in n for n in inv["scan"].get("notes", []))
    found = {x["name"]: x for x in inv["resources"] if x["kind"] == "agent"}
    assert sorted(found) == [f"contoso-foundry/support/{n}" for n in ("approver", "drafter", "helper", "lookup", "triage")]
    triage = found["contoso-foundry/support/triage"]
    assert triage["id"] == agents["triage"] and triage["native_type"] == "Microsoft.CognitiveServices/accounts/projects/agents"
    # OpenAPI + MCP act without confirmation; code interpreter has its own flag; file_search only reads
    assert triage["attrs"]["action_groups"] == {"count": 2, "without_confirmation": 2, "code_interpreter": True}
    assert triage["attrs"]["tools"] == ["code_interpreter", "file_search", "mcp", "openapi"]
    # guardrail = the RAI policy of the deployment the agent names (custom 'shields' / Microsoft.DefaultV2 / none)
    assert triage["attrs"]["content_filter"]["is_default"] is False
    assert triage["attrs"]["content_filter"]["id"].endswith("/raiPolicies/shields")
    assert found["contoso-foundry/support/helper"]["attrs"]["content_filter"]["is_default"] is True  # model name case-insensitive
    assert found["contoso-foundry/support/lookup"]["attrs"]["content_filter"] is None  # not a deployment of the account
    assert ai.status(res, "AIP-AGT-021", agents["triage"]) == "pass"
    assert ai.status(res, "AIP-AGT-021", agents["helper"]) == "fail"
    assert ai.status(res, "AIP-AGT-021", agents["lookup"]) is None  # knowledge tools only
    assert ai.status(res, "AIP-AGT-021", agents["drafter"]) is None  # function tools run in the calling app
    assert ai.status(res, "AIP-AGT-001", agents["lookup"]) == "error"  # unknown guardrail is never a pass
    assert ai.status(res, "AIP-AGT-005", agents["triage"]) == "fail"  # MCP require_approval never + OpenAPI
    assert ai.status(res, "AIP-AGT-005", agents["approver"]) == "pass"  # MCP require_approval always
    assert ai.status(res, "AIP-AGT-007", agents["triage"]) == "pass"
    # Bedrock-only notions (DRAFT guardrail version, execution role, idle TTL, CMK) do not judge Foundry agents
    for rule in ("AIP-AGT-002", "AIP-AGT-003", "AIP-AGT-004", "AIP-AGT-006", "AIP-ENC-005"):
        assert all(ai.status(res, rule, a) is None for a in agents.values()), rule
    assert ai.by_id(inv, ids["support"])["attrs"]["agents"] == 5 and ai.by_id(inv, ids["sandbox"])["attrs"]["agents"] == 0
    # paging: limit/after until has_more is false, api-version v1, bearer token (the fake refuses without one)
    support_q = [q for q in azure.agent_queries if q.get("limit")]
    assert all(q["api-version"] == "v1" for q in azure.agent_queries)
    assert [q.get("after") for q in support_q] == [None, "asst_helper02", "asst_drafter4", None]


def test_foundry_agent_secrets_and_instructions_reach_no_output(azure, tmp_path):
    azure.add_subscription(SUB)
    ai.populate_foundry(azure, SUB)
    ai.populate_agents(azure, SUB)
    r, _, _ = _agents_scan(azure, tmp_path)
    assert r.exit_code == 1
    table = run(azure, "--subscription", SUB, "--foundry-agents", "--foundry-endpoint-template", azure.url + "/{account}",
                "-f", "table")
    for out in ("inv.json", "out.json"):
        text = (tmp_path / out).read_text()
        assert ai.LEAK not in text and "Internal API key" not in text and "mcp.contoso.example" not in text
    assert ai.LEAK not in table.output and "Internal API key" not in table.output


def test_without_the_flag_no_data_plane_call_and_agents_are_unknown(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    ai.populate_agents(azure, SUB)
    r, inv, _ = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1, r.output
    assert not [p for _, p in azure.calls if "/api/projects/" in p] and azure.agent_queries == []
    assert not [x for x in inv["resources"] if x["kind"] == "agent"]
    assert ai.by_id(inv, ids["support"])["attrs"]["agents"] is None
    notes = [n for n in inv["scan"]["notes"] if "Foundry agents were not read" in n]
    assert len(notes) == 1  # once per scan, not once per project


def test_data_plane_forbidden_is_partial_never_a_pass(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    ai.populate_agents(azure, SUB)
    azure.forbidden.add("contoso-foundry")  # the identity has ARM reads but no data-plane role on the account
    r, inv, res = _agents_scan(azure, tmp_path)
    assert r.exit_code == 1, r.output  # findings elsewhere still outrank "incomplete"
    errs = [e for e in inv["errors"] if "agents (data plane)" in e["message"]]
    assert len(errs) == 2 and all(e["code"] == "PermissionDenied" and e["kinds"] == ["agent"] for e in errs), errs
    assert ai.by_id(inv, ids["support"])["attrs"]["agents"] is None
    assert not [x for x in inv["resources"] if x["kind"] == "agent"]
    assert not [x for x in res if x["rule_id"] == "AIP-AGT-021" and x["status"] == "pass"]


@pytest.mark.parametrize("template", ["http://127.0.0.1:1/{account}", "https://127.0.0.1:1/fixed"])
def test_foundry_endpoint_template_must_be_https_with_account(azure, template):
    azure.add_subscription(SUB)
    r = run(azure, "--subscription", SUB, "--foundry-agents", "--foundry-endpoint-template", template)
    assert r.exit_code == 2
    assert "--foundry-endpoint-template must be an https:// URL containing {account}" in r.output
    assert azure.calls == []


def test_connection_secrets_never_reach_any_output(azure, tmp_path):
    azure.add_subscription(SUB)
    ai.populate_foundry(azure, SUB)
    r, _, _ = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1
    table = run(azure, "--subscription", SUB, "-f", "table")
    for out in ("inv.json", "out.json"):
        assert ai.LEAK not in (tmp_path / out).read_text()
    assert ai.LEAK not in table.output
    assert not azure.secret_calls()


def test_capability_hosts_that_cannot_be_listed_are_unknown(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    # an ARM that does not know the list operation (the 2025-09-01 API has get by name only)
    azure.path_errors["/capabilityHosts"] = (400, "NoRegisteredProviderFound")
    r, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1, r.output  # findings outrank "incomplete" (exit 3)
    assert ai.by_id(inv, ids["support"])["attrs"]["agent_data"] is None
    assert ai.status(res, "AIP-AGT-020", ids["support"]) == "error"
    assert ai.status(res, "AIP-AUTH-022", ids["support"]) == "pass"  # what was read is still judged
    errs = [e for e in inv["errors"] if "capability hosts" in e["message"]]
    assert errs and all(e["partial"] and e["code"] == "NoRegisteredProviderFound" for e in errs)


def test_projects_denied_is_a_scope_error_not_a_crash(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    azure.path_errors["/projects"] = (403, "AuthorizationFailed")
    r, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1, r.output  # findings outrank "incomplete" (exit 3)
    err = next(e for e in inv["errors"] if "projects" in e["message"])
    assert err["code"] == "AuthorizationFailed" and set(err["kinds"]) == {"ai_service", "ai_connection"}
    assert err["scope"] == {"subscription": SUB, "account": "contoso-foundry"}
    assert not any(x["id"] == ids["support"] for x in inv["resources"])
    assert ai.status(res, "AIP-AUTH-020", ids["vendor"]) == "fail"  # account connections were still read


def test_throttled_connection_list_is_retried(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    azure.throttles["contoso-foundry/connections"] = 2
    r, inv, _ = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1 and inv["errors"] == []
    assert ai.by_id(inv, ids["vendor"])["attrs"]["auth_type"] == "key"


def test_unreadable_connection_properties_are_unknown(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)

    def null_props(path, body):
        if path.endswith("/connections") and "projects" not in path:
            for c in body["value"]:
                c["properties"] = None
        return body

    azure.mutate = null_props
    _, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert ai.by_id(inv, ids["vendor"])["attrs"]["auth_type"] is None
    assert ai.status(res, "AIP-AUTH-020", ids["vendor"]) == "error"


def test_every_foundry_and_ml_call_is_covered_by_the_read_only_role(azure, tmp_path):
    from aiposture.collect.azure_openai import AZURE_ACTIONS

    azure.add_subscription(SUB)
    ai.populate_foundry(azure, SUB)
    ai.populate_aml(azure, SUB)
    run(azure, "--subscription", SUB, "-f", "json", "-o", "out.json")
    assert {m for m, _ in azure.calls} == {"GET"} and not azure.secret_calls()
    needed = set()
    for _, path in azure.calls:
        tail = re.sub(r"^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/providers/", "", path)
        if "/providers/" in tail:  # extension resources (diagnostic settings, role assignments): test_collect_azure
            continue
        if tail.startswith(("Microsoft.CognitiveServices/accounts", "Microsoft.MachineLearningServices/workspaces")):
            segs = tail.split("/")
            types = [segs[0] + "/" + segs[1], *segs[3::2]]  # type segments, names dropped
            needed.add("/".join(types) + "/read")
    for action in ("Microsoft.CognitiveServices/accounts/projects/capabilityHosts/read",
                   "Microsoft.CognitiveServices/accounts/projects/connections/read",
                   "Microsoft.MachineLearningServices/workspaces/datastores/read"):
        assert action in needed
    assert needed <= set(AZURE_ACTIONS), needed - set(AZURE_ACTIONS)
    role = json.loads(CliRunner().invoke(main, ["permissions", "azure"]).output)
    assert set(needed) <= set(role["Actions"]) and not any("listsecrets" in a.lower() for a in role["Actions"])


# ----------------------------------------------------------------------------- IaC
@pytest.fixture(scope="module")
def iac():
    return ai.iac_report()


def test_iac_terraform_foundry(iac):
    doc, report = iac
    names = {(x["name"], x["source"]["origin"]): x for x in doc["resources"]}
    support = names[("support", "terraform")]
    assert support["native_type"] == "Microsoft.CognitiveServices/accounts/projects"
    assert support["attrs"] == {"managed_identity": True, "agent_data": {"customer_storage": True, "customer_subnet": True}}
    assert "agent_data" not in names[("sandbox", "terraform")]["attrs"]  # no capability host declared: not judged
    assert ai.iac_status(report, "AIP-AUTH-022", "support") == "pass"
    assert ai.iac_status(report, "AIP-AUTH-022", "sandbox") == "fail"
    assert ai.iac_status(report, "AIP-AGT-020", "support") == "pass"
    assert ai.iac_status(report, "AIP-AGT-020", "sandbox") is None
    assert ai.iac_status(report, "AIP-NET-020", "contoso-foundry") == "pass"
    assert ai.iac_status(report, "AIP-NET-020", "open-foundry") == "fail"
    # the auth type is in the azurerm type name; isSharedToAll cannot be declared there, so AUTH-021 does not apply
    vendor = names[("vendor-llm", "terraform")]
    assert vendor["attrs"] == {"auth_type": "key", "target": "https://api.vendor-llm.example.com/v1", "target_external": True}
    assert ai.iac_status(report, "AIP-AUTH-020", "vendor-llm") == "fail"
    assert ai.iac_status(report, "AIP-AUTH-021", "vendor-llm") is None
    assert ai.iac_status(report, "AIP-AUTH-020", "contoso-search") == "pass"
    # azapi_resource body: isSharedToAll is declared, the credentials value is never kept
    assert ai.iac_status(report, "AIP-AUTH-021", "shared-blob") == "fail"
    assert "not-a-real-key" not in json.dumps(doc)
    # Content Safety accounts are AI accounts
    assert ai.iac_status(report, "AIP-AUTH-001", "contoso-safety") == "fail"


def test_iac_arm_foundry_children_link_by_name(iac):
    doc, report = iac
    research = next(x for x in doc["resources"] if x["name"] == "research")
    assert research["source"]["origin"] == "arm"
    assert research["attrs"] == {"managed_identity": False, "agent_data": {"customer_storage": True, "customer_subnet": False}}
    assert ai.iac_status(report, "AIP-AUTH-022", "research") == "fail"
    assert ai.iac_status(report, "AIP-NET-020", "arm-foundry") == "fail"
    assert ai.iac_status(report, "AIP-AUTH-021", "partner-llm") == "fail"


# ----------------------------------------------------------------------------- normaliser: unknown stays unknown
@pytest.mark.parametrize(("props", "expect"), [
    ({"authType": "AAD"}, "identity"), ({"authType": "ProjectManagedIdentity"}, "identity"),
    ({"authType": "ApiKey"}, "key"), ({"authType": "SAS"}, "key"), ({"authType": "ServicePrincipal"}, "service_principal"),
    ({"authType": "OAuth2"}, "oauth"), ({"authType": "None"}, "none"),
    ({"authType": "QuantumKey"}, None),  # an auth type newer than this mapping: unknown, never a guess
    ({"authType": 7}, None), ({}, None),
])
def test_connection_auth_types(props, expect):
    from aiposture.normalize.azure_ai import connection
    from aiposture.normalize.values import snake_keys

    assert connection(snake_keys({"properties": props}))["auth_type"] == expect


def test_foundry_normaliser_wrong_types_are_unknown():
    from aiposture.normalize.azure_ai import agent_data, connection, foundry_account, ml_workspace
    from aiposture.normalize.values import snake_keys

    assert foundry_account(snake_keys({"properties": {"networkInjections": "agent"}}))["agent_network_injection"] is None
    assert foundry_account(snake_keys({"properties": {"allowProjectManagement": "yes"}}))["project_management"] is None
    assert foundry_account(snake_keys({"properties": {}})) == {"project_management": False, "agent_network_injection": False}
    assert connection(snake_keys({"properties": {"authType": "ApiKey", "isSharedToAll": "true"}}))["shared_to_all"] is True
    assert connection(snake_keys({"properties": {"authType": "ApiKey", "isSharedToAll": 1}}))["shared_to_all"] is None
    assert agent_data([snake_keys({"properties": {"threadStorageConnections": "cosmos"}})]) == {
        "customer_storage": None, "customer_subnet": False}
    assert agent_data([], subnet=None) == {"customer_storage": False, "customer_subnet": None}
    assert agent_data([]) == {"customer_storage": False, "customer_subnet": False}
    assert agent_data(None) is None
    ws = ml_workspace(snake_keys({"kind": "Hub", "properties": {"managedNetwork": {"isolationMode": "Sideways"},
                                                               "systemDatastoresAuthMode": "Magic"}}))
    assert ws["managed_network"] is None and ws["system_datastores_auth"] is None
    assert ml_workspace(snake_keys({"kind": "Hub", "properties": {}}))["managed_network"] == "disabled"
    assert ml_workspace(snake_keys({"kind": "Hub", "properties": {"encryption": {"status": "Enabled", "keyVaultProperties": {
        "keyIdentifier": "https://kv.vault.azure.net/keys/k/1"}}}}))["encryption"] == {
        "cmk": True, "key_id": "https://kv.vault.azure.net/keys/k/1"}


@pytest.mark.parametrize(("target", "external"), [
    ("https://contoso.openai.azure.com/", False), ("https://acct.blob.core.windows.net/c", False),
    ("https://bedrock-runtime.us-east-1.amazonaws.com", False), ("https://api.vendor.example.com/v1", True),
    ("www.facebook.com", True), ("/subscriptions/x/resourceGroups/y", False), ("[tartget url]", None), (None, None),
    ("https://evil.azure.com.attacker.example", True), ("https://[::1", None), ("http://host:99999999", True),
])
def test_target_external(target, external):
    from aiposture.normalize.azure_ai import target_external

    assert target_external(target) is external


def test_agents_paging_that_never_advances_is_an_error_not_a_hang(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_foundry(azure, SUB)
    ai.populate_agents(azure, SUB)

    def stuck(path, body):  # a data plane that always says has_more and repeats the same last_id
        return {**body, "has_more": True, "last_id": "asst_same"} if path.endswith("/assistants") else body
    azure.mutate = stuck
    r, inv, _ = _agents_scan(azure, tmp_path)
    assert r.exit_code == 1, r.output
    errs = [e for e in inv["errors"] if "agents (data plane)" in e["message"]]
    assert errs and all(e["code"] == "InvalidResponse" and e["kinds"] == ["agent"] for e in errs)
    assert ai.by_id(inv, ids["support"])["attrs"]["agents"] is None
    assert len(azure.agent_queries) <= 4  # two pages per project at most, then it stops
