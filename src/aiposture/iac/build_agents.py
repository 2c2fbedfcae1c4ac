"""IaC -> inventory for Bedrock AgentCore, Bedrock Flows and Prompt management.

Terraform (``aws_bedrockagentcore_*``, ``aws_bedrockagent_flow`` / ``_prompt``, the ``awscc_*``
twins) and CloudFormation (``AWS::BedrockAgentCore::*``, ``AWS::Bedrock::Flow`` / ``Prompt``) share
the API's field names in snake_case, so the normalisers of :mod:`aiposture.normalize.aws_agents`
read all of them. The IaC types are listed in the specs (``aiposture.specs.aws``, builders
``agc_*``). Context resolved inside one configuration: gateway targets -> their gateway, resource
policies -> the runtime or gateway they protect, flow aliases -> their flow (DRAFT routing), flow
Prompt nodes -> the prompts they run (unguarded use), credential providers -> the gateway targets
that use them. Guardrails used by flow nodes are "attached" through the specs' links (aiposture.link).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiposture.normalize import aws_agents as na
from aiposture.normalize.values import get, is_unknown

if TYPE_CHECKING:
    from aiposture.iac.base import RawResource
    from aiposture.iac.build import Graph
    from aiposture.inventory import Resource

_PROMPT_PATH = "source_configuration.resource.prompt_arn"


def _referrers(g: Graph, target: RawResource, canon: str, suffix: str | None = None) -> list[tuple[RawResource, str]]:
    """(referrer, path) of the given canonical type, optionally only through paths ending in ``suffix``."""
    out = []
    for r, p in g.rev.get(id(target), ()):
        if g.canon.get(r.type) == canon and (suffix is None or p.endswith(suffix)) and (r, p) not in out:
            out.append((r, p))
    return out


_KEY_PATHS = ("kms_key_arn", "encryption_key_arn", "customer_encryption_key_arn")


def _keys_set(r: RawResource) -> dict[str, Any]:
    """The values with a key ARN that refers to a key of the configuration (CloudFormation ``!GetAtt Key.Arn``,
    unknown until deployed) counted as set: it is certainly a customer-managed key."""
    v = r.values
    fixed = {p: "${" + r.refs[p][0] + "}" for p in _KEY_PATHS if is_unknown(v.get(p)) and r.refs.get(p)}
    return {**v, **fixed} if fixed else v


def _policy(g: Graph, r: RawResource) -> Any:
    """The resource policy declared for a runtime or gateway in this configuration (None: none declared)."""
    for p, _ in _referrers(g, r, "agc_policy"):
        return get(p.values, "policy")
    return None


def _flow_attrs(g: Graph, r: RawResource) -> tuple[dict[str, Any], list[str], list[tuple[str, bool]]]:
    from aiposture.iac.build import _role

    on_draft: Any = False
    for a, _ in _referrers(g, r, "agc_flow_alias"):
        for route in get(a.values, "routing_configuration") or []:
            ver = get(route, "flow_version")
            if is_unknown(ver):
                on_draft = None if on_draft is False else on_draft
            elif ver == "DRAFT":
                on_draft = True
    return na.flow(_keys_set(r), role=_role(g, r, "execution_role_arn"), alias_on_draft=on_draft)


def build(g: Graph, r: RawResource, canon: str) -> list[Resource]:
    """Inventory resources for one AgentCore / Flows / Prompts IaC resource (link-only types give none)."""
    from aiposture import specs
    from aiposture.iac.build import _mk, _role

    v = _keys_set(r)
    native = specs.iac_native(canon)
    if canon == "agc_runtime":
        attrs = na.runtime(v, role=_role(g, r, "role_arn"), policy=_policy(g, r))
        return [_mk(r, "aws", "agent", attrs, native=native)]
    if canon == "agc_gateway":
        targets: list[dict[str, Any] | None] = []
        for t, _ in _referrers(g, r, "agc_target", "gateway_identifier"):
            targets.append(na.target(t.values)[0])
        attrs = na.gateway(v, targets=targets, role=_role(g, r, "role_arn"), policy=_policy(g, r))
        return [_mk(r, "aws", "agent_tool", attrs, native=native)]
    if canon in ("agc_code", "agc_browser"):
        attrs = na.sandbox_tool(v, tool_type="code_interpreter" if canon == "agc_code" else "browser",
                                role=_role(g, r, "execution_role_arn"))
        return [_mk(r, "aws", "agent_tool", attrs, native=native)]
    if canon == "agc_memory":
        attrs = na.memory(v, role=_role(g, r, "memory_execution_role_arn"))
        return [_mk(r, "aws", "knowledge_base", attrs, native=native)]
    if canon in ("agc_apikey", "agc_oauth"):
        attrs = na.credential_provider(v, auth_type="key" if canon == "agc_apikey" else "oauth")
        users = [t for t, p in g.rev.get(id(r), ()) if g.canon.get(t.type) == "agc_target"]
        gws = [gw for t in users for gw in [g.target(t, "gateway_identifier")] if gw is not None]
        if gws:
            attrs["target"] = gws[0].id
        return [_mk(r, "aws", "ai_connection", attrs, native=native)]
    if canon == "agc_vault":
        return [_mk(r, "aws", "ai_service", na.token_vault(v), native=native)]
    if canon == "agc_flow":
        attrs, _, _ = _flow_attrs(g, r)
        return [_mk(r, "aws", "agent", attrs, native=native)]
    if canon == "agc_prompt":
        used: Any = False
        placeholder = "${" + r.address + "}"
        for f, path in _referrers(g, r, "agc_flow", _PROMPT_PATH):
            _, _, prompts = _flow_attrs(g, f)
            if any(arn == placeholder and not ok for arn, ok in prompts):
                used = True
            elif used is False and any(arn == "" and not ok for arn, ok in prompts):
                # an unguarded node runs a prompt known at deploy time: this one if it is the flow's only prompt
                used = True if len(set(f.refs.get(path, []))) == 1 else None
        return [_mk(r, "aws", "prompt_template", na.prompt(_keys_set(r), used_unguarded=used), native=native)]
    return []  # policies, targets, flow versions and aliases: read for the links above
