"""Live collector for Azure OpenAI / Azure AI services: subscriptions x accounts -> inventory resources.

Authenticates with ``azure-identity``'s ``DefaultAzureCredential`` and reads
Azure Resource Manager through ``azure-mgmt-core``'s ``ARMPipelineClient``
(bearer-token challenge handling, retries honouring ``Retry-After``, request
ids). Responses are read as the JSON ARM sends, not through the SDK's typed
models: those drop what a posture check must see (``properties: null``,
enum values newer than the SDK, members of the wrong type), so every value is
judged by :mod:`aiposture.normalize.azure`, where unknown stays unknown.

Per subscription: Cognitive Services accounts (kinds ``OpenAI``,
``AIServices`` and ``ContentSafety``; other kinds are listed in a note) and
Azure ML workspaces (:mod:`aiposture.collect.azure_foundry`, which also reads
the Foundry projects, connections and capability hosts of AIServices accounts). Per account: settings,
Defender for AI, diagnostic settings, deployments, RAI policies (Microsoft's
system-managed defaults only through the deployments that use them) and role
assignments, each judged by its role definition's actions (built-in or
custom). Sovereign and private clouds: ``--cloud`` or ``--arm-endpoint``.

Read-only: ``listKeys`` and anything else that returns a secret is never
called; :data:`AZURE_ACTIONS` is the custom role ``aiposture permissions
azure`` prints. The bearer token only goes to the Resource Manager endpoint
in use: a ``nextLink`` or redirect to any other host is refused. Every
failure is recorded with the scope and kinds it leaves unchecked; the scan
carries on.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from aiposture import specs
from aiposture.collect import azure_foundry
from aiposture.collect.base import Clock, OnceCache, Progress, Recorder, Task, guarded, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.link import Linker
from aiposture.normalize import azure as naz
from aiposture.normalize.values import UNKNOWN, snake_keys

AZURE_ACTIONS = specs.permissions("azure")  # derived from the resource-type specs (aiposture.specs.azure)
CLOUDS = {
    "AzurePublicCloud": ("https://management.azure.com", "https://management.azure.com/.default"),
    "AzureUSGovernment": ("https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/.default"),
    "AzureChinaCloud": ("https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/.default"),
}
AUTHORITY = {"AzurePublicCloud": "login.microsoftonline.com", "AzureUSGovernment": "login.microsoftonline.us",
             "AzureChinaCloud": "login.chinacloudapi.cn"}
_SERVICES = specs.services("azure")
API = {"cognitive": _SERVICES["cognitiveservices"].api_version, "subscriptions": _SERVICES["subscriptions"].api_version,
       "insights": _SERVICES["insights"].api_version, "authorization": _SERVICES["authorization"].api_version}
AI_KINDS = {"openai", "aiservices", "contentsafety"}
RAI = "Microsoft.CognitiveServices/accounts/raiPolicies"
DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"
# SubscriptionState: Enabled, Warned, PastDue, Disabled, Deleted. Warned and PastDue subscriptions still run
# workloads (a billing warning), so they are scanned; Disabled and Deleted ones cannot run anything.
SCANNED_STATES = {"enabled", "warned", "pastdue"}
# Built-in role definitions (global ids), used when a definition cannot be read: name, every model, list keys
BUILTIN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ("Owner", True, True),
    "b24988ac-6180-42a0-ab88-20f7382dd24c": ("Contributor", True, True),
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": ("Cognitive Services Contributor", True, True),
    "a97b65f3-24c7-4388-baec-2e87135dc908": ("Cognitive Services User", True, True),
    "a001fd3d-188f-4b5d-821b-7da978bf7442": ("Cognitive Services OpenAI Contributor", True, False),
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": ("Cognitive Services OpenAI User", False, False),
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": ("Reader", False, False),
}
ROLE_DEF_ID = re.compile(r"^(?:/subscriptions/[0-9A-Za-z-]+)?/providers/Microsoft\.Authorization/roleDefinitions/"
                         r"([0-9A-Fa-f-]{36})$", re.IGNORECASE)
_BINDING_KINDS = ["identity_binding"]
_ACCOUNT_KINDS = ["ai_service", "model_deployment", "content_filter", "identity_binding"]


class UntrustedLinkError(Exception):
    """A nextLink or redirect names a host other than the Resource Manager endpoint: the token stays home."""


class InvalidResponseError(Exception):
    """A 2xx answer that is not the JSON shape ARM documents (HTML, truncated JSON, a list for an object)."""


@dataclass
class AzureOptions:
    subscriptions: list[str] = field(default_factory=list)
    resource_groups: list[str] = field(default_factory=list)
    cloud: str = "AzurePublicCloud"
    arm_endpoint: str | None = None
    # Foundry agents live in the data plane only: opt-in (needs a data-plane role such as Azure AI User)
    foundry_agents: bool = False
    foundry_endpoint_template: str | None = None  # e.g. https://127.0.0.1:8443/{account} (default: public cloud host)
    workers: int = 8
    retries: int = 6


def classify(e: BaseException) -> tuple[str, str]:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(e, UntrustedLinkError):
        return "UntrustedNextLink", str(e)
    if isinstance(e, InvalidResponseError):
        return "InvalidResponse", str(e)
    if isinstance(e, ClientAuthenticationError):
        return "AuthenticationFailed", str(e).splitlines()[0] if str(e) else "authentication failed"
    if isinstance(e, HttpResponseError):
        code = getattr(getattr(e, "error", None), "code", None) or (str(e.status_code) if e.status_code else "HttpError")
        msg = getattr(getattr(e, "error", None), "message", None) or e.message or str(e)
        return str(code), (str(msg).splitlines() or [""])[0]
    if isinstance(e, (ServiceRequestError, ServiceResponseError)):
        return "EndpointUnreachable", (str(e).splitlines() or [""])[0]
    return "InternalError", f"{type(e).__name__}: {e}"


def json_object(resp) -> dict[str, Any]:
    """A response's JSON object: an HTTP error raises the SDK's typed error, anything but a JSON object
    raises InvalidResponseError (ARM and the Foundry data plane alike)."""
    from azure.core.exceptions import HttpResponseError, map_error

    if resp.status_code >= 400:
        map_error(resp.status_code, resp, {})
        raise HttpResponseError(response=resp)
    try:
        body = resp.json()
    except ValueError:
        raise InvalidResponseError(f"HTTP {resp.status_code} answer is not JSON "
                                   f"({resp.headers.get('Content-Type') or 'no content type'})") from None
    if not isinstance(body, dict):
        raise InvalidResponseError(f"expected a JSON object, got {type(body).__name__}")
    return body


def parse_id(rid: str) -> dict[str, str]:
    """'/subscriptions/S/resourceGroups/R/providers/P/accounts/N' -> {subscriptions: S, resourcegroups: R, ...}."""
    parts = [p for p in rid.split("/") if p]
    return {parts[i].lower(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def _origin(url: str) -> tuple[str, str, int]:
    u = urlsplit(url)
    scheme = u.scheme.lower()
    return scheme, (u.hostname or "").lower(), u.port or (443 if scheme == "https" else 80)


def _host_guard(base_url: str):
    """A pipeline policy, placed last (after authentication, redirects and retries), that refuses to send
    a request anywhere but the Resource Manager endpoint: a hostile or broken nextLink never gets the token."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    home = _origin(base_url)

    class HostGuard(SansIOHTTPPolicy):
        def on_request(self, request) -> None:
            url = request.http_request.url
            if _origin(url) != home:
                u = urlsplit(url)
                raise UntrustedLinkError(f"refused to follow a link to {u.scheme}://{u.netloc}/ (only {base_url} is "
                                         "trusted with the token); the collection is incomplete")

    return HostGuard()


