"""Amazon Bedrock configuration (API request/response shape, snake_case) -> inventory attrs.

Terraform arguments (``content_policy_config.filters_config``), CloudFormation
properties (``ContentPolicyConfig.FiltersConfig``) and the Create* API share
one shape; Get* responses use shorter names (``content_policy.filters``). Both
are accepted.
"""

from __future__ import annotations

import json
from typing import Any

from aiposture.normalize.values import UNKNOWN, as_bool, as_list, first, get, is_unknown, known, lower

HARM = {"hate": "hate", "sexual": "sexual", "violence": "violence", "insults": "insults", "misconduct": "misconduct"}
_RANK = {"none": 0, "annotate": 1, "anonymize": 2, "block": 3}


def _pick(d: Any, *paths: str) -> Any:
    """The first of several spellings that is present (Create/Terraform vs Get shapes); UNKNOWN counts as present."""
    for p in paths:
        v = get(d, p)
        if v is not None:
            return v
    return None


STRENGTHS = ("none", "low", "medium", "high")
_ACTIONS = {"BLOCK": "block", "NONE": "annotate"}  # NONE: detected and reported in the trace, not acted on


def _action(raw: Any, *, enabled: Any = True, strength: Any = "high", pii: bool = False) -> Any:
    """Bedrock action -> block | anonymize | annotate | none; None when unknown, including a value
    this version does not know (a new enum member is not read as either extreme)."""
    if is_unknown(raw) or is_unknown(enabled) or is_unknown(strength):
        return None
    on = as_bool(enabled, True)
    if on is None:
        return None
    if on is False or (strength is not None and str(strength).lower() == "none"):
        return "none"
    if strength is not None and str(strength).lower() not in STRENGTHS:
        return None
    a = str(raw or "BLOCK").upper()
    if a == "ANONYMIZE" and pii:
        return "anonymize"
    return _ACTIONS.get(a)


def _strength(v: Any) -> Any:
    s = lower(v, "none")
    return s if s in STRENGTHS else None


def _filter(f: dict[str, Any]) -> dict[str, Any]:
    ist, ost = get(f, "input_strength"), get(f, "output_strength")
    ia = _action(get(f, "input_action"), enabled=get(f, "input_enabled", True), strength=ist)
    oa = _action(get(f, "output_action"), enabled=get(f, "output_enabled", True), strength=ost)
    out = {
        "input_strength": _strength(ist),
        "output_strength": _strength(ost),
        "input_action": ia,
        "output_action": oa,
    }
    out["enabled"] = None if ia is None or oa is None else (ia != "none" or oa != "none")
    return out


OFF = {"enabled": False, "input_strength": "none", "output_strength": "none", "input_action": "none", "output_action": "none"}


