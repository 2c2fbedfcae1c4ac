"""Live collector for Amazon Bedrock AgentCore, Bedrock Flows and Prompt management (one account x region).

Called from :meth:`aws_bedrock.AccountScan.collect_region`, with the same failure model: a list
call that fails is a scope error for the kinds it would have listed; a Get about one item makes
that item's attributes null (``partial``); a malformed item is an error, never "nothing set".

AgentCore (``bedrock-agentcore-control``): runtimes (+ resource policy) -> ``agent``; gateways
(+ targets, resource policy) -> ``agent_tool``; custom code interpreters and browsers ->
``agent_tool``; memories -> ``knowledge_base``; API-key and OAuth2 credential providers ->
``ai_connection``; the token vault -> encryption of the region's AgentCore ``ai_service``.
Flows and prompts (``bedrock-agent``): every flow's DRAFT, one resource per alias that serves a
numbered version, every prompt. Each flow is a referrer of the guardrails its nodes use (the
linker marks them attached). The calls and their IAM actions are listed in ``aiposture.specs.aws``.

Secrets: GetAgentRuntime returns environment variable values in clear; they are dropped here,
before anything else sees the response (only the names reach the normaliser). Credential
provider reads return Secrets Manager ARNs only; no secret-reading call is ever made.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiposture.collect.aws_session import classify
from aiposture.collect.aws_transport import MalformedResponse
from aiposture.normalize import aws_agents as na
from aiposture.normalize.values import snake_keys

if TYPE_CHECKING:
    from aiposture.collect.aws_bedrock import AccountScan
    from aiposture.link import Linker

SVC = "bedrock-agentcore-control"
AGENTCORE_KINDS = ["agent", "agent_tool", "knowledge_base", "ai_connection", "ai_service"]

# attrs each native type gets when its details cannot be read: all null, so every rule reading them says 'error'
UNKNOWN_ATTRS: dict[str, tuple[str, ...]] = {
    "AWS::BedrockAgentCore::Runtime": ("inbound_auth", "jwt_restricted", "public_network", "metadata_v2_required", "secrets_in_env",
                                       "invoke_policy_public", "execution_role"),
    "AWS::BedrockAgentCore::Gateway": ("tool_type", "inbound_auth", "jwt_restricted", "encryption", "policy_engine", "debug_errors", "waf",
                                       "targets", "invoke_policy_public", "execution_role"),
    "AWS::BedrockAgentCore::CodeInterpreterCustom": ("tool_type", "network_isolated", "execution_role"),
    "AWS::BedrockAgentCore::BrowserCustom": ("tool_type", "network_isolated", "recording", "execution_role"),
    "AWS::BedrockAgentCore::Memory": ("encryption", "retention_days"),
    "AWS::BedrockAgentCore::ApiKeyCredentialProvider": ("auth_type",),
    "AWS::BedrockAgentCore::OAuth2CredentialProvider": ("auth_type",),
    "AWS::Bedrock::Flow": ("content_filter", "encryption", "execution_role", "action_groups", "alias_on_draft"),
    "AWS::Bedrock::FlowAlias": ("content_filter", "encryption", "execution_role", "action_groups", "alias_on_draft"),
    "AWS::Bedrock::Prompt": ("encryption", "tool_use", "used_unguarded"),
}


def _name_not_found(e: BaseException) -> bool:
    """The endpoint's host name does not exist (DNS): AgentCore is not offered in that region."""
    seen: set[int] = set()
    node: BaseException | None = e
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, socket.gaierror) and node.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return True
        inner = getattr(node, "kwargs", {}).get("error") if isinstance(getattr(node, "kwargs", None), dict) else None
        node = inner if isinstance(inner, BaseException) else (node.__cause__ or node.__context__)
    return False


def _code(e: BaseException) -> str:
    return classify(e)[0]


