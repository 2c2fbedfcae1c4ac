"""Azure Cognitive Services (ARM/REST shape, snake_case keys) -> inventory attrs.

ARM templates, ``azapi_resource`` bodies and live REST responses share this
shape. ``azurerm_*`` Terraform resources are translated to it by the IaC
builder first.

Values are read strictly: an absent or null property means the API's
documented default (ARM treats null and absent alike), but a value of the
wrong type or an enum member this mapping does not know is *unknown*
(``None`` in attrs), so a rule reading it reports ``error`` instead of
guessing. Enum tables follow Microsoft.CognitiveServices api-version
2025-06-01 (specification/cognitiveservices in Azure/azure-rest-api-specs).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from aiposture.normalize.values import as_int, enum_of, get, is_unknown, known, str_list, strict_bool

DEFAULT_POLICIES = {"microsoft.default", "microsoft.defaultv2", "microsoft.nil"}
# Azure severity threshold -> normalised strength (a Low threshold catches the most)
_STRENGTH = {"low": "high", "medium": "medium", "high": "low"}
_HARM = {"hate": "hate", "sexual": "sexual", "violence": "violence", "selfharm": "self_harm", "profanity": "profanity"}
# RaiPolicyMode: Default = 0, Deferred = 1, Blocking = 2, Asynchronous_filter = 3; 'Deferred' is the
# pre-2025-06-01 name of Asynchronous_filter (the SDK's and spec's enum description)
_MODE = {"default": "block", "blocking": "block", "deferred": "async", "asynchronous_filter": "async"}
_SOURCE = {"prompt": "input", "completion": "output"}
_UPGRADE = {"oncenewdefaultversionavailable": True, "oncecurrentversionexpired": True, "noautoupgrade": False}
_PUBLIC = {"enabled": True, "disabled": False, "securedbyperimeter": False}


def filter_key(name: Any) -> str:
    """'Indirect Attack' / 'indirect_attack' / 'IndirectAttack' -> 'indirectattack'."""
    return re.sub(r"[\s_\-]+", "", str(name or "")).lower()


class _Unreadable:
    """Marker for a list entry of the wrong type (e.g. a number where an object belongs)."""


UNREADABLE: Any = _Unreadable()


def _props(v: Any) -> Any:
    """The ``properties`` block: {} when absent (IaC), UNKNOWN kept (every field read from it is then unknown)."""
    p = get(v, "properties")
    return {} if p is None else p


def _neg(b: Any) -> Any:
    return None if b is None else not b


def account(v: dict[str, Any]) -> dict[str, Any]:
    p = _props(v)
    attrs: dict[str, Any] = {
        "local_auth_enabled": _neg(strict_bool(get(p, "disable_local_auth"), False)),
        "public_network_access": enum_of(get(p, "public_network_access"), _PUBLIC, True),
        "network_default_action": enum_of(get(p, "network_acls.default_action"), {"allow": "allow", "deny": "deny"}, "allow"),
    }
    ips = get(p, "network_acls.ip_rules")
    attrs["ip_rule_count"] = len(ips) if isinstance(ips, list) else (0 if ips is None else None)
    peps = get(p, "private_endpoint_connections")
    if isinstance(peps, list):
        states = [get(c, "properties.private_link_service_connection_state.status") if isinstance(c, dict) else UNREADABLE
                  for c in peps]
        attrs["private_endpoints"] = None if any(s is UNREADABLE or is_unknown(s) for s in states) else {
            "count": len(peps), "approved": sum(1 for s in states if isinstance(s, str) and s.lower() == "approved")}
    elif is_unknown(peps) or peps is not None:
        attrs["private_endpoints"] = None
    cmk = enum_of(get(p, "encryption.key_source"), {"microsoft.keyvault": True, "microsoft.cognitiveservices": False}, False)
    if cmk is None:
        attrs["encryption"] = None
    else:
        kv = get(p, "encryption.key_vault_properties")
        kv = kv if isinstance(kv, dict) else {}
        key_id = known(get(kv, "key_identifier"))
        uri, key_name = known(get(kv, "key_vault_uri")), known(get(kv, "key_name"))
        if cmk and not isinstance(key_id, str) and isinstance(uri, str) and uri:
            key_id = f"{uri.rstrip('/')}/keys/{key_name if isinstance(key_name, str) else ''}"
        attrs["encryption"] = {"cmk": cmk, "key_id": key_id if cmk and isinstance(key_id, str) else None}
    attrs["outbound_restricted"] = strict_bool(get(p, "restrict_outbound_network_access"), False)
    attrs["allowed_fqdns"] = str_list(get(p, "allowed_fqdn_list"))
    idt = get(v, "identity.type")
    attrs["managed_identity"] = (None if is_unknown(idt) or (idt is not None and not isinstance(idt, str))
                                 else (idt is not None and idt.strip().lower() not in ("", "none")))
    sub = get(p, "custom_sub_domain_name")
    attrs["custom_subdomain"] = None if is_unknown(sub) or (sub is not None and not isinstance(sub, str)) else bool(sub)
    attrs["dynamic_throttling"] = strict_bool(get(p, "dynamic_throttling_enabled"), False)
    return attrs


def deployment(v: dict[str, Any], *, policy_id: Any = None) -> dict[str, Any]:
    p = _props(v)
    raw_cap = get(v, "sku.capacity")
    cap = as_int(raw_cap)
    rai = get(p, "rai_policy_name")
    sku = known(get(v, "sku.name"))
    sku = sku if isinstance(sku, str) else None

    def _s(x: Any) -> Any:
        x = known(x)
        return x if isinstance(x, str) else None

    attrs: dict[str, Any] = {
        "model": {"name": _s(get(p, "model.name")), "version": _s(get(p, "model.version")),
                  "publisher": _s(get(p, "model.format"))},
        "sku": sku,
    }
    if is_unknown(raw_cap) or (raw_cap is not None and cap is None):
        attrs["rate_limit"] = {"limited": None, "tokens_per_minute": None}
    elif cap is None:
        attrs["rate_limit"] = {"limited": False, "tokens_per_minute": None}
    elif "provisioned" in (sku or "").lower():
        # provisioned throughput: capacity counts PTUs, not thousands of tokens per minute
        attrs["rate_limit"] = {"limited": cap > 0}
    else:
        attrs["rate_limit"] = {"limited": cap > 0, "tokens_per_minute": cap * 1000}
    rls = get(p, "rate_limits")
    for rl in rls if isinstance(rls, list) else []:
        if not isinstance(rl, dict) or str(get(rl, "key", "")).lower() != "request":
            continue
        count, per = get(rl, "count"), get(rl, "renewal_period", 60)
        if isinstance(count, (int, float)) and not isinstance(count, bool):
            per = float(per) if isinstance(per, (int, float)) and not isinstance(per, bool) and per > 0 else 60.0
            attrs["rate_limit"]["requests_per_minute"] = int(count * 60 / per)
    if is_unknown(rai) or (rai is not None and not isinstance(rai, str)):
        attrs["content_filter"] = None
    elif not rai or rai.lower() in DEFAULT_POLICIES:
        attrs["content_filter"] = {"attached": True, "id": known(policy_id) or str(rai or "Microsoft.DefaultV2"),
                                   "is_default": True}
    else:
        attrs["content_filter"] = {"attached": True, "id": known(policy_id) or rai, "is_default": False}
    attrs["auto_version_upgrade"] = enum_of(get(p, "version_upgrade_option"), _UPGRADE, True)
    return attrs


def _azure_filter(entries: list[dict[str, Any]], *, with_strength: bool) -> dict[str, Any]:
    """Prompt/Completion entries of one filter name -> enabled, input/output action (and strength)."""
    out: dict[str, Any] = {"enabled": False, "input_action": "none", "output_action": "none"}
    if with_strength:
        out.update(input_strength="none", output_strength="none")
    for e in entries:
        side = enum_of(get(e, "source"), _SOURCE, "input")
        on, blocking = strict_bool(get(e, "enabled"), True), strict_bool(get(e, "blocking"), True)
        strength = enum_of(get(e, "severity_threshold"), _STRENGTH, "medium")
        if side is None:  # cannot tell which side it guards: both are unknown
            return {k: None for k in out}
        if on is None or blocking is None or (with_strength and on and strength is None):
            out[f"{side}_action"] = None
            if with_strength:
                out[f"{side}_strength"] = None
            out["enabled"] = None
            continue
        out[f"{side}_action"] = ("block" if blocking else "annotate") if on else "none"
        if with_strength:
            out[f"{side}_strength"] = strength if on else "none"
        if on and out["enabled"] is not None:
            out["enabled"] = True
    return out


def rai_policy(v: dict[str, Any]) -> dict[str, Any]:
    p = _props(v)
    filters = get(p, "content_filters")
    attrs: dict[str, Any] = {"mode": enum_of(get(p, "mode"), _MODE, "block")}
    readable = isinstance(filters, list) and all(isinstance(f, dict) and isinstance(get(f, "name"), str) for f in filters)
    if filters is None:
        filters, readable = [], True
    if not readable:
        attrs.update(prompt_attack=None, indirect_attack=None, harm_categories=None, protected_material=None)
    else:
        groups: dict[str, list[dict[str, Any]]] = {}
        for f in filters:
            groups.setdefault(filter_key(get(f, "name")), []).append(f)
        attrs["prompt_attack"] = _azure_filter(groups.get("jailbreak", []), with_strength=False)
        attrs["indirect_attack"] = _azure_filter(groups.get("indirectattack", []), with_strength=False)
        harm = {norm: _azure_filter(groups.get(k, []), with_strength=True)
                for k, norm in _HARM.items() if k in groups or k != "profanity"}
        # rules index categories by name, beyond the engine's static null check: one unknown entry makes all unknown
        attrs["harm_categories"] = None if any(None in h.values() for h in harm.values()) else harm
        pm = groups.get("protectedmaterialtext", []) + groups.get("protectedmaterialcode", [])
        attrs["protected_material"] = _azure_filter(pm, with_strength=False)
    bl = get(p, "custom_blocklists")
    attrs["word_filters"] = {"blocklists": len(bl) if isinstance(bl, list) else (0 if bl is None else None)}
    return attrs


def is_system_managed(v: dict[str, Any]) -> bool:
    """Microsoft's own policies (Microsoft.Default, Microsoft.DefaultV2, ...): judged through the deployments
    that use them, never as a customer's orphaned filter. ``properties.type`` says so since 2023-10-01;
    older answers are recognised by name."""
    t = get(v, "properties.type")
    if isinstance(t, str) and t.lower() == "systemmanaged":
        return True
    name = known(get(v, "name"))
    return isinstance(name, str) and name.lower() in DEFAULT_POLICIES and not (isinstance(t, str) and t.lower() == "usermanaged")


_LOG_DEST = (("workspace_id", "log_analytics"), ("storage_account_id", "storage"),
             ("event_hub_authorization_rule_id", "event_hub"), ("marketplace_partner_id", "partner"))
# Categories of Microsoft.CognitiveServices/accounts that record each inference request. 'Audit' records
# control-plane and key operations, 'Trace' service traces: neither tells who called which model.
_REQUEST_CATEGORIES = {"requestresponse", "azureopenairequestusage"}
_AUDIT_CATEGORIES = {"audit"}
_GROUPS = {"alllogs": _REQUEST_CATEGORIES | _AUDIT_CATEGORIES, "audit": _AUDIT_CATEGORIES}
_CATEGORY_NAMES = {"requestresponse": "RequestResponse", "azureopenairequestusage": "AzureOpenAIRequestUsage",
                   "audit": "Audit", "trace": "Trace"}


def diagnostic_settings(settings: list[dict[str, Any]]) -> dict[str, Any]:
    """Diagnostic settings on an account -> invocation_logging + audit_logging attrs.

    Invocation logging needs a category that records requests (RequestResponse, AzureOpenAIRequestUsage,
    or the allLogs group) sent to a destination. Azure Monitor never receives prompt or completion text
    from Azure OpenAI (the RequestResponse records carry caller, operation, deployment, status and
    duration), so ``text_delivery`` is false: text can only be logged in front of the service (API
    Management's LLM logging, or the application).
    """
    cats: set[str] = set()
    dests: set[str] = set()
    unknown = False
    for s in settings:
        p = get(s, "properties")
        if is_unknown(p) or not isinstance(p, dict):
            unknown = True
            continue
        # a destination that exists only after apply (a workspace id reference) still counts
        d = [name for key, name in _LOG_DEST if is_unknown(get(p, key)) or (isinstance(get(p, key), str) and get(p, key))]
        if not d:
            continue
        logs = get(p, "logs")
        if logs is None:
            continue
        if not isinstance(logs, list):
            unknown = True
            continue
        for lg in logs:
            if not isinstance(lg, dict):
                unknown = True
                continue
            en = strict_bool(get(lg, "enabled"), True)
            if en is None:
                unknown = True
                continue
            if not en:
                continue
            cat, group = known(get(lg, "category")), known(get(lg, "category_group"))
            if is_unknown(get(lg, "category")) or is_unknown(get(lg, "category_group")):
                unknown = True
                continue
            found = {cat.lower()} if isinstance(cat, str) and cat else _GROUPS.get(str(group or "").lower(), set())
            if found:
                cats |= found
                dests.update(d)
    requests = bool(cats & _REQUEST_CATEGORIES)
    audit = bool(cats & _AUDIT_CATEGORIES)
    return {
        "invocation_logging": {"enabled": True if requests else (None if unknown else False),
                               "destinations": sorted(dests), "text_delivery": False,
                               "categories": sorted(_CATEGORY_NAMES.get(c, c) for c in cats)},
        "audit_logging": {"enabled": True if audit else (None if unknown else False)},
    }


# ----------------------------------------------------------------------------- role definitions
LIST_KEYS = "Microsoft.CognitiveServices/accounts/listKeys/action"
# made-up data actions only a wildcard can match: a role allowing all of them allows every model operation
_DATA_PROBES = ("Microsoft.CognitiveServices/accounts/OpenAI/aiposture-probe/action",
                "Microsoft.CognitiveServices/accounts/OpenAI/aiposture-probe/write",
                "Microsoft.CognitiveServices/accounts/OpenAI/aiposture-probe/delete")
_AI_PROBE = "Microsoft.CognitiveServices/accounts/aiposture-probe/action"
# control-plane writes that change what guards the models (deployments, content filters)
_GUARD_WRITES = ("Microsoft.CognitiveServices/accounts/raiPolicies/write", "Microsoft.CognitiveServices/accounts/deployments/write")


@lru_cache(maxsize=4096)
def _action_re(pattern: str) -> re.Pattern[str]:
    """An Azure action pattern ('*' matches any run of characters, case-insensitive) as a regex."""
    return re.compile(re.escape(pattern).replace(r"\*", ".*"), re.IGNORECASE)


def _allows(blocks: list[tuple[list[str], list[str]]], op: str) -> bool:
    return any(any(_action_re(a).fullmatch(op) for a in allow) and not any(_action_re(n).fullmatch(op) for n in deny)
               for allow, deny in blocks)


def role_permissions(definition: Any) -> dict[str, Any] | None:
    """A role definition (ARM shape, snake_case) -> what it lets a principal do to an AI account.

    Returns None when the definition cannot be read (no ``properties.permissions`` list of objects with
    string lists). ``relevant`` says whether the role matters for AI accounts (keys, data plane, or
    writing deployments and content filters); ``can_read_keys``: listKeys (every model, no identity); ``all_actions``: keys or a data-action
    wildcard covering every OpenAI operation. Effective permissions are the union over the permission
    blocks of (actions - notActions), the same for data actions.
    """
    perms = get(definition, "properties.permissions")
    if not isinstance(perms, list):
        return None
    control: list[tuple[list[str], list[str]]] = []
    data: list[tuple[list[str], list[str]]] = []
    for block in perms:
        lists = [str_list(get(block, k)) if isinstance(block, dict) else None
                 for k in ("actions", "not_actions", "data_actions", "not_data_actions")]
        if any(x is None for x in lists):
            return None
        control.append((lists[0] or [], lists[1] or []))
        data.append((lists[2] or [], lists[3] or []))
    keys = _allows(control, LIST_KEYS)
    all_data = all(_allows(data, op) for op in _DATA_PROBES)
    data_ai = any(a.lower().startswith("microsoft.cognitiveservices/") or _action_re(a).fullmatch(_AI_PROBE)
                  for allow, _ in data for a in allow)
    name = known(get(definition, "properties.role_name"))
    writes = any(_allows(control, op) for op in _GUARD_WRITES)
    return {"name": name if isinstance(name, str) else None, "relevant": keys or data_ai or writes,
            "can_read_keys": keys, "all_actions": keys or all_data}


_PRINCIPAL = {"user": "user", "group": "group", "serviceprincipal": "service_account", "foreigngroup": "group",
              "device": "unknown"}


def role_assignment(v: Any, account_id: str, role: dict[str, Any] | None) -> dict[str, Any]:
    """A role assignment on (or above) an account + its judged role -> identity_binding attrs."""
    p = get(v, "properties")
    p = p if isinstance(p, dict) else {}
    at, pid = get(p, "scope"), get(p, "principal_id")
    cond = get(p, "condition")
    return {
        "principal": {"type": enum_of(get(p, "principal_type"), _PRINCIPAL, "unknown") or "unknown",
                      "id": pid if isinstance(pid, str) else None},
        "role_or_policy": role["name"] if role else None,
        "actions_wildcard": role["all_actions"] if role else None,
        "resources_wildcard": (at.lower().rstrip("/") != account_id.lower().rstrip("/")) if isinstance(at, str) and at else None,
        "conditions": bool(cond) if cond is None or isinstance(cond, str) else None,
        "can_read_keys": role["can_read_keys"] if role else None,
    }
