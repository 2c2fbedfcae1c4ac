"""A local HTTPS Azure Resource Manager for tests.

Serves the ARM REST shapes of Microsoft.CognitiveServices (api-version
2025-06-01; Foundry projects, connections and capability hosts: ``add_foundry``),
Microsoft.MachineLearningServices workspaces with their connections and
datastores (2025-09-01, ``add_workspace``), subscriptions (2022-12-01), diagnostic settings
(2021-05-01-preview), role assignments and role definitions (2022-04-01).
Bodies are plain JSON objects (``tests/azure_scenario.py`` builds them from
the SDK's models or from the REST specification's examples), so the fake can
also answer what the SDK models cannot express: ``properties: null``,
``systemData``, unknown fields and enum values. TLS uses a throw-away CA
(trustme); the bearer-token policy of azure-core refuses plain HTTP, like the
real cloud.

Fault injection: 403 AuthorizationFailed for a subscription, 429 with
Retry-After N times for a path, added latency, a ``mutate(path, body)`` hook
that may rewrite any JSON answer or replace it with raw bytes, and
``next_link_base`` to make collections page to another host. Collections page
at ``page_size`` with absolute ``nextLink`` URLs. Requests made by aiposture
are logged as (method, path); ``authorized`` counts requests that carried a
bearer token.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.base import FakeServer

ACCOUNTS = re.compile(r"^/subscriptions/([^/]+)/providers/Microsoft\.CognitiveServices/accounts$", re.IGNORECASE)
CHILD = re.compile(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.CognitiveServices/accounts/[^/]+)"
                   r"(?:/(deployments|raiPolicies|defenderForAISettings|providers/Microsoft\.Insights/diagnosticSettings|"
                   r"providers/Microsoft\.Authorization/roleAssignments|listKeys|regenerateKey))?$", re.IGNORECASE)
# Foundry children of an account (api-version 2025-09-01; capability hosts listed with 2025-10-01-preview)
FOUNDRY = re.compile(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.CognitiveServices/accounts/[^/]+)"
                     r"/(connections|capabilityHosts|projects)(?:/([^/]+)(?:/(connections|capabilityHosts))?)?$", re.IGNORECASE)
# Azure Machine Learning workspaces (Microsoft.MachineLearningServices 2025-09-01)
WORKSPACES = re.compile(r"^/subscriptions/([^/]+)/providers/Microsoft\.MachineLearningServices/workspaces$", re.IGNORECASE)
WORKSPACE = re.compile(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.MachineLearningServices/workspaces/[^/]+)"
                       r"(?:/(connections|datastores|listKeys|connections/[^/]+/listsecrets|datastores/[^/]+/listSecrets))?$",
                       re.IGNORECASE)
# Foundry project data plane (--foundry-endpoint-template https://HOST/{account}): agents, OpenAI-style paging
AGENTS = re.compile(r"^/([^/]+)/api/projects/([^/]+)/assistants$", re.IGNORECASE)
ROLE_DEF = re.compile(r"^(?:/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$", re.IGNORECASE)


class AzureFake(FakeServer):
    def __init__(self, ca, *, page_size: int = 2):
        super().__init__(tls_ca=ca)
        self.page_size = page_size
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}  # account id (lower) -> {"body": ..., children...}
        self.role_definitions: dict[str, dict[str, Any]] = {}  # GUID (lower) -> definition body
        self.forbidden: set[str] = set()
        self.throttles: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []
        self.authorized = 0
        self.mutate: Callable[[str, Any], Any] | None = None
        self.next_link_base: str | None = None
        self.workspaces: dict[str, dict[str, Any]] = {}  # workspace id (lower) -> {"body", "connections", "datastores"}
        self.ml_errors: dict[str, tuple[int, str]] = {}  # subscription -> (status, code) for the workspace list
        self.path_errors: dict[str, tuple[int, str]] = {}  # path suffix -> (status, code), e.g. an old api-version's 400
        self.agents: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (account subdomain, project) -> agent objects
        self.agent_queries: list[dict[str, str]] = []  # query strings of the agents requests (api-version, limit, after)

    # ---------------------------------------------------------------- data
    def add_subscription(self, sub: str, name: str = "", state: str = "Enabled") -> None:
        self.subscriptions[sub] = {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "displayName": name or sub,
                                   "state": state, "tenantId": "00000000-0000-0000-0000-000000000001",
                                   "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                                            "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
                                   "authorizationSource": "RoleBased"}

    def add_account(self, body: dict[str, Any], *, deployments=(), rai_policies=(), defender=(), diagnostics=(),
                    role_assignments=()) -> None:
        self.accounts[body["id"].lower()] = {
            "body": body, "deployments": list(deployments), "raipolicies": list(rai_policies),
            "defenderforaisettings": list(defender), "providers/microsoft.insights/diagnosticsettings": list(diagnostics),
            "providers/microsoft.authorization/roleassignments": list(role_assignments)}

    def add_foundry(self, account_id: str, *, connections=(), capability_hosts=(), projects=(),
                    project_children: dict[str, dict[str, list[Any]]] | None = None) -> None:
        """Projects, connections and capability hosts of an account added with add_account (kind AIServices).
        ``project_children``: project name -> {"connections": [...], "capabilityhosts": [...]}."""
        acct = self.accounts[account_id.lower()]
        acct.update(connections=list(connections), capabilityhosts=list(capability_hosts), projects=list(projects),
                    project_children={k.lower(): v for k, v in (project_children or {}).items()})

    def add_workspace(self, body: dict[str, Any], *, connections=(), datastores=()) -> None:
        self.workspaces[body["id"].lower()] = {"body": body, "connections": list(connections),
                                               "datastores": list(datastores)}

    def add_agents(self, account: str, project: str, agents: list[dict[str, Any]]) -> None:
        """Agents of a Foundry project in the data plane (``GET /api/projects/{p}/assistants?api-version=v1``)."""
        self.agents[(account.lower(), project.lower())] = list(agents)

    def _agents(self, h, m, query: dict[str, str]) -> None:
        """List agents: ``limit`` (default 20), ``after`` (an agent id); answers {object: list, data, first_id,
        last_id, has_more} like the Foundry / OpenAI Assistants list."""
        with self.lock:
            self.agent_queries.append(dict(query))
        if query.get("api-version") != "v1":
            return self._error(h, 400, "BadRequest", "unsupported api-version")
        items = self.agents.get((m.group(1).lower(), m.group(2).lower()))
        if items is None:
            return self._error(h, 404, "NotFound", "project not found")
        start = 0
        if "after" in query:
            start = next((i + 1 for i, a in enumerate(items) if a["id"] == query["after"]), len(items))
        limit = min(int(query.get("limit", 20)), self.page_size)
        page = items[start:start + limit]
        return self._send(h, 200, {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                                   "last_id": page[-1]["id"] if page else None, "has_more": start + limit < len(items)})

    def add_role_definition(self, body: dict[str, Any]) -> None:
        self.role_definitions[body["name"].lower()] = body

    def secret_calls(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if re.search(r"/(listKeys|regenerateKey|listsecrets)$", c[1], re.IGNORECASE)]

    # ---------------------------------------------------------------- HTTP
    def _send(self, h, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        if status == 200 and self.mutate is not None:
            body = self.mutate(urlsplit(h.path).path, body)
        self.send_json(h, status, body, {"x-ms-request-id": "fake", **(headers or {})}, "application/json; charset=utf-8")

    def _error(self, h, status: int, code: str, message: str, headers=None) -> None:
        self.send_json(h, status, {"error": {"code": code, "message": message}}, {"x-ms-request-id": "fake", **(headers or {})},
                       "application/json; charset=utf-8")

    def _page(self, h, items: list[Any], query: dict[str, str]) -> None:
        start = int(query.get("$skiptoken", 0))
        out: dict[str, Any] = {"value": items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            path = urlsplit(h.path).path
            base = self.next_link_base or self.url
            out["nextLink"] = f"{base}{path}?api-version={query.get('api-version', '')}&$skiptoken={start + self.page_size}"
        self._send(h, 200, out)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        parts = urlsplit(h.path)
        path, query = parts.path.rstrip("/"), {k: v[0] for k, v in parse_qs(parts.query).items()}
        if self.latency:
            time.sleep(self.latency)
        if "aiposture" in h.headers.get("User-Agent", ""):
            with self.lock:
                self.calls.append((h.command, path))
        if not h.headers.get("Authorization", "").startswith("Bearer "):
            return self._error(h, 401, "AuthenticationFailed", "missing bearer token")
        with self.lock:
            self.authorized += 1
            for key, left in self.throttles.items():
                if key.lower() in path.lower() and left > 0:
                    self.throttles[key] = left - 1
                    return self._error(h, 429, "TooManyRequests", "throttled", {"Retry-After": "0"})
        for suffix, (status, code) in self.path_errors.items():
            if path.lower().endswith(suffix.lower()):
                return self._error(h, status, code, f"{code} (injected for {suffix})")
        sub = path.split("/")[2] if path.lower().startswith("/subscriptions/") else None
        if sub and sub in self.forbidden:
            return self._error(h, 403, "AuthorizationFailed",
                               f"The client does not have authorization to perform action over scope '/subscriptions/{sub}'")
        if path.lower() == "/subscriptions":
            return self._page(h, list(self.subscriptions.values()), query)
        m = AGENTS.match(path)
        if m:
            if m.group(1).lower() in self.forbidden:  # no data-plane role on this account
                return self._error(h, 403, "PermissionDenied", "The principal lacks the required data action "
                                   "Microsoft.CognitiveServices/accounts/AIServices/agents/read")
            return self._agents(h, m, query)
        m = ROLE_DEF.match(path)
        if m:
            rd = self.role_definitions.get(m.group(1).lower())
            if rd is None:
                return self._error(h, 404, "RoleDefinitionDoesNotExist", "The specified role definition does not exist.")
            return self._send(h, 200, rd)
        m = ACCOUNTS.match(path)
        if m:
            items = [a["body"] for a in self.accounts.values() if a["body"]["id"].split("/")[2] == m.group(1)]
            return self._page(h, items, query)
        m = FOUNDRY.match(path)
        if m:
            return self._foundry(h, m, query)
        m = WORKSPACES.match(path)
        if m:
            if m.group(1) in self.ml_errors:
                status, code = self.ml_errors[m.group(1)]
                return self._error(h, status, code, f"{code} for Microsoft.MachineLearningServices")
            items = [w["body"] for w in self.workspaces.values() if w["body"]["id"].split("/")[2] == m.group(1)]
            return self._page(h, items, query)
        m = WORKSPACE.match(path)
        if m:
            ws = self.workspaces.get(m.group(1).lower())
            child = (m.group(2) or "").lower()
            if ws is None:
                return self._error(h, 404, "ResourceNotFound", f"{m.group(1)} not found")
            if child.endswith("listsecrets") or child == "listkeys":
                return self._send(h, 200, {"key": "secret-from-listsecrets"})
            return self._send(h, 200, ws["body"]) if not child else self._page(h, ws[child], query)
        m = CHILD.match(path)
        if m:
            acct = self.accounts.get(m.group(1).lower())
            if acct is None:
                return self._error(h, 404, "ResourceNotFound", f"{m.group(1)} not found")
            child = (m.group(2) or "").lower()
            if child in ("listkeys", "regeneratekey"):
                return self._send(h, 200, {"key1": "secret-1", "key2": "secret-2"})
            if not child:
                return self._send(h, 200, acct["body"])
            return self._page(h, acct[child], query)
        return self._error(h, 404, "NotFound", f"no fake route for {h.command} {path}")

    def _foundry(self, h, m, query: dict[str, str]) -> None:
        acct = self.accounts.get(m.group(1).lower())
        if acct is None:
            return self._error(h, 404, "ResourceNotFound", f"{m.group(1)} not found")
        coll, name, sub = m.group(2).lower(), m.group(3), (m.group(4) or "").lower()
        if name is None:
            return self._page(h, acct.get(coll, []), query)
        items = acct.get(coll, [])
        item = next((x for x in items if str(x.get("name", "")).lower() == name.lower()), None)
        if item is None:
            return self._error(h, 404, "ResourceNotFound", f"{coll}/{name} not found")
        if not sub:
            return self._send(h, 200, item)
        return self._page(h, acct.get("project_children", {}).get(name.lower(), {}).get(sub, []), query)