def guardrail(v: dict[str, Any], *, version: str | None = None) -> dict[str, Any]:
    """``aws_bedrock_guardrail`` / ``AWS::Bedrock::Guardrail`` / GetGuardrail -> content_filter attrs."""
    cp = first(_pick(v, "content_policy_config", "content_policy"))
    filters = UNKNOWN if is_unknown(cp) else as_list(_pick(cp, "filters_config", "filters"))
    attrs: dict[str, Any] = {}
    if is_unknown(filters):
        attrs["prompt_attack"] = None
        attrs["harm_categories"] = None
    else:
        by_type = {str(get(f, "type", "")).lower(): _filter(f) for f in filters if isinstance(f, dict)}
        pa = by_type.get("prompt_attack")
        attrs["prompt_attack"] = pa or dict(OFF)
        attrs["harm_categories"] = {HARM[t]: f for t, f in by_type.items() if t in HARM}

    sp = first(_pick(v, "sensitive_information_policy_config", "sensitive_information_policy"))
    if is_unknown(sp):
        attrs["pii"] = None
    else:
        ents = as_list(_pick(sp, "pii_entities_config", "pii_entities"))
        regs = as_list(_pick(sp, "regexes_config", "regexes"))
        items = [] if is_unknown(ents) or is_unknown(regs) else [*ents, *regs]
        if is_unknown(ents) or is_unknown(regs):
            attrs["pii"] = None
        else:
            ins, outs = [], []
            for e in items:
                base = get(e, "action", "BLOCK")
                ins.append(_action(get(e, "input_action", base), enabled=get(e, "input_enabled", True), strength=None, pii=True))
                outs.append(_action(get(e, "output_action", base), enabled=get(e, "output_enabled", True), strength=None, pii=True))
            def strongest(xs):
                if any(x is None for x in xs):
                    return None
                return max(xs, key=lambda x: _RANK[x]) if xs else "none"
            ia, oa = strongest(ins), strongest(outs)
            attrs["pii"] = {
                "entity_count": len(items),
                "input_action": ia,
                "output_action": oa,
                "enabled": None if ia is None or oa is None else (ia in ("block", "anonymize") or oa in ("block", "anonymize")),
            }

    gp = first(_pick(v, "contextual_grounding_policy_config", "contextual_grounding_policy"))
    if is_unknown(gp):
        attrs["grounding"] = None
    else:
        gfs = as_list(_pick(gp, "filters_config", "filters"))
        g: dict[str, object] = {"enabled": False, "grounding_threshold": 0.0, "relevance_threshold": 0.0, "action": "none"}
        if not is_unknown(gfs):
            for f in gfs:
                t = str(get(f, "type", "")).upper()
                if t not in ("GROUNDING", "RELEVANCE"):
                    continue  # a check this version does not know
                on = as_bool(get(f, "enabled", True), True)
                if on is None:
                    g["enabled"] = None
                elif on:
                    g["enabled"] = True if g["enabled"] is not None else None
                    thr = known(get(f, "threshold"))
                    key = "grounding_threshold" if t == "GROUNDING" else "relevance_threshold"
                    g[key] = float(thr) if isinstance(thr, (int, float)) else None
                    act = _action(get(f, "action", "BLOCK"))
                    if t == "GROUNDING" or g["action"] == "none":
                        g["action"] = act
        attrs["grounding"] = None if is_unknown(gfs) else g

    tp = first(_pick(v, "topic_policy_config", "topic_policy"))
    topics = as_list(_pick(tp, "topics_config", "topics")) if not is_unknown(tp) else UNKNOWN
    attrs["denied_topics"] = None if is_unknown(topics) else len(topics)
    wp = first(_pick(v, "word_policy_config", "word_policy"))
    if is_unknown(wp):
        attrs["word_filters"] = None
    else:
        words = as_list(_pick(wp, "words_config", "words"))
        lists = as_list(_pick(wp, "managed_word_lists_config", "managed_word_lists"))
        attrs["word_filters"] = {
            "custom_words": None if is_unknown(words) else len(words),
            "managed_lists": None if is_unknown(lists) else [str(get(x, "type", "")) for x in lists],
        }
    key = get(v, "kms_key_arn") if get(v, "kms_key_arn") is not None else get(v, "kms_key_id")
    attrs["encryption"] = {"cmk": key is not None, "key_id": known(key)}
    actions = [f.get("input_action") for f in [attrs.get("prompt_attack") or {}, *(attrs.get("harm_categories") or {}).values()]]
    actions += [f.get("output_action") for f in (attrs.get("harm_categories") or {}).values()]
    if attrs.get("prompt_attack") is None or attrs.get("harm_categories") is None or None in actions:
        attrs["mode"] = None
    elif "block" in actions or not any(a == "annotate" for a in actions):
        attrs["mode"] = "block"
    else:
        attrs["mode"] = "annotate"
    if version is not None:
        attrs["version"] = version
    return attrs


def _confirmation_required(group: dict[str, Any]) -> Any:
    """True when every function/operation of an action group asks the user first; None if unknown."""
    fs = get(group, "function_schema")
    if fs is not None:
        if is_unknown(fs):
            return None
        funcs = get(fs, "functions")
        if funcs is None:
            funcs = get(fs, "member_functions.functions")
        funcs = as_list(funcs)
        if is_unknown(funcs):
            return None
        vals = [str(known(get(f, "require_confirmation")) or "DISABLED").upper() for f in funcs]
        if any(x not in ("ENABLED", "DISABLED") for x in vals):
            return None  # a value this version does not know
        return all(x == "ENABLED" for x in vals) if vals else True
    payload = get(group, "api_schema.payload")
    if isinstance(payload, str):
        try:
            doc = json.loads(payload)
        except (ValueError, RecursionError):
            from aiposture import safeyaml  # the tenant wrote this schema: bounded (aliases, depth)

            try:
                doc = safeyaml.load(payload)
            except safeyaml.YamlProblem:
                return None
        paths = doc.get("paths") if isinstance(doc, dict) else None
        if not isinstance(paths, dict):
            return None  # not an OpenAPI document this can read
        ops = [op for p in paths.values() if isinstance(p, dict) for op in p.values() if isinstance(op, dict)]
        return all(str(op.get("x-requireConfirmation", "DISABLED")).upper() == "ENABLED" for op in ops) if ops else True
    return None


