"""Live collector for Amazon Bedrock: accounts x regions -> inventory resources.

Per account (once): IAM (who may invoke models, Bedrock API keys, execution
role privileges). Per account and region: invocation logging, account-level
enforced guardrails, data retention, VPC endpoints, CloudTrail coverage,
guardrails and their versions, agents and action groups, knowledge bases and
data sources, custom models, customization jobs, provisioned throughputs and
application inference profiles. Training and RAG buckets are checked for
versioning, object lock and public access blocks (data poisoning).

Failure model (see docs/architecture.md): a list call that fails loses the
resources it would have listed, so every rule of those kinds reports
``error`` for the scope; a call about one item (its details, its action
groups, its versions) loses only that item's attributes, which become
``null`` (unknown), so the item stays in the inventory and exactly the rules
that read them report ``error``. An endpoint that does not answer is reported
once per region and service, and nothing more is sent to it. Only read
operations are called; :data:`IAM_ACTIONS` is the policy ``aiposture
permissions aws`` prints.

Memory stays flat with the number of accounts: clients are shared by every
account (:mod:`aiposture.collect.aws_transport`), and an account's credentials,
IAM snapshot and bucket facts are dropped when its last task ends.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

from aiposture import specs
from aiposture.collect import aws_agentcore, aws_iam
from aiposture.collect.aws_session import (
    AwsOptions,
    assume,
    bedrock_regions,
    caller_identity,
    classify,
    home_region,
    new_session,
    org_accounts,
    role_arn_account,
    user_credentials,
)
from aiposture.collect.aws_transport import ClientPool, MalformedResponse, bound
from aiposture.collect.base import Clock, Progress, Recorder, Task, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.link import Linker
from aiposture.normalize import aws as naws
from aiposture.normalize.values import snake_keys

# Every read the collector makes, as IAM actions: derived from the resource-type specs (aiposture.specs.aws;
# tests check the collector calls nothing else).
IAM_ACTIONS = specs.permissions("aws")
# botocore operation -> IAM action, from the specs' calls (where the names differ, e.g. S3's GetPublicAccessBlock)
ACTION_OF = {(c.service, c.operation): c.permissions[0] for c in specs.calls("aws") if c.permissions}
BEDROCK_SERVICES = ("bedrock-runtime", "bedrock-agent-runtime", "bedrock")
ENDPOINT_STATES = {"pendingacceptance", "pending", "available", "deleting", "deleted", "rejected", "failed", "expired",
                   "partial"}
NOT_ENABLED = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
MAX_PAGES = 10_000  # a list that never ends is an error, not a hang

# The attributes this collector fills per kind: all null when an item's details could not be read,
# so every rule of the kind reports 'error' for it (an absent attribute would make rules not apply).
AWS_ATTRS: dict[str, tuple[str, ...]] = {
    "content_filter": ("prompt_attack", "harm_categories", "pii", "grounding", "denied_topics", "word_filters",
                       "encryption", "mode"),
    "agent": ("content_filter", "encryption", "idle_session_ttl_seconds", "action_groups", "prompt_override",
              "memory_enabled", "execution_role"),
    "knowledge_base": ("data_sources", "role", "vector_store"),
    "training_job": ("training_data", "output_encryption", "network_isolated", "role", "status"),
    "custom_model": ("source", "base_model", "training_data", "encryption", "network_isolated"),
    "model_deployment": ("model", "rate_limit"),
}


_known_managed = aws_iam.known_managed  # kept for callers of the earlier location


def unknown_attrs(kind: str) -> dict[str, Any]:
    return dict.fromkeys(AWS_ATTRS[kind])


def iam_action(service: str, operation: str) -> str:
    """The IAM action a botocore call needs (``bedrock-agent`` actions live under ``bedrock:``)."""
    if (service, operation) in ACTION_OF:
        return ACTION_OF[(service, operation)]
    prefix = {"bedrock-agent": "bedrock", "bedrock-agentcore-control": "bedrock-agentcore"}.get(service, service)
    return f"{prefix}:{operation}"


def policy_document() -> dict[str, Any]:
    """The IAM policy ``aiposture permissions aws`` prints."""
    from aiposture.specs.documents import aws_policy

    return aws_policy()


def need(d: Any, key: str, what: str = "") -> str:
    """A required identifier of an API item; its absence makes the response unreadable, not an internal error."""
    v = d.get(key) if isinstance(d, dict) else None
    if not isinstance(v, str) or not v:
        raise MalformedResponse(f"{what or 'an item'} without {key}")
    return v


def need_dict(d: Any, key: str, what: str) -> dict[str, Any]:
    v = d.get(key) if isinstance(d, dict) else None
    if not isinstance(v, dict):
        raise MalformedResponse(f"{what}: the response has no {key}")
    return v


def pages(client, op: str, key: str | None = None, **kw) -> Iterator[Any]:
    """Every item (or, without ``key``, every page) of a list call; paginators where botocore has them."""
    if client.can_paginate(op):
        source: Iterator[dict[str, Any]] = iter(client.get_paginator(op).paginate(**kw))
    else:
        source = _manual_pages(getattr(client, op), kw)
    for n, page in enumerate(source):
        if n >= MAX_PAGES:
            raise MalformedResponse(f"{op}: more than {MAX_PAGES} pages")
        if key is None:
            yield page
            continue
        for item in page.get(key) or []:
            if not isinstance(item, dict):
                raise MalformedResponse(f"{op}: an item of {key} is {type(item).__name__}, not an object")
            yield item


def _manual_pages(call, kw: dict[str, Any]) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    while True:
        page = call(**kw)
        yield page
        for ti, to in (("nextToken", "nextToken"), ("Marker", "Marker"), ("NextToken", "NextToken")):
            if page.get(to):
                token_in, token_out = ti, page[to]
                break
        else:
            return
        if page.get("IsTruncated") is False:
            return
        if token_out in seen:
            raise MalformedResponse("the same page token came back twice")
        seen.add(token_out)
        kw = {**kw, token_in: token_out}


def _age_days(when: Any) -> int | None:
    if not isinstance(when, _dt.datetime):
        return None
    return (_dt.datetime.now(_dt.UTC) - when.astimezone(_dt.UTC)).days


def _bucket_of(uri: Any) -> str | None:
    if not isinstance(uri, str):
        return None
    if uri.startswith("s3://"):
        return uri[5:].split("/", 1)[0] or None
    if uri.startswith("arn:") and ":s3:::" in uri:
        return uri.split(":::", 1)[1].split("/", 1)[0] or None
    return None


def _first_validator_uri(cfg: Any) -> Any:
    validators = cfg.get("validators") if isinstance(cfg, dict) else None
    return next((v.get("s3Uri") for v in validators or [] if isinstance(v, dict)), None)


UNKNOWN_BUCKET = {"versioning": None, "object_lock": None, "public_access_blocked": None}


class ScanContext:
    """What every account of one scan shares: options, the recorder, the clients, the caller's credentials."""

    def __init__(self, opts: AwsOptions, rec: Recorder, pool: ClientPool, creds: Any, home: str, partition: str):
        self.opts, self.rec, self.pool, self.creds, self.home, self.partition = opts, rec, pool, creds, home, partition
        self._unreachable: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def fail(self, what: str, e: BaseException, *, kinds: list[str] | None, partial: bool, account: str,
             region: str | None, service: str) -> None:
        """Record what could not be checked. An unreachable endpoint is one entry per region and service
        (not one per account and call): its kinds and partial flag accumulate on that entry."""
        code, msg = classify(e)
        if code != "EndpointUnreachable":
            self.rec.error(f"{what}: {msg}", code=code, kinds=kinds, partial=partial, account=account,
                           region=region or None, service=service)
            return
        key = (region or "global", service)
        with self._lock:
            entry = self._unreachable.get(key)
            if entry is None:
                self._unreachable[key] = self.rec.error(
                    f"endpoint unreachable, nothing more was sent to it in this scan: {msg}", code=code, kinds=kinds,
                    partial=partial, region=region or "global", service=service)
                return
            # widened in place: the entries are read only after every task has ended
            if kinds is None or "kinds" not in entry:
                entry.pop("kinds", None)  # every kind
            else:
                entry["kinds"] = sorted(set(entry["kinds"]) | set(kinds))
            if not partial:
                entry.pop("partial", None)


