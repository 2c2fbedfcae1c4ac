"""Azure AI Foundry and Azure ML test data, in the shapes ARM documents.

Bodies come from ``tests/data/azure_ai/`` (published Azure/azure-rest-api-specs examples, MIT, and
bodies constructed from the SDK / azure-ai-ml ARM models; see its SOURCES.md), re-homed under the
test's subscription so ids and list scopes agree.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "azure_ai"
IAC = Path(__file__).resolve().parent / "fixtures" / "iac" / "azure-ai"  # Terraform (azurerm, azapi) and ARM
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SUB = "00000000-1111-2222-3333-444444444444"
LEAK = "sk-LEAKED-0123456789abcdef"  # a secret value a hostile or buggy API echoes back: must reach no output


def body(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["responses"]["200"]["body"]


def items(name: str, sub: str) -> list[dict[str, Any]]:
    b = body(name)
    return [_rehome(x, sub) for x in b.get("value", [b])]


def _rehome(x: Any, sub: str) -> Any:
    return json.loads(json.dumps(x).replace(EXAMPLE_SUB, sub))


def with_secret(conn: dict[str, Any]) -> dict[str, Any]:
    """The connection as a GET might echo it with its credentials (undocumented; never to be kept)."""
    c = copy.deepcopy(conn)
    c["properties"]["credentials"] = {"key": LEAK, "clientSecret": LEAK, "sas": LEAK}
    return c


def populate_foundry(fake, sub: str) -> dict[str, str]:
    """contoso-foundry (hardened AIServices, agents injected) + contoso-safety (careless ContentSafety).
    Returns the resource ids the tests look at."""
    from tests import azure_scenario as sc

    accounts = items("foundry_accounts_list.json", sub)
    foundry = accounts[0]
    acct = foundry["id"]
    # Prompt Shields on the Foundry resource's model: a RAI policy with Jailbreak and Indirect Attack blocking
    fake.add_account(foundry, deployments=[sc.deployment(acct, "agent-model", capacity=100, rai="shields")],
                     rai_policies=[*sc.system_policies(acct), sc.rai_policy(acct, "shields")])
    fake.add_account(accounts[1])
    conns = items("foundry_account_connections_list.mixed.json", sub)
    conns[0] = with_secret(conns[0])  # vendor-llm, ApiKey, shared to all
    projects = items("foundry_projects_list.json", sub)
    acct_hosts = [_rehome(h, sub) for h in body("published/cognitiveservices_stable_2025-06-01_AccountCapabilityHost_list.json")["value"]]
    fake.add_foundry(
        foundry["id"], connections=conns, capability_hosts=acct_hosts, projects=projects,
        project_children={
            "support": {"connections": [with_secret(c) for c in items("foundry_project_connections_list.json", sub)],
                        "capabilityhosts": items("published/cognitiveservices_2025-10-01-preview_ProjectCapabilityHost_list.json", sub)},
        })
    return {"foundry": foundry["id"], "safety": accounts[1]["id"], "support": projects[0]["id"], "sandbox": projects[1]["id"],
            "vendor": conns[0]["id"], "search": conns[1]["id"], "thread": conns[2]["id"]}


def populate_aml(fake, sub: str) -> dict[str, str]:
    """contoso-hub (hardened Hub), support-project (Project), legacy-ml (careless Default) + a FeatureStore (skipped)."""
    ws = items("aml_workspaces_list.json", sub)
    hub, project, legacy = ws
    feature = copy.deepcopy(legacy)
    feature.update(kind="FeatureStore", name="features", id=legacy["id"].rsplit("/", 1)[0] + "/features")
    fake.add_workspace(hub, connections=[with_secret(c) for c in items("aml_workspace_connections_list.mixed.json", sub)])
    fake.add_workspace(project)
    fake.add_workspace(legacy, datastores=[with_secret_ds(d) for d in items("aml_datastores_list.mixed.json", sub)])
    fake.add_workspace(feature)
    return {"hub": hub["id"], "project": project["id"], "legacy": legacy["id"]}


def with_secret_ds(ds: dict[str, Any]) -> dict[str, Any]:
    d = copy.deepcopy(ds)
    secrets = d["properties"].get("credentials", {}).get("secrets")
    if isinstance(secrets, dict):
        secrets.update(key=LEAK, sasToken=LEAK)
    return d


def status(results, rule: str, rid: str) -> str | None:
    """A live scan's result (JSON results) of ``rule`` on the resource ``rid``; None when the rule does not apply."""
    return next((r["status"] for r in results if r["rule_id"] == rule and r["resource_id"] == rid), None)


