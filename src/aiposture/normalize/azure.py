"""Azure Cognitive Services (ARM/REST shape, snake_case keys) -> inventory attrs.

ARM templates, ``azapi_resource`` bodies and live REST responses share this
shape. ``azurerm_*`` Terraform resources are translated to it by
:mod:`aiposture.iac.terraform_azure` first.
"""

from __future__ import annotations

import re
from typing import Any

from aiposture.normalize.values import as_bool, as_list, get, is_unknown, known

DEFAULT_POLICIES = {"microsoft.default", "microsoft.defaultv2", "microsoft.nil"}
_STRENGTH = {"low": "high", "medium": "medium", "high": "low"}  # Azure threshold -> normalised strength
_HARM = {"hate": "hate", "sexual": "sexual", "violence": "violence", "selfharm": "self_harm", "profanity": "profanity"}


def filter_key(name: Any) -> str:
    """'Indirect Attack' / 'indirect_attack' / 'IndirectAttack' -> 'indirectattack'."""
    return re.sub(r"[\s_\-]+", "", str(name or "")).lower()


def account(v: dict[str, Any]) -> dict[str, Any]:
    p = get(v, "properties")
    p = {} if p is None else p  # UNKNOWN stays unknown: every field read from it is unknown
    dla = get(p, "disable_local_auth", False)
    pna = get(p, "public_network_access")
    acl_default = get(p, "network_acls.default_action")
    attrs: dict[str, Any] = {
        "local_auth_enabled": None if is_unknown(dla) else not as_bool(dla, False),
        "public_network_access": None if is_unknown(pna) else (str(pna or "Enabled").lower() == "enabled"),
        "network_default_action": None if is_unknown(acl_default) else str(acl_default or "Allow").lower(),
    }
    ips = get(p, "network_acls.ip_rules")
    attrs["ip_rule_count"] = None if is_unknown(ips) else len(as_list(ips))
    peps = get(p, "private_endpoint_connections")
    if peps is not None and not is_unknown(peps):
        approved = sum(1 for c in as_list(peps)
                       if str(get(c, "properties.private_link_service_connection_state.status", "")).lower() == "approved")
        attrs["private_endpoints"] = {"count": len(as_list(peps)), "approved": approved}
    enc_src = get(p, "encryption.key_source")
    if is_unknown(enc_src):
        attrs["encryption"] = None
    else:
        cmk = str(enc_src or "").lower() == "microsoft.keyvault"
        kv = get(p, "encryption.key_vault_properties")
        kv = {} if kv is None else kv
        key_id = known(get(kv, "key_identifier")) if isinstance(kv, dict) else None
        if cmk and not key_id and isinstance(kv, dict) and known(get(kv, "key_vault_uri")):
            key_id = f"{known(get(kv, 'key_vault_uri')).rstrip('/')}/keys/{known(get(kv, 'key_name')) or ''}"
        attrs["encryption"] = {"cmk": cmk, "key_id": key_id if cmk else None}
    rona = get(p, "restrict_outbound_network_access", False)
    attrs["outbound_restricted"] = None if is_unknown(rona) else as_bool(rona, False)
    fq = get(p, "allowed_fqdn_list")
    attrs["allowed_fqdns"] = None if is_unknown(fq) else [str(x) for x in as_list(fq)]
    idt = get(v, "identity.type")
    attrs["managed_identity"] = None if is_unknown(idt) else (idt is not None and str(idt).lower() != "none")
    sub = get(p, "custom_sub_domain_name")
    attrs["custom_subdomain"] = None if is_unknown(sub) else bool(sub)
    dt = get(p, "dynamic_throttling_enabled", False)
    attrs["dynamic_throttling"] = None if is_unknown(dt) else as_bool(dt, False)
    return attrs


def deployment(v: dict[str, Any], *, policy_id: Any = None) -> dict[str, Any]:
    p = get(v, "properties")
    p = {} if p is None else p  # UNKNOWN stays unknown: every field read from it is unknown
    cap = get(v, "sku.capacity")
    rai = get(p, "rai_policy_name")
    attrs: dict[str, Any] = {
        "model": {
            "name": known(get(p, "model.name")),
            "version": known(get(p, "model.version")),
            "publisher": known(get(p, "model.format")),
        },
        "sku": known(get(v, "sku.name")),
    }
    rpm = None
    for rl in as_list(get(p, "rate_limits")) if not is_unknown(get(p, "rate_limits")) else []:
        if str(get(rl, "key", "")).lower() == "request" and isinstance(get(rl, "count"), (int, float)):
            per = get(rl, "renewal_period", 60)
            per = float(per) if isinstance(per, (int, float)) and per else 60.0
            rpm = int(get(rl, "count") * 60 / per)
    if is_unknown(cap):
        attrs["rate_limit"] = {"limited": None, "tokens_per_minute": None}
    elif cap is None:
        attrs["rate_limit"] = {"limited": False, "tokens_per_minute": None}
    elif "provisioned" in str(known(get(v, "sku.name")) or "").lower():
        # provisioned throughput: capacity counts PTUs, not thousands of tokens per minute
        attrs["rate_limit"] = {"limited": int(cap) > 0}
    else:
        attrs["rate_limit"] = {"limited": int(cap) > 0, "tokens_per_minute": int(cap) * 1000}
    if rpm is not None:
        attrs["rate_limit"]["requests_per_minute"] = rpm
    if is_unknown(rai):
        attrs["content_filter"] = None
    elif not rai or str(rai).lower() in DEFAULT_POLICIES:
        attrs["content_filter"] = {"attached": True, "id": str(rai or "Microsoft.DefaultV2"), "is_default": True}
    else:
        attrs["content_filter"] = {"attached": True, "id": known(policy_id) or str(rai), "is_default": False}
    vuo = get(p, "version_upgrade_option", "OnceNewDefaultVersionAvailable")
    attrs["auto_version_upgrade"] = None if is_unknown(vuo) else str(vuo) != "NoAutoUpgrade"
    return attrs


