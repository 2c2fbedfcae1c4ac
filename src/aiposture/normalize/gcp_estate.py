"""Google Cloud AI estate around Vertex AI -> inventory attrs, shared by the live collector and the IaC reader.

Covers what surrounds the Vertex AI endpoints: VPC Service Controls perimeters and organisation policy
constraints (attributes of the project's ``ai_service``), Vertex AI Search / Agent Builder data stores and
Vertex RAG Engine corpora (``knowledge_base``), Workbench instances and Colab Enterprise runtime templates
(``notebook``).

Inputs are snake_case: proto3 JSON from the REST APIs converted with ``snake_keys`` (or the proto-plus
``to_dict(preserving_proto_field_name=True)`` of the client libraries), and Terraform ``google_*`` arguments,
which use the same names. As in ``normalize/gcp.py``: an omitted field means what the proto comments document
for it, a value this mapping does not know (a newer enum member, a wrong type) is unknown (``None``), and
``UNKNOWN`` (Terraform "known after apply") is unknown too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aiposture.normalize.gcp import is_default_sa
from aiposture.normalize.values import first, get, is_unknown, known, strict_bool

# the services whose restriction by a perimeter keeps prompts, models and guardrail decisions inside it
AI_SERVICES = ("aiplatform.googleapis.com", "modelarmor.googleapis.com")
# ServicePerimeter.PerimeterType: "PERIMETER_TYPE_REGULAR (0): Regular Perimeter. When no value is specified,
# the perimeter uses this type." Bridges "can contain only Google Cloud projects as members" (no restrictions).
_REGULAR = {"perimeter_type_regular", "0"}
_BRIDGE = {"perimeter_type_bridge", "1"}

# Organisation policy constraints read for the project (Org Policy v2 getEffectivePolicy) -> org_policies key
CONSTRAINTS = {
    "gcp.restrictNonCmekServices": "cmek_required",
    "gcp.restrictCmekCryptoKeyProjects": "cmek_key_projects_restricted",
    "gcp.resourceLocations": "locations_restricted",
    "iam.allowedPolicyMemberDomains": "domain_restricted_sharing",
    "ainotebooks.restrictPublicIp": "notebook_public_ip_blocked",
    "ainotebooks.disableRootAccess": "notebook_root_blocked",
}
_BOOLEAN = {"ainotebooks.restrictPublicIp", "ainotebooks.disableRootAccess"}

# DataStore.ContentConfig: "CONTENT_CONFIG_UNSPECIFIED (0): Default value" (the server uses NO_CONTENT)
_CONTENT = {"no_content": "custom", "content_required": "custom", "content_config_unspecified": "custom",
            "public_website": "web", "google_workspace": "google_workspace"}
# RagFile source oneof -> data source type
_RAG_SOURCES = (("gcs_source", "gcs"), ("google_drive_source", "google_drive"), ("slack_source", "slack"),
                ("jira_source", "jira"), ("share_point_sources", "sharepoint"), ("direct_upload_source", "upload"))
_DURATION = re.compile(r"^(\d+)(?:\.\d+)?s$")


def _str(v: Any) -> str | None:
    v = known(v)
    return v if isinstance(v, str) else None


def _list(v: Any) -> list[Any] | None:
    """A repeated field: [] when absent, None when unknown or not a list."""
    if is_unknown(v):
        return None
    if v is None:
        return []
    return v if isinstance(v, list) else None


def _blocks(v: Any) -> list[Any] | None:
    """Repeated nested blocks: the API sends a list; Terraform's evaluator writes a single block as an object."""
    return [v] if isinstance(v, dict) else _list(v)


def _enum(v: Any) -> str | None:
    """An enum as a lower-case name ('' when absent); None when unknown."""
    if v is None:
        return ""
    if is_unknown(v) or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    return v.lower() if isinstance(v, str) else None


# ----------------------------------------------------------------------------- VPC Service Controls
def _config_list(cfg: Any, key: str) -> list[str] | None:
    """A list of strings in a ``ServicePerimeterConfig`` (``resources``, ``restricted_services``): [] when the
    config is absent, None when it or the list is unknown or not a list of strings."""
    if is_unknown(cfg):
        return None
    cfg = first(cfg)
    if cfg is None:
        return []
    vals = _list(get(cfg, key)) if isinstance(cfg, dict) else None
    return None if vals is None or not all(isinstance(x, str) for x in vals) else list(vals)