class _TokenCache:
    """Reuse one token per scope set until five minutes before it expires (the Azure CLI credential
    starts a process for every token; the credential check and the pipeline share the first one)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], Any] = {}

    def get_token(self, *scopes: str, **kwargs):
        if kwargs.get("claims"):
            return self.inner.get_token(*scopes, **kwargs)
        with self._lock:
            tok = self._tokens.get(scopes)
            if tok is None or tok.expires_on - 300 < time.time():
                tok = self.inner.get_token(*scopes, **kwargs)
                self._tokens[scopes] = tok
            return tok


def quiet_sdk_logs() -> None:
    """azure-identity logs every failed credential of the chain as a warning; without logging configured
    Python prints them to stderr (a 17-line dump before our one-line error). The tool reports failures
    itself, so the SDK's records go nowhere unless the embedding application configured logging."""
    lg = logging.getLogger("azure")
    if not any(isinstance(h, logging.NullHandler) for h in lg.handlers):
        lg.addHandler(logging.NullHandler())


def credential_error(e: BaseException, env: dict[str, str] | None = None) -> str:
    """One line: why no token could be had, and hints only for what is not already set up."""
    env = dict(os.environ if env is None else env)
    text = str(e)
    detail: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\w+Credential):\s*(.*)", line)
        if m:
            detail.setdefault(m.group(1), m.group(2).split(". ")[0].strip().rstrip("."))
    first = (text.splitlines() or ["no credential could get a token"])[0].strip().rstrip(".")
    sp_vars = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]
    secret = [v for v in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE") if env.get(v)]
    sp_set = [v for v in sp_vars if env.get(v)]
    narrowed = (env.get("AZURE_TOKEN_CREDENTIALS") or "").strip()
    reasons: list[str] = []
    hints: list[str] = []
    wants = narrowed.lower()
    use_env = not narrowed or wants in ("prod", "environmentcredential", "workloadidentitycredential")
    use_cli = not narrowed or wants in ("dev", "azureclicredential")
    if narrowed:
        reasons.append(f"AZURE_TOKEN_CREDENTIALS={narrowed} limits the credential chain")
    if use_env:
        if len(sp_set) == len(sp_vars) and secret:
            why = detail.get("EnvironmentCredential") or detail.get("WorkloadIdentityCredential") or first
            reasons.append(f"the service principal in AZURE_CLIENT_ID/AZURE_TENANT_ID ({', '.join(secret)}) was refused: {why}")
        elif sp_set or secret:
            missing = [v for v in sp_vars if not env.get(v)] + ([] if secret else ["AZURE_CLIENT_SECRET"])
            hints.append(f"complete the service principal settings (missing {', '.join(missing)})")
        else:
            hints.append("set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal")
    if use_cli:
        if shutil.which("az", path=env.get("PATH")):
            hints.insert(0, "run 'az login'")
        else:
            hints.append("install the Azure CLI and run 'az login'")
    if not reasons:
        reasons.append(first)
    return f"no usable Azure credentials: {'; '.join(reasons)}" + (f". Try: {'; or '.join(hints)}" if hints else "")


def token_principal(token: str) -> dict[str, str] | None:
    """Who a Microsoft Entra access token was issued to, from its claims (object id, tenant, user name or
    application id), for the evidence pack. The token is not verified (Azure verifies it on every call) and
    never kept: only these claims leave this function. None when the token is not a readable JWT."""
    import base64
    import json

    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or len(parts[1]) > 16384:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError, RecursionError):  # 16 KB of '[' nests deeper than json allows
        return None
    if not isinstance(claims, dict):
        return None

    def text(key: str) -> str:
        v = claims.get(key)
        return v[:256] if isinstance(v, str) else ""

    principal = text("oid") or text("appid") or text("azp")
    if not principal:
        return None
    kind = {"user": "user", "app": "service_principal"}.get(text("idtyp"), "user" if text("upn") else "")
    return {"principal": principal, "type": kind, "account": text("tid"),
            "name": text("upn") or text("unique_name") or text("appid")}


