"""Vertex AI and Model Armor (REST/proto3-JSON shape, snake_case keys) -> inventory attrs.

Terraform ``google_*`` arguments use the same names as the REST fields in
snake_case, so live and IaC share these mappings.

Enums are read by name. An omitted enum (proto3 default 0, printed as
``*_UNSPECIFIED``) means what the proto comments document for it; a value
this mapping does not know (a newer member, which the client libraries pass
through as a bare number) is unknown (``None``), never one of the known
meanings. Defaults below are quoted from googleapis/googleapis
(google/cloud/modelarmor/v1/service.proto, google/cloud/aiplatform/v1).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aiposture.normalize.values import as_list, enum_of, first, get, is_unknown, known, strict_bool

ADMIN_ROLES = {"roles/owner", "roles/editor", "roles/aiplatform.admin"}
# DetectionConfidenceLevel: "DETECTION_CONFIDENCE_LEVEL_UNSPECIFIED (0): Same as LOW_AND_ABOVE"
_CONF = {"low_and_above": "high", "medium_and_above": "medium", "high": "low", "detection_confidence_level_unspecified": "high"}
# RaiFilter.confidence_level: "If the confidence level is unspecified (i.e., 0), the system will use a reasonable
# default level based on the filter_type": undocumented, so unknown
_RAI_CONF = {"low_and_above": "high", "medium_and_above": "medium", "high": "low"}
_RAI = {"sexually_explicit": "sexual", "hate_speech": "hate", "harassment": "harassment", "dangerous": "dangerous"}
# Pi/MaliciousUri/SdpBasicConfig enforcement: "*_UNSPECIFIED (0): Same as Disabled"
_ON = {"enabled": True, "disabled": False, "pi_and_jailbreak_filter_enforcement_unspecified": False,
       "malicious_uri_filter_enforcement_unspecified": False, "sdp_basic_config_enforcement_unspecified": False}
# Template.TemplateMetadata.EnforcementType: "ENFORCEMENT_TYPE_UNSPECIFIED (0): Default value. Same as INSPECT_AND_BLOCK"
_ENFORCEMENT = {"inspect_only": "annotate", "inspect_and_block": "block", "enforcement_type_unspecified": "block"}
# AuditLogConfig.LogType (google/iam/v1/policy.proto)
_LOG_TYPES = {"admin_read", "data_write", "data_read", "log_type_unspecified"}
# ModelSourceInfo.ModelSourceType -> provenance ('MODEL_SOURCE_TYPE_UNSPECIFIED: Should not be used')
_SOURCE = {"automl": "automl", "custom": "upload", "bqml": "bqml", "model_garden": "model_garden", "genie": "genie",
           "custom_text_embedding": "customization", "marketplace": "marketplace"}


def _block(v: Any, path: str) -> Any:
    """A nested block: {} when absent, UNKNOWN kept (every field read from it is then unknown)."""
    b = first(get(v, path))
    return {} if b is None else b


def _str(v: Any) -> str | None:
    v = known(v)
    return v if isinstance(v, str) else None


def _cmk(v: Any) -> dict[str, Any] | None:
    spec = get(v, "encryption_spec")
    key = get(v, "encryption_spec.kms_key_name")
    if is_unknown(spec) or (spec is not None and not isinstance(first(spec), dict)):
        return None
    if is_unknown(key):
        return None
    if key is not None and not isinstance(key, str):
        return None
    return {"cmk": bool(key), "key_id": key or None}


# Google-managed identities: service agents act for Google services inside a project and are not the
# customer's to grant or remove (https://cloud.google.com/iam/docs/service-agents)
_AGENT = re.compile(r"^service-(?:org-|folder-)?\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com$")
_LEGACY_AGENTS = re.compile(r"^\d+@(?:cloudservices|container-engine-robot|dataflow-service-producer-prod|"
                            r"gae-api-prod|gcp-sa-[a-z0-9-]+|firebase-rules|cloud-ml|compute-system)\.(?:iam\.)?gserviceaccount\.com$")


def is_google_managed(member: Any) -> bool:
    """``serviceAccount:service-123@gcp-sa-aiplatform.iam.gserviceaccount.com``, the Google APIs Service Agent
    ``123@cloudservices.gserviceaccount.com`` and similar: Google's, excluded from customer identity findings.
    The default compute and App Engine accounts are the customer's (they run customer code) and stay."""
    m = str(member or "")
    if m.startswith("deleted:"):
        return False
    email = m.split(":", 1)[1] if m.startswith(("serviceAccount:", "serviceAgent:")) else ""
    email = email.lower()
    return bool(email) and (m.startswith("serviceAgent:") or bool(_AGENT.match(email)) or bool(_LEGACY_AGENTS.match(email)))


