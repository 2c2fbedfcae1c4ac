"""Live collector for Google Vertex AI and Model Armor: projects x locations -> inventory resources.

Uses Application Default Credentials and the official clients
(``aiplatform_v1``, ``modelarmor_v1``, ``resourcemanager_v3``) on their REST
transport. Per project (once): the locations each service offers there
(ListLocations, which also tells whether the API is enabled: a disabled
service is *not applicable*, noted and skipped in two calls), the effective IAM
policy along the ancestry (project, folders, organisation; version 3 so
conditional grants keep their conditions) for Data Access audit logs and who
holds Vertex AI roles, the Model Armor floor setting and the
``vertexai.allowedModels`` organisation policy. Per project and location:
endpoints (with deployed models), models (provenance), datasets, Agent Engine
(reasoning engines) and Model Armor templates.

Google-managed service agents are not the customer's and are left out of
identity findings. Only the API's own answer makes a location unsupported; a
network failure is an error. Every call retries throttling and transient
errors the same way. Restricted/private endpoints: ``--api-endpoint-template``
and ``--universe-domain``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiposture import specs
from aiposture.collect import gcp_estate as estate
from aiposture.collect.base import Clock, OnceCache, Progress, Recorder, Task, guarded, run_tasks
from aiposture.errors import AiPostureError
from aiposture.inventory import make_resource
from aiposture.normalize import gcp as ngcp

# Fallback when a project's locations cannot be listed (ListLocations denied): from the provider spec
DEFAULT_LOCATIONS = list(specs.provider("gcp").default_locations)
# Model Armor locations (docs: model-armor/locations), fallback for its ListLocations likewise
MODEL_ARMOR_LOCATIONS = {
    "us-central1", "us-east1", "us-east4", "us-west1", "europe-west1", "europe-west2", "europe-west3", "europe-west4",
    "europe-west9", "europe-southwest1", "asia-south1", "asia-southeast1", "asia-northeast1", "asia-northeast3",
    "australia-southeast2", "us", "eu",
}
# each service's host (the provider spec's services)
DEFAULT_ENDPOINTS = {svc.name: svc.host for svc in specs.provider("gcp").services if svc.host}
GLOBAL_ENDPOINTS = {"aiplatform": "aiplatform.{universe}", "modelarmor": "modelarmor.{universe}",
                    "discoveryengine": "discoveryengine.{universe}"}
GCP_PERMISSIONS = specs.permissions("gcp")  # derived from the resource-type specs (aiposture.specs.gcp)
ADMIN = {"roles/owner", "roles/editor", "roles/aiplatform.admin"}
API_NAMES = {"aiplatform": "Vertex AI", "modelarmor": "Model Armor", "discoveryengine": "Vertex AI Search (Discovery Engine)",
             "notebooks": "Notebooks (Vertex AI Workbench)"}
DISABLED = "disabled"


@dataclass
class GcpOptions:
    projects: list[str] = field(default_factory=list)
    organization: str | None = None
    folder: str | None = None
    locations: list[str] = field(default_factory=list)
    endpoint_template: str | None = None
    universe_domain: str = "googleapis.com"
    workers: int = 8


@dataclass
class ProjectPlan:
    """What phase two scans in a project: Vertex AI and Model Armor locations (None = service not applicable)."""

    vertex: list[str] | None = None
    model_armor: list[str] | None = None


class InvalidResponseError(Exception):
    """A 2xx answer that is not the shape the API documents."""


def classify(e: BaseException) -> tuple[str, str]:
    import requests
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc
    from google.protobuf import json_format

    if isinstance(e, InvalidResponseError):
        return "InvalidResponse", str(e)
    if isinstance(e, aexc.DefaultCredentialsError):
        return "NoCredentials", _first_line(e)
    if isinstance(e, aexc.TransportError):
        return "EndpointUnreachable", _first_line(e)
    if isinstance(e, aexc.GoogleAuthError):
        return "AuthenticationFailed", _first_line(e)
    if isinstance(e, gexc.GoogleAPICallError):
        code = getattr(e, "grpc_status_code", None)
        name = code.name if code is not None else None
        if name is None:  # REST errors carry the canonical status in the body
            try:
                name = e.response.json()["error"]["status"]
            except Exception:
                name = type(e).__name__
        return str(name), _first_line(e.message or e)
    if isinstance(e, gexc.RetryError):
        return "RetryExhausted", _first_line(e)
    if isinstance(e, (json_format.ParseError, ValueError)):
        return "InvalidResponse", f"the answer is not the documented JSON ({_first_line(e)[:200]})"
    if isinstance(e, requests.exceptions.RequestException):
        return "EndpointUnreachable", _first_line(e)
    return "InternalError", f"{type(e).__name__}: {e}"


def _first_line(e: Any) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]


def _service_disabled(e: BaseException) -> bool:
    """The API answered that it is disabled in the project (google.rpc.ErrorInfo reason SERVICE_DISABLED)."""
    if getattr(e, "reason", None) == "SERVICE_DISABLED":
        return True
    text = str(e)
    return "SERVICE_DISABLED" in text or "has not been used in project" in text


def _unsupported_location(e: BaseException) -> bool:
    """The service itself answered that it does not serve this location. A DNS or connection failure is not an
    answer: it stays an error (a regional host that cannot be reached may serve workloads)."""
    from google.api_core import exceptions as gexc

    return isinstance(e, (gexc.BadRequest, gexc.NotFound)) and "location" in str(e).lower()


def _require_json_object(response, *args, **kwargs):
    """requests response hook: a 2xx answer from a Google API is a JSON object. protobuf's JSON parser, with the
    unknown-field tolerance the client libraries use, reads a bare JSON string as an empty message (an IAM
    policy with no bindings, a list with no items): refuse such answers before they are parsed."""
    if 200 <= response.status_code < 300 and response.content and response.content[:256].lstrip()[:1] != b"{":
        raise InvalidResponseError(f"HTTP {response.status_code} answer is not a JSON object "
                                   f"({response.headers.get('Content-Type') or 'no content type'})")
    return response


def _guard_session(session) -> None:
    if session is not None and _require_json_object not in session.hooks["response"]:
        session.hooks["response"].append(_require_json_object)


def _dict(msg) -> dict[str, Any]:
    return type(msg).to_dict(msg, preserving_proto_field_name=True, use_integers_for_enums=False)


def _pb_dict(msg) -> dict[str, Any]:
    """A raw protobuf message (IAM policy, ListLocations) as a dict; enum numbers this library does not know
    stay numbers (the normalisers treat them as unknown) instead of raising."""
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(msg, preserving_proto_field_name=True)


def credential_error(e: BaseException, env: dict[str, str] | None = None) -> str:
    """One line: why Application Default Credentials are not usable, and hints only for what is not set up."""
    env = dict(os.environ if env is None else env)
    path = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        if not os.path.exists(path):
            return (f"no Google Cloud credentials: GOOGLE_APPLICATION_CREDENTIALS points at {path}, which does not exist; "
                    "fix the path or unset it to use 'gcloud auth application-default login'")
        return f"Google Cloud credentials in GOOGLE_APPLICATION_CREDENTIALS ({path}) are not usable: {_first_line(e)}"
    login = ("run 'gcloud auth application-default login'" if shutil.which("gcloud", path=env.get("PATH"))
             else "install the Google Cloud CLI and run 'gcloud auth application-default login'")
    return (f"no Google Cloud credentials found ({_first_line(e)}). Try: {login}; or set GOOGLE_APPLICATION_CREDENTIALS "
            "to a service-account or workload identity federation file")


def credentials_principal(creds: Any) -> dict[str, str] | None:
    """The service account (or, for user credentials, the account) that Application Default Credentials
    name, for the evidence pack; never a key or token. None when the credentials do not say."""
    email = getattr(creds, "service_account_email", None) or getattr(creds, "signer_email", None)
    if isinstance(email, str) and "@" in email:
        return {"principal": email, "type": "service_account",
                "account": str(getattr(creds, "project_id", "") or getattr(creds, "quota_project_id", "") or "")}
    account = getattr(creds, "account", None)
    if isinstance(account, str) and account:
        return {"principal": account, "type": "user"}
    return None


class GcpScan:
    def __init__(self, opts: GcpOptions, rec: Recorder, credentials=None):
        self.opts, self.rec = opts, rec
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._parents: dict[str, str] = {}  # project id -> parent (from listing, or projects.get)
        self._nodes = OnceCache()  # folders/organizations: parent and IAM policy, read once per scan
        self._unsupported: dict[tuple[str, str], set[str]] = defaultdict(set)  # (api, location) -> projects
        self.plans: dict[str, ProjectPlan] = {}
        self._admins: dict[str, set[str] | None] = {}  # project -> service accounts with owner/editor/aiplatform.admin
        self.credentials = credentials or self._adc()
        who = credentials_principal(self.credentials)
        if who:
            rec.identify(**who)
        self._session: Any = None
        from google.api_core import exceptions as gexc
        from google.api_core.retry import Retry, if_exception_type

        self.retry = Retry(predicate=if_exception_type(gexc.TooManyRequests, gexc.ResourceExhausted, gexc.ServiceUnavailable,
                                                       gexc.InternalServerError, gexc.GatewayTimeout),
                           initial=0.2, maximum=10.0, multiplier=2.0, timeout=120.0)

    def _adc(self):
        try:
            import importlib

            import google.auth
            from google.auth import exceptions as aexc
            from google.auth.transport.requests import Request

            for mod in ("google.cloud.aiplatform_v1", "google.cloud.modelarmor_v1", "google.cloud.resourcemanager_v3",
                        "google.cloud.discoveryengine_v1", "google.cloud.notebooks_v2"):
                importlib.import_module(mod)
        except ImportError:
            raise AiPostureError("the Google Cloud SDK is not installed: pip install 'aiposture[gcp]'") from None
        try:
            creds, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        except aexc.DefaultCredentialsError as e:
            raise AiPostureError(credential_error(e)) from None
        try:  # one token before any project is touched: refused credentials are a usage error, not N error rows
            creds.refresh(Request())
        except aexc.GoogleAuthError as e:
            raise AiPostureError(f"Google Cloud credentials were refused: {_first_line(e)[:300]}") from None
        return creds

    def endpoint(self, service: str, location: str = "global") -> str:
        tpl = self.opts.endpoint_template
        if not tpl:
            tpl = GLOBAL_ENDPOINTS[service] if location == "global" and service in GLOBAL_ENDPOINTS else DEFAULT_ENDPOINTS[service]
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
                # the REST transport's requests session (generated clients name it _session): check answers there
                _guard_session(getattr(getattr(c, "_transport", None), "_session", None))
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

    def session(self):
        """One authorised HTTP session for the REST reads without a client library here (Org Policy v2)."""
        with self._lock:
            if self._session is None:
                from google.auth.transport.requests import AuthorizedSession

                self._session = AuthorizedSession(self.credentials)
                _guard_session(self._session)
            return self._session

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
                found, todo = [], [root]
                while todo:
                    parent = todo.pop()
                    found += [p for p in self.pages(pc.list_projects, parent=parent) if p.state == rm.Project.State.ACTIVE]
                    todo += [f.name for f in self.pages(fc.list_folders, parent=parent) if f.state == rm.Folder.State.ACTIVE]
            else:
                found = list(self.pages(pc.search_projects, query="state:ACTIVE"))
        except Exception as e:
            code, msg = classify(e)
            # the scan still completes and writes its reports: this failure is what they list as not checked
            self.rec.error(f"list projects: {msg} (name them with --project)", code=code, kinds=None)
            return []
        for p in found:
            if p.parent:
                self._parents[p.project_id] = p.parent
        return sorted({p.project_id for p in found})

    def _discover(self, project: str, service: str) -> list[str] | str | None:
        """The locations a service offers the project (ListLocations), DISABLED, or None (could not be listed)."""
        from google.cloud import aiplatform_v1 as ai
        from google.cloud import modelarmor_v1 as ma

        cls = ai.EndpointServiceClient if service == "aiplatform" else ma.ModelArmorClient
        c = self.client(cls, service, "global")
        out: list[str] = []
        token = ""
        try:
            while True:
                resp = self.call(c.list_locations, request={"name": f"projects/{project}", "page_token": token})
                out += [loc.location_id for loc in resp.locations if loc.location_id]
                token = resp.next_page_token
                if not token:
                    return sorted(set(out))
        except Exception as e:
            if _service_disabled(e):
                return DISABLED
            code, msg = classify(e)
            self.rec.note(f"{project}: could not list {API_NAMES[service]} locations ({code}: {msg}); "
                          "scanned the built-in list instead")
            return None

    def collect_project(self, project: str) -> None:
        """Which services apply and where; then the project-wide settings (effective IAM policy, floor setting,
        allowed-models policy) when Vertex AI is enabled."""
        vertex, armor = self._discover(project, "aiplatform"), self._discover(project, "modelarmor")
        plan = ProjectPlan()
        for service, found in (("aiplatform", vertex), ("modelarmor", armor)):
            if found == DISABLED:
                self.rec.note(f"{project}: the {API_NAMES[service]} API is disabled; {API_NAMES[service]} is not "
                              "applicable there (skipped)")
        if armor != DISABLED:
            served = set(armor) if isinstance(armor, list) else MODEL_ARMOR_LOCATIONS
            plan.model_armor = (model_armor_locations(self.opts.locations, served) if self.opts.locations
                                else sorted(served))
        if vertex != DISABLED:
            if self.opts.locations:
                plan.vertex = list(self.opts.locations)
            else:
                plan.vertex = sorted(set(vertex if isinstance(vertex, list) else DEFAULT_LOCATIONS) | {"global"})
        with self._lock:
            self.plans[project] = plan
        self.rec.target(project=project)
        if vertex == DISABLED:
            with self._lock:
                self._admins[project] = set()
            return
        self._project_settings(project, model_armor=armor != DISABLED)

    def _project_settings(self, project: str, *, model_armor: bool) -> None:
        from google.cloud import modelarmor_v1 as ma

        attrs: dict[str, Any] = {"audit_logging": None, "enforced_guardrail": None, "allowed_models_restricted": None}
        scope: dict[str, Any] = {"project": project}
        admins: set[str] | None = None
        with guarded(self.rec, "IAM policy", kinds=["identity_binding"], classify=classify, **scope):
            configs, admins, complete = self._effective_policy(project)
            attrs.update(ngcp.audit_config(configs, complete=complete))
        with self._lock:
            self._admins[project] = admins
        if model_armor:
            with guarded(self.rec, "Model Armor floor setting", kinds=["ai_service", "content_filter"], classify=classify,
                         partial=True, **scope):
                attrs.update(self._floor_setting(project, ma))
        else:  # Model Armor is off in the project: nothing can enforce a guardrail on Vertex AI calls
            attrs["enforced_guardrail"] = {"enabled": False}
        with guarded(self.rec, "organisation policy vertexai.allowedModels", kinds=["ai_service"], classify=classify,
                     partial=True, **scope):
            attrs["allowed_models_restricted"] = self._allowed_models(project)
        attrs.update(estate.project_attrs(self, project))
        self._add(id=f"projects/{project}/locations/global/aiplatform", kind="ai_service",
                  native="aiplatform.googleapis.com/Location", name=f"Vertex AI {project}", attrs=attrs,
                  project=project, location="global")

    def _floor_setting(self, project: str, ma) -> dict[str, Any]:
        from google.api_core import exceptions as gexc

        name = f"projects/{project}/locations/global/floorSetting"
        try:
            fs = _dict(self.call(self.client(ma.ModelArmorClient, "modelarmor", "global").get_floor_setting, name=name))
        except gexc.NotFound:
            return {"enforced_guardrail": {"enabled": False}}  # no floor setting: nothing enforced
        out = ngcp.floor_setting(fs)
        if fs.get("filter_config"):
            self._add(id=name, kind="content_filter", native="modelarmor.googleapis.com/FloorSetting",
                      name=f"floor setting {project}", attrs=ngcp.floor_filter(fs), project=project, location="global")
        return out

    # ------------------------------------------------------------------ effective IAM along the ancestry
    def _ancestry(self, project: str) -> list[str]:
        """folders/... and organizations/... above the project, nearest first."""
        from google.cloud import resourcemanager_v3 as rm

        parent = self._parents.get(project)
        if parent is None:
            proj = self.call(self.client(rm.ProjectsClient, "cloudresourcemanager").get_project, name=f"projects/{project}")
            parent = proj.parent
        chain: list[str] = []
        while parent and parent not in chain and len(chain) < 12:  # folders nest at most 10 deep
            chain.append(parent)
            if not parent.startswith("folders/"):
                break
            node = parent

            def read_parent(node: str = node) -> str:
                f = self.call(self.client(rm.FoldersClient, "cloudresourcemanager").get_folder, name=node)
                return str(f.parent)

            parent, err = self._nodes.get(("parent", node), read_parent)
            if err is not None:
                raise err
        return chain

    def _policy(self, resource: str) -> dict[str, Any]:
        """getIamPolicy (requestedPolicyVersion 3: conditional bindings keep their conditions) as a dict."""
        from google.cloud import resourcemanager_v3 as rm
        from google.iam.v1 import iam_policy_pb2, options_pb2

        cls = {"projects": rm.ProjectsClient, "folders": rm.FoldersClient, "organizations": rm.OrganizationsClient}[
            resource.split("/", 1)[0]]
        req = iam_policy_pb2.GetIamPolicyRequest(resource=resource,
                                                 options=options_pb2.GetPolicyOptions(requested_policy_version=3))
        return _pb_dict(self.call(self.client(cls, "cloudresourcemanager").get_iam_policy, request=req))

    def _effective_policy(self, project: str) -> tuple[list[dict[str, Any]], set[str] | None, bool]:
        """Audit configs of the project and every ancestor, the admin service accounts, whether all were read.
        Bindings granting AI roles become resources: the project's here, each ancestor's once per scan."""
        pol = self._policy(f"projects/{project}")
        self._bindings(pol, f"projects/{project}", project)
        configs = list(pol.get("audit_configs") or [])
        admins = _admins(pol)
        complete = True
        try:
            ancestors = self._ancestry(project)
        except Exception as e:
            code, msg = classify(e)
            self.rec.error(f"ancestry (folders, organisation): {msg}", code=code, kinds=["identity_binding"],
                           project=project)
            return configs, admins, False
        for node in ancestors:
            npol, err = self._nodes.get(("policy", node), partial(self._node_policy, node))
            if err is not None:
                code, msg = classify(err)
                self.rec.error(f"IAM policy of {node} (inherited by the project): {msg}", code=code,
                               kinds=["identity_binding"], project=project)
                complete = False
                continue
            configs += list(npol.get("audit_configs") or [])
            admins |= _admins(npol)
        return configs, admins, complete

    def _node_policy(self, node: str) -> dict[str, Any]:
        pol = self._policy(node)
        self._bindings(pol, node, node)
        return pol

    def _bindings(self, pol: dict[str, Any], resource: str, account: str) -> None:
        """identity_binding resources for AI roles and public members (Google-managed service agents left out)."""
        bindings = pol.get("bindings") or []
        if not isinstance(bindings, list):
            raise InvalidResponseError(f"{resource}: 'bindings' is not a list")
        for b in bindings:
            role, members = b.get("role"), b.get("members") or []
            if not isinstance(role, str) or not isinstance(members, list):
                raise InvalidResponseError(f"{resource}: a binding without a role or members")
            cond = b.get("condition") or None
            expr = cond.get("expression") if isinstance(cond, dict) else None
            public = [m for m in members if m in ("allUsers", "allAuthenticatedUsers")]
            if not ngcp.is_ai_role(role) and not public:
                continue
            for m in members:
                if not isinstance(m, str) or ngcp.is_google_managed(m):
                    continue
                if not ngcp.is_ai_role(role) and m not in public:
                    continue
                attrs = ngcp.iam_binding(role, m, condition=expr or (cond or None))
                self._add(id=f"{resource}/iamBindings/{ngcp.binding_key(role, m, cond)}", kind="identity_binding",
                          native="cloudresourcemanager.googleapis.com/IamBinding",
                          name=f"{m} -> {role}" + (f" (if {cond.get('title') or expr})" if isinstance(cond, dict) else "")
                          + ("" if resource.startswith("projects/") else f" on {resource}"),
                          attrs=attrs, project=account, location="global")

    def effective_policy(self, project: str, constraint: str) -> Any:
        """The effective organisation policy of a constraint for the project (inheritance merged); None = no policy
        (HTTP 404)."""
        return estate.rest_get(self, "orgpolicy", f"/v2/projects/{project}/policies/{constraint}:getEffectivePolicy",
                               missing_ok=True)

    def _allowed_models(self, project: str) -> bool:
        """constraints/vertexai.allowedModels as the effective policy says (inheritance already merged)."""
        body = self.effective_policy(project, "vertexai.allowedModels")
        if body is None:
            return False
        rules = body.get("spec", {}).get("rules", []) if isinstance(body, dict) and isinstance(body.get("spec", {}), dict) else None
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise InvalidResponseError("the effective policy has no readable spec.rules")
        restricting = any((isinstance(r.get("values"), dict) and (r["values"].get("allowedValues") or r["values"].get("deniedValues")))
                          or r.get("denyAll") is True for r in rules)
        return restricting and not any(r.get("allowAll") is True for r in rules)

    # ------------------------------------------------------------------ locations
    def collect_location(self, project: str, location: str) -> None:
        from google.cloud import aiplatform_v1 as ai

        parent = f"projects/{project}/locations/{location}"
        scope: dict[str, Any] = {"project": project, "location": location}
        endpoints = self._first_list(self.client(ai.EndpointServiceClient, "aiplatform", location).list_endpoints,
                                     "aiplatform", "endpoints", ["model_deployment"], project, location)
        if endpoints is None:
            return
        self.rec.target(project=project, location=location)
        with self._lock:
            admins = self._admins.get(project)
        for ep in endpoints:
            with guarded(self.rec, f"endpoint {ep.name}", kinds=["model_deployment"], classify=classify, **scope):
                self._add(id=ep.name, kind="model_deployment", native="aiplatform.googleapis.com/Endpoint",
                          name=ep.display_name or ep.name, attrs=ngcp.endpoint(_dict(ep), admins=admins), project=project,
                          location=location, tags=dict(ep.labels))
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
                self._add(id=re_.name, kind="agent", native="aiplatform.googleapis.com/ReasoningEngine",
                          name=re_.display_name or re_.name, attrs=ngcp.reasoning_engine(_dict(re_), admins=admins),
                          project=project, location=location)
        estate.collect_location(self, project, location)

    def _first_list(self, list_call, service: str, what: str, kinds: list[str], project: str, location: str) -> list | None:
        """The first list call of a location: an API that answers it is disabled, or does not serve the location,
        means skip (None, noted); any other failure is a scope error and an empty list."""
        try:
            return list(self.pages(list_call, parent=f"projects/{project}/locations/{location}"))
        except Exception as e:
            if _service_disabled(e):
                self.rec.note(f"{project}: the {API_NAMES[service]} API is disabled; {API_NAMES[service]} is not "
                              "applicable there (skipped)")
                return None
            if _unsupported_location(e):
                with self._lock:
                    self._unsupported[(API_NAMES[service], location)].add(project)
                return None
            code, msg = classify(e)
            self.rec.error(f"{what}: {msg}", code=code, kinds=kinds, project=project, location=location)
            return []

    def collect_templates(self, project: str, location: str) -> None:
        """Model Armor templates in one Model Armor location (regions and the us/eu multi-regions)."""
        from google.cloud import modelarmor_v1 as ma

        templates = self._first_list(self.client(ma.ModelArmorClient, "modelarmor", location).list_templates,
                                     "modelarmor", "Model Armor templates", ["content_filter"], project, location)
        for t in templates or []:
            with guarded(self.rec, f"template {t.name}", kinds=["content_filter"], classify=classify, project=project,
                         location=location):
                self._add(id=t.name, kind="content_filter", native="modelarmor.googleapis.com/Template",
                          name=t.name.rsplit("/", 1)[-1], attrs=ngcp.template(_dict(t)), project=project, location=location,
                          tags=dict(t.labels))

    def notes_for_unsupported(self) -> None:
        """One note per location a service said it does not serve, not one per project."""
        for (api, location), projects in sorted(self._unsupported.items()):
            who = next(iter(projects)) if len(projects) == 1 else f"{len(projects)} projects"
            self.rec.note(f"{who}/{location}: {api} is not available in this location; skipped")

    def _add(self, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], project: str, location: str,
             tags: dict[str, str] | None = None) -> None:
        self.rec.add(make_resource(id=id, provider="gcp", kind=kind, native_type=native, name=name, attrs=attrs,
                                   account=project, region=location, tags=tags))


def _admins(pol: dict[str, Any]) -> set[str]:
    """Service accounts holding owner, editor or aiplatform.admin in a policy (conditional grants included)."""
    out: set[str] = set()
    for b in pol.get("bindings") or []:
        if isinstance(b, dict) and b.get("role") in ADMIN:
            out.update(m.split(":", 1)[1] for m in b.get("members") or [] if isinstance(m, str) and m.startswith("serviceAccount:"))
    return out


def _items_field(page) -> str:
    """The repeated field holding a list response's items (endpoints, models, templates, ...)."""
    for name, f in type(page).meta.fields.items():
        if f.repeated and name != "unreachable":
            return name
    raise AttributeError(f"no repeated field on {type(page).__name__}")


