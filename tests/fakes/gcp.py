"""A local Google Cloud REST endpoint for tests: Vertex AI, Model Armor, Resource Manager v3, Org Policy v2, OAuth.

Bodies are proto3 JSON rendered per request from the client libraries' own message types, the way the
service does: the GAPIC REST transports ask for ``$alt=json;enum-encoding=int`` and then get enum
numbers; without it, names. An entry may also be a plain dict, served as is, for what the message types
cannot express (an enum number newer than the library, a field of the wrong type). Lists page with
``nextPageToken``.

Routes follow the HTTP bindings of the protos (googleapis/googleapis): ListLocations is
``/ui/{name=projects/*}/locations`` for aiplatform (its first binding) and ``/v1/{name=projects/*}/locations``
for modelarmor; ``:getIamPolicy`` is a POST with ``options.requestedPolicyVersion`` in the body, and a
policy with conditional bindings asked for at version 1 comes back the documented way (version 1, the
role renamed ``<role>_withcond_<hash>``, the condition dropped).

Fault injection: 403 PERMISSION_DENIED per project or folder/organisation, 403 SERVICE_DISABLED per
project and API, 400 for unsupported locations, 429 RESOURCE_EXHAUSTED N times per path fragment,
latency, and ``mutate(path, body)`` to rewrite any 200 JSON answer or replace it with raw bytes.
Requests are logged as (method, path).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.base import FakeServer

LOC_COLLECTION = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/(endpoints|models|datasets|reasoningEngines|templates)$")
FLOOR = re.compile(r"^/v1/projects/([^/]+)/locations/global/floorSetting$")
IAM = re.compile(r"^/v3/((?:projects|folders|organizations)/[^/:]+):getIamPolicy$")
GET_NODE = re.compile(r"^/v3/((?:projects|folders)/[^/:]+)$")
ORGPOL = re.compile(r"^/v2/projects/([^/]+)/policies/vertexai\.allowedModels:getEffectivePolicy$")
VERTEX_LOCATIONS = re.compile(r"^/ui/projects/([^/]+)/locations$")
ARMOR_LOCATIONS = re.compile(r"^/v1/projects/([^/]+)/locations$")
SERVICES = {"aiplatform": "Vertex AI API", "modelarmor": "Model Armor API", "discoveryengine": "Discovery Engine API",
            "notebooks": "Notebooks API"}
# the AI estate around Vertex AI (collect/gcp_estate.py): REST bindings of discoveryengine v1, aiplatform v1
# (ragCorpora, ragFiles, notebookRuntimeTemplates), notebooks v2, Access Context Manager v1, Org Policy v2, compute v1
ESTATE_COLLECTION = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/"
                               r"(ragCorpora|notebookRuntimeTemplates|collections/default_collection/dataStores)$")
RAG_FILES = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/ragCorpora/([^/]+)/ragFiles$")
WORKBENCH = re.compile(r"^/v2/projects/([^/]+)/locations/([^/]+)/instances$")
COMPUTE_VM = re.compile(r"^/compute/v1/projects/([^/]+)/zones/([^/]+)/instances/([^/]+)$")
ORGPOL_ANY = re.compile(r"^/v2/projects/([^/]+)/policies/([^/:]+):getEffectivePolicy$")
ACM_PERIMETERS = re.compile(r"^/v1/(accessPolicies/[^/]+)/servicePerimeters$")


def pj(msg) -> dict[str, Any]:
    """A proto-plus message as the proto3 JSON the REST API returns (enum names)."""
    return json.loads(type(msg).to_json(msg))


def render(obj: Any, int_enums: bool) -> Any:
    """Proto-plus or protobuf message -> proto3 JSON dict (enum numbers when asked); dicts and lists as they are."""
    if isinstance(obj, list):
        return [render(x, int_enums) for x in obj]
    if hasattr(type(obj), "to_json") and hasattr(type(obj), "pb"):
        return json.loads(type(obj).to_json(obj, use_integers_for_enums=int_enums))
    if hasattr(obj, "DESCRIPTOR"):
        from google.protobuf.json_format import MessageToDict

        return MessageToDict(obj, use_integers_for_enums=int_enums)
    return obj


def location(project: str, loc: str, display: str = "") -> dict[str, Any]:
    """google.cloud.location.Location as ListLocations returns it."""
    return {"name": f"projects/{project}/locations/{loc}", "locationId": loc, "displayName": display or loc,
            "labels": {}, "metadata": {}}


class GcpFake(FakeServer):
    def __init__(self, *, page_size: int = 2):
        super().__init__()
        self.page_size = page_size
        self.data: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
        self.floor: dict[str, Any] = {}
        self.iam: dict[str, Any] = {}  # "projects/p" | "folders/f" | "organizations/o" -> Policy (protobuf or dict)
        self.orgpolicy: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}  # project id -> Project JSON (with parent)
        self.folders: dict[str, dict[str, Any]] = {}
        self.vertex_locations = ["us-central1", "europe-west4", "northamerica-northeast2"]
        self.armor_locations = ["us-central1", "europe-west4", "us", "eu"]
        self.forbidden: set[str] = set()  # project ids, or "folders/x" / "organizations/y"
        self.disabled: dict[str, set[str]] = defaultdict(set)  # project -> {"aiplatform", "modelarmor"}
        self.bad_locations: set[str] = set()
        self.throttles: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []
        self.mutate: Callable[[str, Any], Any] | None = None
        # AI estate: data stores / RAG corpora / runtime templates / Workbench instances go in self.data under
        # (project, location, "dataStores" | "ragCorpora" | "notebookRuntimeTemplates" | "instances"), RAG files
        # under (project, location, "ragFiles/<corpus id>")
        self.constraints: dict[tuple[str, str], dict[str, Any]] = {}  # (project, constraint) -> effective Policy
        self.access_policies: dict[str, list[dict[str, Any]]] = {}  # "organizations/N" -> AccessPolicy JSON
        self.perimeters: dict[str, list[dict[str, Any]]] = {}  # "accessPolicies/N" -> ServicePerimeter JSON
        self.vms: dict[tuple[str, str, str], dict[str, Any]] = {}  # (project, zone, name) -> compute Instance JSON
        self.rag_unsupported: set[str] = set()  # locations where RAG Engine answers "unsupported location"
        self.acm_forbidden: set[str] = set()  # organisations whose access policies the caller may not list

    def add_project(self, pid: str, parent: str = "organizations/1") -> None:
        self.projects[pid] = {"name": f"projects/{int(hashlib.sha256(pid.encode()).hexdigest(), 16) % 10**12}",
                              "projectId": pid, "parent": parent, "state": "ACTIVE", "displayName": pid}

    def add_folder(self, fid: str, parent: str) -> None:
        self.folders[fid] = {"name": f"folders/{fid}", "parent": parent, "state": "ACTIVE", "displayName": fid}

    def add(self, project: str, location: str, collection: str, msg) -> None:
        self.data[(project, location, collection)].append(msg)

    # ---------------------------------------------------------------- HTTP
    def _send(self, h, status: int, body: Any, int_enums: bool = False) -> None:
        body = render(body, int_enums)
        if status == 200 and self.mutate is not None:
            body = self.mutate(urlsplit(h.path).path, body)
        self.send_json(h, status, body, content_type="application/json; charset=UTF-8")

    def _error(self, h, code: int, status: str, message: str, reason: str | None = None, service: str = "aiplatform") -> None:
        err: dict[str, Any] = {"code": code, "message": message, "status": status}
        if reason:
            err["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                               "domain": "googleapis.com", "metadata": {"service": f"{service}.googleapis.com"}}]
        self.send_json(h, code, {"error": err}, content_type="application/json; charset=UTF-8")

    def _disabled(self, h, project: str, service: str) -> None:
        self._error(h, 403, "PERMISSION_DENIED", f"{SERVICES[service]} has not been used in project {project} before or it "
                    "is disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
                    f"{service}.googleapis.com/overview?project={project} then retry.", reason="SERVICE_DISABLED",
                    service=service)

    def _page(self, h, key: str, items: list[Any], query: dict[str, str], int_enums: bool) -> None:
        start = int(query.get("pageToken") or 0)
        out: dict[str, Any] = {key: render(items[start:start + self.page_size], int_enums)}
        if start + self.page_size < len(items):
            out["nextPageToken"] = str(start + self.page_size)
        self._send(h, 200, out)

    def _policy(self, h, resource: str, body: bytes) -> None:
        try:
            requested = int(json.loads(body or b"{}").get("options", {}).get("requestedPolicyVersion", 0))
        except (ValueError, AttributeError):
            requested = 0
        pol = render(self.iam.get(resource, {"version": 1, "etag": "BwX="}), True)
        if isinstance(pol, dict) and requested < 3 and any(b.get("condition") for b in pol.get("bindings", [])):
            # IAM policy versions: a version-1 read of conditional bindings gets them renamed and without conditions
            pol = json.loads(json.dumps(pol))
            pol["version"] = 1
            for b in pol["bindings"]:
                c = b.pop("condition", None)
                if c:
                    b["role"] = f"{b['role']}_withcond_{hashlib.sha1(json.dumps(c, sort_keys=True).encode()).hexdigest()[:20]}"
        self._send(h, 200, pol)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        ints = "enum-encoding=int" in query.get("$alt", "")
        if self.latency:
            time.sleep(self.latency)
        if path == "/token":  # OAuth 2.0 token endpoint for the test service-account key
            return self.send_json(h, 200, {"access_token": "fake-token", "expires_in": 3600, "token_type": "Bearer"})
        with self.lock:
            self.calls.append((h.command, path))
        if not h.headers.get("Authorization", "").startswith("Bearer "):  # self-signed JWT or token from /token
            return self._error(h, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        with self.lock:
            for key, left in self.throttles.items():
                if key in path and left > 0:
                    self.throttles[key] = left - 1
                    return self._error(h, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com")
        m = re.match(r"^/(?:v\d|ui)/projects/([^/:]+)", path)
        project = m.group(1) if m else None
        if project in self.forbidden:
            return self._error(h, 403, "PERMISSION_DENIED", f"Permission denied on resource project {project}.")
        m = VERTEX_LOCATIONS.match(path) or ARMOR_LOCATIONS.match(path)
        if m:
            service = "aiplatform" if path.startswith("/ui/") else "modelarmor"
            if service in self.disabled[m.group(1)]:
                return self._disabled(h, m.group(1), service)
            locs = self.vertex_locations if service == "aiplatform" else self.armor_locations
            return self._page(h, "locations", [location(m.group(1), x) for x in locs], query, False)
        m = LOC_COLLECTION.match(path)
        if m:
            p, loc, coll = m.groups()
            service = "modelarmor" if coll == "templates" else "aiplatform"
            if service in self.disabled[p]:
                return self._disabled(h, p, service)
            if loc in self.bad_locations:
                return self._error(h, 400, "INVALID_ARGUMENT", f"Unsupported location '{loc}'.")
            return self._page(h, coll, self.data.get((p, loc, coll), []), query, ints)
        m = FLOOR.match(path)
        if m:
            if "modelarmor" in self.disabled[m.group(1)]:
                return self._disabled(h, m.group(1), "modelarmor")
            fs = self.floor.get(m.group(1))
            return self._send(h, 200, fs, ints) if fs else self._error(h, 404, "NOT_FOUND", "floor setting not found")
        m = IAM.match(path)
        if m:
            if m.group(1) in self.forbidden:
                return self._error(h, 403, "PERMISSION_DENIED", f"The caller does not have permission on {m.group(1)}")
            return self._policy(h, m.group(1), body)
        m = ORGPOL.match(path)
        if m:
            pol = self.orgpolicy.get(m.group(1))
            return self._send(h, 200, pol) if pol else self._error(h, 404, "NOT_FOUND", "policy not set")
        if path == "/v3/projects:search":
            return self._page(h, "projects", list(self.projects.values()), query, ints)
        if path == "/v3/projects":
            return self._page(h, "projects", [p for p in self.projects.values() if p["parent"] == query.get("parent")], query, ints)
        if path == "/v3/folders":
            return self._page(h, "folders", [f for f in self.folders.values() if f["parent"] == query.get("parent")], query, ints)
        m = GET_NODE.match(path)
        if m:
            kind, ident = m.group(1).split("/", 1)
            node = self.projects.get(ident) if kind == "projects" else self.folders.get(ident)
            if m.group(1) in self.forbidden:
                return self._error(h, 403, "PERMISSION_DENIED", f"The caller does not have permission on {m.group(1)}")
            return self._send(h, 200, node) if node else self._error(h, 404, "NOT_FOUND", f"{m.group(1)} not found")
        if self._estate(h, path, query, ints):
            return None
        return self._error(h, 404, "NOT_FOUND", f"no fake route for {h.command} {path}")

    def _estate(self, h, path: str, query: dict[str, str], ints: bool) -> bool:
        """Routes of the AI estate around Vertex AI; False when the path is none of them."""
        m = ESTATE_COLLECTION.match(path)
        if m:
            p, loc, coll = m.groups()
            coll = coll.rsplit("/", 1)[-1]
            service = "discoveryengine" if coll == "dataStores" else "aiplatform"
            if service in self.disabled[p]:
                self._disabled(h, p, service)
            elif coll == "ragCorpora" and loc in self.rag_unsupported:
                self._error(h, 400, "INVALID_ARGUMENT", f"RAG Engine: unsupported location '{loc}'.")
            else:
                self._page(h, coll, self.data.get((p, loc, coll), []), query, ints)
            return True
        m = RAG_FILES.match(path)
        if m:
            p, loc, corpus = m.groups()
            self._page(h, "ragFiles", self.data.get((p, loc, f"ragFiles/{corpus}"), []), query, ints)
            return True
        m = WORKBENCH.match(path)
        if m:
            p, loc = m.groups()
            if "notebooks" in self.disabled[p]:
                self._disabled(h, p, "notebooks")
            else:
                self._page(h, "instances", self.data.get((p, loc, "instances"), []), query, ints)
            return True
        m = COMPUTE_VM.match(path)
        if m:
            if m.group(1) in self.forbidden:
                self._error(h, 403, "PERMISSION_DENIED", "Required 'compute.instances.get' permission")
            elif m.groups() in self.vms:
                self._send(h, 200, self.vms[m.groups()])
            else:
                self._error(h, 404, "NOT_FOUND", f"The resource 'projects/{m.group(1)}/zones/{m.group(2)}/instances/"
                            f"{m.group(3)}' was not found")
            return True
        m = ORGPOL_ANY.match(path)
        if m:
            pol = self.constraints.get(m.groups())
            self._send(h, 200, pol) if pol else self._error(h, 404, "NOT_FOUND", "policy not set")
            return True
        if path == "/v1/accessPolicies":
            org = query.get("parent", "")
            if org in self.forbidden or org in self.acm_forbidden or not org.startswith("organizations/"):
                self._error(h, 403, "PERMISSION_DENIED", f"Permission 'accesscontextmanager.policies.list' denied on {org}")
            else:
                self._page(h, "accessPolicies", self.access_policies.get(org, []), query, ints)
            return True
        m = ACM_PERIMETERS.match(path)
        if m:
            self._page(h, "servicePerimeters", self.perimeters.get(m.group(1), []), query, ints)
            return True
        return False