def is_default_sa(sa: Any) -> bool:
    """The default compute / App Engine service accounts (broad Editor grants by default)."""
    s = str(sa or "")
    return s.endswith("-compute@developer.gserviceaccount.com") or s.endswith("@appspot.gserviceaccount.com")


def endpoint(v: dict[str, Any], *, admins: set[str] | None = None) -> dict[str, Any]:
    """Vertex AI endpoint -> model_deployment attrs. ``admins``: service accounts with owner/editor/
    aiplatform.admin in the project's effective IAM policy (None = not known)."""
    psc = strict_bool(get(v, "private_service_connect_config.enable_private_service_connect"), False)
    net = get(v, "network")
    attrs: dict[str, Any] = {
        "private_network": None if psc is None or is_unknown(net) or (net is not None and not isinstance(net, str))
        else bool(psc or net),
        "encryption": _cmk(v),
    }
    lc = first(get(v, "predict_request_response_logging_config"))
    if is_unknown(lc) or (lc is not None and not isinstance(lc, dict)):
        attrs["request_logging"] = None
    else:
        rate = known(get(lc, "sampling_rate", 0))
        dest = get(lc, "bigquery_destination.output_uri")
        attrs["request_logging"] = {
            "enabled": strict_bool(get(lc, "enabled"), False),
            "sampling_rate": float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
            "destination": _str(dest),
        }
    dms = get(v, "deployed_models")
    if is_unknown(dms) or (dms is not None and not isinstance(dms, list)):
        attrs["service_identity"] = None
        attrs["access_logging"] = None
    elif dms:
        sas: list[Any] = [get(d, "service_account", "") if isinstance(d, dict) else None for d in dms]
        if any(sa is not None and not isinstance(sa, str) for sa in sas) or None in sas:
            attrs["service_identity"] = None
        else:
            # DeployedModel.service_account: "If this service account is not specified, the container runs as a
            # service account that doesn't have access to the resource project": neither default nor admin
            named = [sa for sa in sas if sa]
            default = any(is_default_sa(sa) for sa in named)
            admin = True if default else (None if admins is None and named else any(sa in (admins or set()) for sa in named))
            attrs["service_identity"] = {"id": named[0] if named else None, "default_identity": default, "admin": admin}
        logs = [strict_bool(get(d, "enable_access_logging"), False) if isinstance(d, dict) else None for d in dms]
        attrs["access_logging"] = None if None in logs else all(logs)
    return attrs


def reasoning_engine(v: dict[str, Any], *, admins: set[str] | None = None) -> dict[str, Any]:
    """Vertex AI Agent Engine (reasoning engine) -> agent attrs. No service account: the Reasoning Engine
    Service Agent runs it (narrow); else it is admin when the project's effective policy says so."""
    sa = get(v, "spec.service_account")
    sa = sa if isinstance(sa, str) else ""
    admin = False if not sa else (None if admins is None else sa in admins)
    return {"execution_role": {"id": sa or None, "admin": admin, "wildcard_actions": admin}, "encryption": _cmk(v)}


def model(v: dict[str, Any]) -> dict[str, Any]:
    """Vertex AI model -> custom_model attrs: encryption and provenance (``model_source_info``, ``base_model_source``)."""
    art = get(v, "artifact_uri")
    st = known(get(v, "model_source_info.source_type"))
    if st is None or (isinstance(st, str) and st.upper() == "MODEL_SOURCE_TYPE_UNSPECIFIED"):
        source = "upload" if is_unknown(art) or (isinstance(art, str) and art) else None
    else:
        source = enum_of(st, _SOURCE)  # a source type this version does not know: unknown
    base = (_str(get(v, "base_model_source.model_garden_source.public_model_name"))
            or _str(get(v, "base_model_source.genie_source.base_model_uri")))
    return {"encryption": _cmk(v), "source": source, "base_model": base}


