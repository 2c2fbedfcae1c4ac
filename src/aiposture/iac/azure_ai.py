"""IaC mapping of Azure AI Foundry projects, connections and capability hosts, Azure ML workspaces and datastores.

Terraform ``azurerm_*`` arguments are translated to the ARM shape first, so live scans, ARM/Bicep
templates, ``azapi_resource`` bodies and Terraform are judged by one normaliser
(:mod:`aiposture.normalize.azure_ai`). What a configuration cannot declare (``isSharedToAll`` has
no ``azurerm`` argument) is left out of attrs: the rule does not apply pre-deploy, the live scan
judges it. Secrets in arguments (``api_key``, ``account_key``) only tell the auth type; their
values are never read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiposture.normalize import azure_ai as naa
from aiposture.normalize.values import UNKNOWN, get, is_unknown, known

if TYPE_CHECKING:
    from aiposture.iac.base import RawResource
    from aiposture.iac.build import Graph
    from aiposture.inventory import Resource

_PROJECT_CONN = "azurerm_cognitive_account_project_connection"
# Terraform connection type suffix -> ARM authType (the auth type is in the resource type name)
_TF_AUTH = {"api_key": "ApiKey", "account_key": "AccountKey", "custom_keys": "CustomKeys", "aad": "AAD",
            "entra_id": "AAD", "account_managed_identity": "AccountManagedIdentity", "oauth2": "OAuth2"}
# the builder keys (aiposture.specs.azure) this module maps
BUILDERS = frozenset({"az_project", "az_caphost", "az_connection", "az_mlws", "az_datastore"})


def _arm_shaped(r: RawResource) -> bool:
    return r.origin == "arm" or bool(r.__dict__.get("arm_shape"))


def _parent(g: Graph, r: RawResource, tf_paths: tuple[str, ...], canons: tuple[str, ...]) -> RawResource | None:
    """The account/project/workspace a child belongs to: a Terraform reference, azapi ``parent_id``, or the
    ARM child name ``parent/child`` in the same template."""
    for path in (*tf_paths, "parent_id", "parent"):
        for canon in canons:
            t = g.target(r, path, canon)
            if t is not None:
                return t
    name = known(get(r.values, "name"))
    if r.origin == "arm" and isinstance(name, str) and "/" in name:
        parent = name.rsplit("/", 1)[0]
        for canon in canons:
            t = g.named(canon, parent, file=r.file)
            if t is not None:
                return t
    return None


def _identity(v: dict[str, Any]) -> dict[str, Any] | None:
    t = get(v, "identity.type")
    return None if t is None else {"type": t}


def _tf_workspace(v: dict[str, Any], rtype: str) -> dict[str, Any]:
    """azurerm_ai_foundry / azurerm_ai_foundry_project / azurerm_machine_learning_workspace -> ARM shape."""
    if rtype == "azurerm_ai_foundry_project":
        return {"kind": "Project", "identity": _identity(v), "properties": {"hub_resource_id": get(v, "ai_services_hub_id")}}
    if rtype == "azurerm_ai_foundry":
        kind, pna = "Hub", get(v, "public_network_access", "Enabled")
    else:
        kind = get(v, "kind", "Default")
        b = get(v, "public_network_access_enabled", True)
        pna = UNKNOWN if is_unknown(b) else ("Enabled" if b else "Disabled")
    enc = get(v, "encryption")
    props: dict[str, Any] = {
        "public_network_access": pna,
        "allow_public_access_when_behind_vnet": get(v, "public_access_behind_virtual_network_enabled", False),
        "managed_network": {"isolation_mode": get(v, "managed_network.isolation_mode", "Disabled")},
        "encryption": UNKNOWN if is_unknown(enc) else (
            {"status": "Enabled", "key_vault_properties": {"key_identifier": get(enc, "key_id")}} if enc else None),
    }
    return {"kind": kind, "identity": _identity(v), "properties": props}


def _tf_datastore(v: dict[str, Any], rtype: str) -> dict[str, Any]:
    if rtype.endswith("_datalake_gen2"):
        cred = "ServicePrincipal" if any(get(v, k) is not None for k in ("client_secret", "client_id")) else "None"
        dtype = "AzureDataLakeGen2"
    else:
        cred = ("AccountKey" if get(v, "account_key") is not None else
                "Sas" if get(v, "shared_access_signature") is not None else "None")
        dtype = "AzureBlob" if rtype.endswith("_blobstorage") else "AzureFile"
    return {"properties": {"datastore_type": dtype, "credentials": {"credentials_type": cred}}}


def _agent_data(g: Graph, owners: list[RawResource], subnet: Any) -> dict[str, Any] | None:
    """Capability hosts declared on a project or its account -> the project's agent_data (None: none declared)."""
    hosts = [h for h in g.by_canon.get("az_caphost", [])
             if any(_parent(g, h, ("cognitive_account_id", "cognitive_account_project_id"), ("az_account", "az_project")) is o
                    for o in owners)]
    if not hosts:
        return None  # no capability host in this configuration: it may be created elsewhere
    shaped = [h.values if _arm_shaped(h) else {"properties": {
        "capability_host_kind": "Agents", "storage_connections": get(h.values, "storage_connections"),
        "thread_storage_connections": get(h.values, "thread_storage_connections"),
        "vector_store_connections": get(h.values, "vector_store_connections"),
        "customer_subnet": get(h.values, "customer_subnet")}} for h in hosts]
    return naa.agent_data(shaped, subnet=subnet)


