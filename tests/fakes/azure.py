"""A local HTTPS Azure Resource Manager for tests.

Serves the ARM REST shapes of Microsoft.CognitiveServices api-version 2025-09-01
(bodies are produced by serialising the installed SDK's own models, see
``tests/azure_scenario.py``), subscriptions, diagnostic settings and role
assignments. TLS uses a throw-away CA (trustme); the bearer-token policy of
azure-core refuses plain HTTP, like the real cloud.

Fault injection: 403 AuthorizationFailed for a subscription, 429 with
Retry-After N times for a path, added latency. Collections page at
``page_size`` with absolute ``nextLink`` URLs. Requests made by aiposture are
logged as (method, path).
"""

from __future__ import annotations

import re
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.base import FakeServer

ACCOUNTS = re.compile(r"^/subscriptions/([^/]+)/providers/Microsoft\.CognitiveServices/accounts$", re.IGNORECASE)
CHILD = re.compile(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.CognitiveServices/accounts/[^/]+)"
                   r"(?:/(deployments|raiPolicies|defenderForAISettings|providers/Microsoft\.Insights/diagnosticSettings|"
                   r"providers/Microsoft\.Authorization/roleAssignments|listKeys|regenerateKey))?$", re.IGNORECASE)


class AzureFake(FakeServer):
    def __init__(self, ca, *, page_size: int = 2):
        super().__init__(tls_ca=ca)
        self.page_size = page_size
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}  # account id (lower) -> {"body": ..., children...}
        self.forbidden: set[str] = set()
        self.throttles: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []

    # ---------------------------------------------------------------- data
    def add_subscription(self, sub: str, name: str = "") -> None:
        self.subscriptions[sub] = {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "displayName": name or sub,
                                   "state": "Enabled", "tenantId": "00000000-0000-0000-0000-000000000001"}

    def add_account(self, body: dict[str, Any], *, deployments=(), rai_policies=(), defender=(), diagnostics=(),
                    role_assignments=()) -> None:
        self.accounts[body["id"].lower()] = {
            "body": body, "deployments": list(deployments), "raipolicies": list(rai_policies),
            "defenderforaisettings": list(defender), "providers/microsoft.insights/diagnosticsettings": list(diagnostics),
            "providers/microsoft.authorization/roleassignments": list(role_assignments)}

    def secret_calls(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if re.search(r"/(listKeys|regenerateKey)$", c[1], re.IGNORECASE)]

    # ---------------------------------------------------------------- HTTP
    def _send(self, h, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send_json(h, status, body, {"x-ms-request-id": "fake", **(headers or {})}, "application/json; charset=utf-8")

    def _error(self, h, status: int, code: str, message: str, headers=None) -> None:
        self._send(h, status, {"error": {"code": code, "message": message}}, headers)

    def _page(self, h, items: list[Any], query: dict[str, str]) -> None:
        start = int(query.get("$skiptoken", 0))
        out: dict[str, Any] = {"value": items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            path = urlsplit(h.path).path
            out["nextLink"] = f"{self.url}{path}?api-version={query.get('api-version', '')}&$skiptoken={start + self.page_size}"
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
            for key, left in self.throttles.items():
                if key.lower() in path.lower() and left > 0:
                    self.throttles[key] = left - 1
                    return self._error(h, 429, "TooManyRequests", "throttled", {"Retry-After": "0"})
        sub = path.split("/")[2] if path.lower().startswith("/subscriptions/") else None
        if sub and sub in self.forbidden:
            return self._error(h, 403, "AuthorizationFailed",
                               f"The client does not have authorization to perform action over scope '/subscriptions/{sub}'")
        if path.lower() == "/subscriptions":
            return self._page(h, list(self.subscriptions.values()), query)
        m = ACCOUNTS.match(path)
        if m:
            items = [a["body"] for a in self.accounts.values() if a["body"]["id"].split("/")[2] == m.group(1)]
            return self._page(h, items, query)
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