def dataset(v: dict[str, Any]) -> dict[str, Any]:
    """Vertex AI dataset -> training_job attrs. The data location is in ``metadata`` (a google.protobuf.Value whose
    keys stay camelCase: ``inputConfig.gcsSource.uri`` (a list) or ``inputConfig.bigquerySource.uri``);
    ``metadata_schema_uri`` is the schema of that metadata, not the data."""
    meta = get(v, "metadata")
    uri: Any = None
    for path in ("inputConfig.gcsSource.uri", "inputConfig.bigquerySource.uri", "input_config.gcs_source.uri",
                 "input_config.bigquery_source.uri"):
        u = get(meta, path) if isinstance(meta, dict) else None
        if isinstance(u, list):
            u = next((x for x in u if isinstance(x, str) and x), None)
        if isinstance(u, str) and u:
            uri = u
            break
    enc = _cmk(v)
    return {"training_data": {"uri": uri, "cmk": None if enc is None else enc["cmk"]}}


def _ma_filter(on: Any, strength: Any, action: str | None, *, with_strength: bool) -> dict[str, Any]:
    if on is None or action is None:
        out: dict[str, Any] = {"enabled": None, "input_action": None, "output_action": None}
        if with_strength:
            out["input_strength"] = out["output_strength"] = None
        return out
    a = action if on else "none"
    out = {"enabled": on, "input_action": a, "output_action": a}
    if with_strength:
        out["input_strength"] = out["output_strength"] = strength if on else "none"
    return out


def filter_config(fc: Any, action: str | None) -> dict[str, Any]:
    """A Model Armor ``FilterConfig`` (template or floor setting) under an enforcement action -> filter attrs."""
    attrs: dict[str, Any] = {}
    pi = first(get(fc, "pi_and_jailbreak_filter_settings"))
    conf = get(pi, "confidence_level")
    attrs["prompt_attack"] = _ma_filter(enum_of(get(pi, "filter_enforcement"), _ON, False), enum_of(conf, _CONF, "high"),
                                        action, with_strength=True)
    mu = first(get(fc, "malicious_uri_filter_settings"))
    attrs["malicious_uri"] = _ma_filter(enum_of(get(mu, "filter_enforcement"), _ON, False), None, action,
                                        with_strength=False)
    rai = get(fc, "rai_settings.rai_filters")
    if is_unknown(rai) or (rai is not None and not isinstance(rai, list)):
        attrs["harm_categories"] = None
    else:
        harm: dict[str, Any] = {}
        for f in rai or []:
            cat = _RAI.get(str(get(f, "filter_type", "")).lower()) if isinstance(f, dict) else None
            if cat is None:
                continue  # a filter type this version does not know guards nothing the rules ask about
            harm[cat] = _ma_filter(True, enum_of(get(f, "confidence_level"), _RAI_CONF), action, with_strength=True)
        # rules index categories by name, beyond the engine's static null check: one unknown makes all unknown
        attrs["harm_categories"] = None if any(None in h.values() for h in harm.values()) else harm
    sdp = first(get(fc, "sdp_settings"))
    basic = enum_of(get(sdp, "basic_config.filter_enforcement"), _ON, False)
    adv = get(sdp, "advanced_config")
    if basic is None or is_unknown(adv) or action is None:
        attrs["pii"] = None
    else:
        on = bool(basic or (isinstance(adv, dict) and adv))
        a = action if on else "none"
        attrs["pii"] = {"enabled": a == "block", "entity_count": 1 if on else 0, "input_action": a, "output_action": a}
    return attrs


def template(v: dict[str, Any]) -> dict[str, Any]:
    """Model Armor template -> content_filter attrs."""
    meta = _block(v, "template_metadata")
    action = enum_of(get(meta, "enforcement_type"), _ENFORCEMENT, "block")
    attrs: dict[str, Any] = {"mode": action, **filter_config(_block(v, "filter_config"), action)}
    attrs["logging"] = strict_bool(get(meta, "log_sanitize_operations"), False)
    return attrs