def model_armor_locations(locations: list[str], served: set[str] | None = None) -> list[str]:
    """Where to look for Model Armor templates for the requested locations: those Model Armor serves, plus the
    multi-region (us / eu) that covers them (templates there apply to Vertex AI in those regions)."""
    served = MODEL_ARMOR_LOCATIONS if served is None else served
    out = [loc for loc in locations if loc in served]
    if any(loc.startswith(("us-", "northamerica-")) or loc == "us" for loc in locations) and "us" in served:
        out.append("us")
    if any(loc.startswith("europe-") or loc == "eu" for loc in locations) and "eu" in served:
        out.append("eu")
    return sorted(set(out))


def collect(opts: GcpOptions, *, quiet: bool = False, stream=None, credentials=None) -> dict[str, Any]:
    clock = Clock()
    rec = Recorder("gcp")
    scan = GcpScan(opts, rec, credentials)
    projects = scan.projects()
    # per project: which services apply and where, and the settings (they tell which service accounts are admins)
    run_tasks([Task(f"{p} settings", {"project": p}, partial(scan.collect_project, p)) for p in projects], rec,
              workers=opts.workers)
    tasks: list[Task] = []
    for p in projects:
        plan = scan.plans.get(p) or ProjectPlan()
        tasks += [Task(f"{p}/{loc}", {"project": p, "location": loc}, partial(scan.collect_location, p, loc))
                  for loc in plan.vertex or []]
        tasks += [Task(f"{p}/{loc} Model Armor", {"project": p, "location": loc}, partial(scan.collect_templates, p, loc))
                  for loc in plan.model_armor or []]
        tasks += estate.tasks(scan, p, plan)
    run_tasks(tasks, rec, workers=opts.workers, progress=Progress(len(tasks), "scanning Google Cloud", quiet=quiet, stream=stream))
    scan.notes_for_unsupported()
    doc = rec.document(started_at=clock.started_at, source="gcp")
    doc["scan"]["duration_seconds"] = round(clock.elapsed, 3)
    return doc


def role_definition() -> dict[str, Any]:
    """A custom IAM role with exactly the permissions the collector uses (``aiposture permissions gcp``)."""
    from aiposture.specs.documents import gcp_role

    return gcp_role()
