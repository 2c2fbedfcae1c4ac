"""Live Google Cloud AI estate around Vertex AI: VPC Service Controls, organisation policies, Vertex AI Search data
stores, RAG corpora, Workbench instances and Colab Enterprise runtime templates, read by the real client libraries
(discoveryengine_v1, notebooks_v2, aiplatform_v1, resourcemanager_v3) and the authorised REST session (Access Context
Manager, Org Policy, Compute Engine) against the local fake, through --api-endpoint-template and ADC. Bodies are the
protos' JSON (tests/gcp_estate_scenario.py); each test would fail without the behaviour it names."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("google.cloud.discoveryengine_v1")
pytest.importorskip("google.cloud.notebooks_v2")

from aiposture.cli import main
from tests import gcp_estate_scenario as es
from tests import gcp_scenario as sc
from tests.test_collect_gcp import gcp, result, run, sa_key, scan, statuses  # noqa: F401

ESTATE_RULES = ("AIP-NET-030", "AIP-ENC-030", "AIP-DATA-030", "AIP-AUTH-030", "AIP-ENC-031", "AIP-NET-031",
                "AIP-AUTH-031", "AIP-AUTH-032", "AIP-ENC-032")


def res(inv, kind: str, account: str, native: str) -> dict:
    return next(x for x in inv["resources"] if x["kind"] == kind and x["account"] == account and x["native_type"] == native)


def svc(inv, account: str) -> dict:
    return res(inv, "ai_service", account, "aiplatform.googleapis.com/Location")


def test_hardened_and_careless_estates(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    es.populate(gcp, "prj-bad", hardened=False)
    r, inv, results = scan(gcp, tmp_path, "--locations", "us-central1")
    assert r.exit_code == 1 and inv["errors"] == [], inv["errors"]
    wrong = []
    for rule in ESTATE_RULES:
        b, g = statuses(results, "prj-bad", rule), statuses(results, "prj-good", rule)
        if "fail" not in b or not g or g != {"pass"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert wrong == []
    # the careless perimeter enforces storage and only dry-runs Vertex AI
    assert svc(inv, "prj-bad")["attrs"]["service_perimeter"] == {
        "enforced": True, "dry_run_only": True, "restricted_services": ["storage.googleapis.com"],
        "perimeter": "accessPolicies/987654321/servicePerimeters/sandbox_prj_bad"}
    assert svc(inv, "prj-good")["attrs"]["org_policies"] == dict.fromkeys(
        ("cmek_required", "cmek_key_projects_restricted", "locations_restricted", "domain_restricted_sharing",
         "notebook_public_ip_blocked", "notebook_root_blocked"), True)
    # a public website crawl is open-web content; Pinecone keeps the vectors out of Cloud KMS; Drive is provenance
    site = res(inv, "knowledge_base", "prj-bad", "discoveryengine.googleapis.com/DataStore")
    assert site["attrs"]["data_sources"][0]["type"] == "web" and result(results, "AIP-DATA-005", site["id"]) == "fail"
    corpus = res(inv, "knowledge_base", "prj-bad", "aiplatform.googleapis.com/RagCorpus")
    assert corpus["attrs"]["vector_store"] == "pinecone" and corpus["attrs"]["data_sources"][0]["type"] == "google_drive"
    good = res(inv, "knowledge_base", "prj-good", "aiplatform.googleapis.com/RagCorpus")
    assert good["attrs"]["data_sources"] == [{"id": "gs://prj-good-kb", "type": "gcs", "cmk": True,
                                              "location": {"uri": "gs://prj-good-kb"}}]
    # Workbench CMEK comes from the VM's disks (input-only in the Notebooks API)
    wb = res(inv, "notebook", "prj-good", "notebooks.googleapis.com/Instance")
    assert wb["attrs"]["encryption"] == {"cmk": True, "key_id": "projects/kms-prj/locations/us-central1/keyRings/ai/cryptoKeys/nb"}
    assert wb["region"] == es.ZONE
    colab = res(inv, "notebook", "prj-bad", "aiplatform.googleapis.com/NotebookRuntimeTemplate")
    assert colab["attrs"]["internet_access"] is True and colab["attrs"]["idle_shutdown_seconds"] == 0
    # only the multi-region covering us-central1 is asked for data stores
    asked = {p.split("/")[5] for _, p in gcp.calls if p.endswith("/dataStores")}
    assert asked == {"us"}


def test_perimeters_match_the_project_number_in_scope_enforced_and_paged(gcp, tmp_path):
    """Perimeters list project numbers; a perimeter naming the project id does not hold it, nor does one in a policy
    scoped to another folder, nor a bridge; the enforcing perimeter is on the second page of the second policy."""
    gcp.add_folder("100", es.ORG)
    es.populate(gcp, "prj-a", hardened=False)
    gcp.projects["prj-a"]["parent"] = "folders/100"
    gcp.perimeters[es.POLICY] = []
    num = es.number(gcp, "prj-a")
    full = ["aiplatform.googleapis.com", "modelarmor.googleapis.com"]
    scoped = "accessPolicies/555"
    gcp.access_policies[es.ORG] = [{"name": es.POLICY, "parent": es.ORG, "title": "org"},
                                   {"name": scoped, "parent": es.ORG, "title": "other folder", "scopes": ["folders/999"]},
                                   {"name": "accessPolicies/777", "parent": es.ORG, "title": "this folder",
                                    "scopes": ["folders/100"]}]
    gcp.perimeters[scoped] = [es.perimeter("elsewhere", [f"projects/{num}"], full)]
    gcp.perimeters[es.POLICY] = [es.perimeter("by_id", ["projects/prj-a"], full),
                                 es.perimeter("bridge", [f"projects/{num}"], [], bridge=True)]
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-a", "--locations", "us-central1")
    assert inv["errors"] == []
    assert svc(inv, "prj-a")["attrs"]["service_perimeter"] == {"enforced": False, "dry_run_only": False,
                                                               "restricted_services": []}
    assert statuses(results, "prj-a", "AIP-NET-030") == {"fail"}
    gcp.perimeters["accessPolicies/777"] = [es.perimeter(n, [m], full, policy="accessPolicies/777")
                                            for n, m in (("p1", "projects/1"), ("p2", "projects/2"), ("ai", f"projects/{num}"))]
    gcp.calls.clear()
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-a", "--locations", "us-central1")
    assert svc(inv, "prj-a")["attrs"]["service_perimeter"]["perimeter"] == "accessPolicies/777/servicePerimeters/ai"
    assert statuses(results, "prj-a", "AIP-NET-030") == {"pass"}
    assert len([c for c in gcp.calls if c[1] == "/v1/accessPolicies/777/servicePerimeters"]) == 2  # two pages
    assert len([c for c in gcp.calls if c[1] == "/v1/accessPolicies"]) == 2  # three policies, pages of two


def test_access_policies_unreadable_is_unknown_never_unprotected(gcp, tmp_path):
    """A project-level scanner usually cannot list the organisation's access policies: the perimeter is unknown
    (NET-030 error, one partial error entry), the other project settings are still judged."""
    es.populate(gcp, "prj-good", hardened=True)
    gcp.acm_forbidden.add(es.ORG)
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    assert svc(inv, "prj-good")["attrs"]["service_perimeter"] is None
    assert statuses(results, "prj-good", "AIP-NET-030") == {"error"}
    assert statuses(results, "prj-good", "AIP-ENC-030") == {"pass"}
    [err] = inv["errors"]
    assert err["code"] == "PERMISSION_DENIED" and err["partial"] is True and "Access Context Manager" in err["message"]


def test_a_project_without_an_organisation_is_in_no_perimeter(gcp, tmp_path):
    es.populate(gcp, "prj-solo", hardened=True)
    gcp.projects["prj-solo"]["parent"] = ""
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-solo", "--locations", "us-central1")
    assert svc(inv, "prj-solo")["attrs"]["service_perimeter"]["enforced"] is False
    assert not [c for c in gcp.calls if c[1] == "/v1/accessPolicies"]
    assert statuses(results, "prj-solo", "AIP-NET-030") == {"fail"}


def test_an_unreadable_constraint_is_unknown_the_others_are_judged(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    gcp.mutate = lambda path, body: b"<html>maintenance</html>" if "gcp.resourceLocations" in path else body
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    pols = svc(inv, "prj-good")["attrs"]["org_policies"]
    assert pols["locations_restricted"] is None and pols["cmek_required"] is True
    assert statuses(results, "prj-good", "AIP-DATA-030") == {"error"}
    assert statuses(results, "prj-good", "AIP-ENC-030") == {"pass"}
    [err] = inv["errors"]
    assert err["partial"] is True and "gcp.resourceLocations" in err["message"]


def test_disabled_search_and_notebooks_apis_are_not_applicable(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    gcp.disabled["prj-good"] = {"discoveryengine", "notebooks"}
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    assert inv["errors"] == []
    notes = " ".join(inv["scan"]["notes"])
    assert "Discovery Engine) API is disabled" in notes and "Workbench) API is disabled" in notes
    natives = {x["native_type"] for x in inv["resources"]}
    assert "discoveryengine.googleapis.com/DataStore" not in natives and "notebooks.googleapis.com/Instance" not in natives
    assert "aiplatform.googleapis.com/NotebookRuntimeTemplate" in natives  # Colab is part of Vertex AI
    assert not [x for x in results if x["account"] == "prj-good" and x["status"] == "error"]


def test_rag_engine_unsupported_location_is_a_note(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    gcp.rag_unsupported.add(sc.LOC)
    _, inv, _ = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    assert inv["errors"] == []
    assert f"prj-good/{sc.LOC}: Vertex AI RAG Engine is not available in this location" in " ".join(inv["scan"]["notes"])
    assert not [x for x in inv["resources"] if x["native_type"] == "aiplatform.googleapis.com/RagCorpus"]
    assert [x for x in inv["resources"] if x["native_type"] == "aiplatform.googleapis.com/NotebookRuntimeTemplate"]


def test_unreadable_rag_files_and_vm_disks_are_unknown(gcp, tmp_path):
    """RagFile listing answers garbage: the corpus is kept, its data sources are unknown (ENC-004 / DATA-005 error);
    the Workbench VM is gone from Compute Engine: its disk encryption is unknown (ENC-032 error), never GMEK."""
    es.populate(gcp, "prj-good", hardened=True)
    gcp.mutate = lambda path, body: b'"oops"' if path.endswith("/ragFiles") else body
    del gcp.vms[("prj-good", es.ZONE, "ds")]
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    corpus = res(inv, "knowledge_base", "prj-good", "aiplatform.googleapis.com/RagCorpus")
    assert corpus["attrs"]["data_sources"] is None and corpus["attrs"]["encryption"]["cmk"] is True
    assert result(results, "AIP-DATA-005", corpus["id"]) == "error" and result(results, "AIP-ENC-031", corpus["id"]) == "pass"
    wb = res(inv, "notebook", "prj-good", "notebooks.googleapis.com/Instance")
    assert wb["attrs"]["encryption"] is None and result(results, "AIP-ENC-032", wb["id"]) == "error"
    assert result(results, "AIP-NET-031", wb["id"]) == "pass"
    assert sorted((e["code"], e["partial"]) for e in inv["errors"]) == [("InvalidResponse", True), ("NOT_FOUND", True)]


def test_a_denied_data_store_list_is_a_scope_error_for_knowledge_bases(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    gcp.mutate = lambda path, body: {"dataStores": "not a list"} if path.endswith("/dataStores") else body
    _, inv, results = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    errs = [e for e in inv["errors"] if "data stores" in e["message"]]
    assert errs and errs[0]["kinds"] == ["knowledge_base"] and not errs[0].get("partial")
    assert "error" in statuses(results, "prj-good", "AIP-ENC-031")


def test_workbench_instances_outside_the_requested_locations_are_left_out(gcp, tmp_path):
    es.populate(gcp, "prj-good", hardened=True)
    gcp.add("prj-good", "-", "instances", es.workbench("prj-good", "tokyo", hardened=False, zone="asia-northeast1-b"))
    _, inv, _ = scan(gcp, tmp_path, "--project", "prj-good", "--locations", "us-central1")
    names = {x["name"] for x in inv["resources"] if x["native_type"] == "notebooks.googleapis.com/Instance"}
    assert names == {"ds"}
    assert len([c for c in gcp.calls if c[1].endswith("/locations/-/instances")]) == 1  # one call for every zone


def test_every_estate_call_is_read_only_and_in_the_role(gcp, tmp_path):
    from aiposture.collect.gcp_vertex import GCP_PERMISSIONS

    es.populate(gcp, "prj-good", hardened=True)
    run(gcp, "--project", "prj-good", "--locations", "us-central1")
    perm = {"dataStores": "discoveryengine.dataStores.list", "ragCorpora": "aiplatform.ragCorpora.list",
            "ragFiles": "aiplatform.ragFiles.list", "notebookRuntimeTemplates": "aiplatform.notebookRuntimeTemplates.list",
            "instances": "notebooks.instances.list", "accessPolicies": "accesscontextmanager.policies.list",
            "servicePerimeters": "accesscontextmanager.servicePerimeters.list", "getEffectivePolicy": "orgpolicy.policy.get"}
    used = set()
    for method, path in gcp.calls:
        assert method in ("GET", "POST"), path
        leaf = path.rsplit("/", 1)[-1].split(":")[-1]
        if path.startswith("/compute/"):
            used.add("compute.instances.get")
        elif leaf in perm:
            used.add(perm[leaf])
    assert set(perm.values()) | {"compute.instances.get"} == used
    assert used <= set(GCP_PERMISSIONS)
    role = json.loads(CliRunner().invoke(main, ["permissions", "gcp"]).output)
    assert used <= set(role["includedPermissions"])
