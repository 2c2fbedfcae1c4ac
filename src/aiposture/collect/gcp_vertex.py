"""Live collector for Google Vertex AI and Model Armor: projects x locations -> inventory resources.

Uses Application Default Credentials and the official clients
(``aiplatform_v1``, ``modelarmor_v1``, ``resourcemanager_v3``) on their REST
transport. Per project (once): the IAM policy (Data Access audit logs for
``aiplatform.googleapis.com``; who holds Vertex AI roles, public members), the
Model Armor floor setting and the ``vertexai.allowedModels`` organisation
policy. Per project and location: endpoints (with deployed models), models,
datasets, Agent Engine (reasoning engines) and Model Armor templates.

A project where the Vertex AI API is disabled, or a location Vertex does not
serve, is skipped with a note. Any other failure is recorded with its scope
and the kinds it leaves unchecked. Restricted/private endpoints:
``--api-endpoint-template`` and ``--universe-domain``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiposture.collect.base import Clock, Progress, Recorder, Task, guarded, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.normalize import gcp as ngcp

DEFAULT_LOCATIONS = [
    "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west4", "northamerica-northeast1",
    "southamerica-east1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8",
    "europe-west9", "europe-north1", "europe-southwest1", "europe-central2", "asia-east1", "asia-east2",
    "asia-northeast1", "asia-northeast3", "asia-south1", "asia-southeast1", "australia-southeast1", "me-central2",
]
# Model Armor regional endpoints (docs: model-armor/locations and data-residency) and its multi-regions
MODEL_ARMOR_LOCATIONS = {
    "us-central1", "us-east1", "us-east4", "us-west1", "europe-west1", "europe-west2", "europe-west3", "europe-west4",
    "europe-west9", "europe-southwest1", "asia-south1", "asia-southeast1", "asia-northeast1", "asia-northeast3",
    "australia-southeast2", "us", "eu",
}
DEFAULT_ENDPOINTS = {
    "aiplatform": "{location}-aiplatform.{universe}",
    "modelarmor": "modelarmor.{location}.rep.{universe}",
    "cloudresourcemanager": "cloudresourcemanager.{universe}",
    "orgpolicy": "orgpolicy.{universe}",
}
GCP_PERMISSIONS = sorted([
    "resourcemanager.projects.get", "resourcemanager.projects.list", "resourcemanager.folders.list",
    "resourcemanager.projects.getIamPolicy", "orgpolicy.policy.get",
    "aiplatform.endpoints.list", "aiplatform.models.list", "aiplatform.datasets.list", "aiplatform.reasoningEngines.list",
    "modelarmor.templates.list", "modelarmor.floorSettings.get",
])
ADMIN = {"roles/owner", "roles/editor", "roles/aiplatform.admin"}


@dataclass
class GcpOptions:
    projects: list[str] = field(default_factory=list)
    organization: str | None = None
    folder: str | None = None
    locations: list[str] = field(default_factory=list)
    endpoint_template: str | None = None
    universe_domain: str = "googleapis.com"
    workers: int = 8


def classify(e: BaseException) -> tuple[str, str]:
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc

    if isinstance(e, aexc.DefaultCredentialsError):
        return "NoCredentials", str(e).splitlines()[0]
    if isinstance(e, aexc.GoogleAuthError):
        return "AuthenticationFailed", str(e).splitlines()[0]
    if isinstance(e, gexc.GoogleAPICallError):
        code = getattr(e, "grpc_status_code", None)
        name = code.name if code is not None else None
        if name is None:  # REST errors carry the canonical status in the body
            try:
                name = e.response.json()["error"]["status"]
            except Exception:
                name = type(e).__name__
        return name, (e.message or str(e)).splitlines()[0]
    if isinstance(e, gexc.RetryError):
        return "RetryExhausted", str(e).splitlines()[0]
    return "InternalError", f"{type(e).__name__}: {e}"


def _service_disabled(e: BaseException) -> bool:
    text = str(e)
    return "SERVICE_DISABLED" in text or "has not been used in project" in text or "it is disabled" in text


def _unsupported_location(e: BaseException) -> bool:
    """The service does not serve this location: an API error naming the location, or no such regional host."""
    from google.api_core import exceptions as gexc

    if isinstance(e, (gexc.BadRequest, gexc.NotFound)) and "location" in str(e).lower():
        return True
    text = f"{type(e).__name__} {e}"
    return "NameResolutionError" in text or "Name or service not known" in text or "nodename nor servname" in text


def _dict(msg) -> dict[str, Any]:
    return type(msg).to_dict(msg, preserving_proto_field_name=True, use_integers_for_enums=False)


class GcpScan:
    def __init__(self, opts: GcpOptions, rec: Recorder, credentials=None):
        self.opts, self.rec = opts, rec
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._admins: dict[str, set[str]] = {}  # project -> service accounts holding owner/editor/aiplatform.admin
        self.credentials = credentials or self._adc()
        from google.api_core import exceptions as gexc
        from google.api_core.retry import Retry, if_exception_type

        self.retry = Retry(predicate=if_exception_type(gexc.TooManyRequests, gexc.ResourceExhausted, gexc.ServiceUnavailable),
                           initial=0.2, maximum=10.0, multiplier=2.0, timeout=120.0)

    def _adc(self):
        try:
            import importlib

            import google.auth
            from google.auth import exceptions as aexc

            for mod in ("google.cloud.aiplatform_v1", "google.cloud.modelarmor_v1", "google.cloud.resourcemanager_v3"):
                importlib.import_module(mod)
        except ImportError:
            raise AiPostureError("the Google Cloud SDK is not installed: pip install 'aiposture[gcp]'") from None
        try:
            creds, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        except aexc.DefaultCredentialsError:
            raise AiPostureError("no Google Cloud credentials found: run 'gcloud auth application-default login' or set "
                                 "GOOGLE_APPLICATION_CREDENTIALS (aiposture uses Application Default Credentials)") from None
        return creds

    def endpoint(self, service: str, location: str = "global") -> str:
        tpl = self.opts.endpoint_template or DEFAULT_ENDPOINTS[service]
        if service == "modelarmor" and location == "global" and not self.opts.endpoint_template:
            tpl = "modelarmor.{universe}"
        return tpl.format(service=service, location=location, universe=self.opts.universe_domain)

    def client(self, cls, service: str, location: str = "global"):
        key = (cls.__name__, location)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                from google.api_core.client_options import ClientOptions

                co = ClientOptions(api_endpoint=self.endpoint(service, location))
                if self.opts.universe_domain != "googleapis.com":
                    co.universe_domain = self.opts.universe_domain
                c = cls(credentials=self.credentials, transport="rest", client_options=co)
                self._clients[key] = c
            return c

    def call(self, fn, **kw):
        self.rec.count_call()
        return fn(retry=self.retry, **kw)

    def pages(self, fn, **kw):
        """Iterate a list call, counting every page request."""
        pager = self.call(fn, **kw)
        for page in pager.pages:
            yield from getattr(page, _items_field(page))
            if page.next_page_token:
                self.rec.count_call()

    # ------------------------------------------------------------------ projects
    def projects(self) -> list[str]:
        if self.opts.projects:
            return list(self.opts.projects)
        from google.cloud import resourcemanager_v3 as rm

        pc = self.client(rm.ProjectsClient, "cloudresourcemanager")
        try:
            if self.opts.organization or self.opts.folder:
                fc = self.client(rm.FoldersClient, "cloudresourcemanager")
                root = f"organizations/{self.opts.organization}" if self.opts.organization else f"folders/{self.opts.folder}"
                out, todo = [], [root]
                while todo:
                    parent = todo.pop()
                    out += [p.project_id for p in self.pages(pc.list_projects, parent=parent)
                            if p.state == rm.Project.State.ACTIVE]
                    todo += [f.name for f in self.pages(fc.list_folders, parent=parent) if f.state == rm.Folder.State.ACTIVE]
                return sorted(set(out))
            return sorted({p.project_id for p in self.pages(pc.search_projects, query="state:ACTIVE")})
        except Exception as e:
            code, msg = classify(e)
            raise AiPostureError(f"cannot list projects ({code}): {msg}; name them with --project") from None

    def collect_project(self, project: str) -> None:
        """Project-wide settings: IAM policy (audit configs, bindings), floor setting, allowed-models policy."""
        from google.cloud import modelarmor_v1 as ma
        from google.cloud import resourcemanager_v3 as rm

        attrs: dict[str, Any] = {"audit_logging": None, "enforced_guardrail": None}
        scope: dict[str, Any] = {"project": project}
        admins: set[str] = set()
        # the ai_service resource is still emitted with audit_logging null; the bindings are missing
        with guarded(self.rec, "project IAM policy", kinds=["identity_binding"], classify=classify, **scope):
            pol = self.call(self.client(rm.ProjectsClient, "cloudresourcemanager").get_iam_policy, resource=f"projects/{project}")
            configs = [{"service": c.service, "audit_log_configs": [
                {"log_type": ngcp_log_type(x.log_type), "exempted_members": list(x.exempted_members)} for x in c.audit_log_configs]}
                for c in pol.audit_configs]
            attrs.update(ngcp.audit_config(configs))
            for b in pol.bindings:
                if b.role in ADMIN:
                    admins.update(m.split(":", 1)[1] for m in b.members if m.startswith("serviceAccount:"))
                public = [m for m in b.members if m in ("allUsers", "allAuthenticatedUsers")]
                if not ngcp.is_ai_role(b.role) and not public:
                    continue
                for m in b.members:
                    if not ngcp.is_ai_role(b.role) and m not in public:
                        continue
                    battrs = ngcp.iam_binding(b.role, m, condition=b.condition.expression if b.condition else None)
                    self._add(id=f"projects/{project}/iamBindings/{b.role}/{m}", kind="identity_binding",
                              native="cloudresourcemanager.googleapis.com/IamBinding", name=f"{m} -> {b.role}",
                              attrs=battrs, project=project, location="global")
        with self._lock:
            self._admins[project] = admins
        with guarded(self.rec, "Model Armor floor setting", kinds=["ai_service"], classify=classify, partial=True, **scope):
            try:
                fs = self.call(self.client(ma.ModelArmorClient, "modelarmor", "global").get_floor_setting,
                               name=f"projects/{project}/locations/global/floorSetting")
                attrs.update(ngcp.floor_setting(_dict(fs)))
            except Exception as e:
                from google.api_core import exceptions as gexc

                if isinstance(e, gexc.NotFound) or _service_disabled(e):
                    attrs["enforced_guardrail"] = {"enabled": False}  # no floor setting: nothing enforced
                else:
                    raise
        with guarded(self.rec, "organisation policy vertexai.allowedModels", kinds=["ai_service"], classify=classify,
                     partial=True, **scope):
            attrs["allowed_models_restricted"] = None
            attrs["allowed_models_restricted"] = self._allowed_models(project)
        self._add(id=f"projects/{project}/locations/global/aiplatform", kind="ai_service",
                  native="aiplatform.googleapis.com/Location", name=f"Vertex AI {project}", attrs=attrs,
                  project=project, location="global")
        self.rec.target(project=project)

    def _allowed_models(self, project: str) -> bool:
        from google.auth.transport.requests import AuthorizedSession

        base = self.endpoint("orgpolicy")
        base = base if base.startswith("http") else f"https://{base}"
        self.rec.count_call()
        resp = AuthorizedSession(self.credentials).get(
            f"{base.rstrip('/')}/v2/projects/{project}/policies/vertexai.allowedModels:getEffectivePolicy", timeout=30)
        if resp.status_code == 404:
            return False
        if resp.status_code >= 400:
            from google.api_core import exceptions as gexc

            raise gexc.from_http_response(resp)
        rules = resp.json().get("spec", {}).get("rules", [])
        return any(r.get("values", {}).get("allowedValues") or r.get("denyAll") or r.get("values", {}).get("deniedValues")
                   for r in rules) and not any(r.get("allowAll") for r in rules)

    def collect_location(self, project: str, location: str) -> None:
        from google.cloud import aiplatform_v1 as ai

        parent = f"projects/{project}/locations/{location}"
        scope: dict[str, Any] = {"project": project, "location": location}
        endpoints = self._first_list(self.client(ai.EndpointServiceClient, "aiplatform", location).list_endpoints,
                                     "Vertex AI", "endpoints", ["model_deployment"], project, location)
        if endpoints is None:
            return
        self.rec.target(project=project, location=location)
        admins = self._admins_of(project)
        for ep in endpoints:
            v = _dict(ep)
            attrs = ngcp.endpoint(v)
            si = attrs.get("service_identity")
            if si and si.get("admin") is None and admins is not None:
                si["admin"] = si.get("id") in admins
            self._add(id=ep.name, kind="model_deployment", native="aiplatform.googleapis.com/Endpoint",
                      name=ep.display_name or ep.name, attrs=attrs, project=project, location=location, tags=dict(ep.labels))
        with guarded(self.rec, "models", kinds=["custom_model"], classify=classify, **scope):
            for mdl in self.pages(self.client(ai.ModelServiceClient, "aiplatform", location).list_models, parent=parent):
                self._add(id=mdl.name, kind="custom_model", native="aiplatform.googleapis.com/Model",
                          name=mdl.display_name or mdl.name, attrs=ngcp.model(_dict(mdl)), project=project, location=location,
                          tags=dict(mdl.labels))
        with guarded(self.rec, "datasets", kinds=["training_job"], classify=classify, **scope):
            for ds in self.pages(self.client(ai.DatasetServiceClient, "aiplatform", location).list_datasets, parent=parent):
                self._add(id=ds.name, kind="training_job", native="aiplatform.googleapis.com/Dataset",
                          name=ds.display_name or ds.name, attrs=ngcp.dataset(_dict(ds)), project=project, location=location,
                          tags=dict(ds.labels))
        with guarded(self.rec, "Agent Engine", kinds=["agent"], classify=classify, **scope):
            for re_ in self.pages(self.client(ai.ReasoningEngineServiceClient, "aiplatform", location).list_reasoning_engines,
                                  parent=parent):
                sa = re_.spec.service_account if re_.spec else ""
                # no service account: Google's Agent Engine service agent (narrow); else admin if the project says so
                admin = False if not sa else (None if admins is None else sa in admins)
                role = {"id": sa or None, "admin": admin, "wildcard_actions": admin}
                attrs = {"execution_role": role, "encryption": ngcp._cmk(_dict(re_))}
                self._add(id=re_.name, kind="agent", native="aiplatform.googleapis.com/ReasoningEngine",
                          name=re_.display_name or re_.name, attrs=attrs, project=project, location=location)

    def _first_list(self, list_call, api: str, what: str, kinds: list[str], project: str, location: str) -> list | None:
        """The first list call of a location: an API that is disabled, or not served there, is a note and
        None (skip the location); any other failure is a scope error and an empty list."""
        try:
            return list(self.pages(list_call, parent=f"projects/{project}/locations/{location}"))
        except Exception as e:
            if _service_disabled(e):
                self.rec.note(f"{project}: the {api} API is disabled; skipped")
                return None
            if _unsupported_location(e):
                self.rec.note(f"{project}/{location}: {api} is not available in this location; skipped")
                return None
            code, msg = classify(e)
            self.rec.error(f"{what}: {msg}", code=code, kinds=kinds, project=project, location=location)
            return []

    def collect_templates(self, project: str, location: str) -> None:
        """Model Armor templates in one Model Armor location (regions and the us/eu multi-regions)."""
        from google.cloud import modelarmor_v1 as ma

        templates = self._first_list(self.client(ma.ModelArmorClient, "modelarmor", location).list_templates,
                                     "Model Armor", "Model Armor templates", ["content_filter"], project, location)
        for t in templates or []:
            self._add(id=t.name, kind="content_filter", native="modelarmor.googleapis.com/Template",
                      name=t.name.rsplit("/", 1)[-1], attrs=ngcp.template(_dict(t)), project=project, location=location,
                      tags=dict(t.labels))

    def _admins_of(self, project: str) -> set[str] | None:
        with self._lock:
            return self._admins.get(project)

    def _add(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], project: str, location: str,
             tags: dict[str, str] | None = None) -> None:
        self.rec.add(make_resource(id=id, provider="gcp", kind=kind, native_type=native, name=name, attrs=attrs,
                                   account=project, region=location, tags=tags))


def ngcp_log_type(v: Any) -> str:
    """AuditLogConfig.LogType (a raw protobuf enum int) -> 'DATA_READ'."""
    if isinstance(v, int):
        from google.iam.v1 import policy_pb2

        return policy_pb2.AuditLogConfig.LogType.Name(v)
    return getattr(v, "name", None) or str(v)


def _items_field(page) -> str:
    """The repeated field holding a list response's items (endpoints, models, templates, ...)."""
    for name, f in type(page).meta.fields.items():
        if f.repeated and name != "unreachable":
            return name
    raise AttributeError(f"no repeated field on {type(page).__name__}")


