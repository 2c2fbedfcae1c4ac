"""Live collector for Azure OpenAI / Azure AI services: subscriptions x accounts -> inventory resources.

Uses ``azure-identity``'s ``DefaultAzureCredential`` and the official
``CognitiveServicesManagementClient`` for accounts, deployments, RAI
(content filter) policies and Defender for AI settings. Three ARM reads the
SDK does not cover (subscriptions, diagnostic settings, role assignments) go
through an ``ARMPipelineClient`` with the same authentication and retry
policies. Sovereign and private clouds: ``--cloud`` or ``--arm-endpoint``.

Read-only: ``listKeys`` and anything else that returns a secret is never
called; :data:`AZURE_ACTIONS` is the custom role ``aiposture permissions
azure`` prints. Every failure is recorded with the scope and kinds it leaves
unchecked; the scan carries on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiposture.collect.base import Clock, Progress, Recorder, Task, guarded, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.normalize import azure as naz
from aiposture.normalize.values import snake_keys

AZURE_ACTIONS = sorted([
    "Microsoft.Resources/subscriptions/read",
    "Microsoft.CognitiveServices/accounts/read",
    "Microsoft.CognitiveServices/accounts/deployments/read",
    "Microsoft.CognitiveServices/accounts/raiPolicies/read",
    "Microsoft.CognitiveServices/accounts/defenderForAISettings/read",
    "Microsoft.Insights/diagnosticSettings/read",
    "Microsoft.Authorization/roleAssignments/read",
])
CLOUDS = {
    "AzurePublicCloud": ("https://management.azure.com", "https://management.azure.com/.default"),
    "AzureUSGovernment": ("https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/.default"),
    "AzureChinaCloud": ("https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/.default"),
}
AUTHORITY = {"AzurePublicCloud": "login.microsoftonline.com", "AzureUSGovernment": "login.microsoftonline.us",
             "AzureChinaCloud": "login.chinacloudapi.cn"}
AI_KINDS = {"openai", "aiservices"}
# built-in role definition ids -> (name, grants every data-plane action, can list keys)
ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ("Owner", True, True),
    "b24988ac-6180-42a0-ab88-20f7382dd24c": ("Contributor", True, True),
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": ("Cognitive Services Contributor", True, True),
    "a97b65f3-24c7-4388-baec-2e87135dc908": ("Cognitive Services User", True, True),
    "a001fd3d-188f-4b5d-821b-7da978bf7442": ("Cognitive Services OpenAI Contributor", True, False),
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": ("Cognitive Services OpenAI User", False, False),
}
PRINCIPAL = {"user": "user", "group": "group", "serviceprincipal": "service_account", "foreigngroup": "group"}


@dataclass
class AzureOptions:
    subscriptions: list[str] = field(default_factory=list)
    resource_groups: list[str] = field(default_factory=list)
    cloud: str = "AzurePublicCloud"
    arm_endpoint: str | None = None
    workers: int = 8
    retries: int = 6


def classify(e: BaseException) -> tuple[str, str]:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(e, ClientAuthenticationError):
        return "AuthenticationFailed", str(e).splitlines()[0]
    if isinstance(e, HttpResponseError):
        code = getattr(getattr(e, "error", None), "code", None) or (str(e.status_code) if e.status_code else "HttpError")
        msg = getattr(getattr(e, "error", None), "message", None) or e.message or str(e)
        return str(code), str(msg).splitlines()[0]
    if isinstance(e, (ServiceRequestError, ServiceResponseError)):
        return "EndpointUnreachable", str(e).splitlines()[0]
    return "InternalError", f"{type(e).__name__}: {e}"


def parse_id(rid: str) -> dict[str, str]:
    """'/subscriptions/S/resourceGroups/R/providers/P/accounts/N' -> {subscriptions: S, resourcegroups: R, ...}."""
    parts = [p for p in rid.split("/") if p]
    return {parts[i].lower(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}


class AzureScan:
    """Shared clients and helpers for one scan (clients are thread-safe; one per subscription)."""

    def __init__(self, opts: AzureOptions, rec: Recorder, credential=None):
        if opts.cloud not in CLOUDS:
            raise AiPostureError(f"unknown --cloud {opts.cloud!r} (choose from {', '.join(CLOUDS)})")
        self.opts, self.rec = opts, rec
        self.base_url, scope = CLOUDS[opts.cloud]
        if opts.arm_endpoint:
            self.base_url = opts.arm_endpoint.rstrip("/")
        self.scopes = [scope]
        self.credential = credential or self._credential()
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._arm: Any = None

    def _credential(self):
        try:
            import azure.mgmt.cognitiveservices  # noqa: F401
            from azure.identity import DefaultAzureCredential
        except ImportError:
            raise AiPostureError("the Azure SDK is not installed: pip install 'aiposture[azure]'") from None
        return DefaultAzureCredential(authority=AUTHORITY[self.opts.cloud])

    def _count(self, request) -> None:
        self.rec.count_call()

    def client(self, subscription: str):
        from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

        with self._lock:
            c = self._clients.get(subscription)
            if c is None:
                c = CognitiveServicesManagementClient(
                    self.credential, subscription, base_url=self.base_url, credential_scopes=self.scopes,
                    retry_total=self.opts.retries, user_agent="aiposture", raw_request_hook=self._count)
                self._clients[subscription] = c
            return c

    def arm(self):
        """A pipeline for the few ARM reads without an SDK operation here (same auth, retries, user agent)."""
        with self._lock:
            if self._arm is None:
                from azure.core.pipeline import policies
                from azure.mgmt.core import ARMPipelineClient
                from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

                self._arm = ARMPipelineClient(base_url=self.base_url, policies=[
                    policies.RequestIdPolicy(), policies.HeadersPolicy(), policies.UserAgentPolicy(user_agent="aiposture"),
                    policies.CustomHookPolicy(raw_request_hook=self._count),
                    policies.RetryPolicy(retry_total=self.opts.retries), policies.RedirectPolicy(),
                    ARMChallengeAuthenticationPolicy(self.credential, *self.scopes), policies.ContentDecodePolicy()])
            return self._arm

    def get_paged(self, path: str, api_version: str) -> Iterator[dict[str, Any]]:
        """GET an ARM collection and follow nextLink; raises azure-core errors like the SDK does."""
        from azure.core.exceptions import HttpResponseError, map_error
        from azure.core.rest import HttpRequest

        url: str | None = f"{self.base_url}{path}{'&' if '?' in path else '?'}api-version={api_version}"
        while url:
            resp = self.arm().send_request(HttpRequest("GET", url))
            if resp.status_code >= 400:
                map_error(resp.status_code, resp, {})
                raise HttpResponseError(response=resp)
            body = resp.json()
            yield from body.get("value", [])
            url = body.get("nextLink")

    # ------------------------------------------------------------------ phases
    def subscriptions(self) -> list[str]:
        if self.opts.subscriptions:
            return list(self.opts.subscriptions)
        try:
            subs = [s["subscriptionId"] for s in self.get_paged("/subscriptions", "2022-12-01")
                    if str(s.get("state", "Enabled")).lower() == "enabled"]
        except Exception as e:
            code, msg = classify(e)
            if code == "AuthenticationFailed":
                raise AiPostureError("no usable Azure credentials: run 'az login', or set AZURE_CLIENT_ID/"
                                     "AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity "
                                     f"(DefaultAzureCredential said: {msg})") from None
            raise AiPostureError(f"cannot list subscriptions ({code}): {msg}; name them with --subscription") from None
        if not subs:
            raise AiPostureError("the identity can see no enabled subscription; name one with --subscription")
        return subs

    def list_accounts(self, sub: str) -> list[Any]:
        accounts = []
        with guarded(self.rec, "list Cognitive Services accounts", kinds=None, classify=classify, subscription=sub):
            for a in self.client(sub).accounts.list():
                if str(a.kind or "").lower() not in AI_KINDS:
                    continue
                rg = parse_id(a.id).get("resourcegroups", "")
                if self.opts.resource_groups and rg.lower() not in {r.lower() for r in self.opts.resource_groups}:
                    continue
                accounts.append(a)
            self.rec.target(subscription=sub)
        return accounts

    def collect_account(self, sub: str, account) -> None:
        ids = parse_id(account.id)
        rg, name, region = ids.get("resourcegroups", ""), account.name, account.location or ""
        c = self.client(sub)
        scope = {"subscription": sub, "account": name}

        def guard(what: str, kinds, partial: bool = False):
            return guarded(self.rec, f"{name}: {what}", kinds=kinds, classify=classify, partial=partial, **scope)

        arm = account.as_dict()
        attrs = naz.account(arm)
        # live: no privateEndpointConnections means none (IaC leaves it absent: endpoints may be declared elsewhere)
        attrs.setdefault("private_endpoints", {"count": 0, "approved": 0})
        attrs["threat_protection"] = None
        with guard("Defender for AI settings", ["ai_service"], partial=True):
            states = [str(s.state or "").lower() for s in c.defender_for_ai_settings.list(rg, name)]
            attrs["threat_protection"] = "enabled" in states
        attrs["invocation_logging"] = attrs["audit_logging"] = None
        with guard("diagnostic settings", ["ai_service"], partial=True):
            settings = [snake_keys(s) for s in self.get_paged(f"{account.id}/providers/Microsoft.Insights/diagnosticSettings",
                                                          "2021-05-01-preview")]
            attrs.update(naz.diagnostic_settings(settings))
        self._add(id=account.id, kind="ai_service", native="Microsoft.CognitiveServices/accounts", name=name, attrs=attrs,
                  sub=sub, region=region, tags=account.tags)

        policies: dict[str, Any] = {}
        with guard("RAI policies", ["content_filter"]):
            policies = {p.name.lower(): p for p in c.rai_policies.list(rg, name)}
        used: set[str] = set()
        with guard("deployments", ["model_deployment"]):
            for d in c.deployments.list(rg, name):
                dv = d.as_dict()
                pname = (dv.get("properties") or {}).get("rai_policy_name")
                target = policies.get(str(pname or "microsoft.defaultv2").lower())
                used.add(str(pname or "Microsoft.DefaultV2").lower())
                dattrs = naz.deployment(dv, policy_id=target.id if target is not None and pname else None)
                self._add(id=d.id, kind="model_deployment", native="Microsoft.CognitiveServices/accounts/deployments",
                          name=f"{name}/{d.name}", attrs=dattrs, sub=sub, region=region, tags=d.tags)
        for key, p in policies.items():
            pattrs = naz.rai_policy(p.as_dict())
            pattrs["attached"] = key in used
            self._add(id=p.id, kind="content_filter", native="Microsoft.CognitiveServices/accounts/raiPolicies",
                      name=f"{name}/{p.name}", attrs=pattrs, sub=sub, region=region, tags=p.tags)

        with guard("role assignments", ["identity_binding"]):
            for ra in self.get_paged(f"{account.id}/providers/Microsoft.Authorization/roleAssignments", "2022-04-01"):
                props = ra.get("properties", {})
                role_id = str(props.get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower()
                if role_id not in ROLES:
                    continue
                role, broad, keys = ROLES[role_id]
                at = str(props.get("scope", ""))
                self._add(id=f"{account.id}/roleAssignments/{ra.get('name', '')}", kind="identity_binding",
                          native="Microsoft.Authorization/roleAssignments", name=f"{name}: {role} -> {props.get('principalId', '')}",
                          attrs={"principal": {"type": PRINCIPAL.get(str(props.get("principalType", "")).lower(), "unknown"),
                                               "id": props.get("principalId")},
                                 "role_or_policy": role, "actions_wildcard": broad,
                                 "resources_wildcard": at.lower().rstrip("/") != account.id.lower().rstrip("/"),
                                 "conditions": bool(props.get("condition")), "can_read_keys": keys},
                          sub=sub, region=region)

    def _add(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], sub: str, region: str,
             tags: dict[str, str] | None = None) -> None:
        self.rec.add(make_resource(id=id, provider="azure", kind=kind, native_type=native, name=name, attrs=attrs,
                                   account=sub, region=region, tags=tags))


def collect(opts: AzureOptions, *, quiet: bool = False, stream=None, credential=None) -> dict[str, Any]:
    """Scan the subscriptions ``opts`` names (default: every enabled one); return an inventory document."""
    clock = Clock()
    rec = Recorder("azure")
    scan = AzureScan(opts, rec, credential)
    subs = scan.subscriptions()
    found: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def list_sub(sub: str) -> None:
        accts = scan.list_accounts(sub)
        with lock:
            found.extend((sub, a) for a in accts)

    run_tasks([Task(f"{s} accounts", {"subscription": s}, partial(list_sub, s)) for s in subs], rec, workers=opts.workers)
    tasks = [Task(f"{s}/{a.name}", {"subscription": s, "account": a.name}, partial(scan.collect_account, s, a))
             for s, a in found]
    run_tasks(tasks, rec, workers=opts.workers, progress=Progress(len(tasks), "scanning Azure", quiet=quiet, stream=stream))
    doc = rec.document(started_at=clock.started_at, source="azure")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc


def role_definition() -> dict[str, Any]:
    """A custom role with exactly the reads the collector makes."""
    return {
        "Name": "aiposture reader",
        "IsCustom": True,
        "Description": "Read-only access for aiposture scans of Azure OpenAI / AI services (no key access).",
        "Actions": AZURE_ACTIONS,
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": ["/subscriptions/<subscription-id>"],
    }