def _floor_blocking(apf: Any) -> Any:
    """AiPlatformFloorSetting's enforcement oneof (inspect_only | inspect_and_block); none chosen: undocumented."""
    ib, io = strict_bool(get(apf, "inspect_and_block")), strict_bool(get(apf, "inspect_only"))
    if ib is True:
        return True
    if io is True or ib is False:
        return False
    return None


def floor_setting(v: dict[str, Any]) -> dict[str, Any]:
    en = strict_bool(get(v, "enable_floor_setting_enforcement"), False)
    svcs = get(v, "integrated_services")
    apf = _block(v, "ai_platform_floor_setting")
    if en is None or is_unknown(svcs) or (svcs is not None and not isinstance(svcs, list)):
        return {"enforced_guardrail": None}
    vertex = "AI_PLATFORM" in [str(s).upper() for s in as_list(svcs)]
    logging = strict_bool(get(apf, "enable_cloud_logging"), False)
    return {"enforced_guardrail": {
        "enabled": bool(en and vertex),
        "blocking": _floor_blocking(apf),
        "logging": logging,
        "id": _str(get(v, "name")),
    }}


def floor_filter(v: dict[str, Any]) -> dict[str, Any]:
    """The filters a project's floor setting enforces on every Vertex AI call, as a content filter."""
    blocking = _floor_blocking(_block(v, "ai_platform_floor_setting"))
    action = None if blocking is None else ("block" if blocking else "annotate")
    attrs: dict[str, Any] = {"mode": action, **filter_config(_block(v, "filter_config"), action)}
    attrs["logging"] = strict_bool(get(v, "ai_platform_floor_setting.enable_cloud_logging"), False)
    guard = floor_setting(v)["enforced_guardrail"]
    attrs["attached"] = None if guard is None else guard["enabled"]
    return attrs


def audit_config(configs: list[dict[str, Any]], *, complete: bool = True) -> dict[str, Any]:
    """IAM audit configs along a project's ancestry -> audit_logging for Vertex AI (aiplatform or allServices).

    Audit configs are additive down the resource hierarchy, so the union over the project, its folders and
    organisation is what applies. ``complete``: every level was read; when one could not be, only a result
    that is already fully enabled is known (and the exemptions are then unknown).
    """
    read = write = False
    exempted = 0
    unknown = False
    for c in configs:
        svc = known(get(c, "service"))
        if svc not in ("aiplatform.googleapis.com", "allServices"):
            if not isinstance(svc, str):
                unknown = True
            continue
        alcs = get(c, "audit_log_configs")
        alcs = alcs if alcs is not None else get(c, "audit_log_config")
        if is_unknown(alcs) or (alcs is not None and not isinstance(alcs, list) and not isinstance(alcs, dict)):
            unknown = True
            continue
        for alc in as_list(alcs):
            lt = known(get(alc, "log_type"))
            if not isinstance(lt, str) or lt.lower() not in _LOG_TYPES:
                unknown = True  # a log type this version does not know (the API sends new ones as numbers)
                continue
            read = read or lt.upper() == "DATA_READ"
            write = write or lt.upper() == "DATA_WRITE"
            ex = get(alc, "exempted_members")
            if isinstance(ex, list):
                exempted += len(ex)
            elif ex is not None:
                unknown = True
    full = read and write
    if (unknown or not complete) and not full:
        return {"audit_logging": None}
    return {"audit_logging": {"enabled": read or write, "data_read": read, "data_write": write,
                              "exempted_members": exempted if complete else None}}


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
    r = r if isinstance(r, str) else None
    return {
        "principal": {"type": "unknown" if is_unknown(member) else principal_type(member), "id": _str(member)},
        "role_or_policy": r,
        "actions_wildcard": None if r is None else r in ADMIN_ROLES,
        "resources_wildcard": True,
        "conditions": None if is_unknown(condition) else bool(condition),
    }


def binding_key(role: str, member: str, condition: Any) -> str:
    """A stable id part for one member of one binding; conditional bindings of the same role differ by condition."""
    if not condition:
        return f"{role}/{member}"
    digest = hashlib.sha256(repr(condition).encode()).hexdigest()[:12]
    return f"{role}/{member}/condition-{digest}"


def is_ai_role(role: Any) -> bool:
    return isinstance(role, str) and (role.startswith("roles/aiplatform.") or role in ("roles/owner", "roles/editor", "roles/modelarmor.admin"))