def model_armor_locations(locations: list[str]) -> list[str]:
    """Where to look for Model Armor templates: the requested locations it serves, plus the multi-region
    (us / eu) that covers them (templates there apply to Vertex AI in those regions)."""
    out = [loc for loc in locations if loc in MODEL_ARMOR_LOCATIONS]
    if any(loc.startswith(("us-", "northamerica-")) or loc == "us" for loc in locations):
        out.append("us")
    if any(loc.startswith("europe-") or loc == "eu" for loc in locations):
        out.append("eu")
    return sorted(set(out))


def collect(opts: GcpOptions, *, quiet: bool = False, stream=None, credentials=None) -> dict[str, Any]:
    clock = Clock()
    rec = Recorder("gcp")
    scan = GcpScan(opts, rec, credentials)
    projects = scan.projects()
    locations = opts.locations or DEFAULT_LOCATIONS
    # project-wide settings first (they tell which service accounts are admins), then every location
    run_tasks([Task(f"{p} settings", {"project": p}, partial(scan.collect_project, p)) for p in projects], rec,
              workers=opts.workers)
    tasks = [Task(f"{p}/{loc}", {"project": p, "location": loc}, partial(scan.collect_location, p, loc))
             for p in projects for loc in locations]
    tasks += [Task(f"{p}/{loc} Model Armor", {"project": p, "location": loc}, partial(scan.collect_templates, p, loc))
              for p in projects for loc in model_armor_locations(locations)]
    run_tasks(tasks, rec, workers=opts.workers, progress=Progress(len(tasks), "scanning Google Cloud", quiet=quiet, stream=stream))
    doc = rec.document(started_at=clock.started_at, source="gcp")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc


def role_definition() -> dict[str, Any]:
    """A custom IAM role (gcloud iam roles create --file) with exactly the permissions the collector uses."""
    return {"title": "aiposture reader", "description": "Read-only access for aiposture scans of Vertex AI and Model Armor",
            "stage": "GA", "includedPermissions": GCP_PERMISSIONS}