def _azure_filter(entries: list[dict[str, Any]], *, with_strength: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"enabled": False, "input_action": "none", "output_action": "none"}
    if with_strength:
        out.update(input_strength="none", output_strength="none")
    for e in entries:
        side = "input" if str(get(e, "source", "Prompt")).lower() == "prompt" else "output"
        en, bl, thr = get(e, "enabled", True), get(e, "blocking", True), get(e, "severity_threshold")
        if any(is_unknown(x) for x in (en, bl, thr)):
            out[f"{side}_action"] = None
            if with_strength:
                out[f"{side}_strength"] = None
            out["enabled"] = None
            continue
        on = as_bool(en, True)
        out[f"{side}_action"] = ("block" if as_bool(bl, True) else "annotate") if on else "none"
        if with_strength:
            out[f"{side}_strength"] = _STRENGTH.get(str(thr or "medium").lower(), "medium") if on else "none"
        if on and out["enabled"] is not None:
            out["enabled"] = True
    return out


def rai_policy(v: dict[str, Any]) -> dict[str, Any]:
    p = get(v, "properties")
    p = {} if p is None else p  # UNKNOWN stays unknown: every field read from it is unknown
    filters = get(p, "content_filters")
    mode = get(p, "mode", "Default")
    attrs: dict[str, Any] = {"mode": None if is_unknown(mode) else ("async" if filter_key(mode) == "asynchronousfilter" else "block")}
    if is_unknown(filters):
        attrs.update(prompt_attack=None, indirect_attack=None, harm_categories=None, protected_material=None)
    else:
        groups: dict[str, list[dict[str, Any]]] = {}
        for f in as_list(filters):
            groups.setdefault(filter_key(get(f, "name")), []).append(f)
        attrs["prompt_attack"] = _azure_filter(groups.get("jailbreak", []), with_strength=False)
        attrs["indirect_attack"] = _azure_filter(groups.get("indirectattack", []), with_strength=False)
        attrs["harm_categories"] = {norm: _azure_filter(groups.get(k, []), with_strength=True)
                                    for k, norm in _HARM.items() if k in groups or k != "profanity"}
        pm = groups.get("protectedmaterialtext", []) + groups.get("protectedmaterialcode", [])
        attrs["protected_material"] = _azure_filter(pm, with_strength=False)
    bl = get(p, "custom_blocklists")
    attrs["word_filters"] = {"blocklists": None if is_unknown(bl) else len(as_list(bl))}
    return attrs


_LOG_DEST = (("workspace_id", "log_analytics"), ("storage_account_id", "storage"),
             ("event_hub_authorization_rule_id", "event_hub"), ("marketplace_partner_id", "partner"))


def diagnostic_settings(settings: list[dict[str, Any]]) -> dict[str, Any]:
    """Diagnostic settings on an account -> invocation_logging + audit_logging attrs."""
    cats: set[str] = set()
    dests: set[str] = set()
    unknown = False
    for s in settings:
        p = get(s, "properties")
        if is_unknown(p):
            unknown = True
            continue
        p = p or {}
        # a destination that exists only after apply (a workspace id reference) still counts
        d = [name for key, name in _LOG_DEST if get(p, key) is not None and (is_unknown(get(p, key)) or get(p, key))]
        if not d:
            continue
        for lg in as_list(get(p, "logs")):
            en = get(lg, "enabled", True)
            if is_unknown(en):
                unknown = True
                continue
            if not as_bool(en, True):
                continue
            c = known(get(lg, "category")) or known(get(lg, "category_group"))
            if c:
                cats.add(str(c))
                dests.update(d)
    lower = {c.lower() for c in cats}
    text = bool(lower & {"requestresponse", "alllogs"})
    audit = bool(lower & {"audit", "alllogs", "audit_group"}) or "audit" in lower
    return {
        "invocation_logging": {"enabled": None if unknown else bool(cats), "destinations": sorted(dests),
                               "text_delivery": None if unknown else text, "categories": sorted(cats)},
        "audit_logging": {"enabled": None if unknown else audit},
    }
