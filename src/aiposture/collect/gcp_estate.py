"""Live reads of the Google Cloud AI estate around Vertex AI, run as part of ``gcp_vertex.GcpScan``.

Per project: VPC Service Controls (Access Context Manager v1: the organisation's access policies and their
service perimeters, read once per organisation, matched against the project's *number*), and the effective
organisation policy of the constraints in ``normalize.gcp_estate.CONSTRAINTS``; both become attributes of the
project's Vertex AI ``ai_service``. Vertex AI Search / Agent Builder data stores (Discovery Engine, locations
``global``, ``us``, ``eu``) and Workbench instances (Notebooks API v2, every zone with ``locations/-``) are tasks
of their own. Per Vertex AI location: RAG Engine corpora with their files and Colab Enterprise runtime templates.

Client libraries where Google publishes one (``discoveryengine_v1``, ``notebooks_v2``, ``aiplatform_v1``);
Access Context Manager has none (its PyPI package holds only protobuf messages), and Org Policy and the one
Compute Engine read (a Workbench VM's disks: their CMEK is input-only in the Notebooks API) use the collector's
authorised REST session, like the existing ``vertexai.allowedModels`` read.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from aiposture import specs
from aiposture.collect.base import Task, guarded
from aiposture.normalize import gcp_estate as nest
from aiposture.normalize.values import snake_keys

if TYPE_CHECKING:
    from aiposture.collect.gcp_vertex import GcpScan, ProjectPlan

DISCOVERY_LOCATIONS = ("global", "us", "eu")
NO_PERIMETER = {"enforced": False, "dry_run_only": False, "restricted_services": []}


def _classify():
    from aiposture.collect.gcp_vertex import classify

    return classify


def _invalid(msg: str) -> Exception:
    from aiposture.collect.gcp_vertex import InvalidResponseError

    return InvalidResponseError(msg)


def _dict(msg: Any) -> dict[str, Any]:
    return type(msg).to_dict(msg, preserving_proto_field_name=True, use_integers_for_enums=False)


def _add(scan: GcpScan, native: str, shape: dict[str, Any], *, id: str, name: str, project: str, location: str,
         tags: dict[str, str] | None = None, **context: Any) -> None:
    """One resource of a spec'd type: the API shape goes through the spec's normaliser (its only mapping)."""
    spec = specs.by_native(native)
    assert spec is not None, native
    scan._add(id=id, kind=spec.kind, native=native, name=name, attrs=spec.normalise(shape, **context), project=project,
              location=location, tags=tags)


# ----------------------------------------------------------------------------- REST helpers
def rest_get(scan: GcpScan, service: str, path: str, params: dict[str, str] | None = None, *,
             missing_ok: bool = False) -> dict[str, Any] | None:
    """One GET on the authorised session, retried like every client call; a 2xx answer must be a JSON object.
    ``missing_ok``: HTTP 404 means "not there" (None)."""
    from google.api_core import exceptions as gexc

    base = scan.endpoint(service)
    base = base if base.startswith("http") else f"https://{base}"
    url = f"{base.rstrip('/')}{path}"

    def get() -> Any:
        scan.rec.count_call()
        resp = scan.session().get(url, params=params or None, timeout=30)
        if resp.status_code == 404 and missing_ok:
            return None
        if resp.status_code >= 400:
            raise gexc.from_http_response(resp)
        try:
            return resp.json()
        except ValueError:
            raise _invalid(f"{path}: the answer is not JSON") from None

    body = scan.retry(get)()
    if body is not None and not isinstance(body, dict):
        raise _invalid(f"{path}: the answer is not a JSON object")
    return body


def rest_pages(scan: GcpScan, service: str, path: str, items: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every item of a list call, following ``nextPageToken`` (an empty or absent token is the last page)."""
    out: list[dict[str, Any]] = []
    token = ""
    seen: set[str] = set()
    while True:
        q = dict(params or {})
        if token:
            q["pageToken"] = token
        body = rest_get(scan, service, path, q) or {}
        page = body.get(items, [])
        if not isinstance(page, list) or not all(isinstance(x, dict) for x in page):
            raise _invalid(f"{path}: '{items}' is not a list of objects")
        out += page
        token = body.get("nextPageToken") or ""
        if not isinstance(token, str):
            raise _invalid(f"{path}: 'nextPageToken' is not a string")
        if not token:
            return out
        if token in seen:  # a service that hands the same token back would page forever
            raise _invalid(f"{path}: the page token repeats")
        seen.add(token)


# ----------------------------------------------------------------------------- project-level attributes
def project_attrs(scan: GcpScan, project: str) -> dict[str, Any]:
    """``service_perimeter`` and ``org_policies`` of the project's Vertex AI ``ai_service`` (null where unread)."""
    attrs: dict[str, Any] = {"service_perimeter": None}
    with guarded(scan.rec, "VPC Service Controls perimeters (Access Context Manager, organisation level)",
                 kinds=["ai_service"], classify=_classify(), partial=True, project=project):
        attrs["service_perimeter"] = perimeter_of(scan, project)["service_perimeter"]
    attrs["org_policies"] = org_policies(scan, project)
    return attrs


def perimeter_of(scan: GcpScan, project: str) -> dict[str, Any]:
    from google.cloud import resourcemanager_v3 as rm

    proj = scan.call(scan.client(rm.ProjectsClient, "cloudresourcemanager").get_project, name=f"projects/{project}")
    number = str(proj.name).split("/", 1)[-1]
    if not number.isdigit():
        raise _invalid(f"projects/{project}: the project's name is not projects/NUMBER")
    ancestors = scan._ancestry(project)
    org = next((a for a in ancestors if a.startswith("organizations/")), None)
    if org is None:  # VPC Service Controls needs an organisation: a project without one is in no perimeter
        return {"service_perimeter": dict(NO_PERIMETER)}
    policies, err = scan._nodes.get(("access-policies", org), partial(_org_perimeters, scan, org))
    if err is not None:
        raise err
    return nest.project_perimeter(policies, project_number=number, ancestors=ancestors)