class RegionAgents:
    """AgentCore, Flows and Prompts of one account and region."""

    def __init__(self, scan: AccountScan, region: str):
        self.scan, self.region = scan, region
        self.ac = scan.client(SVC, region)
        self.ag = scan.client("bedrock-agent", region)
        self.provider_targets: dict[str, str] = {}  # credential provider ARN -> what a gateway target reaches

    # ------------------------------------------------------------------ helpers
    def emit(self, build: Callable[..., dict[str, Any]], *args: Any, id: str, kind: str, native: str, name: str,
             what: str, service: str = SVC) -> None:
        try:
            attrs = build(*args)
        except Exception as e:
            self.scan.fail(f"{what} {name}", e, [kind], self.region, partial=True, service=service)
            attrs = dict.fromkeys(UNKNOWN_ATTRS[native])
        self.scan.resource(id=id, kind=kind, native=native, name=name, attrs=attrs, region=self.region)

    def role(self, arn: Any) -> dict[str, Any] | None:
        return self.scan.role_facts(arn) if isinstance(arn, str) and arn else None

    def policy(self, arn: str, what: str, kind: str) -> Any:
        """The resource-based policy document of a runtime or gateway: None when there is none; a failure
        is reported and returns ``_UNREADABLE`` (which the normaliser reads as unknown)."""
        from botocore.exceptions import ClientError

        try:
            doc = self.ac.get_resource_policy(resourceArn=arn).get("policy")
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            self.scan.fail(f"resource policy of {what}", e, [kind], self.region, partial=True, service=SVC)
            return _UNREADABLE
        except Exception as e:
            self.scan.fail(f"resource policy of {what}", e, [kind], self.region, partial=True, service=SVC)
            return _UNREADABLE
        if doc is not None and not isinstance(doc, str):
            raise MalformedResponse("GetResourcePolicy: policy is not a string")
        return doc

    # ------------------------------------------------------------------ entry point
    def collect(self, links: Linker) -> None:
        """Everything of the region; flows are referrers of the guardrails their nodes use (``links``)."""
        self.flows_and_prompts(links)
        self.agentcore()

    # ------------------------------------------------------------------ AgentCore
    def agentcore(self) -> None:
        try:
            runtimes = list(_pages(self.ac, "list_agent_runtimes", "agentRuntimes"))
        except Exception as e:
            if _name_not_found(e):
                self.scan.ctx.rec.note(f"{self.scan.id}/{self.region}: Bedrock AgentCore is not offered in this region "
                                       "(its endpoint name does not resolve); skipped")
                return
            self.scan.fail("AgentCore runtimes", e, ["agent"], self.region, service=SVC)
            if _code(e) == "EndpointUnreachable":
                self.scan.fail("AgentCore", e, AGENTCORE_KINDS, self.region, service=SVC)
                return
            runtimes = []
        for s in runtimes:
            try:
                rid = _need(s, "agentRuntimeId", "an agent runtime")
                arn = _need(s, "agentRuntimeArn", "an agent runtime")
            except MalformedResponse as e:
                self.scan.fail("AgentCore runtimes", e, ["agent"], self.region, service=SVC)
                continue
            name = str(s.get("agentRuntimeName") or rid)
            self.emit(self._runtime, rid, arn, name, id=arn, kind="agent", native="AWS::BedrockAgentCore::Runtime",
                      name=name, what="AgentCore runtime")
        self._gateways()
        self._tools("list_code_interpreters", "codeInterpreterSummaries", "codeInterpreterId", "codeInterpreterArn",
                    "get_code_interpreter", "code_interpreter", "AWS::BedrockAgentCore::CodeInterpreterCustom")
        self._tools("list_browsers", "browserSummaries", "browserId", "browserArn", "get_browser", "browser",
                    "AWS::BedrockAgentCore::BrowserCustom")
        for mid, s in self.scan.listed(self.ac, "list_memories", "memories", "id", what="AgentCore memories",
                                       kind="knowledge_base", region=self.region, service=SVC):
            arn = str(s.get("arn") or self._arn(f"memory/{mid}"))
            self.emit(self._memory, mid, id=arn, kind="knowledge_base", native="AWS::BedrockAgentCore::Memory",
                      name=mid, what="AgentCore memory")
        self._credential_providers()
        self._token_vault()

    def _arn(self, suffix: str) -> str:
        return f"arn:{self.scan.partition}:bedrock-agentcore:{self.region}:{self.scan.id}:{suffix}"

    def _runtime(self, rid: str, arn: str, name: str) -> dict[str, Any]:
        resp = dict(self.ac.get_agent_runtime(agentRuntimeId=rid))
        env = resp.pop("environmentVariables", None)  # values are secrets: only the names go on
        names = dict.fromkeys(env) if isinstance(env, dict) else None
        del env
        v = snake_keys(resp)
        v["environment_variables"] = names
        return na.runtime(v, role=self.role(resp.get("roleArn")), policy=self.policy(arn, f"runtime {name}", "agent"))

    def _gateways(self) -> None:
        for gid, s in self.scan.listed(self.ac, "list_gateways", "items", "gatewayId", what="AgentCore gateways",
                                       kind="agent_tool", region=self.region, service=SVC):
            name = str(s.get("name") or gid)
            gw: dict[str, Any] = {}
            self.emit(self._gateway, gid, name, gw, id=self._arn(f"gateway/{gid}"), kind="agent_tool",
                      native="AWS::BedrockAgentCore::Gateway", name=name, what="AgentCore gateway")

    def _gateway(self, gid: str, name: str, into: dict[str, Any]) -> dict[str, Any]:
        g = self.ac.get_gateway(gatewayIdentifier=gid)
        arn = str(g.get("gatewayArn") or self._arn(f"gateway/{gid}"))
        targets: list[dict[str, Any] | None] | None = []
        try:
            for t in _pages(self.ac, "list_gateway_targets", "items", gatewayIdentifier=gid):
                tid = _need(t, "targetId", "a gateway target")
                item, arns = na.target(snake_keys(self.ac.get_gateway_target(gatewayIdentifier=gid, targetId=tid)))
                if item is None:
                    raise MalformedResponse(f"gateway target {tid}: a target type or credential type this version does not know")
                targets.append(item)  # type: ignore[union-attr]
                for p in arns:
                    self.provider_targets.setdefault(p, arn)
        except Exception as e:
            self.scan.fail(f"targets of gateway {name}", e, ["agent_tool"], self.region, partial=True, service=SVC)
            targets = None
        return na.gateway(snake_keys(g), targets=targets, role=self.role(g.get("roleArn")),
                          policy=self.policy(arn, f"gateway {name}", "agent_tool"))

    def _tools(self, list_op: str, key: str, ident: str, arn_key: str, get_op: str, tool: str, native: str) -> None:
        label = tool.replace("_", " ")
        for tid, s in self.scan.listed(self.ac, list_op, key, ident, what=f"AgentCore {label}s", kind="agent_tool",
                                       region=self.region, service=SVC, type="CUSTOM"):
            name = str(s.get("name") or tid)

            def build(tid: str = tid) -> dict[str, Any]:
                d = getattr(self.ac, get_op)(**{ident: tid})
                return na.sandbox_tool(snake_keys(d), tool_type=tool, role=self.role(d.get("executionRoleArn")))

            self.emit(build, id=str(s.get(arn_key) or tid), kind="agent_tool", native=native, name=name,
                      what=f"AgentCore {label}")

    def _memory(self, mid: str) -> dict[str, Any]:
        m = self.ac.get_memory(memoryId=mid).get("memory")
        if not isinstance(m, dict):
            raise MalformedResponse("GetMemory: the response has no memory")
        return na.memory(snake_keys(m), role=self.role(m.get("memoryExecutionRoleArn")))

    def _credential_providers(self) -> None:
        for list_op, get_op, auth, native in (
                ("list_api_key_credential_providers", "get_api_key_credential_provider", "key",
                 "AWS::BedrockAgentCore::ApiKeyCredentialProvider"),
                ("list_oauth2_credential_providers", "get_oauth2_credential_provider", "oauth",
                 "AWS::BedrockAgentCore::OAuth2CredentialProvider")):
            for arn, s in self.scan.listed(self.ac, list_op, "credentialProviders", "credentialProviderArn",
                                           what="AgentCore credential providers", kind="ai_connection",
                                           region=self.region, service=SVC):
                name = str(s.get("name") or arn.rsplit("/", 1)[-1])

                def build(name: str = name, arn: str = arn, get_op: str = get_op, auth: str = auth) -> dict[str, Any]:
                    attrs = na.credential_provider(snake_keys(getattr(self.ac, get_op)(name=name)), auth_type=auth)
                    if arn in self.provider_targets:
                        attrs["target"] = self.provider_targets[arn]
                    return attrs

                self.emit(build, id=arn, kind="ai_connection", native=native, name=name,
                          what="AgentCore credential provider")

    def _token_vault(self) -> None:
        from botocore.exceptions import ClientError

        try:
            attrs = na.token_vault(snake_keys(self.ac.get_token_vault()))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return  # no token vault in this region yet: nothing stored to encrypt
            self.scan.fail("AgentCore token vault", e, ["ai_service"], self.region, partial=True, service=SVC)
            attrs = {"encryption": None}
        except Exception as e:
            self.scan.fail("AgentCore token vault", e, ["ai_service"], self.region, partial=True, service=SVC)
            attrs = {"encryption": None}
        self.scan.resource(id=self._arn("token-vault/default"), kind="ai_service",
                           native="AWS::BedrockAgentCore::TokenVault", name=f"AgentCore {self.scan.id} {self.region}",
                           attrs=attrs, region=self.region)

    # ------------------------------------------------------------------ Flows and prompts
    def flows_and_prompts(self, links: Linker) -> None:
        unguarded: set[str] = set()
        complete = True  # every flow definition was read: a prompt not found unguarded is really not
        try:
            flows = list(_pages(self.ag, "list_flows", "flowSummaries"))
        except Exception as e:
            self.scan.fail("flows", e, ["agent"], self.region, service="bedrock-agent")
            flows, complete = [], False
        for s in flows:
            try:
                fid = _need(s, "id", "a flow")
            except MalformedResponse as e:
                self.scan.fail("flows", e, ["agent"], self.region, service="bedrock-agent")
                complete = False
                continue
            name = str(s.get("name") or fid)
            arn = str(s.get("arn") or self.scan.arn(self.region, f"flow/{fid}"))
            out: dict[str, Any] = {}
            self.emit(self._flow, fid, name, None, out, id=arn, kind="agent", native="AWS::Bedrock::Flow",
                      name=f"{name} (DRAFT)", what="flow", service="bedrock-agent")
            complete = self._note_uses(out, links, "AWS::Bedrock::Flow", unguarded) and complete
            for alias_id, alias_name, ver, alias_arn in out.get("aliases", []):
                a_out: dict[str, Any] = {}
                self.emit(self._flow, fid, name, ver, a_out, id=str(alias_arn or f"{arn}/alias/{alias_id}"), kind="agent",
                          native="AWS::Bedrock::FlowAlias", name=f"{name} (alias {alias_name} -> v{ver})",
                          what="flow alias", service="bedrock-agent")
                complete = self._note_uses(a_out, links, "AWS::Bedrock::FlowAlias", unguarded) and complete
        for pid, s in self.scan.listed(self.ag, "list_prompts", "promptSummaries", "id", what="prompts",
                                       kind="prompt_template", region=self.region, service="bedrock-agent"):
            name = str(s.get("name") or pid)
            base = na.prompt_base(str(s.get("arn") or self.scan.arn(self.region, f"prompt/{pid}")))
            # unknown when some flow could not be read: it may be the one running this prompt unguarded
            use: Any = True if base in unguarded else (False if complete else None)

            def build(pid: str = pid, use: Any = use) -> dict[str, Any]:
                return na.prompt(snake_keys(self.ag.get_prompt(promptIdentifier=pid)), used_unguarded=use)

            self.emit(build, id=base, kind="prompt_template", native="AWS::Bedrock::Prompt", name=name, what="prompt",
                      service="bedrock-agent")

    @staticmethod
    def _note_uses(out: dict[str, Any], links: Linker, native: str, unguarded: set[str]) -> bool:
        if "ids" not in out:
            return False  # the definition could not be read
        for gid in out["ids"]:  # each guarded node's configuration refers to its guardrail
            links.refer(native, {"guardrailConfiguration": {"guardrailIdentifier": gid}})
        unguarded.update(p for p, ok in out["prompts"] if not ok)
        return bool(out["complete"])

    def _flow(self, fid: str, name: str, version: str | None, out: dict[str, Any]) -> dict[str, Any]:
        if version is None:
            f = self.ag.get_flow(flowIdentifier=fid)
        else:
            f = self.ag.get_flow_version(flowIdentifier=fid, flowVersion=version)
        on_draft: Any = False
        if version is None:  # the DRAFT carries what its aliases serve
            aliases = []
            try:
                for a in _pages(self.ag, "list_flow_aliases", "flowAliasSummaries", flowIdentifier=fid):
                    aid = _need(a, "id", "a flow alias")
                    for route in a.get("routingConfiguration") or []:
                        ver = route.get("flowVersion") if isinstance(route, dict) else None
                        if not isinstance(ver, str) or not ver:
                            raise MalformedResponse(f"flow alias {aid}: a route without flowVersion")
                        if ver == "DRAFT":
                            on_draft = True
                        else:
                            aliases.append((aid, str(a.get("name") or aid), ver, a.get("arn")))
            except Exception as e:
                self.scan.fail(f"aliases of flow {name}", e, ["agent"], self.region, partial=True, service="bedrock-agent")
                on_draft = None
            out["aliases"] = aliases
        v = {k: x for k, x in f.items() if k != "ResponseMetadata"}
        attrs, ids, prompts = na.flow(snake_keys(v), role=self.role(f.get("executionRoleArn")), alias_on_draft=on_draft)
        out.update(ids=ids, prompts=prompts, complete=attrs.get("content_filter", {}) is not None)
        return attrs


_UNREADABLE = object()


def _need(d: Any, key: str, what: str) -> str:
    v = d.get(key) if isinstance(d, dict) else None
    if not isinstance(v, str) or not v:
        raise MalformedResponse(f"{what} without {key}")
    return v


def _pages(client: Any, op: str, key: str, **kw: Any) -> Any:
    from aiposture.collect.aws_bedrock import pages

    return pages(client, op, key, **kw)


def collect(scan: AccountScan, region: str, links: Linker) -> None:
    """AgentCore, Flows and Prompts of one account and region (flows refer to guardrails through ``links``)."""
    RegionAgents(scan, region).collect(links)
