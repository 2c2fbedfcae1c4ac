"""Azure AI Foundry and Azure Machine Learning (ARM/REST shape, snake_case keys) -> inventory attrs.

Shared by the live collector (:mod:`aiposture.collect.azure_foundry`) and the IaC builder, like
:mod:`aiposture.normalize.azure`. Covers what sits around the models in a 2026 Azure AI estate:

* Foundry resources (``Microsoft.CognitiveServices/accounts`` of kind AIServices): project
  management and agent network injection, on top of the account attrs;
* Foundry projects (``accounts/projects``): managed identity and the Agent Service setup read
  from capability hosts (``agent_data``);
* connections (``accounts/connections``, ``accounts/projects/connections``, Azure ML
  ``workspaces/connections``) and Azure ML datastores, as ``ai_connection``: how the AI
  workload authenticates to the other service. Credentials are never read: only the auth
  type, target and sharing flags leave this module;
* Azure ML workspaces of kind Hub, Project and Default (public network, managed network
  isolation, CMK, how the workspace reaches its own storage).

Strict like the account mapping: an absent property is the API's documented default, a value of
the wrong type or an enum member not listed here is unknown (None).
Enum tables: Microsoft.CognitiveServices 2025-09-01 and Microsoft.MachineLearningServices
2025-09-01/2025-12-01 (Azure/azure-rest-api-specs, azure-ai-ml's ARM models).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiposture.normalize.values import enum_of, get, is_unknown, known, strict_bool

# Connection authType (ConnectionAuthType) -> normalised auth_type
AUTH_TYPES = {
    "aad": "identity", "managedidentity": "identity", "projectmanagedidentity": "identity",
    "accountmanagedidentity": "identity", "userentratoken": "identity", "agentuserimpersonation": "identity",
    "agenticidentitytoken": "identity", "agenticuser": "identity",
    "apikey": "key", "accountkey": "key", "accesskey": "key", "customkeys": "key", "sas": "key", "delegatedsas": "key",
    "pat": "key", "usernamepassword": "key",
    "serviceprincipal": "service_principal", "oauth2": "oauth", "none": "none",
}
# Datastore credentials.credentialsType -> auth_type (None = identity-based data access)
DATASTORE_AUTH = {"none": "identity", "accountkey": "key", "sas": "key", "serviceprincipal": "service_principal",
                  "certificate": "service_principal"}
_ISOLATION = {"disabled": "disabled", "allowinternetoutbound": "internet", "allowonlyapprovedoutbound": "approved_only"}
_SYSTEM_STORE_AUTH = {"accesskey": "key", "identity": "identity", "userdelegationsas": "user_delegation_sas"}
_PUBLIC = {"enabled": True, "disabled": False}
_PE_REQUIRED = {"required": True, "notrequired": False, "notapplicable": False}
# Cloud service domains: a connection to one of them stays with a hyperscaler (not a third-party endpoint)
_CLOUD_DOMAINS = (
    "azure.com", "azure.net", "windows.net", "azure-api.net", "azurewebsites.net", "azurecr.io", "azure.us",
    "usgovcloudapi.net", "chinacloudapi.cn", "microsoft.com", "fabric.microsoft.com", "azureml.ms",
    "amazonaws.com", "googleapis.com",
)
_DATASTORE_HOST = {"azureblob": "blob", "azuredatalakegen2": "dfs", "azurefile": "file", "azuredatalakegen1": None,
                   "onelake": None}


def _props(v: Any) -> Any:
    p = get(v, "properties")
    return {} if p is None else p


def _str(x: Any) -> str | None:
    x = known(x)
    return x if isinstance(x, str) and x else None


def has_identity(v: Any) -> bool | None:
    """identity.type set to anything but None -> True; absent -> False; unreadable -> None."""
    idt = get(v, "identity.type")
    if is_unknown(idt) or (idt is not None and not isinstance(idt, str)):
        return None
    return idt is not None and idt.strip().lower() not in ("", "none")


def target_external(target: Any) -> bool | None:
    """A connection target outside the Azure/AWS/Google service domains (a third-party endpoint)."""
    t = known(target)
    if not isinstance(t, str) or not t.strip():
        return None
    if t.lower().startswith("/subscriptions/"):
        return False  # an ARM resource id
    if " " in t.strip() or "[" in t:  # a placeholder or an IPv6 literal: cannot tell the owner
        return None
    try:
        host = (urlsplit(t if "://" in t else f"https://{t}").hostname or "").lower().rstrip(".")
    except ValueError:  # a malformed URL from the API or the scanned tree
        return None
    if not host:
        return None
    return not any(host == d or host.endswith("." + d) for d in _CLOUD_DOMAINS)


# ----------------------------------------------------------------------------- Foundry
def foundry_account(v: dict[str, Any]) -> dict[str, Any]:
    """Extra attrs of an AIServices account (a Foundry resource): project management and agent network injection."""
    p = _props(v)
    inj = get(p, "network_injections")
    if inj is None:
        injected: bool | None = False
    elif isinstance(inj, list) and all(isinstance(x, dict) for x in inj):
        scenarios = [known(get(x, "scenario")) for x in inj]
        subnets = [known(get(x, "subnet_arm_id")) for x in inj]
        if any(s is not None and not isinstance(s, str) for s in scenarios):
            injected = None
        else:
            injected = any(isinstance(s, str) and s.lower() == "agent" and (subnet is None or isinstance(subnet, str))
                           for s, subnet in zip(scenarios, subnets, strict=True))
            if not injected and any(s is None and is_unknown(get(x, "scenario")) for s, x in zip(scenarios, inj, strict=True)):
                injected = None
    else:
        injected = None
    return {"project_management": strict_bool(get(p, "allow_project_management"), False),
            "agent_network_injection": injected}


def project(v: dict[str, Any]) -> dict[str, Any]:
    """A Foundry project: its own managed identity (network, auth and CMK are the parent account's)."""
    return {"managed_identity": has_identity(v)}


def agent_data(hosts: list[dict[str, Any]] | None, *, subnet: bool | None = False) -> dict[str, Any] | None:
    """Capability hosts of an account or project -> where the Agent Service keeps threads, files and vectors.

    ``customer_storage``: a host of kind Agents names the customer's own thread, vector and file stores
    (the "standard setup"); without one the Agent Service uses Microsoft-managed multi-tenant stores.
    ``customer_subnet``: a host (or the account's network injection, ``subnet``) puts the agent runtime in a
    customer subnet. ``None`` (hosts could not be listed) stays unknown.
    """
    if hosts is None:
        return None
    storage = in_subnet = False
    unsure_storage, unsure_subnet = False, subnet is None
    in_subnet = bool(subnet)
    for h in hosts:
        p = _props(h)
        if is_unknown(p) or not isinstance(p, dict):
            return {"customer_storage": None, "customer_subnet": None}
        kind = known(get(p, "capability_host_kind"))
        if kind is not None and not (isinstance(kind, str) and kind.lower() == "agents"):
            continue
        stores = [get(p, k) for k in ("thread_storage_connections", "vector_store_connections", "storage_connections")]
        if any(is_unknown(s) or (s is not None and not isinstance(s, list)) for s in stores):
            unsure_storage = True
        elif all(isinstance(s, list) and s for s in stores):
            storage = True
        sub = get(p, "customer_subnet")
        if is_unknown(sub) or (sub is not None and not isinstance(sub, str)):
            unsure_subnet = True
        elif isinstance(sub, str) and sub:
            in_subnet = True
    return {"customer_storage": storage or (None if unsure_storage else False),
            "customer_subnet": in_subnet or (None if unsure_subnet else False)}


def connection(v: dict[str, Any], *, auth_type: Any = None) -> dict[str, Any]:
    """A Foundry or Azure ML connection -> ai_connection attrs (never its credentials).

    ``auth_type`` overrides ``properties.authType`` where the IaC resource type names it
    (``azurerm_cognitive_account_connection_api_key``)."""
    p = _props(v)
    raw_auth = get(p, "auth_type") if auth_type is None else auth_type
    target = get(p, "target")
    shared = get(p, "is_shared_to_all")
    attrs: dict[str, Any] = {
        "auth_type": enum_of(raw_auth, AUTH_TYPES, None) if raw_auth is not None else None,
        "target": _str(target),
        "target_external": target_external(target),
        "shared_to_all": strict_bool(shared, False),
        "private_endpoint_required": enum_of(get(p, "pe_requirement"), _PE_REQUIRED, False),
    }
    if is_unknown(p):
        attrs = dict.fromkeys(attrs)
    return attrs


def datastore(v: dict[str, Any]) -> dict[str, Any]:
    """An Azure ML datastore -> ai_connection attrs: identity-based access vs a stored key, SAS or secret."""
    p = _props(v)
    if is_unknown(p) or not isinstance(p, dict):
        return {"auth_type": None, "target": None, "target_external": None}
    cred = get(p, "credentials.credentials_type")
    dtype = known(get(p, "datastore_type"))
    account, endpoint = _str(get(p, "account_name")), _str(get(p, "endpoint")) or "core.windows.net"
    sub = _DATASTORE_HOST.get(dtype.lower()) if isinstance(dtype, str) else None
    target = f"https://{account}.{sub}.{endpoint}" if account and sub else _str(get(p, "endpoint"))
    known_type = isinstance(dtype, str) and dtype.lower() in _DATASTORE_HOST
    return {"auth_type": enum_of(cred, DATASTORE_AUTH, None) if cred is not None else None,
            "target": target, "target_external": False if known_type else None}


# ----------------------------------------------------------------------------- Azure Machine Learning
def _ml_encryption(p: Any) -> dict[str, Any] | None:
    enc = get(p, "encryption")
    if enc is None:
        return {"cmk": False, "key_id": None}
    if is_unknown(enc) or not isinstance(enc, dict):
        return None
    status = enum_of(get(enc, "status"), {"enabled": True, "disabled": False}, None)
    key = known(get(enc, "key_vault_properties.key_identifier"))
    if status is None and get(enc, "status") is not None:
        return None
    cmk = bool(status) if status is not None else isinstance(key, str) and bool(key)
    if is_unknown(get(enc, "key_vault_properties.key_identifier")) and status is not False:
        return {"cmk": True if status else None, "key_id": None}
    return {"cmk": cmk, "key_id": key if cmk and isinstance(key, str) and key else None}


def ml_workspace(v: dict[str, Any]) -> dict[str, Any]:
    """An Azure ML workspace (kind Hub, Project or Default) -> ai_service attrs.

    A Project takes its network isolation, CMK and storage access from its hub (``hub``): those
    attrs are left out for it, so the rules judge them once, on the hub."""
    p = _props(v)
    kind = known(get(v, "kind"))
    attrs: dict[str, Any] = {"managed_identity": has_identity(v)}
    if isinstance(kind, str) and kind.lower() == "project":
        hub = get(p, "hub_resource_id")
        attrs["hub"] = _str(hub) if not is_unknown(p) else None
        return attrs
    attrs.update(
        public_network_access=enum_of(get(p, "public_network_access"), _PUBLIC, True),
        public_access_behind_vnet=strict_bool(get(p, "allow_public_access_when_behind_vnet"), False),
        managed_network=enum_of(get(p, "managed_network.isolation_mode"), _ISOLATION, "disabled"),
        encryption=_ml_encryption(p),
        system_datastores_auth=enum_of(get(p, "system_datastores_auth_mode"), _SYSTEM_STORE_AUTH, "key"),
    )
    if is_unknown(p):
        attrs = {k: (None if k != "managed_identity" else val) for k, val in attrs.items()}
    return attrs


# ----------------------------------------------------------------------------- Foundry agents (data plane, opt-in)
# tools that only read (knowledge, search, grounding) or run inside the sandbox (code_interpreter, a flag of its own)
_KNOWLEDGE_TOOLS = {"file_search", "azure_ai_search", "bing_grounding", "bing_custom_search", "sharepoint_grounding",
                    "fabric_dataagent", "code_interpreter"}
# run by the calling application, which decides whether to ask the user: not an action of the agent service
_CLIENT_TOOLS = {"function"}


def foundry_agent(agent: dict[str, Any], deployments: dict[str, Any] | None) -> dict[str, Any]:
    """A Foundry agent (``GET {endpoint}/api/projects/{p}/assistants``) -> agent attrs.

    Reads only ``model`` and the ``type`` (and MCP ``require_approval``) of each tool: ``instructions``, OpenAPI
    specs and auth, MCP headers are never looked at, so nothing of them can reach an attr.

    The guardrail of a Foundry agent is the RAI policy of the model deployment it names (``model`` = a
    deployment name of the same account). ``deployments`` maps deployment names (lower case) to their
    ``content_filter`` attrs; ``None`` = the deployments could not be read. This join is done here rather
    than by the linker: the linker sets attrs on link *targets* (``attached``), while here the referrer
    copies an attr of its target, and both sides come from the same account's collection.
    """
    tools = agent.get("tools")
    types: list[str] | None = None
    count = without = 0
    code = False
    if isinstance(tools, list):
        types = []
        for t in tools:
            ttype = t.get("type") if isinstance(t, dict) else None
            if not isinstance(ttype, str):
                types = None  # a tool that cannot be read: what the agent may do is unknown
                break
            ttype = ttype.lower()
            types.append(ttype)
            code = code or ttype == "code_interpreter"
            if ttype in _KNOWLEDGE_TOOLS or ttype in _CLIENT_TOOLS:
                continue
            count += 1
            approval = (t.get("mcp") or {}).get("require_approval") if isinstance(t.get("mcp"), dict) else None
            approval = t.get("require_approval", approval)
            if not (ttype == "mcp" and isinstance(approval, str) and approval.lower() == "always"):
                without += 1
    elif tools is None:
        types = []
    groups = ({"count": count, "without_confirmation": without, "code_interpreter": code} if types is not None
              else {"count": None, "without_confirmation": None, "code_interpreter": None})
    model = agent.get("model")
    cf: Any = None
    if isinstance(model, str) and deployments is not None:
        cf = deployments.get(model.lower())  # not a deployment of this account (or unreadable): unknown
    return {"content_filter": cf, "action_groups": groups,
            "tools": sorted(set(types)) if types is not None else None}
