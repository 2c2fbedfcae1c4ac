"""Vertex AI and Model Armor (REST/proto3-JSON shape, snake_case keys) -> inventory attrs.

Terraform ``google_*`` arguments use the same names as the REST fields in
snake_case, so live and IaC share these mappings.
"""

from __future__ import annotations

from typing import Any

from aiposture.normalize.values import as_bool, as_list, first, get, is_unknown, known

_CONF = {"low_and_above": "high", "medium_and_above": "medium", "high": "low"}
_RAI = {"sexually_explicit": "sexual", "hate_speech": "hate", "harassment": "harassment", "dangerous": "dangerous"}
ADMIN_ROLES = {"roles/owner", "roles/editor", "roles/aiplatform.admin"}


def _block(v: Any, path: str) -> Any:
    """A nested block: {} when absent, UNKNOWN kept (every field read from it is then unknown)."""
    b = first(get(v, path))
    return {} if b is None else b


def _cmk(v: Any) -> dict[str, Any] | None:
    key = get(v, "encryption_spec.kms_key_name")
    if is_unknown(get(v, "encryption_spec")):
        return None
    return {"cmk": key is not None and key != "", "key_id": known(key) or None}


def is_default_sa(sa: Any) -> bool:
    return not sa or str(sa).endswith("-compute@developer.gserviceaccount.com") or str(sa).endswith("@appspot.gserviceaccount.com")


def endpoint(v: dict[str, Any]) -> dict[str, Any]:
    psc = get(v, "private_service_connect_config.enable_private_service_connect")
    net = get(v, "network")
    attrs: dict[str, Any] = {
        "private_network": None if is_unknown(psc) or is_unknown(net) else bool(as_bool(psc, False) or net),
        "encryption": _cmk(v),
    }
    lc = first(get(v, "predict_request_response_logging_config"))
    if is_unknown(lc):
        attrs["request_logging"] = None
    else:
        rate = known(get(lc, "sampling_rate", 0))
        attrs["request_logging"] = {
            "enabled": as_bool(get(lc, "enabled"), False),
            "sampling_rate": float(rate) if isinstance(rate, (int, float)) else None,
            "destination": known(get(lc, "bigquery_destination.output_uri")),
        }
    dms = get(v, "deployed_models")
    if dms and not is_unknown(dms):
        sas = [known(get(d, "service_account")) for d in as_list(dms)]
        default = any(is_default_sa(sa) for sa in sas)
        attrs["service_identity"] = {"id": next((s for s in sas if s), None), "default_identity": default,
                                     "admin": True if default else None}
        attrs["access_logging"] = all(as_bool(get(d, "enable_access_logging"), False) for d in as_list(dms))
    return attrs


def model(v: dict[str, Any]) -> dict[str, Any]:
    art = get(v, "artifact_uri")
    return {"encryption": _cmk(v), "source": "upload" if art is not None and (is_unknown(art) or art) else None,
            "base_model": known(get(v, "base_model_source.model_garden_source.public_model_name"))}


def dataset(v: dict[str, Any]) -> dict[str, Any]:
    uri = known(get(v, "metadata.input_config.gcs_source.uri")) or known(get(v, "metadata_schema_uri"))
    enc = _cmk(v)
    return {"training_data": {"uri": uri if isinstance(uri, str) else None, "cmk": None if enc is None else enc["cmk"]}}


def _ma_filter(enforcement: Any, confidence: Any, action: str | None) -> dict[str, Any]:
    if is_unknown(enforcement) or action is None:
        return {"enabled": None, "input_action": None, "output_action": None}
    on = str(enforcement or "DISABLED").upper() == "ENABLED"
    a = action if on else "none"
    out: dict[str, Any] = {"enabled": on, "input_action": a, "output_action": a}
    if confidence is not None:
        s = None if is_unknown(confidence) else _CONF.get(str(confidence).lower())
        out["input_strength"] = out["output_strength"] = s if on else "none"
    return out