def _restricted(cfg: Any) -> list[str] | None:
    return _config_list(cfg, "restricted_services")


def _members(cfg: Any) -> list[str] | None:
    return _config_list(cfg, "resources")


def _kind(p: dict[str, Any]) -> str | None:
    """'regular', 'bridge' or None (a type this mapping does not know)."""
    t = _enum(get(p, "perimeter_type"))
    if t == "" or t in _REGULAR:
        return "regular"
    return "bridge" if t in _BRIDGE else None


def _dry_run(p: dict[str, Any]) -> list[str] | None:
    """Services restricted by the perimeter's explicit dry-run spec (tested, not enforced); [] without one."""
    explicit = strict_bool(get(p, "use_explicit_dry_run_spec"), False)
    if explicit is None:
        return None
    return _restricted(get(p, "spec")) if explicit else []


def perimeter(p: dict[str, Any]) -> dict[str, Any]:
    """One perimeter on its own (IaC: the perimeter is what the file declares; which projects it holds is often
    set elsewhere) -> ``service_perimeter``: what it enforces, and what it only dry-runs."""
    kind = _kind(p)
    status, dry = _restricted(get(p, "status")), _dry_run(p)
    name = _str(get(p, "name")) or _str(get(p, "title"))
    if kind is None or status is None or dry is None:
        return {"service_perimeter": None}
    if kind == "bridge":
        return {"service_perimeter": {"enforced": False, "dry_run_only": False, "restricted_services": [], "perimeter": name}}
    enforced = bool(status)
    return {"service_perimeter": {
        "enforced": enforced,
        "dry_run_only": AI_SERVICES[0] in dry and AI_SERVICES[0] not in status,
        "restricted_services": sorted(set(status)),
        "perimeter": name,
    }}


def _in_scope(policy: dict[str, Any], scopes_of_project: set[str]) -> bool | None:
    """An access policy applies to the project when it has no scopes (the whole organisation) or one of its
    scopes is the project or a folder above it."""
    scopes = _list(get(policy, "scopes"))
    if scopes is None:
        return None
    return not scopes or any(s in scopes_of_project for s in scopes)


def project_perimeter(policies: Iterable[tuple[dict[str, Any], list[dict[str, Any]]]], *, project_number: str,
                      ancestors: Iterable[str] = ()) -> dict[str, Any]:
    """Every access policy of the organisation with its perimeters -> the project's ``service_perimeter``.

    Perimeters list projects by number (``projects/123``). A service is protected when a regular perimeter
    holds the project in its enforced configuration (``status``) and restricts the service there; a service
    restricted only by an explicit dry-run ``spec`` is logged, not blocked (``dry_run_only``).
    """
    member = f"projects/{project_number}"
    scopes = {member, *ancestors}
    enforced: set[str] = set()
    dry: set[str] = set()
    names: list[str] = []
    dry_names: list[str] = []
    in_any = False
    for policy, perimeters in policies:
        applies = _in_scope(policy, scopes)
        if applies is None:
            return {"service_perimeter": None}
        if not applies:
            continue
        for p in perimeters:
            if not isinstance(p, dict):
                return {"service_perimeter": None}
            kind, status_members = _kind(p), _members(get(p, "status"))
            status, spec = _restricted(get(p, "status")), _dry_run(p)
            explicit = strict_bool(get(p, "use_explicit_dry_run_spec"), False)
            spec_members = _members(get(p, "spec")) if explicit else []
            if None in (status_members, status, spec, spec_members, explicit):
                if member in (status_members or []) or member in (spec_members or []) or status_members is None:
                    return {"service_perimeter": None}
                continue
            assert status_members is not None and status is not None and spec is not None and spec_members is not None
            if member in status_members:
                if kind is None:
                    return {"service_perimeter": None}
                if kind == "regular":
                    in_any = True
                    enforced |= set(status)
                    names.append(_str(get(p, "name")) or "")
            if member in spec_members and kind == "regular":
                dry |= set(spec)
                dry_names.append(_str(get(p, "name")) or "")
    out: dict[str, Any] = {
        "enforced": in_any,
        "dry_run_only": AI_SERVICES[0] in dry and AI_SERVICES[0] not in enforced,
        "restricted_services": sorted(enforced),
    }
    named = sorted(n for n in names if n) or sorted(n for n in dry_names if n)
    if named:
        out["perimeter"] = named[0]
    return {"service_perimeter": out}