def account_attrs(g: Graph, r: RawResource, arm: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Foundry attrs of an AIServices account (``arm``: its ARM shape)."""
    if not _arm_shaped(r):
        inj = get(r.values, "network_injection")
        arm = {**arm, "properties": {**(arm.get("properties") or {}),
                                     "allow_project_management": get(r.values, "project_management_enabled", False),
                                     "network_injections": UNKNOWN if is_unknown(inj) else (
                                         [{"scenario": get(x, "scenario"), "subnet_arm_id": get(x, "subnet_id")}
                                          for x in inj] if isinstance(inj, list) else
                                         [{"scenario": get(inj, "scenario")}] if isinstance(inj, dict) else None)}}
    attrs.update(naa.foundry_account(arm))


def build(g: Graph, r: RawResource, canon: str, mk, native: Callable[[str], str]) -> list[Resource]:
    """One raw resource whose spec names a builder in :data:`BUILDERS` -> inventory resources (capability hosts
    feed their project instead)."""
    v = r.values
    if canon == "az_project":
        arm = v if _arm_shaped(r) else {"identity": _identity(v)}
        attrs = naa.project(arm)
        account = _parent(g, r, ("cognitive_account_id",), ("az_account",))
        subnet = None
        if account is not None:
            acct_attrs: dict[str, Any] = {}
            account_attrs(g, account, account.values if _arm_shaped(account) else {}, acct_attrs)
            subnet = acct_attrs["agent_network_injection"]
        data = _agent_data(g, [r] if account is None else [r, account], subnet)
        if data is not None:
            attrs["agent_data"] = data
        return [mk(r, "azure", "ai_service", attrs, native=native(canon), region=get(v, "location"))]
    if canon == "az_connection":
        if _arm_shaped(r):
            native_type = r.type
            attrs = naa.connection(v)
        else:
            native_type = ("Microsoft.CognitiveServices/accounts/projects/connections" if r.type.startswith(_PROJECT_CONN)
                           else "Microsoft.CognitiveServices/accounts/connections")
            suffix = r.type.rsplit("_connection", 1)[1].lstrip("_")
            auth = _TF_AUTH.get(suffix) if suffix else get(v, "auth_type")
            attrs = naa.connection({"properties": {"target": get(v, "target")}}, auth_type=auth if auth is not None else UNKNOWN)
            for k in ("shared_to_all", "private_endpoint_required"):  # no azurerm argument declares them
                attrs.pop(k)
        return [mk(r, "azure", "ai_connection", attrs, native=native_type)]
    if canon == "az_mlws":
        arm = v if _arm_shaped(r) else _tf_workspace(v, r.type)
        if not _arm_shaped(r) and r.type == "azurerm_ai_foundry_project" and r.refs.get("ai_services_hub_id"):
            # the hub's address in this configuration (its ARM id exists only after apply)
            arm = {**arm, "properties": {"hub_resource_id": r.refs["ai_services_hub_id"][0]}}
        return [mk(r, "azure", "ai_service", naa.ml_workspace(arm), native=native(canon), region=get(v, "location"))]
    if canon == "az_datastore":
        arm = v if _arm_shaped(r) else _tf_datastore(v, r.type)
        attrs = naa.datastore(arm)
        return [mk(r, "azure", "ai_connection", attrs, native=native(canon))]
    return []  # az_caphost: read through its parent
