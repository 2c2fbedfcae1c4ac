"""Live collector for Amazon Bedrock: accounts x regions -> inventory resources.

Per account (once): IAM (who may invoke models, Bedrock API keys, execution
role privileges). Per account and region: invocation logging, account-level
enforced guardrails, data retention, VPC endpoints, CloudTrail coverage,
guardrails and their versions, agents and action groups, knowledge bases and
data sources, custom models, customization jobs, provisioned throughputs and
application inference profiles. Training and RAG buckets are checked for
versioning, object lock and public access blocks (data poisoning).

Every block of calls is guarded: a failure is recorded with the kinds it
leaves unchecked, the attribute it would have filled becomes ``null``
(unknown), and the scan carries on. Only read operations are called; the
list in :data:`IAM_ACTIONS` is the policy ``aiposture permissions aws`` prints.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from aiposture.collect.aws_session import (
    Account,
    AwsOptions,
    assume,
    bedrock_regions,
    caller_identity,
    classify,
    make_client,
    new_session,
    org_accounts,
)
from aiposture.collect.base import Clock, Progress, Recorder, Task, guarded, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.normalize import aws as naws
from aiposture.normalize.values import snake_keys

# Every read the collector makes, as IAM actions (tests check the collector calls nothing else).
IAM_ACTIONS = sorted([
    "bedrock:GetModelInvocationLoggingConfiguration", "bedrock:ListEnforcedGuardrailsConfiguration",
    "bedrock:GetAccountDataRetention", "bedrock:ListGuardrails", "bedrock:GetGuardrail",
    "bedrock:ListCustomModels", "bedrock:GetCustomModel", "bedrock:ListModelCustomizationJobs",
    "bedrock:GetModelCustomizationJob", "bedrock:ListProvisionedModelThroughputs", "bedrock:ListInferenceProfiles",
    "bedrock:ListAgents", "bedrock:GetAgent", "bedrock:ListAgentActionGroups", "bedrock:GetAgentActionGroup",
    "bedrock:ListAgentAliases", "bedrock:GetAgentVersion",
    "bedrock:ListKnowledgeBases", "bedrock:GetKnowledgeBase", "bedrock:ListDataSources", "bedrock:GetDataSource",
    "iam:GetAccountAuthorizationDetails", "iam:ListServiceSpecificCredentials",
    "ec2:DescribeVpcEndpoints", "ec2:DescribeRegions",
    "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
    "s3:GetBucketVersioning", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketPublicAccessBlock",
    "organizations:ListAccounts", "sts:AssumeRole",
])
# botocore operation -> IAM action where the names differ
ACTION_OF = {
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("bedrock-agent", "*"): "bedrock",
}
BEDROCK_SERVICES = ("bedrock-runtime", "bedrock-agent-runtime", "bedrock")
NOT_ENABLED = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action a botocore call needs (``bedrock-agent`` actions live under ``bedrock:``)."""
    if (service, operation) in ACTION_OF:
        return ACTION_OF[(service, operation)]
    prefix = {"bedrock-agent": "bedrock"}.get(service, service)
    return f"{prefix}:{operation}"


def policy_document() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AiPostureReadOnly", "Effect": "Allow", "Action": IAM_ACTIONS, "Resource": "*"},
    ]}


def pages(client, op: str, key: str, **kw) -> Iterator[dict[str, Any]]:
    """Every item of a list call: botocore paginators where they exist, else nextToken/Marker by hand."""
    if client.can_paginate(op):
        for page in client.get_paginator(op).paginate(**kw):
            yield from page.get(key, [])
        return
    call = getattr(client, op)
    token_in = token_out = None
    while True:
        page = call(**kw)
        yield from page.get(key, [])
        for ti, to in (("nextToken", "nextToken"), ("Marker", "Marker"), ("NextToken", "NextToken")):
            if page.get(to):
                token_in, token_out = ti, page[to]
                break
        else:
            return
        if page.get("IsTruncated") is False:
            return
        kw[token_in] = token_out


