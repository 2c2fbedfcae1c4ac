"""Link raw IaC resources and map them to inventory resources.

Relationships resolved inside one configuration:
  agent -> guardrail (attached, version), action groups -> agent, role -> policy attachments,
  data source -> knowledge base, customization -> training bucket controls,
  deployment -> account and RAI policy, diagnostic setting -> account,
  guardrail / RAI policy "attached" when something references it (the specs' links, set by aiposture.link).
What a configuration cannot tell (a role defined elsewhere) is left out of
attrs: rules that need it do not apply pre-deploy; the live scan judges it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from aiposture import link, specs
from aiposture.iac import gcp_estate
from aiposture.iac.base import RawResource
from aiposture.inventory import Resource, make_resource
from aiposture.normalize import aws as naws
from aiposture.normalize import azure as naz
from aiposture.normalize import gcp as ngcp
from aiposture.normalize.values import UNKNOWN, as_list, get, is_unknown, known


# The IaC type map is derived from the resource-type specs (aiposture.specs): IaC type -> builder key
# (the named mappings below, or the IaC type itself for the generic path), builder key -> native type.
def _canon() -> dict[str, str]:
    return specs.iac_builders()


def __getattr__(name: str) -> Any:
    """``CANON``, ``NATIVE`` and ``UNJUDGED`` as views of the specs (no second list)."""
    if name == "CANON":
        return dict(_canon())
    if name == "NATIVE":
        return {b: n for (b, k), n in specs.cached("iac_native", specs._iac_native).items() if k is None}
    if name == "UNJUDGED":
        return specs.unjudged_iac()
    raise AttributeError(name)


def _native(canon: str, kind: str | None = None) -> str:
    native = specs.iac_native(canon, kind)
    if native is None:
        raise KeyError(f"no spec gives the native type of IaC builder {canon!r} ({kind})")
    return native


class Graph:
    """Index of raw resources by address and by who refers to whom (every lookup O(1), no pairwise scans)."""

    def __init__(self, raws: list[RawResource]):
        self.raws = raws
        self.canon = canon = _canon()
        self.by_addr: dict[tuple[str, str], RawResource] = {}
        self.by_canon: dict[str, list[RawResource]] = defaultdict(list)
        self.by_type: dict[str, list[RawResource]] = defaultdict(list)
        self._named: dict[tuple[str, str | None], dict[str, RawResource]] = {}
        for r in raws:
            key = _scope(r)
            self.by_addr.setdefault((key, r.address), r)
            if "[" in r.address:  # a reference without an index names the first instance
                self.by_addr.setdefault((key, _INDEX.sub("", r.address)), r)
            self.by_canon[canon.get(r.type, r.type)].append(r)
            self.by_type[r.type].append(r)
        self.rev: dict[int, list[tuple[RawResource, str]]] = defaultdict(list)  # id(target) -> (referrer, path)
        for r in raws:
            key = _scope(r)
            for path, addrs in r.refs.items():
                for addr in dict.fromkeys(addrs):
                    t = self.by_addr.get((key, addr))
                    if t is not None and t is not r:
                        self.rev[id(t)].append((r, path))

    def target(self, r: RawResource, path: str, canon: str | None = None) -> RawResource | None:
        for addr in r.refs.get(path, []):
            t = self.by_addr.get((_scope(r), addr))
            if t is not None and (canon is None or self.canon.get(t.type) == canon):
                return t
        return None

    def referrers(self, target: RawResource, path: str | tuple[str, ...], canon: str | None = None,
                  rtype: str | None = None) -> list[RawResource]:
        paths = (path,) if isinstance(path, str) else path
        out = []
        for r, p in self.rev.get(id(target), ()):
            if p in paths and (canon is None or self.canon.get(r.type) == canon) and (rtype is None or r.type == rtype) and r not in out:
                out.append(r)
        return out

    def named(self, canon: str, name: Any, *, file: str | None = None) -> RawResource | None:
        """Find by name within one template (ARM links by name, not by reference)."""
        if not isinstance(name, str):
            return None
        idx = self._named.get((canon, file))
        if idx is None:
            idx = {}
            for r in self.by_canon.get(canon, []):
                if file is not None and r.file != file:
                    continue
                for n in (known(get(r.values, "name")), r.name, r.address, r.address.split(".")[-1], r.address.rsplit("/", 1)[-1]):
                    if isinstance(n, str):
                        idx.setdefault(n, r)
            self._named[(canon, file)] = idx
        return idx.get(name)

    def bucket_named(self, name: str) -> RawResource | None:
        idx = self._named.get(("__bucket__", None))
        if idx is None:
            idx = {}
            for t, key in (("aws_s3_bucket", "bucket"), ("AWS::S3::Bucket", "bucket_name")):
                for b in self.by_type.get(t, []):
                    n = known(get(b.values, key))
                    if isinstance(n, str):
                        idx.setdefault(n, b)
            self._named[("__bucket__", None)] = idx
        return idx.get(name)


_INDEX = re.compile(r"\[[^\]]*\]")


def _scope(r: RawResource) -> str:
    # Terraform references resolve within one root module (one plan); templates within their file
    return r.file if r.origin not in ("terraform", "terraform_plan") else _root_of(r)


# where each AWS mapping reads its customer-managed key: unknown there means "could not be checked", never a pass
_KEY_PATHS = {
    "guardrail": (("kms_key_arn", "kms_key_id"), "encryption"),
    "agent": (("customer_encryption_key_arn",), "encryption"),
}


def _unknown_key(attrs: dict[str, Any], v: dict[str, Any], canon: str) -> None:
    paths, attr = _KEY_PATHS.get(canon, ((), ""))
    if any(is_unknown(get(v, p)) for p in paths):
        attrs[attr] = {"cmk": None, "key_id": None}


def _root_of(r: RawResource) -> str:
    # Terraform references are resolved within one root module: key by the root's folder
    return r.__dict__.get("root", "")


def _mk(r: RawResource, provider: str, kind: str, attrs: dict[str, Any], *, suffix: str = "", native: str | None = None,
        account: Any = "", region: Any = "") -> Resource:
    res = make_resource(
        id=r.id + suffix, provider=provider, kind=kind, native_type=native or r.type, name=r.name or r.address,
        attrs=attrs, account=str(known(account) or ""), region=str(known(region) or ""),
        tags={k: str(v) for k, v in (get(r.values, "tags") or {}).items()} if isinstance(get(r.values, "tags"), dict) else {},
        origin=r.origin, file=r.file, line=r.line, address=r.address)
    if r.suppressions:
        res["suppressions"] = list(r.suppressions)
    return res


# ----------------------------------------------------------------------------- AWS
def _bucket_facts(g: Graph, r: RawResource, uri: Any, path: str) -> dict[str, Any]:
    """Versioning / object lock / public access block of a training bucket declared in the same configuration."""
    bucket = g.target(r, path, None)
    if bucket is None or bucket.type not in ("aws_s3_bucket", "AWS::S3::Bucket"):
        name = None
        if isinstance(uri, str) and uri.startswith("s3://"):
            name = uri[5:].split("/", 1)[0]
        bucket = g.bucket_named(name) if name else None
    if bucket is None:
        return {}
    facts: dict[str, Any] = {}
    if bucket.type == "AWS::S3::Bucket":
        facts["versioning"] = str(known(get(bucket.values, "versioning_configuration.status")) or "").lower() == "enabled"
        facts["object_lock"] = bool(known(get(bucket.values, "object_lock_enabled")))
        pab = get(bucket.values, "public_access_block_configuration") or {}
        facts["public_access_blocked"] = all(known(get(pab, k)) is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
        return facts
    facts["object_lock"] = bool(known(get(bucket.values, "object_lock_enabled")))
    vers = g.referrers(bucket, "bucket", rtype="aws_s3_bucket_versioning")
    facts["versioning"] = any(str(known(get(v.values, "versioning_configuration.status")) or "").lower() == "enabled" for v in vers)
    pabs = g.referrers(bucket, "bucket", rtype="aws_s3_bucket_public_access_block")
    facts["public_access_blocked"] = any(all(known(get(p.values, k)) is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")) for p in pabs)
    return facts


def _role(g: Graph, r: RawResource, path: str) -> dict[str, Any] | None:
    """The execution role declared in this configuration, judged like the live scan judges it."""
    role = g.target(r, path)
    if role is None or role.type not in ("aws_iam_role", "AWS::IAM::Role"):
        return None
    if role.origin == "cloudformation":  # policies attached by Roles:, ManagedPolicyArns and inline
        from aiposture.iac.cloudformation import role_policies

        cfn_docs, cfn_names = role_policies(g.raws, role)
        priv = naws.role_privileges(cfn_docs, cfn_names)
        if priv["admin"] is False and any(is_unknown(d) for d in cfn_docs):
            priv["admin"] = None  # an attachment that could not be read: unknown, not "not admin"
        return {"id": r.refs.get(path, [None])[0], **priv}
    arns = [known(get(role.values, "managed_policy_arns"))]
    arns += [[known(get(att.values, "policy_arn"))] for att in g.referrers(role, "role", rtype="aws_iam_role_policy_attachment")]
    names = [arn.rsplit("/", 1)[-1] for group in arns if isinstance(group, list) for arn in group if isinstance(arn, str)]
    docs = [get(p.values, "policy") for p in g.referrers(role, "role", rtype="aws_iam_role_policy")]
    inline = as_list(get(role.values, "policies"))  # CloudFormation declares them inside the role
    docs += [UNKNOWN] if is_unknown(inline) else [get(p, "policy_document") for p in inline]
    return {"id": r.refs.get(path, [None])[0], **naws.role_privileges([d for d in docs if d is not None], names)}


def _aws(g: Graph, r: RawResource, canon: str) -> list[Resource]:
    v = r.values
    if canon == "guardrail":
        attrs = naws.guardrail(v, version="DRAFT")
        _unknown_key(attrs, v, canon)
        return [_mk(r, "aws", "content_filter", attrs, native=_native(canon))]
    if canon == "agent":
        groups = [x.values for x in g.referrers(r, "agent_id", "action_group")]
        gid_path = "guardrail_configuration.guardrail_identifier"
        target = g.target(r, gid_path, "guardrail")
        attrs = naws.agent(v, groups=groups, role=_role(g, r, "agent_resource_role_arn"),
                           guardrail_id=(target.id if target else None))
        _unknown_key(attrs, v, canon)
        cf = attrs.get("content_filter")
        if cf is not None and not cf["attached"] and r.refs.get(gid_path):
            cf.update(attached=True, id=r.refs[gid_path][0])
        if cf and cf.get("attached") and (r.refs.get("guardrail_configuration.guardrail_version") or
                                          is_unknown(get(v, "guardrail_configuration.guardrail_version"))):
            cf["version"] = "published"  # a reference to aws_bedrock_guardrail_version: an immutable version
        return [_mk(r, "aws", "agent", attrs, native=_native(canon))]
    if canon == "knowledge_base":
        srcs = g.referrers(r, "knowledge_base_id", "data_source")
        sources = [naws.data_source(x.values, _bucket_facts(g, x, get(x.values, "data_source_configuration.s3_configuration.bucket_arn"),
                                                            "data_source_configuration.s3_configuration.bucket_arn")) for x in srcs]
        for x, s_attrs in zip(srcs, sources, strict=True):
            if is_unknown(get(x.values, "server_side_encryption_configuration.kms_key_arn")):
                s_attrs["cmk"] = None
        return [_mk(r, "aws", "knowledge_base", naws.knowledge_base(v, sources=sources), native=_native(canon))]
    if canon == "invocation_logging":
        return [_mk(r, "aws", "ai_service", naws.invocation_logging(v), native=_native(canon))]
    if canon == "vpc_endpoint":
        svc = naws.vpc_endpoint_service(known(get(v, "service_name")))
        if svc is None:
            return []
        pol = get(v, "policy") if get(v, "policy") is not None else get(v, "policy_document")
        attrs = {"private_endpoints": {"count": 1, "approved": 1, "restrictive_policy": naws.endpoint_policy_restrictive(pol)}}
        return [_mk(r, "aws", "ai_service", attrs, native=_native(canon))]
    if canon == "customization":
        uri = get(v, "training_data_config.s3_uri")
        job, model = naws.customization(v, bucket_facts=_bucket_facts(g, r, uri, "training_data_config.s3_uri"))
        if is_unknown(get(v, "custom_model_kms_key_id")) or is_unknown(get(v, "output_model_kms_key_arn")):
            model["encryption"] = {"cmk": None, "key_id": None}
            if "output_encryption" in job:
                job["output_encryption"] = {"cmk": None, "key_id": None}
        return [_mk(r, "aws", "training_job", job, suffix="/job", native=_native(canon, "training_job")),
                _mk(r, "aws", "custom_model", model, native=_native(canon, "custom_model"))]
    if canon == "provisioned_throughput":
        return [_mk(r, "aws", "model_deployment", naws.provisioned_throughput(v), native=_native(canon))]
    return []


# ----------------------------------------------------------------------------- Azure
def _azurerm_account(v: dict[str, Any], rtype: str) -> dict[str, Any]:
    """azurerm_cognitive_account / azurerm_ai_services arguments -> ARM shape."""
    if rtype == "azurerm_ai_services":
        local = get(v, "local_authentication_enabled", True)
        pna = get(v, "public_network_access", "Enabled")
    else:
        local = get(v, "local_auth_enabled", True)
        pna_b = get(v, "public_network_access_enabled", True)
        pna = UNKNOWN if is_unknown(pna_b) else ("Enabled" if pna_b else "Disabled")
    cmk = get(v, "customer_managed_key")
    props: dict[str, Any] = {
        "disable_local_auth": UNKNOWN if is_unknown(local) else (not local),
        "public_network_access": pna,
        "network_acls": {"default_action": get(v, "network_acls.default_action", "Allow"),
                         "ip_rules": get(v, "network_acls.ip_rules", [])},
        "encryption": UNKNOWN if is_unknown(cmk) else (
            {"key_source": "Microsoft.KeyVault", "key_vault_properties": {"key_identifier": get(cmk, "key_vault_key_id")}} if cmk else
            {"key_source": "Microsoft.CognitiveServices"}),
        "restrict_outbound_network_access": get(v, "outbound_network_access_restricted", False),
        "allowed_fqdn_list": get(v, "fqdns", []),
        "custom_sub_domain_name": get(v, "custom_subdomain_name"),
        "dynamic_throttling_enabled": get(v, "dynamic_throttling_enabled", False),
    }
    ident = get(v, "identity.type")
    return {"kind": get(v, "kind", "AIServices"), "location": get(v, "location"), "properties": props,
            "identity": {"type": ident} if ident is not None else None}


def _azurerm_rai(v: dict[str, Any]) -> dict[str, Any]:
    filters = []
    for f in as_list(get(v, "content_filter")) or []:
        filters.append({"name": get(f, "name"), "enabled": get(f, "filter_enabled", True), "blocking": get(f, "block_enabled", True),
                        "severity_threshold": get(f, "severity_threshold"), "source": get(f, "source")})
    return {"properties": {"mode": get(v, "mode", "Default"), "base_policy_name": get(v, "base_policy_name"),
                           "content_filters": filters, "custom_blocklists": as_list(get(v, "custom_block_list")) or []}}


def _azure(g: Graph, r: RawResource, canon: str, diag_for: dict[int, list[RawResource]]) -> list[Resource]:
    v = r.values
    if canon == "az_account":
        arm = v if _arm_shaped(r) else _azurerm_account(v, r.type)
        kind = known(get(arm, "kind"))
        if kind and str(kind) not in ("OpenAI", "AIServices"):
            return []
        attrs = naz.account(arm)
        diags = diag_for.get(id(r), [])
        if diags:
            settings = []
            for d in diags:
                dv = d.values
                if d.origin == "arm":
                    settings.append(dv)
                    continue
                logs = [{"category": get(x, "category"), "category_group": get(x, "category_group"), "enabled": True}
                        for x in as_list(get(dv, "enabled_log")) or []]
                logs += [{"category": get(x, "category"), "enabled": get(x, "enabled", True)} for x in as_list(get(dv, "log")) or []]
                settings.append({"properties": {"workspace_id": get(dv, "log_analytics_workspace_id"),
                                                "storage_account_id": get(dv, "storage_account_id"),
                                                "event_hub_authorization_rule_id": get(dv, "eventhub_authorization_rule_id"),
                                                "logs": logs}})
            attrs.update(naz.diagnostic_settings(settings))
        return [_mk(r, "azure", "ai_service", attrs, native=_native(canon), region=get(arm, "location"))]
    if canon == "az_deployment":
        arm = v if _arm_shaped(r) else {
            "sku": {"name": get(v, "sku.name"), "capacity": get(v, "sku.capacity", 1)},
            "properties": {"model": get(v, "model"), "rai_policy_name": get(v, "rai_policy_name"),
                           "version_upgrade_option": get(v, "version_upgrade_option", "OnceNewDefaultVersionAvailable")}}
        policy = (g.target(r, "rai_policy_name", "az_rai") or g.target(r, "properties.rai_policy_name", "az_rai") or
                  (g.named("az_rai", known(get(arm, "properties.rai_policy_name")), file=r.file) if _arm_shaped(r) else None))
        if policy is not None and is_unknown(get(arm, "properties.rai_policy_name")):
            arm = {**arm, "properties": {**arm["properties"], "rai_policy_name": known(get(policy.values, "name")) or policy.address}}
        attrs = naz.deployment(arm, policy_id=policy.id if policy else None)
        return [_mk(r, "azure", "model_deployment", attrs, native=_native(canon))]
    if canon == "az_rai":
        arm = v if _arm_shaped(r) or "properties" in v else _azurerm_rai(v)
        attrs = naz.rai_policy(arm)
        return [_mk(r, "azure", "content_filter", attrs, native=_native(canon))]
    return []


# ----------------------------------------------------------------------------- Google Cloud
def _gcp(g: Graph, r: RawResource, canon: str) -> list[Resource]:
    if canon in gcp_estate.BUILDERS:
        return gcp_estate.build(r, canon, _mk, _native(canon))
    v = r.values
    project, region = get(v, "project"), get(v, "region") if get(v, "region") is not None else get(v, "location")
    if canon == "gcp_endpoint":
        return [_mk(r, "gcp", "model_deployment", ngcp.endpoint(v), native=_native(canon), account=project, region=region)]
    if canon == "gcp_index_endpoint":
        pub = get(v, "public_endpoint_enabled", False)
        psc = get(v, "private_service_connect_config.enable_private_service_connect")
        net = get(v, "network")
        private = None if any(is_unknown(x) for x in (pub, psc, net)) else (not pub and bool(psc or net))
        return [_mk(r, "gcp", "model_deployment", {"private_network": private, "encryption": ngcp._cmk(v)},
                    native=_native(canon), account=project, region=region)]
    if canon == "gcp_dataset":
        return [_mk(r, "gcp", "training_job", ngcp.dataset(v), native=_native(canon), account=project, region=region)]
    if canon == "gcp_template":
        attrs = ngcp.template(v)
        return [_mk(r, "gcp", "content_filter", attrs, native=_native(canon), account=project, region=region)]
    if canon == "gcp_floor":
        parent = known(get(v, "parent")) or ""
        return [_mk(r, "gcp", "ai_service", ngcp.floor_setting(v), native=_native(canon),
                    account=parent.split("/")[1] if parent.startswith("projects/") else "", region=get(v, "location"))]
    if canon == "gcp_audit":
        service = known(get(v, "service"))
        if service not in ("aiplatform.googleapis.com", "allServices"):
            return []
        return [_mk(r, "gcp", "ai_service", ngcp.audit_config([v]), native=_native(canon), account=project)]
    if canon in ("gcp_iam_member", "gcp_iam_binding"):
        role = get(v, "role")
        if not is_unknown(role) and not ngcp.is_ai_role(role):
            return []
        members = [get(v, "member")] if canon == "gcp_iam_member" else as_list(get(v, "members"))
        if is_unknown(members):
            members = [UNKNOWN]
        out = []
        for i, m in enumerate(members):
            attrs = ngcp.iam_binding(role, m, condition=get(v, "condition"))
            out.append(_mk(r, "gcp", "identity_binding", attrs, suffix=f"/{i}" if len(members) > 1 else "",
                           native=_native(canon), account=project))
        return out
    return []


def _azapi(r: RawResource) -> RawResource:
    """``azapi_resource`` typed as a Cognitive Services ARM type -> the ARM shape the Azure mapping reads.

    The body (an HCL object, or a ``jsonencode``/JSON string) uses ARM's camelCase names;
    references inside it (``raiPolicyName = azapi_resource.filter.name``) keep working.
    """
    t = known(get(r.values, "type"))
    arm_type = t.split("@", 1)[0] if isinstance(t, str) else None
    if arm_type not in _canon() or not arm_type.startswith("Microsoft."):
        return r
    body = get(r.values, "body")
    if isinstance(body, str):
        import json

        try:
            body = json.loads(body)
        except ValueError:
            body = UNKNOWN
    if is_unknown(body):
        values: dict[str, Any] = {"properties": UNKNOWN}
    else:
        from aiposture.normalize.values import snake_keys

        values = snake_keys(body if isinstance(body, dict) else {}, keep=("tags",))
    values["name"] = get(r.values, "name")
    if get(r.values, "location") is not None:
        values["location"] = get(r.values, "location")
    from aiposture.normalize.values import snake

    refs = {".".join(snake(x) for x in path.split(".")[1:]) if path.startswith("body.") else path: targets
            for path, targets in r.refs.items()}
    out = RawResource(type=arm_type, address=r.address, values=values, origin=r.origin, file=r.file, line=r.line,
                      name=r.name, refs=refs, suppressions=r.suppressions)
    out.__dict__.update({k: v for k, v in r.__dict__.items() if k == "root"}, arm_shape=True)
    return out


def _arm_shaped(r: RawResource) -> bool:
    return r.origin == "arm" or bool(r.__dict__.get("arm_shape"))


def _generic(r: RawResource, mapping: specs.IacType, made: tuple[specs.ResourceSpec, ...]) -> list[Resource]:
    """The spec-driven path: ``adapter`` (IaC values -> API shape, optional), then each spec's normaliser.

    A new resource type needs no code here: its spec names the IaC type, the normaliser reads the
    snake_case shape (the API's, or what the adapter makes of the IaC values)."""
    values = r.values if mapping.adapter is None else specs.resolve(mapping.adapter)(r.values)
    out = []
    for i, spec in enumerate(made):
        attrs = spec.normalise(values)
        account: Any = ""
        region: Any = get(values, "region") if get(values, "region") is not None else get(values, "location")
        if spec.provider == "gcp":
            account = get(values, "project")
        elif spec.provider == "aws":
            region = ""
        out.append(_mk(r, spec.provider, spec.kind, attrs, suffix="" if i == 0 else f"/{spec.kind}",
                       native=spec.native_type, account=account, region=region))
    return out


def build(raws: list[RawResource], errors: list[dict[str, Any]] | None = None) -> list[Resource]:
    raws = [_azapi(r) if r.type == "azapi_resource" else r for r in raws]
    g = Graph(raws)
    diag_for: dict[int, list[RawResource]] = defaultdict(list)
    for d in g.by_canon["az_diag"]:
        t = g.target(d, "target_resource_id", "az_account")
        if t is None and d.origin == "arm":
            scope = known(get(d.values, "scope")) or ""
            t = g.named("az_account", scope.rsplit("/", 1)[-1], file=d.file) if scope else None
        if t is not None:
            diag_for[id(t)].append(d)
    out: list[Resource] = []
    types = specs.iac_types()
    for r in raws:
        canon = g.canon.get(r.type)
        if canon is None or r.reference_only:
            continue
        try:
            mapping, made = types[r.type]
            if mapping.builder is None:
                got = _generic(r, mapping, made)
            elif made[0].provider == "azure":
                got = _azure(g, r, canon, diag_for)
            elif made[0].provider == "gcp":
                got = _gcp(g, r, canon)
            else:
                got = _aws(g, r, canon)
            for res in got:  # relationship attributes: one linker for live and IaC (aiposture.link)
                res["attrs"].update(link.iac_attrs(g, r, res["native_type"], arm_shaped=_arm_shaped))
            out.extend(got)
        except Exception as e:
            if errors is None:
                raise
            from aiposture.inventory import make_error

            errors.append(make_error("iac", f"{r.address}: could not be read ({type(e).__name__}: {e}); it was not checked",
                                     code="NormaliseError", file=r.file, line=r.line))
    return out


def is_ai_type(t: str) -> bool:
    return t in _canon()