# ----------------------------------------------------------------------------- organisation policies
def _flag(v: Any) -> bool | None:
    """Org Policy v2 booleans: JSON true/false; Terraform google_org_policy_policy writes "TRUE"/"FALSE"."""
    return strict_bool(v, False)


def _values(v: Any) -> list[str] | None:
    vals = _list(v)
    if vals is None or not all(isinstance(x, str) for x in vals):
        return None
    return [x.split(":", 1)[1] if x.startswith("is:") else x for x in vals]


def constraint_restricts(constraint: str, spec: Any) -> bool | None:
    """Whether an effective ``PolicySpec`` restricts what the constraint is about, for every resource.

    Conditional rules (tags) restrict only some resources, so they do not count. Boolean constraints: an
    ``enforce: true`` rule. ``gcp.restrictNonCmekServices``: ``denyAll`` or ``aiplatform.googleapis.com`` among
    the denied values (services that may not create resources without CMEK). The other list constraints: an
    allow-list (``allowedValues``) or ``denyAll``, and no ``allowAll``. No policy at all: not restricted.
    """
    if spec is None:
        return False
    if is_unknown(spec) or not isinstance(first(spec), dict):
        return None
    rules = _blocks(get(spec, "rules"))
    if rules is None or not all(isinstance(r, dict) for r in rules):
        return None
    restricted = False
    for r in rules:
        if get(r, "condition") not in (None, {}, []):
            if is_unknown(get(r, "condition")):
                return None
            continue
        enforce, allow_all, deny_all = _flag(get(r, "enforce")), _flag(get(r, "allow_all")), _flag(get(r, "deny_all"))
        allowed, denied = _values(get(r, "values.allowed_values")), _values(get(r, "values.denied_values"))
        if None in (enforce, allow_all, deny_all) or allowed is None or denied is None:
            return None
        if constraint in _BOOLEAN:
            restricted = restricted or bool(enforce)
        elif allow_all:
            return False
        elif constraint == "gcp.restrictNonCmekServices":
            restricted = restricted or bool(deny_all) or AI_SERVICES[0] in denied
        elif constraint == "vertexai.allowedModels":  # an allow-list or a deny-list of models both restrict
            restricted = restricted or bool(deny_all) or bool(allowed) or bool(denied)
        else:
            restricted = restricted or bool(deny_all) or bool(allowed)
    return restricted


# ----------------------------------------------------------------------------- knowledge bases
def _key(v: Any, *paths: str) -> dict[str, Any] | None:
    """``encryption`` from the first key path that is set; None when one of them is unknown."""
    for p in paths:
        k = get(v, p)
        if is_unknown(k) or (k is not None and not isinstance(k, str)):
            return None
        if k:
            return {"cmk": True, "key_id": k}
    return {"cmk": False, "key_id": None}


def data_store(v: dict[str, Any]) -> dict[str, Any]:
    """Vertex AI Search / Agent Builder data store (Discovery Engine v1 ``DataStore``) -> knowledge_base attrs.

    ``kmsKeyName`` is input only (Terraform sets it); the API answers with ``cmekConfig.kmsKey``. What the data
    store indexes comes from ``contentConfig``: a public website crawl is open-web content (``web``).
    """
    enc = _key(v, "cmek_config.kms_key", "kms_key_name")
    content = _enum(get(v, "content_config"))
    kind = _CONTENT.get(content) if content else ("custom" if content == "" else None)
    acl = strict_bool(get(v, "acl_enabled"), False)
    return {
        "encryption": enc,
        "data_sources": [{"id": _str(get(v, "data_store_id")) or _leaf(get(v, "name")), "type": kind,
                          "cmk": None if enc is None else enc["cmk"]}],
        "document_acl": acl,
        "vector_store": "vertex_ai_search",
    }


def _leaf(name: Any) -> str | None:
    s = _str(name)
    return s.rsplit("/", 1)[-1] if s else None


def _vector_store(v: dict[str, Any]) -> str | None:
    if is_unknown(get(v, "vector_db_config")) or is_unknown(get(v, "vertex_ai_search_config")):
        return None
    if get(v, "vertex_ai_search_config.serving_config") is not None:
        return "vertex_ai_search"
    for key, name in (("pinecone", "pinecone"), ("vertex_vector_search", "vertex_vector_search"),
                      ("rag_managed_db", "rag_managed_db")):
        if get(v, f"vector_db_config.{key}") is not None:
            return name
    return "rag_managed_db"  # RagVectorDbConfig: the RAG managed database is the default vector DB