def template(v: dict[str, Any]) -> dict[str, Any]:
    """Model Armor template -> content_filter attrs."""
    meta = _block(v, "template_metadata")
    et = get(meta, "enforcement_type", "INSPECT_AND_BLOCK")
    action = None if is_unknown(et) else ("annotate" if str(et).upper() == "INSPECT_ONLY" else "block")
    fc = _block(v, "filter_config")
    attrs: dict[str, Any] = {"mode": action}
    pi = first(get(fc, "pi_and_jailbreak_filter_settings"))
    attrs["prompt_attack"] = _ma_filter(get(pi, "filter_enforcement"), get(pi, "confidence_level"), action)
    mu = first(get(fc, "malicious_uri_filter_settings"))
    attrs["malicious_uri"] = _ma_filter(get(mu, "filter_enforcement"), None, action)
    rai = as_list(get(fc, "rai_settings.rai_filters"))
    if is_unknown(rai):
        attrs["harm_categories"] = None
    else:
        attrs["harm_categories"] = {
            _RAI[str(get(f, "filter_type", "")).lower()]: _ma_filter("ENABLED", get(f, "confidence_level", "HIGH"), action)
            for f in rai if str(get(f, "filter_type", "")).lower() in _RAI
        }
    sdp = first(get(fc, "sdp_settings"))
    basic = get(sdp, "basic_config.filter_enforcement")
    adv = get(sdp, "advanced_config")
    if is_unknown(basic) or is_unknown(adv):
        attrs["pii"] = None
    else:
        on = str(basic or "").upper() == "ENABLED" or bool(adv)
        a = action if on else "none"
        attrs["pii"] = {"enabled": (a == "block") if a is not None else None, "entity_count": 1 if on else 0,
                        "input_action": a, "output_action": a}
    log = get(meta, "log_sanitize_operations", False)
    attrs["logging"] = None if is_unknown(log) else as_bool(log, False)
    return attrs


def floor_setting(v: dict[str, Any]) -> dict[str, Any]:
    en = get(v, "enable_floor_setting_enforcement", False)
    svcs = get(v, "integrated_services")
    apf = _block(v, "ai_platform_floor_setting")
    if is_unknown(en) or is_unknown(svcs):
        return {"enforced_guardrail": None}
    vertex = "AI_PLATFORM" in [str(s).upper() for s in as_list(svcs)]
    enabled = bool(as_bool(en, False) and vertex)
    blocking = get(apf, "inspect_and_block", False)
    logging = get(apf, "enable_cloud_logging", False)
    return {"enforced_guardrail": {
        "enabled": enabled,
        "blocking": None if is_unknown(blocking) else (as_bool(blocking, False) and not as_bool(get(apf, "inspect_only", False), False)),
        "logging": None if is_unknown(logging) else as_bool(logging, False),
        "id": known(get(v, "name")),
    }}


def audit_config(configs: list[dict[str, Any]]) -> dict[str, Any]:
    """IAM policy audit configs -> audit_logging for Vertex AI (aiplatform or allServices)."""
    read = write = False
    exempted = 0
    unknown = False
    for c in configs:
        svc = known(get(c, "service"))
        if svc not in ("aiplatform.googleapis.com", "allServices"):
            if svc is None:
                unknown = True
            continue
        alcs = get(c, "audit_log_configs")
        for alc in as_list(alcs if alcs is not None else get(c, "audit_log_config")):
            lt = str(known(get(alc, "log_type")) or "").upper()
            read = read or lt == "DATA_READ"
            write = write or lt == "DATA_WRITE"
            ex = get(alc, "exempted_members")
            exempted += len(as_list(ex)) if not is_unknown(ex) else 0
    if unknown and not (read and write):
        return {"audit_logging": None}
    return {"audit_logging": {"enabled": read or write, "data_read": read, "data_write": write, "exempted_members": exempted}}


def principal_type(member: Any) -> str:
    m = str(member or "")
    if m == "allUsers":
        return "public"
    if m == "allAuthenticatedUsers":
        return "any_authenticated"
    prefix = m.split(":", 1)[0]
    return {"user": "user", "group": "group", "serviceAccount": "service_account", "domain": "group",
            "principal": "user", "principalSet": "group"}.get(prefix, "unknown")


def iam_binding(role: Any, member: Any, *, condition: Any = None) -> dict[str, Any]:
    r = known(role)
    return {
        "principal": {"type": "unknown" if is_unknown(member) else principal_type(member), "id": known(member)},
        "role_or_policy": r,
        "actions_wildcard": None if r is None else r in ADMIN_ROLES,
        "resources_wildcard": True,
        "conditions": None if is_unknown(condition) else bool(condition),
    }


def is_ai_role(role: Any) -> bool:
    return isinstance(role, str) and (role.startswith("roles/aiplatform.") or role in ("roles/owner", "roles/editor", "roles/modelarmor.admin"))
