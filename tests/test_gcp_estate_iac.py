"""Terraform for the Google Cloud AI estate around Vertex AI (tests/fixtures/iac/terraform-gcp-estate): perimeters,
organisation policies (v2 and legacy), Vertex AI Search data stores, RAG corpora, Workbench instances and Colab
Enterprise runtime templates become the same attributes the live scan produces and meet the same rules; and the
normalisers' edge cases (scoped access policies, bridges, dry runs, conditional org policy rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths
from aiposture.normalize import gcp_estate as nest

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "iac" / "terraform-gcp-estate"


@pytest.fixture(scope="module")
def scanned():
    doc = scan_paths([FIX], base=ROOT)
    assert inv.validate(doc) == [] and doc["errors"] == []
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    by: dict[tuple[str, str], str] = {}
    for r in rep.results:
        by[(r.rule.id, r.resource["source"]["address"])] = r.status.value
        by[(r.rule.id, r.resource["id"])] = r.status.value
    return doc, by


def attrs(doc, address: str) -> dict:
    return next(r["attrs"] for r in doc["resources"] if r["source"]["address"] == address)


@pytest.mark.parametrize(("rule", "good", "bad"), [
    ("AIP-NET-030", "google_access_context_manager_service_perimeter.good", "google_access_context_manager_service_perimeter.bad"),
    ("AIP-ENC-030", "google_org_policy_policy.cmek_good", "google_org_policy_policy.cmek_bad"),
    ("AIP-AUTH-030", "google_org_policy_policy.drs_good", "google_org_policy_policy.drs_bad"),
    ("AIP-DATA-030", "google_project_organization_policy.locations_good", "google_project_organization_policy.locations_bad"),
    ("AIP-ENC-031", "google_discovery_engine_data_store.good", "google_discovery_engine_data_store.bad"),
    ("AIP-ENC-031", "google_vertex_ai_rag_corpus.good", "google_vertex_ai_rag_corpus.bad"),
    ("AIP-DATA-005", "google_discovery_engine_data_store.good", "google_discovery_engine_data_store.bad"),
    ("AIP-NET-031", "google_workbench_instance.good", "google_workbench_instance.bad"),
    ("AIP-NET-031", "google_colab_runtime_template.good", "google_colab_runtime_template.bad"),
    ("AIP-AUTH-031", "google_workbench_instance.good", "google_workbench_instance.bad"),
    ("AIP-AUTH-032", "google_workbench_instance.good", "google_workbench_instance.bad"),
    ("AIP-ENC-032", "google_workbench_instance.good", "google_workbench_instance.bad"),
    ("AIP-ENC-032", "google_colab_runtime_template.good", "google_colab_runtime_template.bad"),
])
def test_each_type_passes_hardened_and_fails_careless(scanned, rule, good, bad):
    _, by = scanned
    assert by.get((rule, good)) == "pass" and by.get((rule, bad)) == "fail", (by.get((rule, good)), by.get((rule, bad)))


def test_plural_perimeters_resource_gives_one_resource_per_perimeter(scanned):
    doc, by = scanned
    many = sorted(r["id"] for r in doc["resources"] if r["source"]["address"] == "google_access_context_manager_service_perimeters.many")
    assert [i.rsplit("/", 1)[-1] for i in many] == ["many_bad", "many_good"]
    assert [by[("AIP-NET-030", i)] for i in many] == ["fail", "pass"]


def test_attributes_match_the_live_shapes(scanned):
    doc, by = scanned
    assert attrs(doc, "google_access_context_manager_service_perimeter.bad")["service_perimeter"] == {
        "enforced": True, "dry_run_only": True, "restricted_services": ["storage.googleapis.com"],
        "perimeter": "accessPolicies/1/servicePerimeters/sandbox"}
    # a policy carries only the attribute it sets: rules about the others do not apply to it
    assert attrs(doc, "google_project_organization_policy.root") == {"org_policies": {"notebook_root_blocked": True}}
    assert attrs(doc, "google_org_policy_policy.models") == {"allowed_models_restricted": True}
    assert by[("AIP-DATA-007", "google_org_policy_policy.models")] == "pass"
    assert not [k for k in by if k[1] == "google_project_organization_policy.root"]
    rag = attrs(doc, "google_vertex_ai_rag_corpus.bad")
    assert rag == {"encryption": {"cmk": False, "key_id": None}, "vector_store": "pinecone"}  # files are not IaC
    wb = attrs(doc, "google_workbench_instance.bad")
    assert wb["public_ip"] is True and wb["service_identity"]["default_identity"] is True and wb["secure_boot"] is False
    assert attrs(doc, "google_colab_runtime_template.good")["idle_shutdown_seconds"] == 3600
    kinds = {r["native_type"]: r["kind"] for r in doc["resources"]}
    assert kinds["notebooks.googleapis.com/Instance"] == "notebook" and kinds["discoveryengine.googleapis.com/DataStore"] == "knowledge_base"


def test_a_key_from_a_variable_without_value_is_unknown_not_google_managed(scanned):
    doc, by = scanned
    assert attrs(doc, "google_discovery_engine_data_store.unknown_key")["encryption"] is None
    assert by[("AIP-ENC-031", "google_discovery_engine_data_store.unknown_key")] == "error"


# ----------------------------------------------------------------------------- normaliser edge cases
def _p(name, members, restricted, *, kind="PERIMETER_TYPE_REGULAR", spec=None):
    p = {"name": f"accessPolicies/1/servicePerimeters/{name}", "perimeter_type": kind,
         "status": {"resources": members, "restricted_services": restricted}}
    if spec is not None:
        p.update(spec={"resources": members, "restricted_services": spec}, use_explicit_dry_run_spec=True)
    return p


AI = ["aiplatform.googleapis.com", "modelarmor.googleapis.com"]


def test_project_perimeter_decisions():
    org = {"name": "accessPolicies/1"}
    sp = nest.project_perimeter
    got = sp([(org, [_p("a", ["projects/42"], AI)])], project_number="42")["service_perimeter"]
    assert got == {"enforced": True, "dry_run_only": False, "restricted_services": sorted(AI),
                   "perimeter": "accessPolicies/1/servicePerimeters/a"}
    # scoped to the project's folder applies; to another folder does not
    scoped = {"name": "accessPolicies/2", "scopes": ["folders/7"]}
    assert sp([(scoped, [_p("a", ["projects/42"], AI)])], project_number="42", ancestors=["folders/7"])["service_perimeter"]["enforced"]
    assert not sp([(scoped, [_p("a", ["projects/42"], AI)])], project_number="42", ancestors=["folders/8"])["service_perimeter"]["enforced"]
    # a bridge restricts nothing; dry run only; an enum newer than this code about the project is unknown
    assert not sp([(org, [_p("b", ["projects/42"], [], kind="PERIMETER_TYPE_BRIDGE")])], project_number="42")["service_perimeter"]["enforced"]
    dry = sp([(org, [_p("d", ["projects/42"], [], spec=AI)])], project_number="42")["service_perimeter"]
    assert dry["dry_run_only"] is True and dry["restricted_services"] == []
    assert sp([(org, [_p("x", ["projects/42"], AI, kind=7)])], project_number="42")["service_perimeter"] is None
    assert sp([(org, [_p("x", ["projects/9"], AI, kind=7)])], project_number="42")["service_perimeter"]["enforced"] is False
    # the perimeter's member list cannot be read: unknown, not "not a member"
    broken = {"name": "accessPolicies/1/servicePerimeters/z", "status": {"resources": "projects/42"}}
    assert sp([(org, [broken])], project_number="42")["service_perimeter"] is None


def test_constraint_semantics():
    r = nest.constraint_restricts
    assert r("gcp.resourceLocations", None) is False  # no policy anywhere: the default, not restricted
    assert r("gcp.resourceLocations", {"rules": [{"values": {"allowed_values": ["in:eu-locations"]}}]}) is True
    assert r("gcp.resourceLocations", {"rules": [{"allow_all": True}]}) is False
    # a conditional rule restricts only tagged resources
    assert r("gcp.resourceLocations", {"rules": [{"values": {"allowed_values": ["in:eu-locations"]},
                                                  "condition": {"expression": "resource.matchTag('a/b', 'c')"}}]}) is False
    assert r("gcp.restrictNonCmekServices", {"rules": [{"values": {"denied_values": ["is:aiplatform.googleapis.com"]}}]}) is True
    assert r("gcp.restrictNonCmekServices", {"rules": [{"values": {"denied_values": ["bigquery.googleapis.com"]}}]}) is False
    assert r("ainotebooks.restrictPublicIp", {"rules": [{"enforce": "TRUE"}]}) is True
    assert r("ainotebooks.restrictPublicIp", {"rules": [{"enforce": False}]}) is False
    assert r("iam.allowedPolicyMemberDomains", {"rules": [{"values": {"allowed_values": "C0abc"}}]}) is None
    assert r("iam.allowedPolicyMemberDomains", {"rules": "garbage"}) is None


def test_workbench_declared_disk_keys():
    wb = nest.workbench_instance
    cmek = {"disk_encryption": "CMEK", "kms_key": "projects/k/locations/l/keyRings/r/cryptoKeys/c"}
    assert wb({"gce_setup": {"boot_disk": cmek}}, declared=True)["encryption"]["cmk"] is True
    assert wb({"gce_setup": {"boot_disk": {"disk_encryption": "GMEK"}}}, declared=True)["encryption"]["cmk"] is False
    # a customer-keyed data disk does not cover the boot disk, which defaults to a Google-managed key
    assert wb({"gce_setup": {"data_disks": {"kms_key": cmek["kms_key"]}}}, declared=True)["encryption"]["cmk"] is False
    assert wb({"gce_setup": {"boot_disk": {"kms_key": cmek["kms_key"]}}}, declared=True)["encryption"]["cmk"] is True
    # the live shape never carries the input-only fields: without the VM's disks it is unknown
    assert wb({"gce_setup": {"boot_disk": cmek}})["encryption"] is None
    assert wb({"gce_setup": {"metadata": {"notebook-disable-root": "false"}}})["root_access"] is True