def rag_corpus(v: dict[str, Any], files: list[dict[str, Any]] | None = None, *, with_files: bool = True) -> dict[str, Any]:
    """Vertex RAG Engine corpus (``RagCorpus``) and its files (``RagFile``) -> knowledge_base attrs.

    ``encryptionSpec`` applies to the RAG managed database only; a corpus whose vectors live in Pinecone or
    another vector store is not under a Cloud KMS key of yours (``cmk`` false). ``files`` None = the files could
    not be listed (``data_sources`` unknown); ``with_files`` False (IaC: files are imported by API calls, never
    declared) leaves ``data_sources`` out.
    """
    spec = get(v, "encryption_spec")
    enc = None if is_unknown(spec) else _key(v, "encryption_spec.kms_key_name")
    store = _vector_store(v)
    if enc is not None and store not in (None, "rag_managed_db"):
        enc = {"cmk": False, "key_id": None}
    attrs: dict[str, Any] = {"encryption": enc, "vector_store": store}
    if with_files:
        attrs["data_sources"] = None if files is None else rag_sources(files, None if enc is None else enc["cmk"])
    return attrs


def rag_sources(files: list[dict[str, Any]], cmk: bool | None) -> list[dict[str, Any]] | None:
    """RagFiles grouped by where they come from: one entry per bucket, per Drive/Slack/Jira/SharePoint/upload."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for f in files:
        if not isinstance(f, dict):
            return None
        kind, uri = None, None
        for key, name in _RAG_SOURCES:
            src = get(f, key)
            if src is not None:
                kind = name
                if key == "gcs_source":
                    uris = _list(get(src, "uris"))
                    u = next((x for x in uris or [] if isinstance(x, str)), None)
                    uri = f"gs://{u[5:].split('/', 1)[0]}" if u and u.startswith("gs://") else u
                break
        if kind is None:
            continue  # a file whose source this version does not know adds no known provenance
        entry: dict[str, Any] = {"id": uri or kind, "type": kind, "cmk": cmk}
        if uri:
            entry["location"] = {"uri": uri}
        out.setdefault((kind, uri), entry)
    return list(out.values())


# ----------------------------------------------------------------------------- notebooks
def _meta_on(meta: Any, key: str) -> bool | None:
    """Workbench metadata switch ("true" turns the feature off; absent = the feature is on)."""
    if is_unknown(meta):
        return None
    if meta is None:
        return True
    if not isinstance(meta, dict):
        return None
    val = meta.get(key)
    if val is None:
        return True
    if is_unknown(val):
        return None
    return str(val).strip().lower() != "true"


def workbench_instance(v: dict[str, Any], *, admins: set[str] | None = None, disks: list[dict[str, Any]] | None = None,
                       declared: bool = False) -> dict[str, Any]:
    """Vertex AI Workbench instance (Notebooks API v2 ``Instance``, Terraform ``google_workbench_instance``) ->
    notebook attrs.

    Defaults (the proto comments and the Workbench metadata page): ``disablePublicIp`` false (an external IP),
    root access, terminal and file downloads allowed, Secure Boot off, and the Compute Engine default service
    account when none is named. Disk encryption is input only in the Notebooks API: the live scan passes the
    VM's attached disks from Compute Engine (``disks``; None = not read, unknown); Terraform declares it
    (``declared``) in ``boot_disk``/``data_disks``.
    """
    gce = get(v, "gce_setup")
    if is_unknown(gce) or (gce is not None and not isinstance(first(gce), dict)):
        return {k: None for k in ("public_ip", "root_access", "terminal_access", "file_downloads", "service_identity",
                                  "encryption", "secure_boot", "auto_upgrade")}
    gce = first(gce) or {}
    no_ip = strict_bool(get(gce, "disable_public_ip"), False)
    meta = get(gce, "metadata")
    schedule = None if not isinstance(meta, dict) else meta.get("notebook-upgrade-schedule")
    return {
        "public_ip": None if no_ip is None else not no_ip,
        "root_access": _meta_on(meta, "notebook-disable-root"),
        "terminal_access": _meta_on(meta, "notebook-disable-terminal"),
        "file_downloads": _meta_on(meta, "notebook-disable-downloads"),
        "secure_boot": strict_bool(get(gce, "shielded_instance_config.enable_secure_boot"), False),
        "service_identity": _notebook_sa(get(gce, "service_accounts"), admins),
        "auto_upgrade": (None if is_unknown(meta) or is_unknown(schedule) or (meta is not None and not isinstance(meta, dict))
                         else bool(schedule)),
        "encryption": _declared_disk_keys(gce) if declared else (None if disks is None else _disk_keys(disks)),
    }


def _declared_disk_keys(gce: Any) -> dict[str, Any] | None:
    """``boot_disk``/``data_disks``: ``kms_key`` set (``disk_encryption`` CMEK or left out) on every disk; the boot
    disk defaults to a Google-managed key."""
    keys: list[str] = []
    disks = [first(get(gce, "boot_disk"))] + (_blocks(get(gce, "data_disks")) or [])
    for d in disks:
        if d is None:
            return {"cmk": False, "key_id": None}  # the boot disk defaults to a Google-managed key
        if is_unknown(d) or not isinstance(d, dict):
            return None
        mode, key = _enum(get(d, "disk_encryption")), get(d, "kms_key")
        if mode is None or is_unknown(key):
            return None
        if mode not in ("cmek", "") or not key:  # a kms_key without disk_encryption is a customer key too
            return {"cmk": False, "key_id": None}
        keys.append(str(key))
    return {"cmk": True, "key_id": keys[0]} if keys else {"cmk": False, "key_id": None}


def _disk_keys(disks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Compute Engine ``AttachedDisk.diskEncryptionKey.kmsKeyName`` of every disk of the VM."""
    if not disks:
        return None
    keys = []
    for d in disks:
        k = get(d, "disk_encryption_key.kms_key_name") if isinstance(d, dict) else None
        if k is not None and not isinstance(k, str):
            return None
        if not k:
            return {"cmk": False, "key_id": None}
        keys.append(k.split("/cryptoKeyVersions/", 1)[0])  # Compute Engine names the key version in use
    return {"cmk": True, "key_id": keys[0]}


