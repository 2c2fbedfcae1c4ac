"""Azure Machine Learning workspaces (kinds Hub, Project, Default), their connections and datastores: live through the
scan's ARM pipeline against the local HTTPS fake (--arm-endpoint), and IaC (azurerm_ai_foundry,
azurerm_ai_foundry_project, azurerm_machine_learning_workspace, datastores, ARM)."""

from __future__ import annotations

import pytest

pytest.importorskip("azure.mgmt.core")
pytest.importorskip("trustme")

from tests import azure_ai_scenario as ai
from tests.test_collect_azure import azure, ca, scan  # noqa: F401  (fixtures)

SUB = "55555555-5555-5555-5555-555555555555"




def test_aml_live_hub_project_default(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_aml(azure, SUB)
    r, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 1, r.output
    assert inv["errors"] == []
    assert any("FeatureStore x1" in n for n in inv["scan"]["notes"])
    hub = ai.by_id(inv, ids["hub"])
    assert hub["native_type"] == "Microsoft.MachineLearningServices/workspaces"
    assert hub["attrs"] == {"managed_identity": True, "public_network_access": False, "public_access_behind_vnet": False,
                            "managed_network": "approved_only", "system_datastores_auth": "identity",
                            "encryption": hub["attrs"]["encryption"]}
    legacy = ai.by_id(inv, ids["legacy"])["attrs"]
    assert (legacy["public_network_access"], legacy["managed_network"], legacy["system_datastores_auth"]) == (True, "disabled", "key")
    for rule in ("AIP-NET-021", "AIP-NET-022", "AIP-AUTH-023"):
        assert ai.status(res, rule, ids["hub"]) == "pass", rule
        assert ai.status(res, rule, ids["legacy"]) == "fail", rule
        assert ai.status(res, rule, ids["project"]) is None, rule  # a project is judged through its hub
    assert ai.by_id(inv, ids["project"])["attrs"] == {"managed_identity": True, "hub": ids["hub"]}
    assert ai.status(res, "AIP-ENC-001", ids["legacy"]) == "fail"
    # hub connections: ApiKey shared with every project vs AAD; datastores: key/SAS vs identity
    conns = {x["name"]: x for x in inv["resources"] if x["kind"] == "ai_connection"}
    assert ai.status(res, "AIP-AUTH-021", conns["contoso-hub/aoai-key"]["id"]) == "fail"
    assert ai.status(res, "AIP-AUTH-020", conns["contoso-hub/aoai-entra"]["id"]) == "pass"
    stores = {n: x["attrs"]["auth_type"] for n, x in conns.items() if x["native_type"].endswith("/datastores")}
    assert stores == {"legacy-ml/workspaceblobstore": "key", "legacy-ml/training_sas": "key", "legacy-ml/lake_identity": "identity"}
    assert conns["legacy-ml/workspaceblobstore"]["attrs"]["target"] == "https://legacymlst.blob.core.windows.net"
    assert ai.LEAK not in (tmp_path / "inv.json").read_text() + (tmp_path / "out.json").read_text()
    assert not azure.secret_calls()


def test_aml_provider_not_registered_is_not_an_error(azure, tmp_path):
    azure.add_subscription(SUB)
    azure.ml_errors[SUB] = (409, "MissingSubscriptionRegistration")
    r, inv, _ = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 0, r.output
    assert inv["errors"] == [] and any("not registered" in n for n in inv["scan"]["notes"])


def test_aml_list_denied_is_a_scope_error(azure, tmp_path):
    azure.add_subscription(SUB)
    azure.ml_errors[SUB] = (403, "AuthorizationFailed")
    r, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert r.exit_code == 3, r.output  # nothing failed, something could not be read
    err = next(e for e in inv["errors"] if "Azure ML" in e["message"])
    assert err["code"] == "AuthorizationFailed" and set(err["kinds"]) == {"ai_service", "ai_connection"}
    assert {x["status"] for x in res if x["rule_id"] == "AIP-NET-022"} == {"error"}


def test_aml_unreadable_workspace_properties_are_unknown(azure, tmp_path):
    azure.add_subscription(SUB)
    ids = ai.populate_aml(azure, SUB)

    def null_props(path, body):
        if path.endswith("/workspaces"):
            for w in body["value"]:
                if w["name"] == "legacy-ml":
                    w["properties"] = None
        return body

    azure.mutate = null_props
    _, inv, res = scan(azure, tmp_path, "--subscription", SUB)
    assert ai.by_id(inv, ids["legacy"])["attrs"]["public_network_access"] is None
    assert ai.status(res, "AIP-NET-022", ids["legacy"]) == "error"
    assert ai.status(res, "AIP-NET-021", ids["legacy"]) == "error"


def test_aml_nextlink_pages_and_resource_group_filter(azure, tmp_path):
    azure.page_size = 1  # every collection pages through nextLink on the fake (same host)
    azure.add_subscription(SUB)
    ids = ai.populate_aml(azure, SUB)
    _, inv, _ = scan(azure, tmp_path, "--subscription", SUB)
    assert {ids["hub"], ids["project"], ids["legacy"]} <= {x["id"] for x in inv["resources"]}
    assert len([x for x in inv["resources"] if x["native_type"].endswith("/datastores")]) == 3
    _, inv, _ = scan(azure, tmp_path, "--subscription", SUB, "--resource-group", "other-rg")
    assert not any(x["native_type"].startswith("Microsoft.MachineLearningServices") for x in inv["resources"])


# ----------------------------------------------------------------------------- IaC
@pytest.fixture(scope="module")
def iac():
    return ai.iac_report()


def test_iac_terraform_and_arm_workspaces(iac):
    doc, report = iac
    res = {x["name"]: x for x in doc["resources"]}
    assert res["contoso-hub"]["attrs"]["encryption"] == {"cmk": True, "key_id": "https://contoso-kv.vault.azure.net/keys/hub/0123456789abcdef"}
    for rule in ("AIP-NET-021", "AIP-NET-022", "AIP-ENC-001"):
        assert ai.iac_status(report, rule, "contoso-hub") == "pass", rule
        assert ai.iac_status(report, rule, "legacy-ml") == "fail", rule  # azurerm defaults: public, no managed network, no CMK
        assert ai.iac_status(report, rule, "arm-hub") == "fail", rule
    assert res["support-project"]["attrs"] == {"managed_identity": True, "hub": "azurerm_ai_foundry.hub"}
    assert ai.iac_status(report, "AIP-AUTH-023", "arm-hub") == "fail"
    # datastores: account_key / SAS -> key; nothing -> identity
    tf_stores = {x["name"]: x["attrs"]["auth_type"] for x in doc["resources"]
                 if x["native_type"].endswith("/datastores") and x["source"]["origin"] == "terraform"}
    assert tf_stores == {"training": "key", "curated": "identity"}
    arm_store = next(x for x in doc["resources"] if x["native_type"].endswith("/datastores") and x["source"]["origin"] == "arm")
    assert arm_store["attrs"]["auth_type"] == "key"
    assert ai.iac_status(report, "AIP-AUTH-020", "curated") == "pass"
