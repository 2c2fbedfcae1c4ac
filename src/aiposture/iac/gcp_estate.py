"""Terraform builders for the Google Cloud AI estate around Vertex AI (types in ``aiposture.specs.gcp_estate``).

VPC Service Controls perimeters and organisation policies become ``ai_service`` resources carrying only the
attribute they set (``service_perimeter``; one key of ``org_policies``, or ``allowed_models_restricted``): a
configuration rarely says which Vertex AI project a perimeter or policy will protect, so the rules judge the
declaration itself, and rules about the other attributes do not apply to it. Data stores and RAG corpora are
``knowledge_base``; Workbench instances and Colab Enterprise runtime templates are ``notebook``. The mappings
are the live collector's (``normalize.gcp_estate``): Terraform arguments are the REST fields in snake_case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiposture.iac.base import RawResource
from aiposture.inventory import Resource
from aiposture.normalize import gcp_estate as nest
from aiposture.normalize.values import UNKNOWN, as_list, first, get, is_unknown, known

# The builders of iac/build.py for the types below (named by the specs in aiposture.specs.gcp_estate); the other
# estate types (a single perimeter, a data store, a Colab runtime template) take the generic spec path.
BUILDERS = frozenset({"gcp_perimeters", "gcp_org_policy", "gcp_org_policy_legacy", "gcp_rag_corpus", "gcp_workbench"})

Make = Callable[..., Resource]


def build(r: RawResource, builder: str, mk: Make, native: str) -> list[Resource]:
    """One raw Terraform resource -> inventory resources (``mk`` is build._mk, ``native`` the spec's type)."""
    v = r.values
    project = get(v, "project")
    region = get(v, "location") if get(v, "location") is not None else get(v, "region")
    if builder == "gcp_perimeters":  # every perimeter of an access policy in one resource
        blocks = as_list(get(v, "service_perimeters"))
        if is_unknown(blocks):
            return [mk(r, "gcp", "ai_service", {"service_perimeter": None}, native=native)]
        return [mk(r, "gcp", "ai_service", nest.perimeter(b if isinstance(b, dict) else {"status": UNKNOWN}),
                   suffix=f"/{known(get(b, 'name')) or i}", native=native) for i, b in enumerate(blocks)]
    if builder in ("gcp_org_policy", "gcp_org_policy_legacy"):
        constraint, spec, parent = _policy(v, builder)
        attrs = _policy_attrs(constraint, spec)
        if attrs is None:
            return []  # a constraint no rule is about
        account = parent.split("/", 1)[1] if isinstance(parent, str) and parent.startswith("projects/") else project
        return [mk(r, "gcp", "ai_service", attrs, native=native, account=account, region="global")]
    if builder == "gcp_rag_corpus":  # RAG files are imported by API calls, never declared: no data_sources
        return [mk(r, "gcp", "knowledge_base", nest.rag_corpus(v, with_files=False), native=native, account=project,
                   region=region)]
    if builder == "gcp_workbench":  # the disk encryption Terraform declares is input-only in the API
        return [mk(r, "gcp", "notebook", nest.workbench_instance(v, declared=True), native=native, account=project,
                   region=region)]
    return []


def _constraint(name: Any) -> Any:
    if is_unknown(name):
        return UNKNOWN
    if not isinstance(name, str):
        return None
    return name.rsplit("/policies/", 1)[-1].removeprefix("constraints/")


def _policy(v: dict[str, Any], builder: str) -> tuple[Any, Any, Any]:
    """(constraint, Org Policy v2 PolicySpec, parent) of google_org_policy_policy or of a legacy v1 policy."""
    if builder == "gcp_org_policy":
        name = get(v, "name")
        return _constraint(name), get(v, "spec"), known(get(v, "parent"))
    parent = None
    for key, prefix in (("project", "projects/"), ("folder", ""), ("org_id", "organizations/")):
        val = known(get(v, key))
        if isinstance(val, str) and val:
            parent = val if val.startswith(("projects/", "folders/", "organizations/")) else f"{prefix}{val}"
            break
    constraint = _constraint(get(v, "constraint"))
    if get(v, "restore_policy") is not None:
        return constraint, None, parent  # restore_policy: the constraint's default (not restricted)
    bp, lp = get(v, "boolean_policy"), get(v, "list_policy")
    if is_unknown(bp) or is_unknown(lp):
        return constraint, UNKNOWN, parent
    if bp is not None:
        return constraint, {"rules": [{"enforce": get(bp, "enforced", False)}]}, parent
    if lp is None:
        return constraint, None, parent
    lp = first(lp)
    allow, deny = first(get(lp, "allow")), first(get(lp, "deny"))
    rule = {"allow_all": get(allow, "all", False) if allow else False, "deny_all": get(deny, "all", False) if deny else False,
            "values": {"allowed_values": get(allow, "values", []) if allow else [],
                       "denied_values": get(deny, "values", []) if deny else []}}
    return constraint, {"rules": [rule]}, parent


def _policy_attrs(constraint: Any, spec: Any) -> dict[str, Any] | None:
    """The one attribute a policy on this constraint sets; None for constraints no rule is about."""
    if constraint == "vertexai.allowedModels":
        return {"allowed_models_restricted": nest.constraint_restricts(constraint, spec)}
    key = nest.CONSTRAINTS.get(constraint) if isinstance(constraint, str) else None
    if key is None:
        return None
    return {"org_policies": {key: nest.constraint_restricts(constraint, spec)}}