class AzureScan:
    """Shared pipeline and helpers for one scan (the pipeline is thread-safe)."""

    def __init__(self, opts: AzureOptions, rec: Recorder, credential=None):
        if opts.cloud not in CLOUDS:
            raise AiPostureError(f"unknown --cloud {opts.cloud!r} (choose from {', '.join(CLOUDS)})")
        self.opts, self.rec = opts, rec
        self.base_url, scope = CLOUDS[opts.cloud]
        if opts.arm_endpoint:
            u = urlsplit(opts.arm_endpoint)
            if u.scheme != "https" or not u.hostname:
                raise AiPostureError(f"--arm-endpoint must be an https:// URL, got {opts.arm_endpoint!r}")
            self.base_url = opts.arm_endpoint.rstrip("/")
        self.scopes = [scope]
        azure_foundry.check_template(opts.foundry_endpoint_template)
        quiet_sdk_logs()
        self.credential = _TokenCache(credential or self._credential())
        self._lock = threading.Lock()
        self._arm: Any = None
        self._roles = OnceCache()  # role definition GUID -> judged role (read once per scan)

    def _credential(self):
        try:
            import azure.mgmt.core  # noqa: F401  (the ARM pipeline, used once the credential works)
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise AiPostureError("the Azure SDK is not installed: pip install 'aiposture[azure]'") from None
        return DefaultAzureCredential(authority=AUTHORITY[self.opts.cloud])

    def check_credentials(self) -> None:
        """Get the token once before any scope is touched: no credentials is a usage error (exit 2, one line),
        not hundreds of 'could not be checked' rows."""
        try:
            token = self.credential.get_token(*self.scopes)
        except Exception as e:
            raise AiPostureError(credential_error(e)) from None
        who = token_principal(getattr(token, "token", ""))
        if who:
            self.rec.identify(**who)

    def _count(self, request) -> None:
        self.rec.count_call()

    def arm(self):
        """One pipeline for every read (auth, retries, user agent, call counting, host guard)."""
        with self._lock:
            if self._arm is None:
                from azure.core.pipeline import policies
                from azure.mgmt.core import ARMPipelineClient
                from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

                self._arm = ARMPipelineClient(base_url=self.base_url, policies=[
                    policies.RequestIdPolicy(), policies.HeadersPolicy(), policies.UserAgentPolicy(user_agent="aiposture"),
                    policies.RetryPolicy(retry_total=self.opts.retries), policies.RedirectPolicy(),
                    ARMChallengeAuthenticationPolicy(self.credential, *self.scopes),
                    policies.CustomHookPolicy(raw_request_hook=self._count), _host_guard(self.base_url)])
            return self._arm

    def get_json(self, url: str) -> dict[str, Any]:
        """GET one ARM URL (absolute, or a path on the endpoint); a 2xx body must be a JSON object."""
        from azure.core.rest import HttpRequest

        if url.startswith("/"):
            url = self.base_url + url
        return json_object(self.arm().send_request(HttpRequest("GET", url)))

    def get_paged(self, path: str, api_version: str) -> Iterator[dict[str, Any]]:
        """GET an ARM collection and follow nextLink (on this endpoint only). Items that are not objects
        are skipped and, once the good ones are yielded, reported as an error for the collection."""
        url: str | None = f"{path}{'&' if '?' in path else '?'}api-version={api_version}"
        bad = 0
        while url:
            body = self.get_json(url)
            items, link = body.get("value"), body.get("nextLink")
            if not isinstance(items, list) or (link is not None and not isinstance(link, str)):
                raise InvalidResponseError("a collection page without a 'value' list")
            for item in items:
                if isinstance(item, dict):
                    yield item
                else:
                    bad += 1
            url = link or None
        if bad:
            raise InvalidResponseError(f"{bad} item(s) of the collection are not objects")

    # ------------------------------------------------------------------ phases
    def subscriptions(self) -> list[str]:
        if self.opts.subscriptions:
            return list(self.opts.subscriptions)
        subs, skipped, odd = [], [], 0
        try:
            for s in self.get_paged("/subscriptions", API["subscriptions"]):
                sid, state = s.get("subscriptionId"), s.get("state")
                if not isinstance(sid, str) or not sid:
                    odd += 1
                    continue
                if isinstance(state, str) and state.lower() not in SCANNED_STATES:
                    skipped.append(f"{sid} ({state})")
                    continue
                subs.append(sid)
        except Exception as e:
            code, msg = classify(e)
            if code == "AuthenticationFailed":
                raise AiPostureError(credential_error(e)) from None
            # the scan still completes and writes its reports: this failure is what they list as not checked
            self.rec.error(f"list subscriptions: {msg} (name them with --subscription)", code=code, kinds=None)
            return subs
        if skipped:
            self.rec.note(f"skipped {len(skipped)} subscription(s) that cannot run workloads: {', '.join(sorted(skipped))}")
        if odd:
            self.rec.error(f"{odd} subscription(s) listed without an id could not be scanned", code="InvalidResponse",
                           kinds=None)
        if not subs and not odd:
            raise AiPostureError("the identity can see no active subscription; name one with --subscription")
        return subs

    def list_accounts(self, sub: str) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = []
        other: Counter[str] = Counter()
        rgs = {r.lower() for r in self.opts.resource_groups}
        with guarded(self.rec, "list Cognitive Services accounts", kinds=None, classify=classify, subscription=sub):
            path = f"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/accounts"
            for a in self.get_paged(path, API["cognitive"]):
                rid, name, kind = a.get("id"), a.get("name"), a.get("kind")
                if not isinstance(rid, str) or not isinstance(name, str) or "resourcegroups" not in parse_id(rid):
                    self.rec.error("an account was listed without a usable id or name", code="InvalidResponse",
                                   kinds=_ACCOUNT_KINDS, subscription=sub)
                    continue
                if rgs and parse_id(rid)["resourcegroups"].lower() not in rgs:
                    continue
                if not isinstance(kind, str):
                    self.rec.error(f"account {name}: its kind could not be read, so it was not scanned",
                                   code="InvalidResponse", kinds=_ACCOUNT_KINDS, subscription=sub, account=name)
                    continue
                if kind.lower() not in AI_KINDS:
                    other[kind] += 1
                    continue
                accounts.append(a)
            self.rec.target(subscription=sub)
        if other:
            kinds = ", ".join(f"{k} x{n}" for k, n in sorted(other.items()))
            self.rec.note(f"{sub}: skipped {sum(other.values())} Cognitive Services account(s) of other kinds ({kinds}); "
                          "aiposture scans kinds OpenAI, AIServices and ContentSafety")
        return accounts

    def collect_account(self, sub: str, account: dict[str, Any]) -> None:
        acct_id, name = str(account["id"]), str(account["name"])
        location = account.get("location")
        region = location if isinstance(location, str) else ""
        scope = {"subscription": sub, "account": name}

        def guard(what: str, kinds, partial: bool = False):
            return guarded(self.rec, f"{name}: {what}", kinds=kinds, classify=classify, partial=partial, **scope)

        arm = snake_keys(account)
        known_props = isinstance(account.get("properties"), dict)
        if not known_props:  # 'properties': null (or not an object): nothing about the account is known
            arm["properties"] = UNKNOWN
            self.rec.error(f"{name}: the account's properties could not be read", code="InvalidResponse",
                           kinds=["ai_service"], partial=True, **scope)
        attrs = naz.account(arm)
        if known_props:  # live: no privateEndpointConnections means none (IaC: they may be declared elsewhere)
            attrs.setdefault("private_endpoints", {"count": 0, "approved": 0})
        attrs["threat_protection"] = None
        with guard("Defender for AI settings", ["ai_service"], partial=True):
            attrs["threat_protection"] = self._defender(acct_id)
        attrs["invocation_logging"] = attrs["audit_logging"] = None
        with guard("diagnostic settings", ["ai_service"], partial=True):
            settings = [snake_keys(s) for s in self.get_paged(f"{acct_id}/providers/Microsoft.Insights/diagnosticSettings",
                                                              API["insights"])]
            attrs.update(naz.diagnostic_settings(settings))
        deployments: dict[str, Any] | None = None
        if str(account.get("kind")).lower() != "contentsafety":  # Content Safety hosts no model deployments
            deployments = self._models(acct_id, name, sub, region, guard)
        if str(account.get("kind")).lower() == "aiservices":  # a Foundry resource: projects, connections, agent setup
            azure_foundry.collect_foundry(self, sub, account, attrs, region, deployments=deployments)
        self._add(id=acct_id, kind="ai_service", native="Microsoft.CognitiveServices/accounts", name=name, attrs=attrs,
                  sub=sub, region=region, tags=account.get("tags"))
        with guard("role assignments", _BINDING_KINDS):
            for ra in self.get_paged(f"{acct_id}/providers/Microsoft.Authorization/roleAssignments", API["authorization"]):
                self._assignment(ra, acct_id, name, sub, region)

    def _models(self, acct_id: str, name: str, sub: str, region: str, guard) -> dict[str, Any] | None:
        """Deployments and RAI policies of an account (Prompt Shields = the Jailbreak / Indirect Attack filters).
        Returns each deployment's ``content_filter`` attrs by lower-case name (what a Foundry agent's ``model``
        names), or None when the deployments could not be listed."""
        policies: dict[str, dict[str, Any]] = {}
        filters: dict[str, Any] | None = None
        with guard("RAI policies", ["content_filter"]):
            for p in self.get_paged(f"{acct_id}/raiPolicies", API["cognitive"]):
                pname = p.get("name")
                if not isinstance(pname, str):
                    raise InvalidResponseError("a RAI policy without a name")
                policies[pname.lower()] = p
        links = Linker()  # RAI policies named by deployments: "attached" (per account: names are the account's)
        with guard("deployments", ["model_deployment"]):
            found: dict[str, Any] = {}
            for d in self.get_paged(f"{acct_id}/deployments", API["cognitive"]):
                dname, cf = self._deployment(d, policies, links, name, sub, region)
                found[dname.lower()] = cf
            filters = found
        for key, p in policies.items():
            with guard(f"RAI policy {key}", ["content_filter"]):
                pv = snake_keys(p)
                if naz.is_system_managed(pv) and not links.referenced(RAI, [key]):
                    continue  # Microsoft's default, used by no deployment: nothing of the customer's to judge
                if not isinstance(p.get("properties"), dict):
                    pv["properties"] = UNKNOWN
                pattrs = naz.rai_policy(pv)
                raw_id = p.get("id")
                pid = raw_id if isinstance(raw_id, str) else f"{acct_id}/raiPolicies/{p['name']}"
                res = self._add(id=pid, kind="content_filter", native="Microsoft.CognitiveServices/accounts/raiPolicies",
                                name=f"{name}/{p['name']}", attrs=pattrs, sub=sub, region=region, tags=p.get("tags"))
                links.target(res, [key])
        links.apply()
        return filters

    def _defender(self, acct_id: str) -> bool | None:
        """Defender for AI on the account: on when a setting is Enabled, unknown when a state cannot be read."""
        states = []
        for s in self.get_paged(f"{acct_id}/defenderForAISettings", API["cognitive"]):
            props = s.get("properties")
            state = props.get("state") if isinstance(props, dict) else None
            states.append(state.lower() if isinstance(state, str) and state.lower() in ("enabled", "disabled") else None)
        if "enabled" in states:
            return True
        return None if None in states else False

    def _deployment(self, d: dict[str, Any], policies: dict[str, dict[str, Any]], links: Linker, account: str, sub: str,
                    region: str) -> tuple[str, Any]:
        dname, did = d.get("name"), d.get("id")
        if not isinstance(dname, str) or not isinstance(did, str):
            raise InvalidResponseError("a deployment without a name or id")
        dv = snake_keys(d)
        props = d.get("properties")
        if not isinstance(props, dict):
            dv["properties"] = UNKNOWN
            pname: Any = None
        else:
            pname = props.get("raiPolicyName")
        target = None
        if props is not None and isinstance(props, dict) and (pname is None or isinstance(pname, str)):
            target = policies.get((pname or "Microsoft.DefaultV2").lower())
        links.refer(DEPLOYMENTS, d)
        dattrs = naz.deployment(dv, policy_id=target.get("id") if target and isinstance(target.get("id"), str) else None)
        self._add(id=did, kind="model_deployment", native="Microsoft.CognitiveServices/accounts/deployments",
                  name=f"{account}/{dname}", attrs=dattrs, sub=sub, region=region, tags=d.get("tags"))
        return dname, dattrs.get("content_filter")

    def _assignment(self, ra: dict[str, Any], acct_id: str, account: str, sub: str, region: str) -> None:
        props = ra.get("properties")
        ra_name = ra.get("name") if isinstance(ra.get("name"), str) else None
        rdef = props.get("roleDefinitionId") if isinstance(props, dict) else None
        m = ROLE_DEF_ID.match(rdef) if isinstance(rdef, str) else None
        role: dict[str, Any] | None = None
        if m is None:
            # properties null, or no readable role: the grant exists but what it allows is unknown
            self.rec.error(f"{account}: role assignment {ra_name or '?'} could not be read (no role definition id)",
                           code="InvalidResponse", kinds=_BINDING_KINDS, partial=True, subscription=sub, account=account)
        else:
            role = self._role(str(rdef), m.group(1).lower(), sub, account)
            if role is not None and not role["relevant"]:
                return
        attrs = naz.role_assignment(snake_keys(ra), acct_id, role)
        who = attrs["principal"]["id"] or "?"
        self._add(id=f"{acct_id}/roleAssignments/{ra_name or who}", kind="identity_binding",
                  native="Microsoft.Authorization/roleAssignments",
                  name=f"{account}: {attrs['role_or_policy'] or 'unknown role'} -> {who}", attrs=attrs, sub=sub, region=region)

    def _role(self, def_id: str, guid: str, sub: str, account: str) -> dict[str, Any] | None:
        """The judged role definition (read once per scan and role); a built-in role whose definition cannot
        be read falls back to the table; anything else unreadable is None (the binding's attrs are unknown)."""

        def read() -> dict[str, Any]:
            body = snake_keys(self.get_json(f"{def_id}?api-version={API['authorization']}"))
            judged = naz.role_permissions(body)
            if judged is None:
                raise InvalidResponseError(f"role definition {guid} has no readable permissions")
            return judged

        judged, err = self._roles.get(guid, read)
        if err is None:
            return judged
        if guid in BUILTIN_ROLES:
            rname, broad, keys = BUILTIN_ROLES[guid]
            return {"name": rname, "relevant": broad or keys or rname.startswith("Cognitive"), "can_read_keys": keys,
                    "all_actions": broad}
        code, msg = classify(err)
        self.rec.error(f"{account}: role definition {guid}: {msg}", code=code, kinds=_BINDING_KINDS, partial=True,
                       subscription=sub, account=account)
        return None

    def _add(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], sub: str, region: str,
             tags: Any = None) -> dict[str, Any]:
        tags = {str(k): str(v) for k, v in tags.items() if isinstance(v, (str, int, float, bool))} if isinstance(tags, dict) else None
        r = make_resource(id=id, provider="azure", kind=kind, native_type=native, name=name, attrs=attrs,
                          account=sub, region=region, tags=tags)
        self.rec.add(r)
        return r