def _org_perimeters(scan: GcpScan, org: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every access policy of the organisation (scoped ones too) with all its service perimeters."""
    out = []
    for pol in rest_pages(scan, "accesscontextmanager", "/v1/accessPolicies", "accessPolicies", {"parent": org}):
        name = pol.get("name")
        if not isinstance(name, str) or not name.startswith("accessPolicies/") or "/" in name[len("accessPolicies/"):]:
            raise _invalid("an access policy without a name accessPolicies/N")
        perims = rest_pages(scan, "accesscontextmanager", f"/v1/{name}/servicePerimeters", "servicePerimeters")
        out.append((snake_keys(pol), [snake_keys(p) for p in perims]))
    return out


def org_policies(scan: GcpScan, project: str) -> dict[str, Any]:
    """The effective policy of each constraint (getEffectivePolicy merges the hierarchy); one error entry names
    the constraints that could not be read, which stay null."""
    out: dict[str, Any] = {}
    failed: list[tuple[str, BaseException]] = []
    for constraint, key in nest.CONSTRAINTS.items():
        try:
            body = scan.effective_policy(project, constraint)
            spec = None if body is None else snake_keys(body).get("spec")
            out[key] = nest.constraint_restricts(constraint, spec)
        except Exception as e:
            out[key] = None
            failed.append((constraint, e))
    if failed:
        code, msg = _classify()(failed[0][1])
        names = ", ".join(c for c, _ in failed)
        scan.rec.error(f"organisation policy {names}: {msg}", code=code, kinds=["ai_service"], partial=True, project=project)
    return out


# ----------------------------------------------------------------------------- tasks of their own
def tasks(scan: GcpScan, project: str, plan: ProjectPlan) -> list[Task]:
    """Discovery Engine data stores per multi-region, Workbench instances per project."""
    locs = discovery_locations(scan.opts.locations)
    out = [Task(f"{project}/{loc} Vertex AI Search", {"project": project, "location": loc},
                partial(collect_data_stores, scan, project, loc)) for loc in locs]
    out.append(Task(f"{project} Workbench", {"project": project}, partial(collect_workbench, scan, project)))
    return out


def discovery_locations(requested: list[str]) -> list[str]:
    """Discovery Engine serves ``global``, ``us`` and ``eu``; requested regions map to their multi-region."""
    if not requested:
        return list(DISCOVERY_LOCATIONS)
    out = {loc for loc in requested if loc in DISCOVERY_LOCATIONS}
    if any(loc.startswith(("us-", "northamerica-")) for loc in requested):
        out.add("us")
    if any(loc.startswith("europe-") for loc in requested):
        out.add("eu")
    return sorted(out)


def collect_data_stores(scan: GcpScan, project: str, location: str) -> None:
    from google.cloud import discoveryengine_v1 as de

    client = scan.client(de.DataStoreServiceClient, "discoveryengine", location)

    def list_call(parent: str, **kw: Any) -> Any:  # data stores live in a collection, normally default_collection
        return client.list_data_stores(parent=f"{parent}/collections/default_collection", **kw)

    stores = scan._first_list(list_call, "discoveryengine", "Vertex AI Search data stores", ["knowledge_base"],
                              project, location)
    for ds in stores or []:
        with guarded(scan.rec, f"data store {ds.name}", kinds=["knowledge_base"], classify=_classify(), project=project,
                     location=location):
            _add(scan, "discoveryengine.googleapis.com/DataStore", _dict(ds), id=ds.name, name=ds.display_name or ds.name,
                 project=project, location=location)


def collect_workbench(scan: GcpScan, project: str) -> None:
    from google.cloud import notebooks_v2 as nb

    client = scan.client(nb.NotebookServiceClient, "notebooks")
    instances = scan._first_list(client.list_instances, "notebooks", "Workbench instances", ["notebook"], project, "-")
    with scan._lock:
        admins = scan._admins.get(project)
    for inst in instances or []:
        zone = str(inst.name).split("/locations/", 1)[-1].split("/", 1)[0]
        if scan.opts.locations and not any(zone == loc or zone.startswith(f"{loc}-") for loc in scan.opts.locations):
            continue
        with guarded(scan.rec, f"Workbench instance {inst.name}", kinds=["notebook"], classify=_classify(),
                     project=project, location=zone):
            disks = None
            with guarded(scan.rec, f"disks of the Workbench VM {inst.name} (Compute Engine)", kinds=["notebook"],
                         classify=_classify(), partial=True, project=project, location=zone):
                disks = vm_disks(scan, project, zone, str(inst.name).rsplit("/", 1)[-1])
            _add(scan, "notebooks.googleapis.com/Instance", _dict(inst), id=inst.name, name=str(inst.name).rsplit("/", 1)[-1],
                 project=project, location=zone, tags=dict(inst.labels), admins=admins, disks=disks)


def vm_disks(scan: GcpScan, project: str, zone: str, name: str) -> list[dict[str, Any]]:
    """The attached disks of the Workbench instance's Compute Engine VM (same name, same zone)."""
    body = rest_get(scan, "compute", f"/compute/v1/projects/{project}/zones/{zone}/instances/{name}") or {}
    disks = body.get("disks")
    if not isinstance(disks, list) or not disks or not all(isinstance(d, dict) for d in disks):
        raise _invalid(f"instance {name}: no readable 'disks'")
    return [snake_keys(d) for d in disks]


# ----------------------------------------------------------------------------- per Vertex AI location
def collect_location(scan: GcpScan, project: str, location: str) -> None:
    """RAG Engine corpora (with their files) and Colab Enterprise runtime templates in one Vertex AI region."""
    from google.cloud import aiplatform_v1 as ai

    if location == "global":  # both are regional
        return
    scope: dict[str, Any] = {"project": project, "location": location}
    parent = f"projects/{project}/locations/{location}"
    rag = scan.client(ai.VertexRagDataServiceClient, "aiplatform", location)
    for corpus in _regional(scan, rag.list_rag_corpora, "Vertex AI RAG Engine", "RAG corpora", ["knowledge_base"],
                            parent, scope) or []:
        with guarded(scan.rec, f"RAG corpus {corpus.name}", kinds=["knowledge_base"], classify=_classify(), **scope):
            files = None
            with guarded(scan.rec, f"files of RAG corpus {corpus.name}", kinds=["knowledge_base"], classify=_classify(),
                         partial=True, **scope):
                files = [_dict(f) for f in scan.pages(rag.list_rag_files, parent=corpus.name)]
            _add(scan, "aiplatform.googleapis.com/RagCorpus", _dict(corpus), id=corpus.name,
                 name=corpus.display_name or corpus.name, project=project, location=location, files=files)
    colab = scan.client(ai.NotebookServiceClient, "aiplatform", location)
    for t in _regional(scan, colab.list_notebook_runtime_templates, "Colab Enterprise", "Colab Enterprise runtime templates",
                       ["notebook"], parent, scope) or []:
        with guarded(scan.rec, f"runtime template {t.name}", kinds=["notebook"], classify=_classify(), **scope):
            _add(scan, "aiplatform.googleapis.com/NotebookRuntimeTemplate", _dict(t), id=t.name,
                 name=t.display_name or t.name, project=project, location=location, tags=dict(t.labels))


def _regional(scan: GcpScan, list_call: Any, api: str, what: str, kinds: list[str], parent: str,
              scope: dict[str, Any]) -> list[Any] | None:
    """A list call in a region the feature may not serve: the service's own "unsupported location" answer is a
    note (once per location), any other failure an error for the kinds."""
    from aiposture.collect.gcp_vertex import _unsupported_location

    try:
        return list(scan.pages(list_call, parent=parent))
    except Exception as e:
        if _unsupported_location(e):
            with scan._lock:
                scan._unsupported[(api, scope["location"])].add(scope["project"])
            return None
        code, msg = _classify()(e)
        scan.rec.error(f"{what}: {msg}", code=code, kinds=kinds, **scope)
        return None