def by_id(inv, rid: str):
    return next(x for x in inv["resources"] if x["id"] == rid)


@functools.cache
def iac_report():
    """The IaC fixture scanned and evaluated once per process (tests only read it): (inventory document, report)."""
    from aiposture import pipeline
    from aiposture.engine import Config
    from aiposture.iac.scan import scan_paths

    doc = scan_paths([IAC], base=ROOT)
    return doc, pipeline.evaluate(doc, pipeline.Options(), Config())


def iac_status(report, rule: str, name: str) -> str | None:
    return next((r.status.value for r in report.results if r.rule.id == rule and r.resource["name"] == name), None)


def agent(aid: str, name: str, model: str, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """A Foundry agent as ``GET /api/projects/{p}/assistants?api-version=v1`` lists it (Foundry project REST
    reference; the OpenAI Assistants object shape), with a secret in its instructions."""
    return {"id": aid, "object": "assistant", "created_at": 1763000000, "name": name, "description": None,
            "model": model, "instructions": f"You are {name}. Internal API key: {LEAK}", "tools": tools,
            "tool_resources": {"code_interpreter": {"file_ids": []}}, "temperature": 1.0, "top_p": 1.0,
            "response_format": "auto", "metadata": {}}


def populate_agents(fake, sub: str) -> dict[str, str]:
    """Agents of contoso-foundry/support (call populate_foundry first): 'triage' on the shielded deployment with
    OpenAPI (key auth carrying a secret), MCP (secret header, no approval) and code interpreter; 'helper' on a
    deployment with Microsoft's default policy and an OpenAPI tool; 'lookup' naming a model that is no deployment
    of the account, knowledge tools only; 'drafter' with function tools only. Page size 2: two pages and a tail."""
    from tests import azure_scenario as sc

    acct = next(a for k, a in fake.accounts.items() if k.endswith("/contoso-foundry"))
    acct["deployments"].append(sc.deployment(acct["body"]["id"], "default-model", capacity=50, rai=None))
    openapi = {"type": "openapi", "openapi": {"name": "orders", "spec": {"openapi": "3.0.1", "paths": {}},
                                              "auth": {"type": "connection",
                                                       "security_scheme": {"connection_id": f"conn-{LEAK}"}}}}
    mcp = {"type": "mcp", "server_label": "tickets", "server_url": "https://mcp.contoso.example/sse",
           "headers": {"Authorization": f"Bearer {LEAK}"}, "require_approval": "never"}
    agents = [
        agent("asst_triage01", "triage", "agent-model", [{"type": "code_interpreter"}, {"type": "file_search"}, openapi, mcp]),
        agent("asst_helper02", "helper", "Default-Model", [openapi]),
        agent("asst_lookup03", "lookup", "gpt-4o-mini", [{"type": "file_search"}, {"type": "bing_grounding",
               "bing_grounding": {"search_configurations": [{"connection_id": "bing"}]}}]),
        agent("asst_drafter4", "drafter", "agent-model", [{"type": "function", "function": {"name": "draft", "parameters": {}}}]),
        agent("asst_approve5", "approver", "agent-model", [{**mcp, "require_approval": "always"}]),
    ]
    fake.add_agents("contoso-foundry", "support", agents)
    fake.add_agents("contoso-foundry", "sandbox", [])
    base = next(p for p in fake.accounts[acct["body"]["id"].lower()]["projects"] if p["name"] == "support")["id"]
    return {a["name"]: f"{base}/agents/{a['id']}" for a in agents}