def _notebook_sa(accounts: Any, admins: set[str] | None) -> dict[str, Any] | None:
    """The VM's service account ("Currently supports only one"); none named = the Compute Engine default."""
    accounts = _blocks(accounts)
    if accounts is None:
        return None
    email = get(accounts[0], "email") if accounts else None
    if is_unknown(email) or (email is not None and not isinstance(email, str)):
        return None
    if not email:
        return {"id": None, "default_identity": True, "admin": True}
    default = is_default_sa(email)
    admin = True if default else (None if admins is None else email in admins)
    return {"id": email, "default_identity": default, "admin": admin}


def _seconds(v: Any) -> int | None:
    """A google.protobuf.Duration in JSON ("3600s") or Terraform ("3600s")."""
    if isinstance(v, str):
        m = _DURATION.match(v.strip())
        return int(m.group(1)) if m else None
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return None


def runtime_template(v: dict[str, Any]) -> dict[str, Any]:
    """Colab Enterprise runtime template (aiplatform v1 ``NotebookRuntimeTemplate``, Terraform
    ``google_colab_runtime_template``) -> notebook attrs.

    ``networkSpec.enableInternetAccess`` ("Default false"); ``encryptionSpec.kmsKeyName`` for the runtime's
    disks; idle shutdown (``idleShutdownDisabled`` = 0 seconds); Secure Boot. The runtime's identity is always
    Google's Vertex AI Notebook service agent (``serviceAccount`` is ignored), so it is not an attribute here.
    """
    internet = strict_bool(get(v, "network_spec.enable_internet_access"), False)
    attrs: dict[str, Any] = {
        "internet_access": internet,
        "encryption": _key(v, "encryption_spec.kms_key_name"),
        "secure_boot": strict_bool(get(v, "shielded_vm_config.enable_secure_boot"), False),
    }
    idle = get(v, "idle_shutdown_config")
    if is_unknown(idle):
        attrs["idle_shutdown_seconds"] = None
    else:
        disabled = strict_bool(get(idle, "idle_shutdown_disabled"), False)
        timeout = get(idle, "idle_timeout")
        attrs["idle_shutdown_seconds"] = (None if disabled is None else 0 if disabled else
                                          None if timeout is None else _seconds(known(timeout)))
    return attrs