def collect(opts: AzureOptions, *, quiet: bool = False, stream=None, credential=None) -> dict[str, Any]:
    """Scan the subscriptions ``opts`` names (default: every active one); return an inventory document."""
    clock = Clock()
    rec = Recorder("azure")
    scan = AzureScan(opts, rec, credential)
    scan.check_credentials()
    subs = scan.subscriptions()
    found: list[tuple[str, dict[str, Any]]] = []
    lock = threading.Lock()

    def list_sub(sub: str) -> None:
        accts = scan.list_accounts(sub)
        with lock:
            found.extend((sub, a) for a in accts)

    workspaces: list[tuple[str, dict[str, Any]]] = []

    def list_ws(sub: str) -> None:
        ws = azure_foundry.list_workspaces(scan, sub)
        with lock:
            workspaces.extend((sub, w) for w in ws)

    run_tasks([Task(f"{s} accounts", {"subscription": s}, partial(list_sub, s)) for s in subs] +
              [Task(f"{s} ML workspaces", {"subscription": s}, partial(list_ws, s)) for s in subs], rec, workers=opts.workers)
    tasks = [Task(f"{s}/{a['name']}", {"subscription": s, "account": a["name"]}, partial(scan.collect_account, s, a))
             for s, a in found]
    tasks += [Task(f"{s}/{w['name']}", {"subscription": s, "workspace": w["name"]},
                   partial(azure_foundry.collect_workspace, scan, s, w)) for s, w in workspaces]
    run_tasks(tasks, rec, workers=opts.workers, progress=Progress(len(tasks), "scanning Azure", quiet=quiet, stream=stream))
    doc = rec.document(started_at=clock.started_at, source="azure")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc


def role_definition() -> dict[str, Any]:
    """A custom role with exactly the reads the collector makes (what ``aiposture permissions azure`` prints)."""
    from aiposture.specs.documents import azure_role

    return azure_role()
