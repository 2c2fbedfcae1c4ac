"""Live collection of Azure AI Foundry (projects, connections, capability hosts) and Azure Machine Learning
workspaces (kinds Hub, Project, Default: settings, connections, datastores).

There is no current Python management SDK for Microsoft.MachineLearningServices (PyPI's
``azure-mgmt-machinelearningservices`` speaks api-version 2020-08-01) and the Cognitive Services
SDK cannot list capability hosts, so everything here is a plain ARM GET through the scan's own
pipeline (:meth:`aiposture.collect.azure_openai.AzureScan.get_paged`): the same credential,
retries honouring ``Retry-After``, host guard on ``nextLink`` and call counting.

Secrets stay out: connection and datastore bodies keep nothing of ``properties.credentials`` but its
``credentialsType`` before anything reads them,
and ``listsecrets`` / ``listSecrets`` / ``listKeys`` are never called. A read that fails makes
its attrs null (partial) or records the kinds it leaves unchecked; the scan carries on.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from aiposture import specs
from aiposture.collect.base import guarded
from aiposture.inventory import make_resource
from aiposture.normalize import azure_ai as naa
from aiposture.normalize.values import UNKNOWN, snake_keys

if TYPE_CHECKING:
    from aiposture.collect.azure_openai import AzureScan

_SERVICES = specs.services("azure")  # api versions from the resource-type specs (aiposture.specs.azure)
API = {
    "foundry": _SERVICES["foundry"].api_version,
    # list of capability hosts: absent from 2025-09-01 (get by name only); the newer API lists them
    "capability_hosts": "2025-10-01-preview",
    "ml": _SERVICES["machinelearningservices"].api_version,
}
ML_KINDS = {"hub", "project", "default"}
# a subscription where the resource provider was never registered has no such resources: not an error
_NOT_REGISTERED = {"missingsubscriptionregistration", "subscriptionnotregistered"}
_CONN = "ai_connection"


def _scrub(item: dict[str, Any]) -> dict[str, Any]:
    """The ARM body with ``properties.credentials`` cut down to its ``credentialsType`` (datastores name their
    auth type there): whatever secret a GET echoes is never kept."""
    props = item.get("properties")
    if isinstance(props, dict) and "credentials" in props:
        cred = props["credentials"]
        kept = {"credentialsType": cred["credentialsType"]} if isinstance(cred, dict) and "credentialsType" in cred else {}
        item = {**item, "properties": {**props, "credentials": kept}}
    return item


def _arm(item: dict[str, Any]) -> dict[str, Any]:
    """snake_case view; ``properties`` that is not an object makes every attr read from it unknown."""
    v = snake_keys(_scrub(item))
    if not isinstance(item.get("properties"), dict):
        v["properties"] = UNKNOWN
    return v


def _tags(tags: Any) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in tags.items() if isinstance(v, (str, int, float, bool))} if isinstance(tags, dict) else None


def _add(scan: AzureScan, *, id: str, kind: str, native: str, name: str, attrs: dict[str, Any], sub: str, region: str,
         tags: Any = None) -> None:
    scan.rec.add(make_resource(id=id, provider="azure", kind=kind, native_type=native, name=name, attrs=attrs, account=sub,
                               region=region, tags=_tags(tags)))


def _named(item: dict[str, Any], what: str) -> tuple[str, str]:
    rid, name = item.get("id"), item.get("name")
    if not isinstance(rid, str) or not isinstance(name, str) or not rid or not name:
        from aiposture.collect.azure_openai import InvalidResponseError

        raise InvalidResponseError(f"a {what} without an id or name")
    return rid, name


def _connections(scan: AzureScan, parent_id: str, label: str, sub: str, region: str, *, native: str,
                 api: str, datastores: bool = False) -> None:
    path = f"{parent_id}/{'datastores' if datastores else 'connections'}"
    for c in scan.get_paged(path, api):
        cid, cname = _named(c, "datastore" if datastores else "connection")
        v = _arm(c)
        attrs = naa.datastore(v) if datastores else naa.connection(v)
        _add(scan, id=cid, kind=_CONN, native=native, name=f"{label}/{cname}", attrs=attrs, sub=sub, region=region)


# ----------------------------------------------------------------------------- Foundry
def collect_foundry(scan: AzureScan, sub: str, account: dict[str, Any], attrs: dict[str, Any], region: str, *,
                    deployments: dict[str, Any] | None = None) -> None:
    """An AIServices account: Foundry attrs on ``attrs`` (the account's own, added by the caller), then its
    connections, projects and their connections; each project's ``agent_data`` comes from the account's and
    the project's capability hosts (how the Agent Service keeps its data and where it runs)."""
    from aiposture.collect.azure_openai import classify

    from_api = {**snake_keys(_scrub(account))}
    if not isinstance(account.get("properties"), dict):
        from_api["properties"] = UNKNOWN
    attrs.update(naa.foundry_account(from_api))
    acct_id, name = str(account["id"]), str(account["name"])
    scope = {"subscription": sub, "account": name}

    def guard(what: str, kinds: list[str], partial: bool = False):
        return guarded(scan.rec, f"{name}: {what}", kinds=kinds, classify=classify, partial=partial, **scope)

    with guard("connections", [_CONN]):
        _connections(scan, acct_id, name, sub, region, native="Microsoft.CognitiveServices/accounts/connections",
                     api=API["foundry"])
    if attrs["project_management"] is False:
        return  # not a Foundry resource: no projects, no Agent Service
    inj = attrs["agent_network_injection"]
    # the Agent Service setup is judged per project, from the account's and the project's capability hosts
    acct_hosts: list[dict[str, Any]] | None = None
    with guard("capability hosts", ["ai_service"], partial=True):
        acct_hosts = [_arm(h) for h in scan.get_paged(f"{acct_id}/capabilityHosts", API["capability_hosts"])]
    with guard("projects", ["ai_service", _CONN]):
        for p in scan.get_paged(f"{acct_id}/projects", API["foundry"]):
            pid, pname = _named(p, "project")
            pattrs = naa.project(_arm(p))
            pattrs["agent_data"] = pattrs["agents"] = None
            with guard(f"project {pname}: capability hosts", ["ai_service"], partial=True):
                hosts = [_arm(h) for h in scan.get_paged(f"{pid}/capabilityHosts", API["capability_hosts"])]
                pattrs["agent_data"] = None if acct_hosts is None else naa.agent_data(acct_hosts + hosts, subnet=inj)
            if scan.opts.foundry_agents:
                with guard(f"project {pname}: agents (data plane)", ["agent"], partial=True):
                    pattrs["agents"] = _agents(scan, account, pid, pname, f"{name}/{pname}", sub, region, deployments)
            else:
                scan.rec.note(AGENTS_OFF)
            loc = p.get("location")
            _add(scan, id=pid, kind="ai_service", native="Microsoft.CognitiveServices/accounts/projects",
                 name=f"{name}/{pname}", attrs=pattrs, sub=sub, region=loc if isinstance(loc, str) else region,
                 tags=p.get("tags"))
            with guard(f"project {pname}: connections", [_CONN]):
                _connections(scan, pid, f"{name}/{pname}", sub, region,
                             native="Microsoft.CognitiveServices/accounts/projects/connections", api=API["foundry"])


# ----------------------------------------------------------------------------- Foundry agents (data plane)
AGENTS_OFF = ("Foundry agents were not read (their definitions live in the data plane only): projects show agents "
              "as unknown; add --foundry-agents with a data-plane role such as Azure AI User to read them")
AGENT_SCOPE = "https://ai.azure.com/.default"  # token audience of the Foundry project data plane
AGENT_API = "v1"
_AGENT_PAGE = 100
_MAX_AGENT_PAGES = 1000  # 100,000 agents in one project: a server that never stops paging is an error, not a hang
DEFAULT_TEMPLATE = "https://{account}.services.ai.azure.com"


def check_template(template: str | None) -> None:
    """--foundry-endpoint-template: an https URL naming ``{account}`` (the token must not go anywhere else)."""
    from urllib.parse import urlsplit

    from aiposture.errors import AiPostureError

    if template is None:
        return
    u = urlsplit(template.replace("{account}", "account"))
    if u.scheme != "https" or not u.hostname or "{account}" not in template:
        raise AiPostureError(f"--foundry-endpoint-template must be an https:// URL containing {{account}}, got {template!r}")


def _data_plane(scan: AzureScan, base: str):
    """A pipeline for one account's data plane: its own audience (ai.azure.com), same credential, retries, user
    agent and call counting as ARM, and a host guard pinned to this account's endpoint."""
    from azure.core import PipelineClient
    from azure.core.pipeline import policies

    from aiposture.collect.azure_openai import _host_guard

    return PipelineClient(base_url=base, policies=[
        policies.RequestIdPolicy(), policies.HeadersPolicy(), policies.UserAgentPolicy(user_agent="aiposture"),
        policies.RetryPolicy(retry_total=scan.opts.retries), policies.RedirectPolicy(),
        policies.BearerTokenCredentialPolicy(scan.credential, AGENT_SCOPE),
        policies.CustomHookPolicy(raw_request_hook=scan._count), _host_guard(base)])


def _agents(scan: AzureScan, account: dict[str, Any], pid: str, pname: str, label: str, sub: str, region: str,
            deployments: dict[str, Any] | None) -> int:
    """List a project's agents (``GET {endpoint}/api/projects/{p}/assistants?api-version=v1``, paged with
    ``limit``/``after`` while ``has_more``) and add each as an ``agent`` resource. Only id, name, model and
    the tools' types reach the normaliser: instructions and tool definitions (OpenAPI auth, MCP headers) are
    dropped here, as soon as the page is parsed."""
    from urllib.parse import quote

    from azure.core.rest import HttpRequest

    from aiposture.collect.azure_openai import InvalidResponseError, json_object

    props = account.get("properties")
    sub_domain = props.get("customSubDomainName") if isinstance(props, dict) else None
    host_name = sub_domain if isinstance(sub_domain, str) and sub_domain else str(account["name"])
    base = (scan.opts.foundry_endpoint_template or DEFAULT_TEMPLATE).replace("{account}", quote(host_name, safe="")).rstrip("/")
    client = _data_plane(scan, base)
    path = f"{base}/api/projects/{quote(pname, safe='')}/assistants"
    after: str | None = None
    count = 0
    for _ in range(_MAX_AGENT_PAGES):
        params = {"api-version": AGENT_API, "limit": str(_AGENT_PAGE), "order": "asc"}
        if after:
            params["after"] = after
        body = json_object(client.send_request(HttpRequest("GET", path, params=params)))
        items = body.get("data")
        if not isinstance(items, list):
            raise InvalidResponseError("an agents page without a 'data' list")
        for a in items:
            aid, aname = (a.get("id"), a.get("name")) if isinstance(a, dict) else (None, None)
            if not isinstance(aid, str) or not aid:
                raise InvalidResponseError("an agent without an id")
            # keep only what is judged: never instructions, tool specs, headers or auth
            kept = {"model": a.get("model"), "tools": [{"type": t.get("type"), "require_approval": _approval(t)}
                                                        if isinstance(t, dict) else None for t in a.get("tools") or []]
                    if isinstance(a.get("tools"), list) else a.get("tools")}
            attrs = naa.foundry_agent(kept, deployments)
            shown = aname if isinstance(aname, str) and aname else aid
            _add(scan, id=f"{pid}/agents/{aid}", kind="agent", native="Microsoft.CognitiveServices/accounts/projects/agents",
                 name=f"{label}/{shown}", attrs=attrs, sub=sub, region=region)
            count += 1
        last = body.get("last_id")
        if body.get("has_more") is not True:
            return count
        if not isinstance(last, str) or not last or last == after:
            raise InvalidResponseError("an agents page says has_more without a new last_id")
        after = last
    raise InvalidResponseError(f"more than {_MAX_AGENT_PAGES} pages of agents")


def _approval(tool: dict[str, Any]) -> Any:
    """MCP ``require_approval`` ("always" | "never" | per-tool object), wherever the API version puts it."""
    if "require_approval" in tool:
        return tool["require_approval"]
    inner = tool.get(str(tool.get("type")))
    return inner.get("require_approval") if isinstance(inner, dict) else None


# ----------------------------------------------------------------------------- Azure Machine Learning
def list_workspaces(scan: AzureScan, sub: str) -> list[dict[str, Any]]:
    """Azure ML workspaces of kinds Hub, Project and Default in a subscription (other kinds are counted in a note)."""
    from aiposture.collect.azure_openai import classify, parse_id

    found: list[dict[str, Any]] = []
    other: Counter[str] = Counter()
    rgs = {r.lower() for r in scan.opts.resource_groups}
    try:
        for w in scan.get_paged(f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces", API["ml"]):
            rid, name, kind = w.get("id"), w.get("name"), w.get("kind")
            if not isinstance(rid, str) or not isinstance(name, str) or "resourcegroups" not in parse_id(rid):
                scan.rec.error("an Azure ML workspace was listed without a usable id or name", code="InvalidResponse",
                               kinds=["ai_service", _CONN], subscription=sub)
                continue
            if rgs and parse_id(rid)["resourcegroups"].lower() not in rgs:
                continue
            kind = "Default" if kind is None else kind  # workspaces created before kinds existed
            if not isinstance(kind, str):
                scan.rec.error(f"Azure ML workspace {name}: its kind could not be read, so it was not scanned",
                               code="InvalidResponse", kinds=["ai_service", _CONN], subscription=sub, workspace=name)
                continue
            if kind.lower() not in ML_KINDS:
                other[kind] += 1
                continue
            found.append(w)
    except Exception as e:
        code, msg = classify(e)
        if code.lower() in _NOT_REGISTERED:
            scan.rec.note(f"{sub}: Microsoft.MachineLearningServices is not registered (no Azure ML workspaces)")
            return []
        scan.rec.error(f"list Azure ML workspaces: {msg}", code=code, kinds=["ai_service", _CONN], subscription=sub)
        return found
    if other:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(other.items()))
        scan.rec.note(f"{sub}: skipped {sum(other.values())} Azure ML workspace(s) of other kinds ({kinds}); "
                      "aiposture scans kinds Hub, Project and Default")
    return found


def collect_workspace(scan: AzureScan, sub: str, ws: dict[str, Any]) -> None:
    from aiposture.collect.azure_openai import classify

    wid, name = str(ws["id"]), str(ws["name"])
    loc = ws.get("location")
    region = loc if isinstance(loc, str) else ""
    scope = {"subscription": sub, "workspace": name}
    v = _arm(ws)
    if v["properties"] is UNKNOWN:
        scan.rec.error(f"{name}: the workspace's properties could not be read", code="InvalidResponse",
                       kinds=["ai_service"], partial=True, **scope)
    _add(scan, id=wid, kind="ai_service", native="Microsoft.MachineLearningServices/workspaces", name=name,
         attrs=naa.ml_workspace(v), sub=sub, region=region, tags=ws.get("tags"))
    with guarded(scan.rec, f"{name}: connections", kinds=[_CONN], classify=classify, subscription=sub, workspace=name):
        _connections(scan, wid, name, sub, region, native="Microsoft.MachineLearningServices/workspaces/connections",
                     api=API["ml"])
    with guarded(scan.rec, f"{name}: datastores", kinds=[_CONN], classify=classify, subscription=sub, workspace=name):
        _connections(scan, wid, name, sub, region, native="Microsoft.MachineLearningServices/workspaces/datastores",
                     api=API["ml"], datastores=True)