def _age_days(when: Any) -> int | None:
    if not isinstance(when, _dt.datetime):
        return None
    return (_dt.datetime.now(_dt.UTC) - when.astimezone(_dt.UTC)).days


def _known_managed(name: str) -> Any:
    """What a well-known AWS managed policy grants, when the account snapshot did not include its document."""
    if name in naws.ADMIN_MANAGED:
        return {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    if name in naws.BROAD_MANAGED:
        return {"Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}
    return None  # unknown document: no invoke grant can be shown


def _bucket_of(uri: Any) -> str | None:
    if not isinstance(uri, str):
        return None
    if uri.startswith("s3://"):
        return uri[5:].split("/", 1)[0] or None
    if uri.startswith("arn:") and ":s3:::" in uri:
        return uri.split(":::", 1)[1].split("/", 1)[0] or None
    return None


class AccountScan:
    """Collection for one account: IAM once, then any number of regions (thread-safe)."""

    def __init__(self, account: Account, opts: AwsOptions, rec: Recorder):
        self.account, self.opts, self.rec = account, opts, rec
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._iam: dict[str, Any] | None = None
        self._iam_error: tuple[str, str] | None = None
        self._iam_lock = threading.Lock()
        self._buckets: dict[str, dict[str, Any] | None] = {}
        self._bucket_lock = threading.Lock()

    # ------------------------------------------------------------------ helpers
    def client(self, service: str, region: str | None):
        """One client per service and region for this account (clients are thread-safe once built)."""
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
        if c is None:
            c = make_client(self.account.session, service, region, self.opts, self.rec.count_call)
            with self._lock:
                c = self._clients.setdefault(key, c)
        return c

    def guard(self, what: str, kinds, region: str = "", partial: bool = False, **extra) -> Any:
        return guarded(self.rec, what, kinds=kinds, classify=classify, partial=partial, account=self.account.id,
                       region=region or None, **extra)

    def arn(self, region: str, suffix: str) -> str:
        return f"arn:{self.account.partition}:bedrock:{region}:{self.account.id}:{suffix}"

    def resource(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], region: str,
                 tags: dict[str, str] | None = None, raw: Any = None) -> dict[str, Any]:
        r = make_resource(id=id, provider="aws", kind=kind, native_type=native, name=name, attrs=attrs,
                          account=self.account.id, region=region, tags=tags)
        if raw is not None:
            r["raw"] = raw
        self.rec.add(r)
        return r

    # ------------------------------------------------------------------ IAM (account-wide)
    def iam(self) -> dict[str, Any] | None:
        """Snapshot of principals and policies (GetAccountAuthorizationDetails), computed once per account."""
        with self._iam_lock:
            if self._iam is None and self._iam_error is None:
                try:
                    c = self.client("iam", None)
                    snap: dict[str, Any] = {"users": [], "roles": [], "groups": [], "policies": {}}
                    for page in c.get_paginator("get_account_authorization_details").paginate():
                        snap["users"] += page.get("UserDetailList", [])
                        snap["roles"] += page.get("RoleDetailList", [])
                        snap["groups"] += page.get("GroupDetailList", [])
                        for p in page.get("Policies", []):
                            default = next((v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
                            snap["policies"][p["Arn"]] = {"name": p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1], "doc": (default or {}).get("Document")}
                    self._iam = snap
                except Exception as e:
                    self._iam_error = classify(e)
            return self._iam

    @staticmethod
    def _principal_docs(p: dict[str, Any], inline_key: str) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
        """(inline (name, document) pairs, attached managed (arn, name) pairs) of a principal."""
        inline = [(x.get("PolicyName", ""), x.get("PolicyDocument")) for x in p.get(inline_key, [])]
        return inline, [(m.get("PolicyArn", ""), m.get("PolicyName", "")) for m in p.get("AttachedManagedPolicies", [])]

    def role_facts(self, role_arn: str | None) -> dict[str, Any] | None:
        """{id, admin, wildcard_actions} of a role; the privileges are null when IAM could not be read."""
        if not role_arn:
            return None
        snap = self.iam()
        if snap is None:
            return {"id": role_arn, "admin": None, "wildcard_actions": None}
        role = next((r for r in snap["roles"] if r.get("Arn") == role_arn), None)
        if role is None:  # a role in another account, or deleted: cannot judge
            return {"id": role_arn, "admin": None, "wildcard_actions": None}
        inline, managed = self._principal_docs(role, "RolePolicyList")
        docs = [d for _, d in inline] + [snap["policies"].get(arn, {}).get("doc") for arn, _ in managed
                                          if arn in snap["policies"]]
        return {"id": role_arn, **naws.role_privileges(docs, [n for _, n in managed])}

    def collect_iam(self) -> None:
        acct = self.account.id
        snap = self.iam()
        if snap is None:
            code, msg = self._iam_error or ("Error", "unknown")
            self.rec.error(f"IAM authorization details: {msg}", code=code, kinds=["identity_binding"], account=acct,
                           service="iam")
        else:
            kinds = (("user", "users", "UserPolicyList"), ("role", "roles", "RolePolicyList"), ("group", "groups", "GroupPolicyList"))
            for ptype, key, inline_key in kinds:
                for p in snap[key]:
                    if str(p.get("Path", "")).startswith("/aws-service-role/"):
                        continue  # service-linked roles are managed by AWS
                    inline, managed = self._principal_docs(p, inline_key)
                    items = [(f"{p['Arn']}/inline/{name}", name, doc) for name, doc in inline]
                    items += [(f"{p['Arn']}/attached/{name}", arn, snap["policies"][arn]["doc"] if arn in snap["policies"]
                               else _known_managed(name)) for arn, name in managed]
                    for rid, policy, doc in items:
                        grant = naws.invoke_grant(doc)
                        if grant is None:
                            continue
                        attrs = {"principal": {"type": ptype, "id": p["Arn"]}, "role_or_policy": policy, **grant}
                        self.resource(id=rid, kind="identity_binding", native="AWS::IAM::Policy",
                                      name=f"{p.get(ptype.capitalize() + 'Name', p['Arn'])} / {policy.rsplit('/', 1)[-1]}",
                                      attrs=attrs, region="global")
        with self.guard("Bedrock API keys (IAM service-specific credentials)", ["identity_binding"], service="iam"):
            c = self.client("iam", None)
            for cred in pages(c, "list_service_specific_credentials", "ServiceSpecificCredentials",
                              ServiceName="bedrock.amazonaws.com", AllUsers=True):
                user = cred.get("UserName", "")
                user_arn = next((u["Arn"] for u in (snap or {}).get("users", []) if u.get("UserName") == user),
                                f"arn:{self.account.partition}:iam::{acct}:user/{user}")
                attrs = {
                    "principal": {"type": "user", "id": user_arn},
                    "role_or_policy": "bedrock:CallWithBearerToken",
                    "credential": {"type": "api_key", "active": str(cred.get("Status", "")).lower() == "active",
                                   "age_days": _age_days(cred.get("CreateDate")),
                                   "expires": cred.get("ExpirationDate") is not None},
                }
                cid = cred.get("ServiceSpecificCredentialId", "")
                self.resource(id=f"{user_arn}/bedrock-api-key/{cid}", kind="identity_binding",
                              native="AWS::IAM::ServiceSpecificCredential", name=f"{user} / {cid}", attrs=attrs,
                              region="global")

    # ------------------------------------------------------------------ S3 data provenance
    def bucket_facts(self, uri: Any, region: str) -> dict[str, Any]:
        """Versioning, object lock and public access block of the bucket behind an s3:// URI or bucket ARN."""
        name = _bucket_of(uri)
        if name is None:
            return {}
        with self._bucket_lock:
            if name in self._buckets:
                return dict(self._buckets[name] or {"versioning": None, "object_lock": None, "public_access_blocked": None})
            from botocore.exceptions import ClientError

            s3 = self.client("s3", region)
            f: dict[str, Any] = {}
            facts: dict[str, Any] | None = f
            try:
                f["versioning"] = s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
                try:
                    lock = s3.get_object_lock_configuration(Bucket=name)
                    f["object_lock"] = lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ObjectLockConfigurationNotFoundError":
                        raise
                    f["object_lock"] = False
                try:
                    pab = s3.get_public_access_block(Bucket=name).get("PublicAccessBlockConfiguration", {})
                    f["public_access_blocked"] = all(pab.get(k) is True for k in (
                        "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))
                except ClientError as e:
                    if e.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
                        raise
                    f["public_access_blocked"] = False
            except Exception as e:
                code, msg = classify(e)
                self.rec.error(f"S3 bucket {name}: {msg}", code=code, kinds=["training_job", "knowledge_base", "custom_model"],
                               partial=True, account=self.account.id, region=region, service="s3")
                facts = None
            self._buckets[name] = facts
            return dict(facts or {"versioning": None, "object_lock": None, "public_access_blocked": None})

    # ------------------------------------------------------------------ one region
    def collect_region(self, region: str) -> None:
        acct = self.account.id
        br = self.client("bedrock", region)
        svc: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        # the first call also tells whether the region is usable at all
        try:
            svc.update(naws.invocation_logging(snake_keys(br.get_model_invocation_logging_configuration()),
                                               default_delivery=False))
        except Exception as e:
            code, msg = classify(e)
            if code in NOT_ENABLED:
                self.rec.note(f"{acct}/{region}: region not enabled for this account ({code}); skipped")
                return
            if code == "EndpointUnreachable":
                self.rec.error(f"Bedrock endpoint: {msg}", code=code, kinds=None, account=acct, region=region, service="bedrock")
                return
            self.rec.error(f"invocation logging: {msg}", code=code, kinds=["ai_service"], partial=True, account=acct,
                           region=region, service="bedrock")
            svc["invocation_logging"] = None
        self.rec.target(account=acct, region=region)

        enforced: list[dict[str, Any]] = []
        svc["enforced_guardrail"] = None
        with self.guard("enforced guardrails", ["ai_service"], region, partial=True, service="bedrock"):
            enforced = list(pages(br, "list_enforced_guardrails_configuration", "guardrailsConfig"))
            svc["enforced_guardrail"] = {"enabled": bool(enforced), "blocking": True if enforced else None,
                                         "id": enforced[0].get("guardrailArn") if enforced else None}
        with self.guard("data retention", ["ai_service"], region, partial=True, service="bedrock"):
            mode = br.get_account_data_retention().get("mode")
            raw["data_retention_mode"] = mode
            if mode == "none":
                svc["data_retention_days"] = 0
        svc["private_endpoints"] = None
        with self.guard("VPC endpoints", ["ai_service"], region, partial=True, service="ec2"):
            ec2 = self.client("ec2", region)
            names = [f"com.amazonaws.{region}.{s}" for s in BEDROCK_SERVICES]
            eps = list(pages(ec2, "describe_vpc_endpoints", "VpcEndpoints",
                             Filters=[{"Name": "service-name", "Values": names}]))
            pe: dict[str, Any] = {"count": len(eps), "approved": sum(1 for e in eps if str(e.get("State", "")).lower() == "available")}
            if eps:
                vals = [naws.endpoint_policy_restrictive(e.get("PolicyDocument")) for e in eps]
                pe["restrictive_policy"] = True if any(v is True for v in vals) else (None if None in vals else False)
            svc["private_endpoints"] = pe
        svc["audit_logging"] = None
        with self.guard("CloudTrail", ["ai_service"], region, partial=True, service="cloudtrail"):
            covered = self._trail_covers(region)
            svc["audit_logging"] = {"enabled": covered}
            if covered is None:
                self.rec.error("CloudTrail: a trail covering this region exists but its status could not be read",
                               code="TrailStatusUnreadable", kinds=["ai_service"], partial=True, account=acct, region=region,
                               service="cloudtrail")
        self.resource(id=self.arn(region, "account-settings"), kind="ai_service", native="AWS::Bedrock::Account",
                      name=f"Bedrock {acct} {region}", attrs=svc, region=region, raw=raw or None)

        agents = self._agents(region)
        used = {a.get("guardrail_id") for a in agents} | {e.get("guardrailArn") for e in enforced} | \
               {e.get("guardrailId") for e in enforced}
        self._guardrails(br, region, {u for u in used if isinstance(u, str)})
        self._knowledge_bases(region)
        self._customizations(br, region)
        with self.guard("provisioned throughputs", ["model_deployment"], region, service="bedrock"):
            for pt in pages(br, "list_provisioned_model_throughputs", "provisionedModelSummaries"):
                attrs = naws.provisioned_throughput(snake_keys(pt))
                attrs["model"]["custom"] = ":custom-model/" in str(pt.get("modelArn", ""))
                self.resource(id=pt["provisionedModelArn"], kind="model_deployment",
                              native="AWS::Bedrock::ProvisionedModelThroughput", name=pt.get("provisionedModelName", ""),
                              attrs=attrs, region=region)
        with self.guard("inference profiles", ["model_deployment"], region, service="bedrock"):
            for ip in pages(br, "list_inference_profiles", "inferenceProfileSummaries", typeEquals="APPLICATION"):
                models = [m.get("modelArn") for m in ip.get("models", [])]
                attrs = {"model": {"name": models[0] if models else None, "custom": False},
                         # on-demand calls through a profile are bounded by the account's per-model quotas
                         "rate_limit": {"limited": True}}
                self.resource(id=ip["inferenceProfileArn"], kind="model_deployment",
                              native="AWS::Bedrock::ApplicationInferenceProfile", name=ip.get("inferenceProfileName", ""),
                              attrs=attrs, region=region)

    def _trail_covers(self, region: str) -> bool | None:
        """A logging trail that covers this region and records (read) management events.

        None (unknown) when no trail proves coverage but some trail's status could not be read
        (e.g. an organization trail seen from a member account)."""
        ct = self.client("cloudtrail", region)
        unknown = False
        for t in ct.describe_trails(includeShadowTrails=True).get("trailList", []):
            if not (t.get("IsMultiRegionTrail") or t.get("HomeRegion") == region):
                continue
            try:
                home = self.client("cloudtrail", t.get("HomeRegion") or region) if t.get("HomeRegion") != region else ct
                if not home.get_trail_status(Name=t["TrailARN"]).get("IsLogging"):
                    continue
                sel = home.get_event_selectors(TrailName=t["TrailARN"])
            except Exception as e:
                from botocore.exceptions import ClientError

                if not isinstance(e, ClientError):
                    raise
                unknown = True
                continue
            if sel.get("AdvancedEventSelectors"):
                return True  # advanced selectors: assume they were written deliberately
            basic = sel.get("EventSelectors") or [{"IncludeManagementEvents": True, "ReadWriteType": "All"}]
            if any(s.get("IncludeManagementEvents", True) and s.get("ReadWriteType", "All") in ("All", "ReadOnly") for s in basic):
                return True
        return None if unknown else False

    def _guardrails(self, br, region: str, used: set[str]) -> None:
        with self.guard("guardrails", ["content_filter"], region, service="bedrock"):
            for g in pages(br, "list_guardrails", "guardrails"):
                gid, arn = g["id"], g["arn"]
                versions = ["DRAFT"] + [v["version"] for v in pages(br, "list_guardrails", "guardrails", guardrailIdentifier=gid)
                                        if v.get("version") not in (None, "DRAFT")]
                for ver in versions:
                    kw = {"guardrailIdentifier": gid} if ver == "DRAFT" else {"guardrailIdentifier": gid, "guardrailVersion": ver}
                    full = br.get_guardrail(**kw)
                    attrs = naws.guardrail(snake_keys(full), version=ver)
                    if gid in used or arn in used or f"{arn}:{ver}" in used:
                        attrs["attached"] = True
                    self.resource(id=f"{arn}:{ver}", kind="content_filter",
                                  native="AWS::Bedrock::Guardrail" if ver == "DRAFT" else "AWS::Bedrock::GuardrailVersion",
                                  name=f"{g.get('name', gid)} ({ver})", attrs=attrs, region=region)

    def _agent_attrs(self, ag, agent: dict[str, Any], version: str) -> dict[str, Any]:
        """attrs of one agent version (DRAFT = the working copy; numbered = what an alias serves)."""
        groups = []
        for gs in pages(ag, "list_agent_action_groups", "actionGroupSummaries", agentId=agent["agentId"], agentVersion=version):
            g = snake_keys(ag.get_agent_action_group(agentId=agent["agentId"], agentVersion=version,
                                                     actionGroupId=gs["actionGroupId"])["agentActionGroup"])
            g["parent_action_group_signature"] = g.get("parent_action_signature")
            groups.append(g)
        attrs = naws.agent(snake_keys(agent), groups=groups, role=self.role_facts(agent.get("agentResourceRoleArn")))
        if attrs.get("execution_role") is None:
            attrs.pop("execution_role", None)
        memory = (agent.get("memoryConfiguration") or {}).get("enabledMemoryTypes")
        attrs["memory_enabled"] = bool(memory)
        return attrs

    def _agents(self, region: str) -> list[dict[str, Any]]:
        """Every agent's DRAFT, plus one resource per alias that serves a published version
        (production traffic goes through aliases: a guardrail added to the DRAFT only is not live yet)."""
        out: list[dict[str, Any]] = []
        with self.guard("agents", ["agent"], region, service="bedrock-agent"):
            ag = self.client("bedrock-agent", region)
            for s in pages(ag, "list_agents", "agentSummaries"):
                a = ag.get_agent(agentId=s["agentId"])["agent"]
                arn = a.get("agentArn") or self.arn(region, f"agent/{a['agentId']}")
                name = a.get("agentName", a["agentId"])
                self.resource(id=arn, kind="agent", native="AWS::Bedrock::Agent", name=f"{name} (DRAFT)",
                              attrs=self._agent_attrs(ag, a, "DRAFT"), region=region)
                out.append({"guardrail_id": (a.get("guardrailConfiguration") or {}).get("guardrailIdentifier")})
                for alias in pages(ag, "list_agent_aliases", "agentAliasSummaries", agentId=a["agentId"]):
                    for route in alias.get("routingConfiguration") or []:
                        ver = route.get("agentVersion")
                        if not ver or ver == "DRAFT":
                            continue  # the test alias serves the DRAFT, already reported
                        v = ag.get_agent_version(agentId=a["agentId"], agentVersion=ver)["agentVersion"]
                        v.setdefault("agentId", a["agentId"])
                        alias_arn = self.arn(region, f"agent-alias/{a['agentId']}/{alias['agentAliasId']}")
                        self.resource(id=alias_arn, kind="agent", native="AWS::Bedrock::AgentAlias",
                                      name=f"{name} (alias {alias.get('agentAliasName', alias['agentAliasId'])} -> v{ver})",
                                      attrs=self._agent_attrs(ag, v, ver), region=region)
                        out.append({"guardrail_id": (v.get("guardrailConfiguration") or {}).get("guardrailIdentifier")})
        return out

    def _knowledge_bases(self, region: str) -> None:
        with self.guard("knowledge bases", ["knowledge_base"], region, service="bedrock-agent"):
            ag = self.client("bedrock-agent", region)
            for s in pages(ag, "list_knowledge_bases", "knowledgeBaseSummaries"):
                kb = ag.get_knowledge_base(knowledgeBaseId=s["knowledgeBaseId"])["knowledgeBase"]
                found: list[dict[str, Any]] = []
                sources: list[dict[str, Any]] | None = found
                try:
                    for ds in pages(ag, "list_data_sources", "dataSourceSummaries", knowledgeBaseId=kb["knowledgeBaseId"]):
                        d = ag.get_data_source(knowledgeBaseId=kb["knowledgeBaseId"], dataSourceId=ds["dataSourceId"])["dataSource"]
                        v = snake_keys(d)
                        uri = (d.get("dataSourceConfiguration", {}).get("s3Configuration") or {}).get("bucketArn")
                        found.append(naws.data_source(v, self.bucket_facts(uri, region) if uri else None))
                except Exception as e:
                    code, msg = classify(e)
                    self.rec.error(f"data sources of {kb['knowledgeBaseId']}: {msg}", code=code, kinds=["knowledge_base"],
                                   partial=True, account=self.account.id, region=region, service="bedrock-agent")
                    sources = None
                attrs = naws.knowledge_base(snake_keys(kb), sources=sources or [])
                if sources is None:
                    attrs["data_sources"] = None
                if attrs.get("role"):
                    attrs["role"] = self.role_facts(attrs["role"]["id"])
                self.resource(id=kb.get("knowledgeBaseArn") or self.arn(region, f"knowledge-base/{kb['knowledgeBaseId']}"),
                              kind="knowledge_base", native="AWS::Bedrock::KnowledgeBase",
                              name=kb.get("name", kb["knowledgeBaseId"]), attrs=attrs, region=region)

    def _customizations(self, br, region: str) -> None:
        isolated: dict[str, Any] = {}
        with self.guard("model customization jobs", ["training_job"], region, service="bedrock"):
            for s in pages(br, "list_model_customization_jobs", "modelCustomizationJobSummaries"):
                j = br.get_model_customization_job(jobIdentifier=s.get("jobName") or s["jobArn"])
                v = snake_keys(j)
                uri = (j.get("trainingDataConfig") or {}).get("s3Uri")
                job, _ = naws.customization(v, bucket_facts=self.bucket_facts(uri, region))
                job["network_isolated"] = bool(j.get("vpcConfig"))
                job["status"] = j.get("status")
                vuri = next((v.get("s3Uri") for v in (j.get("validationDataConfig") or {}).get("validators", [])), None)
                if vuri:
                    job["validation_data"] = {"uri": vuri, **self.bucket_facts(vuri, region)}
                role = self.role_facts(j.get("roleArn"))
                if role:
                    job["role"] = role
                else:
                    job.pop("role", None)
                isolated[j["jobArn"]] = job["network_isolated"]
                self.resource(id=j["jobArn"], kind="training_job", native="AWS::Bedrock::ModelCustomizationJob",
                              name=j.get("jobName", ""), attrs=job, region=region)
        with self.guard("custom models", ["custom_model"], region, service="bedrock"):
            for s in pages(br, "list_custom_models", "modelSummaries"):
                m = br.get_custom_model(modelIdentifier=s["modelArn"])
                uri = (m.get("trainingDataConfig") or {}).get("s3Uri")
                td = {"uri": uri, **self.bucket_facts(uri, region)}
                key = m.get("modelKmsKeyArn")
                ctype = str(m.get("customizationType") or "FINE_TUNING").upper()
                vuri = next((v.get("s3Uri") for v in (m.get("validationDataConfig") or {}).get("validators", [])), None)
                attrs = {
                    "source": {"DISTILLATION": "distillation", "IMPORTED": "import"}.get(ctype, "customization"),
                    "base_model": m.get("baseModelArn"),
                    "training_data": td,
                    "encryption": {"cmk": key is not None, "key_id": key},
                }
                if vuri:
                    attrs["validation_data"] = {"uri": vuri, **self.bucket_facts(vuri, region)}
                if m.get("jobArn") in isolated:
                    attrs["network_isolated"] = isolated[m["jobArn"]]
                self.resource(id=m["modelArn"], kind="custom_model", native="AWS::Bedrock::CustomModel",
                              name=m.get("modelName", ""), attrs=attrs, region=region)


# ---------------------------------------------------------------------------- planning and running
def _plan_accounts(base, caller: str, partition: str, opts: AwsOptions, rec: Recorder) -> list[tuple[str, str, Callable[[], Any]]]:
    """(account id, name, session factory) for every account to scan."""
    if opts.role_arn:
        acct = opts.role_arn.split(":")[4] if opts.role_arn.count(":") >= 5 else ""
        if not acct:
            raise AiPostureError(f"--role-arn {opts.role_arn!r} is not a role ARN (arn:aws:iam::123456789012:role/NAME)")
        return [(acct, "", lambda: assume(base, opts.role_arn, opts, rec.count_call))]
    if opts.org:
        if not opts.role_name:
            raise AiPostureError("--org needs --role-name: the role to assume in each member account")
        try:
            listed = org_accounts(base, opts, rec.count_call)
        except Exception as e:
            code, msg = classify(e)
            raise AiPostureError(f"cannot list the organization's accounts ({code}): {msg}") from None
        wanted = [(a, n) for a, n in listed if not opts.accounts or a in opts.accounts]
        missing = set(opts.accounts) - {a for a, _ in listed}
        if missing:
            rec.note(f"not in the organization (or not ACTIVE), skipped: {', '.join(sorted(missing))}")
    elif opts.accounts:
        if opts.role_name:
            wanted = [(a, "") for a in opts.accounts]
        elif set(opts.accounts) != {caller}:
            raise AiPostureError(f"the credentials belong to account {caller}; to scan other accounts give --role-name "
                                 "(and --org to list them from AWS Organizations)")
        else:
            wanted = [(caller, "")]
    else:
        return [(caller, "", lambda: base)]
    out = []
    for acct, name in wanted:
        if acct == caller:
            out.append((acct, name, lambda: base))
        else:
            arn = f"arn:{partition}:iam::{acct}:role/{opts.role_name}"
            out.append((acct, name, partial(assume, base, arn, opts, rec.count_call)))
    return out


def collect(opts: AwsOptions, *, quiet: bool = False, stream=None) -> dict[str, Any]:
    """Scan the accounts and regions ``opts`` names; return an inventory document."""
    clock = Clock()
    rec = Recorder("aws")
    base = new_session(profile=opts.profile)
    caller, partition = caller_identity(base, opts, rec.count_call)
    planned = _plan_accounts(base, caller, partition, opts, rec)
    offered = set(bedrock_regions(base, partition))
    if opts.regions:
        skipped = [r for r in opts.regions if r not in offered]
        for r in skipped:
            rec.note(f"{r}: Amazon Bedrock is not offered in this region; skipped")
        requested = [r for r in opts.regions if r in offered]
    else:
        requested = []

    # phase 1 (concurrent): credentials and enabled regions per account
    scans: dict[str, tuple[AccountScan, list[str]]] = {}
    lock = threading.Lock()

    def prepare(acct: str, name: str, factory) -> None:
        try:
            session = factory()
        except Exception as e:
            code, msg = classify(e)
            rec.error(f"cannot assume role: {msg}", code=code, kinds=None, account=acct)
            return
        scan = AccountScan(Account(acct, session, partition, name), opts, rec)
        regions = requested
        if not opts.regions:
            try:
                ec2 = scan.client("ec2", base.region_name or "us-east-1")
                enabled = {r["RegionName"] for r in ec2.describe_regions().get("Regions", [])}
                regions = sorted(offered & enabled) if enabled else sorted(offered)
            except Exception as e:
                rec.note(f"{acct}: could not list enabled regions ({classify(e)[0]}); scanning every Bedrock region")
                regions = sorted(offered)
        with lock:
            scans[acct] = (scan, regions)

    run_tasks([Task(f"{a} credentials", {"account": a}, partial(prepare, a, n, f)) for a, n, f in planned], rec,
              workers=opts.workers)

    # phase 2 (concurrent): IAM once per account, then every region
    tasks: list[Task] = []
    for acct, (scan, regions) in sorted(scans.items()):
        tasks.append(Task(f"{acct} IAM", {"account": acct}, scan.collect_iam))
        tasks += [Task(f"{acct} {r}", {"account": acct, "region": r}, partial(scan.collect_region, r)) for r in regions]
    progress = Progress(len(tasks), "scanning AWS", quiet=quiet, stream=stream)
    run_tasks(tasks, rec, workers=opts.workers, progress=progress)
    doc = rec.document(started_at=clock.started_at, source="aws")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc
