"""Live Google Cloud collector: the real aiplatform_v1 / modelarmor_v1 / resourcemanager_v3 REST clients and
Application Default Credentials (a service-account key whose token endpoint is the fake) against a local fake,
reached through the user-facing --api-endpoint-template switch. Each test serves the shapes the protos and
their HTTP bindings define and would fail without the behaviour it names."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

pytest.importorskip("google.cloud.aiplatform_v1")
pytest.importorskip("google.cloud.modelarmor_v1")

from google.cloud import modelarmor_v1 as ma
from google.iam.v1 import policy_pb2
from google.protobuf.json_format import MessageToDict

from aiposture.cli import main
from tests import gcp_scenario as sc
from tests.fakes.gcp import GcpFake, pj


@pytest.fixture(scope="module")
def sa_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()


def _key_file(path, sa_key, token_uri):
    path.write_text(json.dumps({"type": "service_account", "project_id": "scanner", "private_key_id": "1",
                                "private_key": sa_key, "client_email": "aiposture@scanner.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": token_uri}))


@pytest.fixture
def gcp(sa_key, tmp_path, monkeypatch):
    fake = GcpFake().start()
    _key_file(tmp_path / "sa.json", sa_key, f"{fake.url}/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "sa.json"))
    monkeypatch.chdir(tmp_path)
    yield fake
    fake.stop()


def run(fake, *args):
    return CliRunner().invoke(main, ["scan", "gcp", "-q", "--api-endpoint-template", fake.url, *args], catch_exceptions=False)


def scan(fake, tmp_path, *args):
    r = run(fake, "-f", "json", "-o", "out.json", "--save-inventory", "inv.json", *args)
    assert r.exit_code in (0, 1, 3), r.output
    return r, json.loads((tmp_path / "inv.json").read_text()), json.loads((tmp_path / "out.json").read_text())["results"]


def statuses(results, project: str, rule: str) -> set[str]:
    return {r["status"] for r in results if r["rule_id"] == rule and r["account"] == project}


def result(results, rule: str, resource_id: str) -> str:
    return next(r["status"] for r in results if r["rule_id"] == rule and r["resource_id"] == resource_id)


def res_named(inv, kind, name):
    return next(x for x in inv["resources"] if x["kind"] == kind and x["name"] == name)


def test_hardened_and_default_projects(gcp, tmp_path):
    sc.populate(gcp, "prj-good", hardened=True)
    sc.populate(gcp, "prj-bad", hardened=False)
    r, inv, res = scan(gcp, tmp_path, "--locations", "us-central1")
    assert r.exit_code == 1, r.output
    assert inv["errors"] == []
    assert inv["scan"]["identity"] == [{"provider": "gcp", "principal": "aiposture@scanner.iam.gserviceaccount.com",
                                        "type": "service_account", "account": "scanner"}]
    wrong = []
    for rule in ("AIP-LOG-003", "AIP-LOG-005", "AIP-LOG-006", "AIP-LOG-007", "AIP-NET-005", "AIP-ENC-002", "AIP-ENC-007",
                 "AIP-ENC-008", "AIP-AUTH-003", "AIP-AUTH-009", "AIP-GR-002", "AIP-GR-005", "AIP-GR-006",
                 "AIP-GR-008", "AIP-GR-011", "AIP-GR-013", "AIP-DATA-007", "AIP-AGT-003"):
        b, g = statuses(res, "prj-bad", rule), statuses(res, "prj-good", rule)
        if "fail" not in b or not g or not g <= {"pass"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert not wrong
    assert statuses(res, "prj-good", "AIP-GR-014") == {"pass"}  # floor setting inspects and blocks
    tpl = next(x for x in inv["resources"] if x["kind"] == "content_filter" and x["account"] == "prj-bad")
    assert tpl["attrs"]["mode"] == "annotate" and tpl["attrs"]["prompt_attack"]["input_action"] == "annotate"
    # the floor setting's own filters are judged as the content filter every Vertex AI call goes through
    floor = res_named(inv, "content_filter", "floor setting prj-good")
    assert floor["attrs"]["attached"] is True and result(res, "AIP-GR-002", floor["id"]) == "pass"


def test_locations_are_discovered_per_project_and_global_is_scanned(gcp, tmp_path):
    """ListLocations (aiplatform /ui/{name=projects/*}/locations, modelarmor /v1/{name=projects/*}/locations) says
    where to look; a workload in a region outside the old static list is found, and 'global' is scanned."""
    sc.populate(gcp, "prj-a", hardened=True)
    gcp.add("prj-a", "northamerica-northeast2", "endpoints",
            sc.endpoint("prj-a", "toronto", hardened=True, sa="s@prj-a.iam.gserviceaccount.com", location="northamerica-northeast2"))
    gcp.add("prj-a", "global", "endpoints",
            sc.endpoint("prj-a", "everywhere", hardened=True, sa="s@prj-a.iam.gserviceaccount.com", location="global"))
    _, inv, _ = scan(gcp, tmp_path, "--project", "prj-a")
    names = {x["name"] for x in inv["resources"] if x["kind"] == "model_deployment"}
    assert names == {"chat", "toronto", "everywhere"}
    scanned = {p.split("/")[5] for _, p in gcp.calls if p.endswith("/endpoints")}
    assert scanned == {"us-central1", "europe-west4", "northamerica-northeast2", "global"}
    armor = {p.split("/")[5] for _, p in gcp.calls if p.endswith("/templates")}
    assert armor == {"us-central1", "europe-west4", "us", "eu"}


def test_every_call_retries_the_same_way_including_org_policy(gcp, tmp_path):
    sc.populate(gcp, "prj-good", hardened=True)
    for fragment in ("/policies/", "/endpoints", ":getIamPolicy", "/locations"):
        gcp.throttles[fragment] = 2
    _, inv, _ = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    assert inv["errors"] == []
    svc = next(x for x in inv["resources"] if x["kind"] == "ai_service")
    assert svc["attrs"]["allowed_models_restricted"] is True
    assert all(v == 0 for v in gcp.throttles.values())


def test_google_managed_service_agents_are_not_customer_identities(gcp, tmp_path):
    """The Google APIs Service Agent (N@cloudservices.gserviceaccount.com, roles/editor) and service-N@gcp-sa-*
    agents are in every project: they are Google's, not findings (here they would fail AIP-AUTH-004)."""
    sc.populate(gcp, "prj-good", hardened=True)
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    members = {x["attrs"]["principal"]["id"] for x in inv["resources"] if x["kind"] == "identity_binding"}
    assert members == {"serviceAccount:app@prj-good.iam.gserviceaccount.com", "group:ml-admins@example.com"}
    assert not [x for x in res if "gserviceaccount.com" in x["resource_id"] and "-compute@" not in x["resource_id"]
                and "@prj-good.iam" not in x["resource_id"]]


def test_enum_defaults_follow_the_protos_and_unknown_values_are_unknown(gcp, tmp_path):
    """An omitted enum means its documented default (PI confidence UNSPECIFIED = LOW_AND_ABOVE, enforcement type
    UNSPECIFIED = INSPECT_AND_BLOCK); a number newer than the library is unknown, never a known meaning, and never
    raises (an unknown audit LogType keeps the project's bindings)."""
    sc.populate(gcp, "prj-good", hardened=True)
    on = ma.PiAndJailbreakFilterSettings.PiAndJailbreakFilterEnforcement.ENABLED
    gcp.add("prj-good", sc.LOC, "templates", ma.Template(
        name=f"projects/prj-good/locations/{sc.LOC}/templates/defaults",
        filter_config=ma.FilterConfig(pi_and_jailbreak_filter_settings=ma.PiAndJailbreakFilterSettings(filter_enforcement=on))))
    future = pj(sc.template("prj-good", "future", hardened=True))
    future["templateMetadata"]["enforcementType"] = 7  # a member newer than this library
    future["filterConfig"]["piAndJailbreakFilterSettings"]["filterEnforcement"] = 9
    gcp.add("prj-good", sc.LOC, "templates", future)
    pol = sc.iam_policy("prj-good", hardened=True)
    pol.audit_configs[0].audit_log_configs.add(log_type=3)
    raw = MessageToDict(pol)
    raw["auditConfigs"].append({"service": "aiplatform.googleapis.com", "auditLogConfigs": [{"logType": 42}]})
    gcp.iam["projects/prj-good"] = raw
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    d = res_named(inv, "content_filter", "defaults")
    assert d["attrs"]["mode"] == "block" and d["attrs"]["prompt_attack"]["input_strength"] == "high"
    assert result(res, "AIP-GR-002", d["id"]) == "pass"
    f = res_named(inv, "content_filter", "future")
    assert f["attrs"]["mode"] is None and f["attrs"]["prompt_attack"]["enabled"] is None
    assert result(res, "AIP-GR-008", f["id"]) == "error" and result(res, "AIP-GR-001", f["id"]) == "error"
    assert {x["attrs"]["principal"]["id"] for x in inv["resources"] if x["kind"] == "identity_binding"}  # kept
    assert inv["errors"] == []
    svc = next(x for x in inv["resources"] if x["kind"] == "ai_service")
    assert svc["attrs"]["audit_logging"]["data_read"] is True  # known types still count


def test_disabled_services_are_not_applicable_noted_and_cheap(gcp, tmp_path):
    sc.populate(gcp, "prj-off", hardened=False)
    gcp.disabled["prj-off"] = {"aiplatform", "modelarmor"}
    sc.populate(gcp, "prj-noarmor", hardened=True)
    gcp.disabled["prj-noarmor"] = {"modelarmor"}
    r, inv, res = scan(gcp, tmp_path, "--project", "prj-off", "--project", "prj-noarmor")
    assert not [x for x in inv["resources"] if x["account"] == "prj-off"]
    assert not [x for x in res if x["account"] == "prj-off"]
    # the two ListLocations answers (Vertex AI Search and Workbench are APIs of their own: tests/test_gcp_estate_live.py)
    assert len([c for c in gcp.calls if "prj-off" in c[1] and not c[1].endswith(("/dataStores", "/instances"))]) == 2
    notes = " ".join(inv["scan"]["notes"])
    assert "prj-off: the Vertex AI API is disabled" in notes and "prj-off: the Model Armor API is disabled" in notes
    assert "prj-noarmor: the Model Armor API is disabled" in notes
    assert not [c for c in gcp.calls if "prj-noarmor" in c[1] and ("/templates" in c[1] or "floorSetting" in c[1])]
    assert statuses(res, "prj-noarmor", "AIP-GR-013") == {"fail"}  # Vertex AI is on, nothing enforces a guardrail
    assert inv["errors"] == []


def test_iam_policy_version_3_keeps_conditions(gcp, tmp_path):
    """A version-1 read of a policy with conditional bindings returns '<role>_withcond_<hash>' without the
    condition: the conditional owner grant would vanish. Version 3 keeps role and condition."""
    sc.populate(gcp, "prj-good", hardened=True)
    pol = gcp.iam["projects/prj-good"]
    b = pol.bindings.add(role="roles/owner", members=["user:oncall@example.com"])
    b.condition.expression = 'request.time < timestamp("2030-01-01T00:00:00Z")'
    b.condition.title = "break-glass"
    pol.bindings.add(role="roles/owner", members=["user:oncall@example.com"])
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    owners = [x for x in inv["resources"] if x["kind"] == "identity_binding" and x["attrs"]["principal"]["id"] == "user:oncall@example.com"]
    assert sorted(x["attrs"]["conditions"] for x in owners) == [False, True]
    assert all(x["attrs"]["role_or_policy"] == "roles/owner" for x in owners)
    cond = next(x for x in owners if x["attrs"]["conditions"])
    assert result(res, "AIP-AUTH-004", cond["id"]) == "pass" and "break-glass" in cond["name"]


def test_effective_iam_and_audit_configs_along_the_ancestry(gcp, tmp_path):
    """Data Access audit logs set on the organisation apply to the project; grants on folders and the organisation
    are seen (once), and an admin grant to the serving account on a folder makes the endpoint's identity admin."""
    gcp.add_folder("100", "organizations/1")
    sc.populate(gcp, "prj-a", hardened=True)
    gcp.projects["prj-a"]["parent"] = "folders/100"
    gcp.iam["projects/prj-a"] = policy_pb2.Policy(version=3)  # nothing at project level
    org = policy_pb2.Policy(version=3)
    sc.audit(org, "allServices")
    org.bindings.add(role="roles/aiplatform.admin", members=["group:org-ml-admins@example.com"])
    gcp.iam["organizations/1"] = org
    folder = policy_pb2.Policy(version=3)
    folder.bindings.add(role="roles/editor", members=["serviceAccount:serving@prj-a.iam.gserviceaccount.com"])
    gcp.iam["folders/100"] = folder
    sc.populate(gcp, "prj-b", hardened=True)
    gcp.projects["prj-b"]["parent"] = "folders/100"
    gcp.iam["projects/prj-b"] = policy_pb2.Policy(version=3)
    _, inv, res = scan(gcp, tmp_path, "--organization", "1", "--locations", "us-central1")
    assert inv["errors"] == []
    assert statuses(res, "prj-a", "AIP-LOG-003") == {"pass"}
    org_grants = [x for x in inv["resources"] if x["kind"] == "identity_binding" and x["account"] == "organizations/1"]
    assert [x["attrs"]["principal"]["id"] for x in org_grants] == ["group:org-ml-admins@example.com"]
    ep = next(x for x in inv["resources"] if x["kind"] == "model_deployment" and x["account"] == "prj-a")
    assert ep["attrs"]["service_identity"]["admin"] is True and result(res, "AIP-AUTH-009", ep["id"]) == "fail"
    assert len([c for c in gcp.calls if c[1] == "/v3/organizations/1:getIamPolicy"]) == 1  # once for both projects
    # an ancestor that cannot be read: what depends on it is unknown, and said so
    gcp.forbidden.add("organizations/1")
    gcp.calls.clear()
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-a", "--locations", "us-central1")
    assert {e["code"] for e in inv["errors"]} == {"PERMISSION_DENIED"}
    assert statuses(res, "prj-a", "AIP-LOG-003") == {"error"}


def test_model_provenance_dataset_uri_and_training_data_cmk(gcp, tmp_path):
    sc.populate(gcp, "prj-good", hardened=True)
    sc.populate(gcp, "prj-bad", hardened=False)
    _, inv, res = scan(gcp, tmp_path, "--locations", "us-central1")
    good_model = next(x for x in inv["resources"] if x["kind"] == "custom_model" and x["account"] == "prj-good")
    assert good_model["attrs"]["source"] == "model_garden"
    assert good_model["attrs"]["base_model"] == "publishers/google/models/gemma-2"
    bad_model = next(x for x in inv["resources"] if x["kind"] == "custom_model" and x["account"] == "prj-bad")
    assert bad_model["attrs"]["source"] == "upload"
    ds = next(x for x in inv["resources"] if x["kind"] == "training_job" and x["account"] == "prj-good")
    assert ds["attrs"]["training_data"] == {"uri": "gs://prj-good-data/claims/train.jsonl", "cmk": True}
    assert statuses(res, "prj-good", "AIP-ENC-008") == {"pass"} and statuses(res, "prj-bad", "AIP-ENC-008") == {"fail"}


def test_deployed_model_without_a_service_account_is_not_the_default_identity(gcp, tmp_path):
    """DeployedModel.service_account: 'If this service account is not specified, the container runs as a service
    account that doesn't have access to the resource project' (not the default compute account)."""
    sc.populate(gcp, "prj-good", hardened=True)
    gcp.data[("prj-good", sc.LOC, "endpoints")] = [sc.endpoint("prj-good", "chat", hardened=True, sa="")]
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    ep = next(x for x in inv["resources"] if x["kind"] == "model_deployment")
    assert ep["attrs"]["service_identity"] == {"id": None, "default_identity": False, "admin": False}
    assert result(res, "AIP-AUTH-009", ep["id"]) == "pass"


def test_org_walk_paging_forbidden_and_unsupported_location(gcp, tmp_path):
    gcp.add_folder("100", "organizations/1")
    sc.populate(gcp, "prj-a", hardened=True)
    for i in range(2, 4):  # three endpoints in prj-a, pages of 2
        gcp.add("prj-a", sc.LOC, "endpoints", sc.endpoint("prj-a", f"ep{i}", hardened=True, sa="s@x.iam.gserviceaccount.com"))
    sc.populate(gcp, "prj-locked", hardened=True)
    gcp.projects["prj-locked"]["parent"] = "folders/100"  # found through the folder
    gcp.forbidden.add("prj-locked")
    gcp.bad_locations.add("europe-west9")
    shared = sc.template("prj-a", "shared-us", hardened=True, location="us")
    gcp.add("prj-a", "us", "templates", shared)  # a multi-region template covers us-central1
    gcp.armor_locations = [*gcp.armor_locations, "europe-west9"]
    _, inv, res = scan(gcp, tmp_path, "--organization", "1", "--locations", "us-central1,europe-west9")
    assert len([x for x in inv["resources"] if x["kind"] == "model_deployment" and x["account"] == "prj-a"]) == 3
    assert any(x["id"].endswith("/locations/us/templates/shared-us") for x in inv["resources"])
    errs = {(e["scope"].get("project"), e["code"]) for e in inv["errors"]}
    assert errs and {p for p, _ in errs} == {"prj-locked"} and {c for _, c in errs} == {"PERMISSION_DENIED"}
    notes = " ".join(inv["scan"]["notes"])
    assert "europe-west9: Vertex AI is not available in this location" in notes
    assert not [x for x in res if x["account"] == "prj-locked" and x["status"] == "pass"]
    assert [x for x in res if x["account"] == "prj-locked" and x["status"] == "error"]


def test_read_only_and_role_covers_calls(gcp, tmp_path):
    from aiposture.collect.gcp_vertex import GCP_PERMISSIONS

    gcp.add_folder("100", "organizations/1")
    sc.populate(gcp, "prj-good", hardened=True)
    gcp.projects["prj-good"]["parent"] = "folders/100"
    run(gcp, "--project", "prj-good")
    perm = {"endpoints": "aiplatform.endpoints.list", "models": "aiplatform.models.list", "datasets": "aiplatform.datasets.list",
            "reasoningEngines": "aiplatform.reasoningEngines.list", "templates": "modelarmor.templates.list",
            "floorSetting": "modelarmor.floorSettings.get", "getEffectivePolicy": "orgpolicy.policy.get",
            # the estate around Vertex AI (collect/gcp_estate.py)
            "dataStores": "discoveryengine.dataStores.list", "ragCorpora": "aiplatform.ragCorpora.list",
            "notebookRuntimeTemplates": "aiplatform.notebookRuntimeTemplates.list", "instances": "notebooks.instances.list",
            "accessPolicies": "accesscontextmanager.policies.list",
            "servicePerimeters": "accesscontextmanager.servicePerimeters.list"}
    used = set()
    for method, path in gcp.calls:
        leaf = path.rsplit("/", 1)[-1].split(":")[-1]
        if leaf == "getIamPolicy":
            used.add(f"resourcemanager.{path.split('/')[2]}.getIamPolicy")
            assert method == "POST"
            continue
        assert method == "GET", path
        if leaf == "locations":
            used.add("aiplatform.locations.list" if path.startswith("/ui/") else "modelarmor.locations.list")
        elif path.startswith(("/v3/projects/", "/v3/folders/")):
            used.add(f"resourcemanager.{path.split('/')[2]}.get")
        else:
            assert leaf in perm, path
            used.add(perm[leaf])
    assert used <= set(GCP_PERMISSIONS), used - set(GCP_PERMISSIONS)
    assert {"resourcemanager.folders.getIamPolicy", "resourcemanager.organizations.getIamPolicy"} <= used
    role = json.loads(CliRunner().invoke(main, ["permissions", "gcp"]).output)
    assert role["includedPermissions"] == GCP_PERMISSIONS


def test_credentials_missing_file_is_one_line_with_the_right_hint(tmp_path, monkeypatch):
    """Issue 13: GOOGLE_APPLICATION_CREDENTIALS naming a missing file is the problem to report, not 'set it'."""
    missing = tmp_path / "missing.json"
    env = {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": str(missing)}
    p = subprocess.run([sys.executable, "-m", "aiposture", "scan", "gcp", "--project", "p", "--locations", "us-central1"],
                       capture_output=True, text=True, timeout=120, env=env)
    lines = (p.stdout + p.stderr).strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1, lines
    assert f"points at {missing}, which does not exist" in lines[0] and "set GOOGLE_APPLICATION_CREDENTIALS" not in lines[0]


def test_refused_credentials_are_a_usage_error_before_any_scope(gcp, sa_key, tmp_path, monkeypatch):
    """A key the token endpoint refuses: exit 2, one line, nothing scanned (not one error row per rule)."""
    bad = tmp_path / "bad.json"
    _key_file(bad, sa_key, f"{gcp.url}/no-such-token-endpoint")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(bad))
    sc.populate(gcp, "prj-good", hardened=True)
    r = CliRunner().invoke(main, ["scan", "gcp", "--api-endpoint-template", gcp.url, "--project", "prj-good"])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "credentials were refused" in r.output, r.output
    assert [c for c in gcp.calls if c[1] != "/no-such-token-endpoint"] == []


def test_a_network_failure_is_an_error_not_an_unsupported_location():
    import requests

    from aiposture.collect.base import Recorder
    from aiposture.collect.gcp_vertex import GcpOptions, GcpScan, _unsupported_location, model_armor_locations

    assert model_armor_locations(["us-central1", "europe-west9", "asia-east2"]) == ["eu", "europe-west9", "us", "us-central1"]
    assert model_armor_locations(["asia-east2"]) == []
    dns = requests.exceptions.ConnectionError("HTTPSConnectionPool(host='modelarmor.asia-east2.rep.googleapis.com'): "
                                              "NameResolutionError: Failed to resolve")
    assert not _unsupported_location(dns)
    rec = Recorder("gcp")
    scan = GcpScan(GcpOptions(), rec, credentials=object())

    def failing(**_):
        raise dns

    assert scan._first_list(failing, "modelarmor", "Model Armor templates", ["content_filter"], "p", "asia-east2") == []
    assert [e["code"] for e in rec.errors] == ["EndpointUnreachable"] and not rec.notes


def test_fake_serves_enum_numbers_when_the_client_asks():
    """The GAPIC REST transports ask for $alt=json;enum-encoding=int; the fake answers like the service."""
    from tests.fakes.gcp import render

    t = sc.template("p", "t", hardened=False)
    assert render(t, True)["templateMetadata"]["enforcementType"] == 1
    assert render(t, False)["templateMetadata"]["enforcementType"] == "INSPECT_ONLY"


def test_an_answer_that_is_not_a_json_object_is_an_error_not_an_empty_policy(gcp, tmp_path):
    """protobuf's JSON parser, as the client libraries call it, reads a bare JSON string as an empty message: an
    IAM policy without bindings would clear the admin grant that makes this Agent Engine identity fail."""
    sc.populate(gcp, "prj-bad", hardened=False)
    gcp.mutate = lambda path, body: b'"maintenance"' if path.endswith(":getIamPolicy") else body
    _, inv, res = scan(gcp, tmp_path, "--project", "prj-bad", "--locations", "us-central1")
    assert [e["code"] for e in inv["errors"]] == ["InvalidResponse"]
    agent = next(x for x in inv["resources"] if x["kind"] == "agent")
    assert result(res, "AIP-AGT-003", agent["id"]) == "error"
