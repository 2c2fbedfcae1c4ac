"""Amazon Bedrock AgentCore, Bedrock Flows and Prompt management (API / Terraform / CloudFormation
shapes, snake_case) -> inventory attrs.

The live collector (``collect/aws_agentcore.py``) and the IaC builder (``iac/build_agents.py``)
both call these, so a runtime declared in Terraform and the same runtime read from the API are
judged alike. Conventions as elsewhere: ``None`` = unknown (the value could not be read, or a
member this version does not know), an attribute left out = does not apply.

Secrets: runtime environment variables are read by *name* only (``secrets_in_env``); their values
never reach attrs (the collector drops them before calling in). Flow inline code and prompt texts
are not kept either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from aiposture.normalize.values import UNKNOWN, as_bool, as_list, first, get, is_unknown, known, snake_keys

# names of environment variables that usually hold a credential (values are never read)
SECRET_NAME = re.compile(r"secret|passw(or)?d|passwd|token|api_?key|apikey|private_?key|credential|access_?key|"
                         r"client_?secret|auth", re.IGNORECASE)


def _unknown_in(*vals: Any) -> bool:
    return any(is_unknown(v) for v in vals)


def cmk(key: Any) -> dict[str, Any]:
    """``{cmk, key_id}`` from a KMS key ARN setting (absent = the provider's key)."""
    if is_unknown(key):
        return {"cmk": None, "key_id": None}
    return {"cmk": bool(key), "key_id": key if isinstance(key, str) and key else None}


def _nonempty(v: Any) -> Any:
    """A list / block that restricts something is set (None when unknown)."""
    if is_unknown(v):
        return None
    vals = as_list(v)
    if is_unknown(vals):
        return None
    if [x for x in vals if x not in (None, "", [], {}) and not is_unknown(x)]:
        return True
    # a null element is a reference IaC could not resolve (a resource in another state or file): unknown, not empty
    return None if any(x is None or is_unknown(x) for x in vals) else False


def jwt_restricted(jwt: Any) -> Any:
    """A JWT authorizer accepts only tokens for named audiences, clients or claims (None when unknown).

    With only a discovery URL, any token the identity provider issues (to anyone, for any app) is accepted."""
    if is_unknown(jwt):
        return None
    parts = [_nonempty(get(jwt, k)) for k in ("allowed_audience", "allowed_clients", "custom_claims", "custom_claim")]
    if True in parts:
        return True
    return None if None in parts else False


def policy_public(doc: Any) -> Any:
    """A resource policy lets anyone invoke: an Allow to ``*`` without a condition. False without a policy;
    None when it cannot be read."""
    from aiposture.normalize.aws import (
        _load_doc,  # JSON, URL-encoded JSON or an object, as IAM documents come
    )

    if doc is None or doc == "":
        return False
    if is_unknown(doc):
        return None
    doc = _load_doc(doc)
    if doc is None:
        return None
    sts = as_list(doc.get("Statement"))
    if is_unknown(sts):
        return None
    for st in sts:
        if not isinstance(st, dict):
            return None
        if st.get("Effect") != "Allow" or st.get("Condition"):
            continue
        p = st.get("Principal")
        principals = as_list(p.get("AWS")) if isinstance(p, dict) else as_list(p)
        if "*" in principals or p == "*":
            return True
    return False


def secrets_in_env(env: Any) -> Any:
    """Heuristic on environment variable NAMES (``API_KEY``, ``DB_PASSWORD``...): values are never looked at."""
    if env is None:
        return False
    if is_unknown(env):
        return None
    if isinstance(env, dict):
        names = list(env)
    elif isinstance(env, list):  # a list of names, or CloudFormation-style [{name/key: ...}]
        names = [x if isinstance(x, str) else known(get(x, "name")) or known(get(x, "key")) for x in env]
    else:
        return None
    return any(isinstance(n, str) and SECRET_NAME.search(n) is not None for n in names)


# ----------------------------------------------------------------------------- AgentCore runtime
def runtime(v: dict[str, Any], *, role: dict[str, Any] | None = None, policy: Any = None) -> dict[str, Any]:
    """GetAgentRuntime / ``aws_bedrockagentcore_agent_runtime`` / ``AWS::BedrockAgentCore::Runtime`` -> agent attrs."""
    attrs: dict[str, Any] = {}
    auth = get(v, "authorizer_configuration")
    jwt = get(auth, "custom_jwt_authorizer")
    if _unknown_in(auth, jwt):
        attrs["inbound_auth"] = None
    elif jwt in (None, [], {}):
        attrs["inbound_auth"] = "iam"  # no authorizer: SigV4 (AgentCore's default)
    else:
        attrs["inbound_auth"] = "jwt"
        attrs["jwt_restricted"] = jwt_restricted(first(jwt))
    mode = get(v, "network_configuration.network_mode")
    attrs["public_network"] = None if is_unknown(mode) or not isinstance(mode, str) else \
        {"PUBLIC": True, "VPC": False}.get(mode.upper())
    attrs["metadata_v2_required"] = as_bool(get(v, "metadata_configuration.require_mmdsv2"), False)
    attrs["secrets_in_env"] = secrets_in_env(get(v, "environment_variables"))
    attrs["invoke_policy_public"] = policy_public(policy)
    if role is not None:
        attrs["execution_role"] = role
    return attrs


# ----------------------------------------------------------------------------- AgentCore gateway and targets
_AUTHORIZERS = {"CUSTOM_JWT": "jwt", "AWS_IAM": "iam", "NONE": "none", "AUTHENTICATE_ONLY": "authenticate_only"}
_OUTBOUND = {"GATEWAY_IAM_ROLE": "iam", "OAUTH": "oauth", "API_KEY": "api_key", "CALLER_IAM_CREDENTIALS": "caller_iam",
             "JWT_PASSTHROUGH": "jwt_passthrough"}
_TF_OUTBOUND = {"gateway_iam_role": "iam", "oauth": "oauth", "api_key": "api_key"}  # Terraform: one block per type
# targets served inside the customer's AWS account (or by AWS itself)
_INTERNAL_TARGETS = {"lambda", "api_gateway", "agentcore_runtime", "smithy_model"}
_AWS_HOSTS = (".amazonaws.com", ".api.aws", ".amazonaws.com.cn")


def _enum(v: Any, table: dict[str, str], default: Any) -> Any:
    if v is None:
        return default
    if is_unknown(v) or not isinstance(v, str):
        return None
    return table.get(v.upper())


def target(v: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """One gateway target -> ({type, external, outbound_auth} or None when unknown, credential provider ARNs)."""
    tc = first(get(v, "target_configuration"))
    if is_unknown(tc) or not isinstance(tc, dict):
        return None, []
    kind, cfg = None, None
    for proto in ("mcp", "http", "inference"):
        sub = first(tc.get(proto))
        if is_unknown(sub):
            return None, []
        if isinstance(sub, dict):
            for k, x in sub.items():
                if x not in (None, [], {}):
                    kind, cfg = k, first(x)
                    break
        if kind:
            break
    if kind is None:
        return None, []
    endpoint = get(cfg, "endpoint")
    if kind in _INTERNAL_TARGETS:
        external: Any = False
    elif isinstance(endpoint, str) and endpoint:
        host = (urlsplit(endpoint).hostname or "").lower()
        external = not host.endswith(_AWS_HOSTS) if host else None
    elif is_unknown(endpoint):
        external = None
    else:
        external = True  # OpenAPI APIs and SaaS connectors: the endpoint is someone else's
    creds = get(v, "credential_provider_configurations")
    tf_creds = get(v, "credential_provider_configuration")
    if _unknown_in(creds, tf_creds):
        return None, []
    auths: list[Any] = []
    arns: list[str] = []
    for c in as_list(creds) or []:
        auths.append(_enum(get(c, "credential_provider_type"), _OUTBOUND, None))
        cp = first(get(c, "credential_provider"))
        for sub in (cp or {}).values() if isinstance(cp, dict) else ():
            arn = get(first(sub), "provider_arn")
            if isinstance(arn, str):
                arns.append(arn)
    for c in as_list(tf_creds) or []:
        for k, x in (c.items() if isinstance(c, dict) else ()):
            if x is None or x == []:
                continue  # an empty block (gateway_iam_role {}) is set
            auths.append(_TF_OUTBOUND.get(k))
            arn = get(first(x), "provider_arn")
            if isinstance(arn, str):
                arns.append(arn)
    if None in auths or external is None:
        return None, arns
    outbound = "api_key" if "api_key" in auths else (auths[0] if auths else "none")
    return {"type": kind, "external": external, "outbound_auth": outbound}, arns


def gateway(v: dict[str, Any], *, targets: list[dict[str, Any] | None] | None, role: dict[str, Any] | None = None,
            policy: Any = None) -> dict[str, Any]:
    """GetGateway (+ its targets) / ``aws_bedrockagentcore_gateway`` / ``AWS::BedrockAgentCore::Gateway`` -> agent_tool attrs."""
    attrs: dict[str, Any] = {"tool_type": "gateway"}
    at = get(v, "authorizer_type")
    attrs["inbound_auth"] = _enum(at, _AUTHORIZERS, None)
    if attrs["inbound_auth"] == "jwt":
        attrs["jwt_restricted"] = jwt_restricted(first(get(v, "authorizer_configuration.custom_jwt_authorizer")))
    attrs["encryption"] = cmk(get(v, "kms_key_arn"))
    pec = get(v, "policy_engine_configuration")
    attrs["policy_engine"] = "none" if pec in (None, [], {}) else _enum(get(pec, "mode"), {
        "ENFORCE": "enforce", "LOG_ONLY": "log_only"}, None)
    level = get(v, "exception_level")
    attrs["debug_errors"] = False if level is None else (None if is_unknown(level) else
                                                         (True if str(level).upper() == "DEBUG" else None))
    acl = get(v, "web_acl_arn")
    attrs["waf"] = "none" if acl is None else (None if is_unknown(acl) else _enum(
        get(v, "waf_configuration.failure_mode"), {"FAIL_CLOSE": "fail_close", "FAIL_OPEN": "fail_open"}, None))
    attrs["targets"] = None if targets is None or None in targets else list(targets)
    attrs["invoke_policy_public"] = policy_public(policy)
    if role is not None:
        attrs["execution_role"] = role
    return attrs


# ----------------------------------------------------------------------------- code interpreter, browser
def sandbox_tool(v: dict[str, Any], *, tool_type: str, role: dict[str, Any] | None = None) -> dict[str, Any]:
    """GetCodeInterpreter / GetBrowser / their Terraform and CloudFormation twins -> agent_tool attrs."""
    mode = get(v, "network_configuration.network_mode")
    attrs: dict[str, Any] = {"tool_type": tool_type, "network_isolated": None if is_unknown(mode) or not isinstance(mode, str)
                             else {"SANDBOX": True, "VPC": True, "PUBLIC": False}.get(mode.upper())}
    if tool_type == "browser":
        attrs["recording"] = as_bool(get(v, "recording.enabled"), False)
    if role is not None:
        attrs["execution_role"] = role
    return attrs


# ----------------------------------------------------------------------------- memory, identity
def memory(v: dict[str, Any], *, role: dict[str, Any] | None = None) -> dict[str, Any]:
    """GetMemory / ``aws_bedrockagentcore_memory`` / ``AWS::BedrockAgentCore::Memory`` -> knowledge_base attrs."""
    days = get(v, "event_expiry_duration")
    attrs: dict[str, Any] = {"encryption": cmk(get(v, "encryption_key_arn")),
                             "retention_days": int(days) if isinstance(days, (int, float)) and not isinstance(days, bool) else None}
    if role is not None:
        attrs["role"] = role
    return attrs


def credential_provider(v: dict[str, Any], *, auth_type: str) -> dict[str, Any]:
    """An API-key or OAuth2 credential provider -> ai_connection attrs (no secret is ever read)."""
    src = get(v, "api_key_secret_source") if auth_type == "key" else get(v, "client_secret_source")
    attrs: dict[str, Any] = {"auth_type": auth_type}
    if src is not None:
        attrs["secret_source"] = None if is_unknown(src) or not isinstance(src, str) else src.upper()
    return attrs


def token_vault(v: dict[str, Any]) -> dict[str, Any]:
    """GetTokenVault / ``aws_bedrockagentcore_token_vault_cmk`` -> encryption of the AgentCore ai_service."""
    kc = first(get(v, "kms_configuration"))
    kt, key = get(kc, "key_type"), get(kc, "kms_key_arn")
    if _unknown_in(kc, kt, key) or kc is None:
        return {"encryption": {"cmk": None, "key_id": None}}
    cm = {"CUSTOMERMANAGEDKEY": True, "SERVICEMANAGEDKEY": False}.get(str(kt).upper())
    return {"encryption": {"cmk": cm, "key_id": key if cm and isinstance(key, str) else None}}


# ----------------------------------------------------------------------------- Bedrock Flows
GENERATING = {"prompt", "knowledge_base"}  # the node types that take a guardrail
_TOOL_NODES = {"lambda_function", "agent", "inline_code", "lex"}


def _definition(v: dict[str, Any]) -> Any:
    """The flow definition (API ``definition``, CloudFormation ``Definition`` / ``DefinitionString``,
    awscc ``definition`` / ``definition_string``); UNKNOWN when only known at deploy time (an S3 location)."""
    d = get(v, "definition")
    if d is None:
        d = get(v, "definition_string")
        if isinstance(d, str):
            try:
                d = snake_keys(json.loads(d))
            except ValueError:
                return UNKNOWN
    if d is None and get(v, "definition_s3_location") is not None:
        return UNKNOWN
    return first(d) if not is_unknown(d) else UNKNOWN


def _node_type(n: dict[str, Any]) -> Any:
    t = get(n, "type")
    if is_unknown(t):
        return UNKNOWN
    if isinstance(t, str):
        from aiposture.normalize.values import snake

        return snake(t)
    cfg = first(get(n, "configuration"))
    keys = [k for k, x in cfg.items() if x not in (None, [], {})] if isinstance(cfg, dict) else []
    return keys[0] if len(keys) == 1 else UNKNOWN


def nodes(defn: Any, depth: int = 0) -> Iterator[dict[str, Any] | Any]:
    """Every node of a definition, loops included (UNKNOWN is yielded for what cannot be read)."""
    if depth > 16 or is_unknown(defn):
        yield UNKNOWN
        return
    ns = get(defn, "nodes")
    if ns is None:
        ns = get(defn, "node")  # Terraform block name
    ns = as_list(ns)
    if is_unknown(ns):
        yield UNKNOWN
        return
    for n in ns or []:
        if not isinstance(n, dict):
            yield UNKNOWN
            continue
        yield n
        inner = get(n, "configuration.loop.definition")
        if inner is not None:
            yield from nodes(first(inner), depth + 1)


def flow(v: dict[str, Any], *, role: dict[str, Any] | None = None,
         alias_on_draft: Any = False) -> tuple[dict[str, Any], list[str], list[tuple[str, bool]]]:
    """GetFlow / GetFlowVersion / ``aws_bedrockagent_flow`` / ``AWS::Bedrock::Flow`` ->
    (agent attrs, guardrail ids used, [(prompt ARN without version, or "" when unknown; guarded)])."""
    attrs: dict[str, Any] = {"encryption": cmk(get(v, "customer_encryption_key_arn")), "alias_on_draft": alias_on_draft}
    if role is not None:
        attrs["execution_role"] = role
    needing = guarded = tools = 0
    code: Any = False
    unknown = False
    ids: list[str] = []
    versions: list[Any] = []
    prompts: list[tuple[str, bool]] = []
    for n in nodes(_definition(v)):
        if is_unknown(n):
            unknown = True
            continue
        t = _node_type(n)
        if is_unknown(t):
            unknown = True
            continue
        cfg = first(get(n, f"configuration.{t}"))
        if t in _TOOL_NODES:
            tools += 1
            code = True if t == "inline_code" else code
        if t not in GENERATING:
            continue
        if t == "knowledge_base":
            model = get(cfg, "model_id")
            if is_unknown(model):
                unknown = True
                continue
            if not model:
                continue  # retrieval only: nothing generated, nothing to guard
        needing += 1
        gc = first(get(cfg, "guardrail_configuration"))
        gid, gver = get(gc, "guardrail_identifier"), get(gc, "guardrail_version")
        if _unknown_in(gc, gid):
            unknown = True
            continue
        ok = isinstance(gid, str) and gid != ""
        if ok:
            guarded += 1
            ids.append(gid)
            versions.append(None if is_unknown(gver) else gver)
        if t == "prompt":
            arn = get(cfg, "source_configuration.resource.prompt_arn")
            if isinstance(arn, str) and arn:
                prompts.append((prompt_base(arn), ok))
            elif is_unknown(arn):
                prompts.append(("", ok))  # a prompt known only at deploy time (the IaC builder resolves the reference)
    if unknown:
        attrs["content_filter"] = None
        attrs["action_groups"] = None
        return attrs, ids, prompts
    if needing:
        version = None
        if guarded == needing:
            version = "DRAFT" if any(x in (None, "", "DRAFT") for x in versions) else \
                (str(versions[0]) if not str(versions[0]).startswith("${") else "published")
        attrs["content_filter"] = {"attached": guarded == needing, "id": ids[0] if ids else None, "version": version}
    attrs["action_groups"] = {"count": tools, "code_interpreter": code}
    return attrs, ids, prompts


def prompt_base(arn: str) -> str:
    """A prompt ARN without its ``:version`` suffix (flows may pin ``prompt/ID:3``)."""
    head, _, tail = arn.rpartition("/")
    return f"{head}/{tail.split(':', 1)[0]}" if head else arn


# ----------------------------------------------------------------------------- Prompt management
def prompt(v: dict[str, Any], *, used_unguarded: Any = False) -> dict[str, Any]:
    """GetPrompt / ``awscc_bedrock_prompt`` / ``AWS::Bedrock::Prompt`` -> prompt_template attrs.

    Prompt variants have no guardrail setting: a prompt is judged by where it is used
    (``used_unguarded``: some flow Prompt node runs it without a guardrail)."""
    raw = get(v, "variants")
    variants = as_list(get(v, "variant") if raw is None else raw)  # Terraform: one block per variant
    tool_use: Any = False
    if is_unknown(variants):
        tool_use = None
    else:
        for var in variants or []:
            tc = get(var, "template_configuration.chat.tool_configuration")
            if is_unknown(tc):
                tool_use = None
                break
            if tc not in (None, [], {}):
                tool_use = True
    return {"encryption": cmk(get(v, "customer_encryption_key_arn")), "tool_use": tool_use, "used_unguarded": used_unguarded}