def action_groups(groups: list[dict[str, Any]]) -> dict[str, Any]:
    count = without = 0
    code: Any = False
    unknown = False
    for g in groups:
        state = str(known(get(g, "action_group_state")) or "ENABLED").upper()
        if state == "DISABLED":
            continue
        maybe = state != "ENABLED"  # a state this version does not know: the group may be live
        unknown = unknown or maybe
        sig = str(known(get(g, "parent_action_group_signature")) or "")
        if sig == "AMAZON.CodeInterpreter":
            code = True if not maybe else (code if code is True else None)
            continue
        if sig == "AMAZON.UserInput":
            continue
        count += 1
        req = _confirmation_required(g)
        if req is None:
            unknown = True
        elif not req:
            without += 1
    return {"count": count, "without_confirmation": None if unknown else without, "code_interpreter": code}


def agent(v: dict[str, Any], *, groups: list[dict[str, Any]] | None = None, role: dict[str, Any] | None = None,
          guardrail_id: Any = None) -> dict[str, Any]:
    gc = first(get(v, "guardrail_configuration"))
    gid = guardrail_id if guardrail_id is not None else get(gc, "guardrail_identifier")
    gver = get(gc, "guardrail_version")
    attrs: dict[str, Any] = {}
    if is_unknown(gc):
        attrs["content_filter"] = None
    else:
        attrs["content_filter"] = {"attached": gid is not None and gid != "", "id": known(gid), "version": known(gver) if gid else None}
        if gid and gver is None:
            attrs["content_filter"]["version"] = "DRAFT"
    key = get(v, "customer_encryption_key_arn")
    attrs["encryption"] = {"cmk": key is not None, "key_id": known(key)}
    ttl = get(v, "idle_session_ttl_in_seconds", 600)
    attrs["idle_session_ttl_seconds"] = int(ttl) if isinstance(ttl, (int, float)) else None
    inline = get(v, "action_groups")  # CloudFormation declares them inside the agent
    if is_unknown(inline):
        attrs["action_groups"] = None
    else:
        attrs["action_groups"] = action_groups([*(groups or []), *(g for g in as_list(inline) if isinstance(g, dict))])
    if role is not None:
        attrs["execution_role"] = role
    po = get(v, "prompt_override_configuration")
    attrs["prompt_override"] = None if is_unknown(po) else po is not None
    return attrs


def data_source(v: dict[str, Any], bucket_facts: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg = first(get(v, "data_source_configuration"))
    typ = known(get(cfg, "type"))
    key = get(v, "server_side_encryption_configuration.kms_key_arn")
    loc_uri = known(get(cfg, "s3_configuration.bucket_arn"))
    if loc_uri is None and str(typ).upper() == "WEB":
        seeds = known(get(cfg, "web_configuration.source_configuration.url_configuration.seed_urls"))
        if isinstance(seeds, list) and seeds:
            loc_uri = known(get(seeds[0], "url"))
    location: dict[str, Any] = {"uri": loc_uri}
    if bucket_facts:
        location.update(bucket_facts)
    dp = known(get(v, "data_deletion_policy"))
    return {
        "id": known(get(v, "name")) or known(get(v, "data_source_id")),
        "type": str(typ).lower() if typ else None,
        "location": location,
        "cmk": key is not None,
        "deletion_policy": str(dp).lower() if dp else "delete",
    }


def knowledge_base(v: dict[str, Any], *, sources: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"data_sources": sources or []}
    role = known(get(v, "role_arn"))
    if role:
        attrs["role"] = {"id": role}
    st = known(get(v, "storage_configuration.type"))
    if st:
        attrs["vector_store"] = str(st)
    return attrs


def invocation_logging(v: dict[str, Any], *, default_delivery: bool = True) -> dict[str, Any]:
    lc = first(get(v, "logging_config"))
    if is_unknown(lc):
        return {"invocation_logging": None}
    if not lc:
        return {"invocation_logging": {"enabled": False, "destinations": [], "text_delivery": False}}
    dests = []
    for dest, value in (("cloudwatch", _pick(lc, "cloud_watch_config", "cloudwatch_config")), ("s3", get(lc, "s3_config"))):
        if value is not None and (is_unknown(value) or value):  # a destination being created counts
            dests.append(dest)
    return {"invocation_logging": {
        "enabled": bool(dests),
        "destinations": dests,
        "text_delivery": as_bool(get(lc, "text_data_delivery_enabled"), default_delivery),
        "image_delivery": as_bool(get(lc, "image_data_delivery_enabled"), default_delivery),
        "embedding_delivery": as_bool(get(lc, "embedding_data_delivery_enabled"), default_delivery),
    }}


def vpc_endpoint_service(service_name: Any) -> str | None:
    """'bedrock-runtime' / 'bedrock-agent-runtime' / ... when the endpoint serves Bedrock."""
    if not isinstance(service_name, str):
        return None
    tail = service_name.rsplit(".", 1)[-1]
    return tail if tail.startswith("bedrock") else None


def endpoint_policy_restrictive(policy: Any) -> Any:
    """False for no policy / full access; True when principals or actions are narrowed; None if unknown."""
    if policy is None:
        return False
    if is_unknown(policy):
        return None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    if not isinstance(policy, dict):
        return None
    for st in as_list(policy.get("Statement")):
        if not isinstance(st, dict):
            return None
        if st.get("Effect") != "Allow":
            continue
        actions = as_list(st.get("Action"))
        principal = st.get("Principal")
        if ("*" in actions or "bedrock:*" in actions) and principal in ("*", {"AWS": "*"}) and not st.get("Condition"):
            return False
    return True


def customization(v: dict[str, Any], *, bucket_facts: dict[str, Any] | None = None,
                  validation_facts: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``aws_bedrock_custom_model`` (a customization job that yields a model) -> (training_job attrs, custom_model attrs)."""
    train_uri = get(v, "training_data_config.s3_uri")
    td: dict[str, Any] = {"uri": known(train_uri)}
    td.update(bucket_facts or {})
    key = get(v, "custom_model_kms_key_id") if get(v, "custom_model_kms_key_id") is not None else get(v, "output_model_kms_key_arn")
    vpc = get(v, "vpc_config")
    job = {
        "training_data": td,
        "output_encryption": {"cmk": key is not None, "key_id": known(key)},
        "network_isolated": None if is_unknown(vpc) else bool(vpc),
    }
    role = known(get(v, "role_arn"))
    if role:
        job["role"] = {"id": role}
    model = {
        "source": "customization",
        "base_model": known(get(v, "base_model_identifier")),
        "training_data": dict(td),
        "encryption": {"cmk": key is not None, "key_id": known(key)},
        "network_isolated": job["network_isolated"],
    }
    return job, model


def provisioned_throughput(v: dict[str, Any]) -> dict[str, Any]:
    units = get(v, "model_units")
    return {
        "model": {"name": known(get(v, "model_arn")) or known(get(v, "model_id")), "custom": None},
        "rate_limit": {"limited": None if is_unknown(units) else True},
    }


def inference_profile(v: dict[str, Any]) -> dict[str, Any]:
    """An application inference profile (ListInferenceProfiles summary) -> model_deployment attrs."""
    models = [get(m, "model_arn") for m in v.get("models") or [] if isinstance(m, dict)]
    # on-demand calls through a profile are bounded by the account's per-model quotas
    return {"model": {"name": models[0] if models else None, "custom": False}, "rate_limit": {"limited": True}}


# ----------------------------------------------------------------------------- IAM
INVOKE_ACTIONS = ("bedrock:invokemodel", "bedrock:invokemodelwithresponsestream")
ADMIN_MANAGED = ("AdministratorAccess", "PowerUserAccess")
BROAD_MANAGED = ("AmazonBedrockFullAccess",)


def _load_doc(doc: Any) -> Any:
    if isinstance(doc, str):
        from urllib.parse import unquote

        text = doc if doc.lstrip().startswith("{") else unquote(doc)  # IAM returns URL-encoded documents
        try:
            return json.loads(text)
        except ValueError:
            return None
    return doc if isinstance(doc, dict) else None


def _matches(pattern: str, action: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(action, pattern.lower())


def _strings(v: Any) -> bool:
    """An IAM element that is a string or a list of strings (or absent)."""
    return v is None or isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _readable_statement(st: Any) -> bool:
    if not isinstance(st, dict):
        return False
    cond = st.get("Condition")
    return all(_strings(st.get(k)) for k in ("Action", "NotAction", "Resource", "NotResource")) and \
        (cond is None or (isinstance(cond, dict) and all(isinstance(ops, dict) for ops in cond.values())))


def statements(doc: Any) -> list[dict[str, Any]] | None:
    """Allow statements of an identity policy document (string, URL-encoded or dict); None if unreadable
    (not JSON, or elements of a type IAM does not allow: what it grants cannot be told)."""
    d = _load_doc(doc)
    if d is None:
        return None
    sts = as_list(d.get("Statement"))
    if not all(_readable_statement(st) for st in sts):
        return None
    return [st for st in sts if st.get("Effect") == "Allow"]


def statement_facts(st: dict[str, Any]) -> dict[str, Any]:
    """What one Allow statement grants, for admin / wildcard / invoke analysis."""
    actions = [str(a).lower() for a in as_list(st.get("Action"))]
    not_action = st.get("NotAction") is not None
    resources = [str(r) for r in as_list(st.get("Resource"))]
    any_res = "*" in resources or st.get("NotResource") is not None
    # every model: '*', or a Bedrock ARN whose resource part is a wildcard (foundation-model/*)
    all_models = any_res or any(r.startswith("arn:") and ":bedrock:" in r and r.rsplit("/", 1)[-1] == "*" for r in resources)
    cond = st.get("Condition") or {}
    cond_keys = {k.lower() for ops in cond.values() if isinstance(ops, dict) for k in ops}
    return {
        "admin": (not_action or "*" in actions) and any_res and not cond,
        "wildcard": (not_action or any("*" in a for a in actions)) and any_res and not cond,
        "invoke": not_action or any(_matches(a, inv) for a in actions for inv in INVOKE_ACTIONS),
        "actions_wildcard": not_action or any(a in ("*", "bedrock:*") or (a.startswith("bedrock:") and "*" in a and
                                                                          sum(_matches(a, i) for i in INVOKE_ACTIONS) > 1)
                                              for a in actions),
        "resources_wildcard": all_models,
        "conditions": bool(cond),
        "guardrail_required": "bedrock:guardrailidentifier" in cond_keys,
    }


def role_privileges(docs: list[Any], managed_names: list[str]) -> dict[str, Any]:
    """admin / wildcard_actions of a principal from its policy documents and managed policy names."""
    admin = any(n in ADMIN_MANAGED for n in managed_names)
    wildcard: Any = admin or any(n in BROAD_MANAGED for n in managed_names)
    for doc in docs:
        sts = statements(doc)
        if sts is None:
            wildcard = None if wildcard is False else wildcard
            continue
        for st in sts:
            f = statement_facts(st)
            admin = admin or f["admin"]
            if f["wildcard"]:
                wildcard = True
    return {"admin": admin, "wildcard_actions": True if admin else wildcard}


def invoke_grant(doc: Any) -> dict[str, Any] | None:
    """identity_binding attrs for a policy that lets its holder invoke Bedrock models (None if it does not)."""
    sts = statements(doc)
    if not sts:
        return None
    grants = [f for f in map(statement_facts, sts) if f["invoke"]]
    if not grants:
        return None
    worst = max(grants, key=lambda f: (f["actions_wildcard"] and f["resources_wildcard"] and not f["conditions"],
                                        f["actions_wildcard"], f["resources_wildcard"], not f["conditions"]))
    return {
        "actions_wildcard": worst["actions_wildcard"],
        "resources_wildcard": worst["resources_wildcard"],
        "conditions": worst["conditions"],
        "guardrail_required": all(f["guardrail_required"] for f in grants),
    }
