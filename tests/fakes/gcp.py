"""A local Google Cloud REST endpoint for tests: Vertex AI, Model Armor, Resource Manager, Org Policy, OAuth token.

Bodies are proto3 JSON produced from the installed client libraries' own
message types (``type(msg).to_json``), so the REST transport parses exactly
what the real service sends. Lists page with ``nextPageToken``.

Fault injection: 403 PERMISSION_DENIED per project, 403 SERVICE_DISABLED per
project, 400 for unsupported locations, 429 RESOURCE_EXHAUSTED N times per
path fragment, latency. Requests are logged as (method, path).
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.base import FakeServer

LOC_COLLECTION = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/(endpoints|models|datasets|reasoningEngines|templates)$")
FLOOR = re.compile(r"^/v1/projects/([^/]+)/locations/global/floorSetting$")
IAM = re.compile(r"^/v3/projects/([^/:]+):getIamPolicy$")
ORGPOL = re.compile(r"^/v2/projects/([^/]+)/policies/vertexai\.allowedModels:getEffectivePolicy$")


def pj(msg) -> dict[str, Any]:
    """A proto-plus message as the proto3 JSON the REST API returns."""
    return json.loads(type(msg).to_json(msg))


class GcpFake(FakeServer):
    def __init__(self, *, page_size: int = 2):
        super().__init__()
        self.page_size = page_size
        self.data: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        self.floor: dict[str, dict[str, Any]] = {}
        self.iam: dict[str, dict[str, Any]] = {}
        self.orgpolicy: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}  # project id -> Project JSON (with parent)
        self.folders: dict[str, dict[str, Any]] = {}
        self.forbidden: set[str] = set()
        self.disabled: set[str] = set()
        self.bad_locations: set[str] = set()
        self.throttles: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []

    def add_project(self, pid: str, parent: str = "organizations/1") -> None:
        self.projects[pid] = {"name": f"projects/{abs(hash(pid)) % 10**12}", "projectId": pid, "parent": parent,
                              "state": "ACTIVE", "displayName": pid}

    def add_folder(self, fid: str, parent: str) -> None:
        self.folders[fid] = {"name": f"folders/{fid}", "parent": parent, "state": "ACTIVE", "displayName": fid}

    def add(self, project: str, location: str, collection: str, msg) -> None:
        self.data[(project, location, collection)].append(pj(msg))

    # ---------------------------------------------------------------- HTTP
    def _send(self, h, status: int, body: Any) -> None:
        self.send_json(h, status, body, content_type="application/json; charset=UTF-8")

    def _error(self, h, code: int, status: str, message: str, reason: str | None = None) -> None:
        err: dict[str, Any] = {"code": code, "message": message, "status": status}
        if reason:
            err["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                               "domain": "googleapis.com", "metadata": {"service": "aiplatform.googleapis.com"}}]
        self._send(h, code, {"error": err})

    def _page(self, h, key: str, items: list[Any], query: dict[str, str]) -> None:
        start = int(query.get("pageToken") or 0)
        out: dict[str, Any] = {key: items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            out["nextPageToken"] = str(start + self.page_size)
        self._send(h, 200, out)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        parts = urlsplit(h.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if self.latency:
            time.sleep(self.latency)
        if path == "/token":  # OAuth 2.0 token endpoint for the test service-account key
            return self._send(h, 200, {"access_token": "fake-token", "expires_in": 3600, "token_type": "Bearer"})
        with self.lock:
            self.calls.append((h.command, path))
        if not h.headers.get("Authorization", "").startswith("Bearer "):  # self-signed JWT or token from /token
            return self._error(h, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        with self.lock:
            for key, left in self.throttles.items():
                if key in path and left > 0:
                    self.throttles[key] = left - 1
                    return self._error(h, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com")
        m = re.match(r"^/v\d/projects/([^/:]+)", path)
        project = m.group(1) if m else None
        if project in self.forbidden:
            return self._error(h, 403, "PERMISSION_DENIED", f"Permission denied on resource project {project}.")
        m = LOC_COLLECTION.match(path)
        if m:
            p, loc, coll = m.groups()
            if p in self.disabled and coll != "templates":
                return self._error(h, 403, "PERMISSION_DENIED", f"Vertex AI API has not been used in project {p} before or it "
                                   "is disabled.", reason="SERVICE_DISABLED")
            if loc in self.bad_locations:
                return self._error(h, 400, "INVALID_ARGUMENT", f"Unsupported location '{loc}'.")
            return self._page(h, coll, self.data.get((p, loc, coll), []), query)
        m = FLOOR.match(path)
        if m:
            fs = self.floor.get(m.group(1))
            return self._send(h, 200, fs) if fs else self._error(h, 404, "NOT_FOUND", "floor setting not found")
        m = IAM.match(path)
        if m:
            return self._send(h, 200, self.iam.get(m.group(1), {"version": 1, "etag": "BwX="}))
        m = ORGPOL.match(path)
        if m:
            pol = self.orgpolicy.get(m.group(1))
            return self._send(h, 200, pol) if pol else self._error(h, 404, "NOT_FOUND", "policy not set")
        if path == "/v3/projects:search":
            return self._page(h, "projects", list(self.projects.values()), query)
        if path == "/v3/projects":
            return self._page(h, "projects", [p for p in self.projects.values() if p["parent"] == query.get("parent")], query)
        if path == "/v3/folders":
            return self._page(h, "folders", [f for f in self.folders.values() if f["parent"] == query.get("parent")], query)
        return self._error(h, 404, "NOT_FOUND", f"no fake route for {h.command} {path}")