class AccountScan:
    """One account: opened by its first task (credentials, enabled regions), released after its last."""

    def __init__(self, ctx: ScanContext, account: str, name: str, open_credentials: Callable[[], Any],
                 regions: list[str] | None):
        self.ctx, self.id, self.name = ctx, account, name
        self.partition = ctx.partition
        self._open_credentials = open_credentials
        self._regions = regions  # None: the account's enabled regions, read when it opens
        self._lock = threading.Lock()
        self._opened = False
        self.creds: Any = None
        self.pending = 0
        self._iam: aws_iam.Snapshot | None = None
        self._iam_error: BaseException | None = None
        self._iam_done = False
        self._iam_lock = threading.Lock()
        self._buckets: dict[str, dict[str, Any] | None] = {}
        self._bucket_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def tasks(self, regions: list[str]) -> list[Task]:
        out = [Task(f"{self.id} IAM", {"account": self.id}, self._wrap(self.collect_iam))]
        out += [Task(f"{self.id} {r}", {"account": self.id, "region": r}, self._wrap(self.collect_region, r)) for r in regions]
        self.pending = len(out)
        return out

    def _wrap(self, fn: Callable[..., None], *args: Any) -> Callable[[], None]:
        def run() -> None:
            try:
                if self._open():
                    with bound(self.creds):
                        fn(*args)
            finally:
                self._task_done()
        return run

    def _open(self) -> bool:
        with self._lock:
            if not self._opened:
                self._opened = True
                try:
                    self.creds = self._open_credentials()
                except Exception as e:  # an unreachable STS endpoint is one entry, not one per account
                    self.ctx.fail("cannot assume role", e, kinds=None, partial=False, account=self.id, region=None,
                                  service="sts")
                    return False
                if self._regions is None:
                    self._regions = self._enabled_regions()
            return self.creds is not None

    def _enabled_regions(self) -> list[str] | None:
        """Regions the account has enabled (opt-in regions may be off); None = could not tell, scan all offered."""
        try:
            with bound(self.creds):
                found = self.ctx.pool.client("ec2", self.ctx.home).describe_regions().get("Regions") or []
            names = [str(r["RegionName"]) for r in found if isinstance(r, dict) and r.get("RegionName")]
            if not names:  # every account has some region enabled: an empty answer tells nothing
                raise MalformedResponse("DescribeRegions listed no region")
            return names
        except Exception as e:
            self.ctx.rec.note(f"{self.id}: could not list enabled regions ({classify(e)[0]}); scanning every Bedrock region")
            return None

    def _task_done(self) -> None:
        with self._lock:
            self.pending -= 1
            if self.pending <= 0:  # nothing of this account is kept once its last task ends
                self.creds = None
                self._iam = None
                self._buckets = {}

    # ------------------------------------------------------------------ helpers
    def client(self, service: str, region: str | None):
        return self.ctx.pool.client(service, region)

    def fail(self, what: str, e: BaseException, kinds: list[str] | None, region: str = "", *, partial: bool = False,
             service: str) -> None:
        self.ctx.fail(what, e, kinds=kinds, partial=partial, account=self.id, region=region or None, service=service)

    def arn(self, region: str, suffix: str) -> str:
        return f"arn:{self.partition}:bedrock:{region}:{self.id}:{suffix}"

    def resource(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], region: str,
                 raw: Any = None) -> dict[str, Any]:
        r = make_resource(id=str(id), provider="aws", kind=kind, native_type=native, name=str(name), attrs=attrs,
                          account=self.id, region=region)
        if raw is not None:
            r["raw"] = raw
        self.ctx.rec.add(r)
        return r

    def emit(self, build: Callable[..., dict[str, Any]], *args: Any, id: str, kind: str, native: str, name: str,
             region: str, what: str, service: str, known: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Emit one resource with ``build(*args)`` as its attrs; when its details cannot be read it stays,
        with its attributes unknown (null) and a partial error naming it. Returns the resource when its
        details were read (what the linker may complete), else None."""
        try:
            attrs = build(*args)
        except Exception as e:
            self.fail(f"{what} {name}", e, [kind], region, partial=True, service=service)
            self.resource(id=id, kind=kind, native=native, name=name, attrs={**unknown_attrs(kind), **(known or {})},
                          region=region)
            return None
        return self.resource(id=id, kind=kind, native=native, name=name, attrs=attrs, region=region)

    def listed(self, client, op: str, key: str, ident: str, *, what: str, kind: str, region: str, service: str,
               **kw: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """(identifier, summary) of every item of a list call. A failing list, or an item without its
        identifier, loses resources: a scope error for the kind (every rule of it reports ``error`` there)."""
        try:
            items = list(pages(client, op, key, **kw))
        except Exception as e:
            self.fail(what, e, [kind], region, service=service)
            return
        for item in items:
            try:
                yield need(item, ident, what), item
            except MalformedResponse as e:
                self.fail(what, e, [kind], region, service=service)

    # ------------------------------------------------------------------ IAM (account-wide)
    def iam(self) -> aws_iam.Snapshot | None:
        """The account's authorization snapshot, read once (None when it could not be read)."""
        with self._iam_lock:
            if not self._iam_done:
                self._iam_done = True
                try:
                    self._iam = aws_iam.load(self.client("iam", None), pages)
                except Exception as e:
                    self._iam_error = e
            return self._iam

    def role_facts(self, role_arn: Any) -> dict[str, Any] | None:
        return aws_iam.role_facts(self.iam(), role_arn)

    def collect_iam(self) -> None:
        snap = self.iam()
        if snap is None:
            self.fail("IAM authorization details", self._iam_error or RuntimeError("unknown"), ["identity_binding"],
                      service="iam")
        else:
            for rid, name, attrs, readable in aws_iam.bindings(snap):
                if not readable:
                    self.fail(f"policy document of {name}", MalformedResponse("not a readable IAM policy document"),
                              ["identity_binding"], partial=True, service="iam")
                self.resource(id=rid, kind="identity_binding", native="AWS::IAM::Policy", name=name, attrs=attrs,
                              region="global")
        try:
            self._api_keys(snap)
        except Exception as e:
            self.fail("Bedrock API keys (IAM service-specific credentials)", e, ["identity_binding"], service="iam")

    def _api_keys(self, snap: aws_iam.Snapshot | None) -> None:
        c = self.client("iam", None)
        for cred in pages(c, "list_service_specific_credentials", "ServiceSpecificCredentials",
                          ServiceName="bedrock.amazonaws.com", AllUsers=True):
            cid = need(cred, "ServiceSpecificCredentialId", "a service-specific credential")
            user = str(cred.get("UserName") or "")
            user_arn = (snap.user_arns.get(user) if snap else None) or f"arn:{self.partition}:iam::{self.id}:user/{user}"
            status = cred.get("Status")
            attrs = {
                "principal": {"type": "user", "id": user_arn},
                "role_or_policy": "bedrock:CallWithBearerToken",
                "credential": {"type": "api_key",
                               "active": {"active": True, "inactive": False, "expired": False}.get(str(status).lower()),
                               "age_days": _age_days(cred.get("CreateDate")),
                               "expires": cred.get("ExpirationDate") is not None},
            }
            self.resource(id=f"{user_arn}/bedrock-api-key/{cid}", kind="identity_binding",
                          native="AWS::IAM::ServiceSpecificCredential", name=f"{user} / {cid}", attrs=attrs, region="global")

    # ------------------------------------------------------------------ S3 data provenance
    def bucket_facts(self, uri: Any, region: str) -> dict[str, Any]:
        """Versioning, object lock and public access block of the bucket behind an s3:// URI or bucket ARN."""
        name = _bucket_of(uri)
        if name is None:
            return {}
        with self._bucket_lock:
            if name not in self._buckets:
                try:
                    self._buckets[name] = self._read_bucket(name, region)
                except Exception as e:
                    self.fail(f"S3 bucket {name}", e, ["training_job", "knowledge_base", "custom_model"], region,
                              partial=True, service="s3")
                    self._buckets[name] = None
            return dict(self._buckets[name] or UNKNOWN_BUCKET)

    def _read_bucket(self, name: str, region: str) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        s3 = self.client("s3", region)
        status = s3.get_bucket_versioning(Bucket=name).get("Status")
        f: dict[str, Any] = {"versioning": status == "Enabled" if status in (None, "Enabled", "Suspended") else None}
        try:
            lock = s3.get_object_lock_configuration(Bucket=name).get("ObjectLockConfiguration") or {}
            f["object_lock"] = {"Enabled": True, None: False}.get(lock.get("ObjectLockEnabled"))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ObjectLockConfigurationNotFoundError":
                raise
            f["object_lock"] = False
        try:
            pab = s3.get_public_access_block(Bucket=name).get("PublicAccessBlockConfiguration") or {}
            f["public_access_blocked"] = all(pab.get(k) is True for k in (
                "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "NoSuchPublicAccessBlockConfiguration":
                raise
            f["public_access_blocked"] = False
        return f

    # ------------------------------------------------------------------ one region
    def collect_region(self, region: str) -> None:
        if self._regions is not None and region not in self._regions:
            return  # an opt-in region this account has not enabled
        acct, rec = self.id, self.ctx.rec
        br = self.client("bedrock", region)
        svc: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        # the first call also tells whether the region is usable at all
        try:
            svc.update(naws.invocation_logging(snake_keys(br.get_model_invocation_logging_configuration()),
                                               default_delivery=False))
        except Exception as e:
            code, _ = classify(e)
            if code in NOT_ENABLED:
                rec.note(f"{acct}/{region}: region not enabled for this account ({code}); skipped")
                return
            if code == "EndpointUnreachable":
                self.fail("Bedrock endpoint", e, None, region, service="bedrock")
                return
            self.fail("invocation logging", e, ["ai_service"], region, partial=True, service="bedrock")
            svc["invocation_logging"] = None
        rec.target(account=acct, region=region)

        enforced: list[dict[str, Any]] = []
        svc["enforced_guardrail"] = None
        try:
            enforced = list(pages(br, "list_enforced_guardrails_configuration", "guardrailsConfig"))
            svc["enforced_guardrail"] = {"enabled": bool(enforced), "blocking": True if enforced else None,
                                         "id": enforced[0].get("guardrailArn") if enforced else None}
        except Exception as e:
            self.fail("enforced guardrails", e, ["ai_service"], region, partial=True, service="bedrock")
        try:
            mode = br.get_account_data_retention().get("mode")
            raw["data_retention_mode"] = mode
            if mode == "none":
                svc["data_retention_days"] = 0
        except Exception as e:
            self.fail("data retention", e, ["ai_service"], region, partial=True, service="bedrock")
        svc["private_endpoints"] = None
        try:
            svc["private_endpoints"] = self._private_endpoints(region)
        except Exception as e:
            self.fail("VPC endpoints", e, ["ai_service"], region, partial=True, service="ec2")
        svc["audit_logging"] = None
        try:
            covered = self._trail_covers(region)
            svc["audit_logging"] = {"enabled": covered}
            if covered is None:
                rec.error("CloudTrail: a trail covering this region exists but its status could not be read",
                          code="TrailStatusUnreadable", kinds=["ai_service"], partial=True, account=acct, region=region,
                          service="cloudtrail")
        except Exception as e:
            self.fail("CloudTrail", e, ["ai_service"], region, partial=True, service="cloudtrail")
        self.resource(id=self.arn(region, "account-settings"), kind="ai_service", native="AWS::Bedrock::Account",
                      name=f"Bedrock {acct} {region}", attrs=svc, region=region, raw=raw or None)

        links = Linker()  # guardrails used by agents, aliases or account-wide enforcement: "attached"
        for setting in enforced:
            links.refer("AWS::Bedrock::Account", setting)
        self._agents(region, links)
        aws_agentcore.collect(self, region, links)  # AgentCore, flows (referrers of guardrails), prompts
        self._guardrails(br, region, links)
        links.apply()
        self._knowledge_bases(region)
        self._customizations(br, region)
        self._deployments(br, region)

    def _private_endpoints(self, region: str) -> dict[str, Any]:
        names = [f"com.amazonaws.{region}.{s}" for s in BEDROCK_SERVICES]
        eps = list(pages(self.client("ec2", region), "describe_vpc_endpoints", "VpcEndpoints",
                         Filters=[{"Name": "service-name", "Values": names}]))
        states = [str(e.get("State") or "").lower() for e in eps]
        approved = states.count("available")
        # a state this version does not know may be a working endpoint: unknown unless another one works
        pe: dict[str, Any] = {"count": len(eps), "approved": approved if approved or not set(states) - ENDPOINT_STATES else None}
        if eps:
            vals = [naws.endpoint_policy_restrictive(e.get("PolicyDocument")) for e in eps]
            pe["restrictive_policy"] = True if any(v is True for v in vals) else (None if None in vals else False)
        return pe

    def _trail_covers(self, region: str) -> bool | None:
        """A logging trail that covers this region and records (read) management events.

        None (unknown) when no trail proves coverage but some trail's status could not be read
        (e.g. an organization trail seen from a member account)."""
        ct = self.client("cloudtrail", region)
        unknown = False
        for t in ct.describe_trails(includeShadowTrails=True).get("trailList") or []:
            home = t.get("HomeRegion")
            if not (t.get("IsMultiRegionTrail") is True or home == region):
                continue
            try:
                arn = need(t, "TrailARN", "a trail")
                hc = self.client("cloudtrail", home) if isinstance(home, str) and home and home != region else ct
                logging = hc.get_trail_status(Name=arn).get("IsLogging")
                if logging is None:
                    raise MalformedResponse("GetTrailStatus: no IsLogging")
                if not logging:
                    continue
                sel = hc.get_event_selectors(TrailName=arn)
            except Exception:
                unknown = True
                continue
            if sel.get("AdvancedEventSelectors"):
                return True  # advanced selectors: assume they were written deliberately
            basic = sel.get("EventSelectors") or [{"IncludeManagementEvents": True, "ReadWriteType": "All"}]
            kinds = [s.get("ReadWriteType", "All") for s in basic if s.get("IncludeManagementEvents", True)]
            if any(k in ("All", "ReadOnly") for k in kinds):
                return True
            if any(k != "WriteOnly" for k in kinds):
                unknown = True  # a selector type this version does not know
        return None if unknown else False

    def _guardrails(self, br, region: str, links: Linker) -> None:
        for gid, g in self.listed(br, "list_guardrails", "guardrails", "id", what="guardrails", kind="content_filter",
                                  region=region, service="bedrock"):
            arn = str(g.get("arn") or self.arn(region, f"guardrail/{gid}"))
            name = str(g.get("name") or gid)
            versions = ["DRAFT"]
            try:
                versions += [str(v["version"]) for v in pages(br, "list_guardrails", "guardrails", guardrailIdentifier=gid)
                             if v.get("version") not in (None, "DRAFT")]
            except Exception as e:  # the published versions are missing: scope error for content filters
                self.fail(f"versions of guardrail {name}", e, ["content_filter"], region, service="bedrock")
            for ver in versions:
                res = self.emit(self._guardrail, br, gid, ver, id=f"{arn}:{ver}",
                          kind="content_filter", name=f"{name} ({ver})", region=region,
                          native="AWS::Bedrock::Guardrail" if ver == "DRAFT" else "AWS::Bedrock::GuardrailVersion",
                          what="guardrail", service="bedrock", known={"version": ver})
                if res is not None:
                    links.target(res, (gid, arn, f"{arn}:{ver}"))

    @staticmethod
    def _guardrail(br, gid: str, ver: str) -> dict[str, Any]:
        kw = {"guardrailIdentifier": gid} if ver == "DRAFT" else {"guardrailIdentifier": gid, "guardrailVersion": ver}
        return naws.guardrail(snake_keys(br.get_guardrail(**kw)), version=ver)

    def _agent_attrs(self, ag, agent: dict[str, Any], version: str, name: str, region: str) -> dict[str, Any]:
        """attrs of one agent version (DRAFT = the working copy; numbered = what an alias serves)."""
        aid = need(agent, "agentId", "an agent")
        groups: list[dict[str, Any]] | None = []
        try:
            for gs in pages(ag, "list_agent_action_groups", "actionGroupSummaries", agentId=aid, agentVersion=version):
                gid = need(gs, "actionGroupId", "an action group")
                g = snake_keys(need_dict(ag.get_agent_action_group(agentId=aid, agentVersion=version, actionGroupId=gid),
                                         "agentActionGroup", "GetAgentActionGroup"))
                g["parent_action_group_signature"] = g.get("parent_action_signature")
                groups.append(g)  # type: ignore[union-attr]
        except Exception as e:
            self.fail(f"action groups of agent {name}", e, ["agent"], region, partial=True, service="bedrock-agent")
            groups = None
        attrs = naws.agent(snake_keys(agent), groups=groups or [], role=self.role_facts(agent.get("agentResourceRoleArn")))
        if groups is None:
            attrs["action_groups"] = None
        if attrs.get("execution_role") is None:
            attrs.pop("execution_role", None)
        memory = agent.get("memoryConfiguration")
        attrs["memory_enabled"] = bool((memory or {}).get("enabledMemoryTypes")) if memory is None or isinstance(memory, dict) else None
        return attrs

    def _version_attrs(self, ag, aid: str, version: str, name: str, region: str, into: dict[str, Any]) -> dict[str, Any]:
        """GetAgent (DRAFT) or GetAgentVersion, then its attrs; the raw agent is left in ``into`` for the caller."""
        if version == "DRAFT":
            into.update(need_dict(ag.get_agent(agentId=aid), "agent", "GetAgent"))
        else:
            into.update(need_dict(ag.get_agent_version(agentId=aid, agentVersion=version), "agentVersion", "GetAgentVersion"))
        into.setdefault("agentId", aid)
        return self._agent_attrs(ag, into, version, name, region)

    def _agents(self, region: str, links: Linker) -> None:
        """Every agent's DRAFT, plus one resource per alias that serves a published version
        (production traffic goes through aliases: a guardrail added to the DRAFT only is not live yet).
        Each one read is a referrer for the linker (the guardrail it uses)."""
        ag = self.client("bedrock-agent", region)
        for aid, s in self.listed(ag, "list_agents", "agentSummaries", "agentId", what="agents", kind="agent",
                                  region=region, service="bedrock-agent"):
            name = str(s.get("agentName") or aid)
            agent: dict[str, Any] = {}
            self.emit(self._version_attrs, ag, aid, "DRAFT", name, region, agent, id=self.arn(region, f"agent/{aid}"),
                      kind="agent", native="AWS::Bedrock::Agent", name=f"{name} (DRAFT)", region=region, what="agent",
                      service="bedrock-agent")
            links.refer("AWS::Bedrock::Agent", agent)
            # the aliases (what production calls) missing is a scope error for agents
            for alias_id, alias in self.listed(ag, "list_agent_aliases", "agentAliasSummaries", "agentAliasId",
                                               what=f"aliases of agent {name}", kind="agent", region=region,
                                               service="bedrock-agent", agentId=aid):
                self._alias(ag, region, aid, name, alias_id, alias, links)

    def _alias(self, ag, region: str, aid: str, name: str, alias_id: str, alias: dict[str, Any], links: Linker) -> None:
        alias_name = str(alias.get("agentAliasName") or alias_id)
        for route in alias.get("routingConfiguration") or []:
            ver = route.get("agentVersion") if isinstance(route, dict) else None
            if not ver or ver == "DRAFT":
                continue  # the test alias serves the DRAFT, already reported
            version: dict[str, Any] = {}
            self.emit(self._version_attrs, ag, aid, str(ver), name, region, version,
                      id=self.arn(region, f"agent-alias/{aid}/{alias_id}"), kind="agent",
                      native="AWS::Bedrock::AgentAlias", name=f"{name} (alias {alias_name} -> v{ver})", region=region,
                      what="agent alias", service="bedrock-agent")
            links.refer("AWS::Bedrock::AgentAlias", version)

    def _knowledge_bases(self, region: str) -> None:
        ag = self.client("bedrock-agent", region)
        for kid, s in self.listed(ag, "list_knowledge_bases", "knowledgeBaseSummaries", "knowledgeBaseId",
                                  what="knowledge bases", kind="knowledge_base", region=region, service="bedrock-agent"):
            name = str(s.get("name") or kid)
            self.emit(self._knowledge_base, ag, kid, name, region, id=self.arn(region, f"knowledge-base/{kid}"), kind="knowledge_base",
                      native="AWS::Bedrock::KnowledgeBase", name=name, region=region, what="knowledge base",
                      service="bedrock-agent")

    def _knowledge_base(self, ag, kid: str, name: str, region: str) -> dict[str, Any]:
        kb = need_dict(ag.get_knowledge_base(knowledgeBaseId=kid), "knowledgeBase", "GetKnowledgeBase")
        sources: list[dict[str, Any]] | None = []
        try:
            for ds in pages(ag, "list_data_sources", "dataSourceSummaries", knowledgeBaseId=kid):
                did = need(ds, "dataSourceId", "a data source")
                d = need_dict(ag.get_data_source(knowledgeBaseId=kid, dataSourceId=did), "dataSource", "GetDataSource")
                uri = ((d.get("dataSourceConfiguration") or {}).get("s3Configuration") or {}).get("bucketArn")
                sources.append(naws.data_source(snake_keys(d), self.bucket_facts(uri, region) if uri else None))  # type: ignore[union-attr]
        except Exception as e:
            self.fail(f"data sources of knowledge base {name}", e, ["knowledge_base"], region, partial=True,
                      service="bedrock-agent")
            sources = None
        attrs = naws.knowledge_base(snake_keys(kb), sources=sources or [])
        if sources is None:
            attrs["data_sources"] = None
        if attrs.get("role"):
            attrs["role"] = self.role_facts(attrs["role"]["id"])
        return attrs

    def _customizations(self, br, region: str) -> None:
        isolated: dict[str, Any] = {}
        for job_arn, s in self.listed(br, "list_model_customization_jobs", "modelCustomizationJobSummaries", "jobArn",
                                      what="model customization jobs", kind="training_job", region=region, service="bedrock"):
            name = str(s.get("jobName") or job_arn)
            self.emit(self._job, br, s.get("jobName") or job_arn, job_arn, region, isolated, id=job_arn, kind="training_job",
                      native="AWS::Bedrock::ModelCustomizationJob", name=name, region=region,
                      what="customization job", service="bedrock")
        for model_arn, s in self.listed(br, "list_custom_models", "modelSummaries", "modelArn", what="custom models",
                                        kind="custom_model", region=region, service="bedrock"):
            self.emit(self._model, br, model_arn, region, isolated, id=model_arn,
                      kind="custom_model", native="AWS::Bedrock::CustomModel", name=str(s.get("modelName") or model_arn),
                      region=region, what="custom model", service="bedrock")

    def _job(self, br, ident: str, job_arn: str, region: str, isolated: dict[str, Any]) -> dict[str, Any]:
        j = br.get_model_customization_job(jobIdentifier=ident)
        uri = (j.get("trainingDataConfig") or {}).get("s3Uri")
        job, _ = naws.customization(snake_keys(j), bucket_facts=self.bucket_facts(uri, region))
        job["network_isolated"] = bool(j.get("vpcConfig"))
        job["status"] = j.get("status")
        vuri = _first_validator_uri(j.get("validationDataConfig"))
        if vuri:
            job["validation_data"] = {"uri": vuri, **self.bucket_facts(vuri, region)}
        role = self.role_facts(j.get("roleArn"))
        if role:
            job["role"] = role
        else:
            job.pop("role", None)
        isolated[job_arn] = job["network_isolated"]
        return job

    def _model(self, br, model_arn: str, region: str, isolated: dict[str, Any]) -> dict[str, Any]:
        m = br.get_custom_model(modelIdentifier=model_arn)
        uri = (m.get("trainingDataConfig") or {}).get("s3Uri")
        key = m.get("modelKmsKeyArn")
        ctype = str(m.get("customizationType") or "FINE_TUNING").upper()
        source = {"FINE_TUNING": "customization", "CONTINUED_PRE_TRAINING": "customization",
                  "DISTILLATION": "distillation", "IMPORTED": "import"}.get(ctype)  # None: a type this version does not know
        vuri = _first_validator_uri(m.get("validationDataConfig"))
        attrs: dict[str, Any] = {
            "source": source,
            "base_model": m.get("baseModelArn"),
            "training_data": {"uri": uri, **self.bucket_facts(uri, region)},
            "encryption": {"cmk": key is not None, "key_id": key},
        }
        if vuri:
            attrs["validation_data"] = {"uri": vuri, **self.bucket_facts(vuri, region)}
        if m.get("jobArn") in isolated:
            attrs["network_isolated"] = isolated[m["jobArn"]]
        return attrs

    @staticmethod
    def _throughput(pt: dict[str, Any]) -> dict[str, Any]:
        attrs = naws.provisioned_throughput(snake_keys(pt))
        attrs["model"]["custom"] = ":custom-model/" in str(pt.get("modelArn", ""))
        return attrs

    def _deployments(self, br, region: str) -> None:
        for arn, pt in self.listed(br, "list_provisioned_model_throughputs", "provisionedModelSummaries",
                                   "provisionedModelArn", what="provisioned throughputs", kind="model_deployment",
                                   region=region, service="bedrock"):
            self.emit(self._throughput, pt, id=arn, kind="model_deployment", native="AWS::Bedrock::ProvisionedModelThroughput",
                      name=str(pt.get("provisionedModelName") or arn), region=region, what="provisioned throughput",
                      service="bedrock")
        for arn, ip in self.listed(br, "list_inference_profiles", "inferenceProfileSummaries", "inferenceProfileArn",
                                   what="inference profiles", kind="model_deployment", region=region, service="bedrock",
                                   typeEquals="APPLICATION"):
            self.resource(id=arn, kind="model_deployment", native="AWS::Bedrock::ApplicationInferenceProfile",
                          name=str(ip.get("inferenceProfileName") or arn), attrs=naws.inference_profile(snake_keys(ip)),
                          region=region)


# ---------------------------------------------------------------------------- planning and running
def account_roles(ctx: ScanContext, caller: str) -> list[tuple[str, str, str | None]]:
    """(account id, name, role ARN to assume) for every account to scan; ``None``: the caller's own credentials.

    Nothing is assumed here: a single-process scan opens each account in its first task,
    a queued scan (:mod:`aiposture.queue`) in the worker that runs the account's tasks."""
    opts, rec = ctx.opts, ctx.rec
    if opts.role_arn:
        return [(role_arn_account(opts.role_arn), "", opts.role_arn)]
    if opts.org:
        try:
            listed = org_accounts(ctx.pool, ctx.creds, ctx.home)
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
        return [(caller, "", None)]
    return [(acct, name, None if acct == caller else f"arn:{ctx.partition}:iam::{acct}:role/{opts.role_name}")
            for acct, name in wanted]


def open_role(ctx: ScanContext, role_arn: str) -> Any:
    """Assume ``role_arn`` with the scan's credentials, recording the role as a scanning identity."""
    creds = assume(ctx.pool, ctx.creds, ctx.home, role_arn, ctx.opts)
    ctx.rec.identify(role_arn, type="role", account=role_arn_account(role_arn), scope=role_arn_account(role_arn))
    return creds


def _plan_accounts(ctx: ScanContext, caller: str) -> list[tuple[str, str, Callable[[], Any]]]:
    """(account id, name, credentials opener) for every account to scan; nothing is assumed yet."""

    def opener(role_arn: str | None) -> Callable[[], Any]:
        if role_arn is None:
            return lambda: ctx.creds
        return lambda: open_role(ctx, role_arn)

    return [(acct, name, opener(arn)) for acct, name, arn in account_roles(ctx, caller)]


def scan_regions(opts: AwsOptions, session: Any, partition: str, rec: Recorder) -> list[str]:
    """The regions to scan: ``--regions`` where Bedrock is offered (the others noted), else every offered one."""
    offered = bedrock_regions(session, partition)
    if not opts.regions:
        return offered
    for r in opts.regions:
        if r not in offered:
            rec.note(f"{r}: Amazon Bedrock is not offered in this region; skipped")
    return [r for r in dict.fromkeys(opts.regions) if r in offered]


def collect(opts: AwsOptions, *, quiet: bool = False, stream=None) -> dict[str, Any]:
    """Scan the accounts and regions ``opts`` names; return an inventory document."""
    opts.validate()
    clock = Clock()
    rec = Recorder("aws")
    base = new_session(opts.profile)
    creds = user_credentials(base, opts.profile)
    home = home_region(base)
    pool = ClientPool(new_session(opts.profile), max_attempts=opts.max_attempts, connect_timeout=opts.connect_timeout,
                      read_timeout=opts.read_timeout, pool_size=max(10, opts.workers + 2), on_call=rec.count_call)
    caller, partition = caller_identity(pool, creds, home, rec)
    ctx = ScanContext(opts, rec, pool, creds, home, partition)
    planned = _plan_accounts(ctx, caller)
    regions = scan_regions(opts, base, partition, rec)

    tasks: list[Task] = []
    for acct, name, open_credentials in planned:
        tasks += AccountScan(ctx, acct, name, open_credentials, list(regions) if opts.regions else None).tasks(regions)
    progress = Progress(len(tasks), "scanning AWS", quiet=quiet, stream=stream)
    run_tasks(tasks, rec, workers=opts.workers, progress=progress)
    doc = rec.document(started_at=clock.started_at, source="aws")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc
