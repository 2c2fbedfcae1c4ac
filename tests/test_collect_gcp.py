"""Live Google Cloud collector: the real aiplatform_v1 / modelarmor_v1 / resourcemanager_v3 REST clients and
Application Default Credentials (a service-account key whose token endpoint is the fake) against a local fake,
reached through the user-facing --api-endpoint-template switch."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("google.cloud.aiplatform_v1")
pytest.importorskip("google.cloud.modelarmor_v1")

from aiposture.cli import main
from tests import gcp_scenario as sc
from tests.fakes.gcp import GcpFake


@pytest.fixture(scope="module")
def sa_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()


@pytest.fixture
def gcp(sa_key, tmp_path, monkeypatch):
    fake = GcpFake().start()
    key = tmp_path / "sa.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": "scanner", "private_key_id": "1",
                               "private_key": sa_key, "client_email": "aiposture@scanner.iam.gserviceaccount.com",
                               "client_id": "1", "token_uri": f"{fake.url}/token"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.chdir(tmp_path)
    yield fake
    fake.stop()


def run(fake, *args):
    return CliRunner().invoke(main, ["scan", "gcp", "-q", "--api-endpoint-template", fake.url, *args], catch_exceptions=False)


def statuses(path, project: str, rule: str) -> set[str]:
    doc = json.loads(open(path).read())
    return {r["status"] for r in doc["results"] if r["rule_id"] == rule and r["account"] == project}


def test_hardened_and_default_projects(gcp, tmp_path):
    sc.populate(gcp, "prj-good", hardened=True)
    sc.populate(gcp, "prj-bad", hardened=False)
    r = run(gcp, "--locations", "us-central1", "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    assert r.exit_code == 1, r.output
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert inv["errors"] == []
    out = tmp_path / "out.json"
    wrong = []
    for rule in ("AIP-LOG-003", "AIP-LOG-005", "AIP-LOG-006", "AIP-LOG-007", "AIP-NET-005", "AIP-ENC-002", "AIP-ENC-007",
                 "AIP-AUTH-003", "AIP-AUTH-009", "AIP-GR-002", "AIP-GR-005", "AIP-GR-006", "AIP-GR-008", "AIP-GR-011",
                 "AIP-GR-013", "AIP-DATA-007", "AIP-AGT-003"):
        b, g = statuses(out, "prj-bad", rule), statuses(out, "prj-good", rule)
        if "fail" not in b or not g or not g <= {"pass"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert not wrong
    assert statuses(out, "prj-good", "AIP-GR-014") == {"pass"}  # floor setting inspects and blocks
    tpl = next(x for x in inv["resources"] if x["kind"] == "content_filter" and x["account"] == "prj-bad")
    assert tpl["attrs"]["mode"] == "annotate" and tpl["attrs"]["prompt_attack"]["input_action"] == "annotate"


def test_org_walk_paging_forbidden_disabled_and_retry(gcp, tmp_path):
    gcp.add_folder("100", "organizations/1")
    sc.populate(gcp, "prj-a", hardened=True)
    for i in range(2, 4):  # three endpoints in prj-a, pages of 2
        gcp.add("prj-a", sc.LOC, "endpoints", sc.endpoint("prj-a", f"ep{i}", hardened=True, sa="s@x.iam.gserviceaccount.com"))
    sc.populate(gcp, "prj-locked", hardened=True)
    gcp.projects["prj-locked"]["parent"] = "folders/100"  # found through the folder
    sc.populate(gcp, "prj-off", hardened=False)
    gcp.forbidden.add("prj-locked")
    gcp.disabled.add("prj-off")
    gcp.bad_locations.add("europe-west9")
    gcp.throttles["/endpoints"] = 2
    shared = sc.template("prj-a", "shared-us", hardened=True)
    shared.name = "projects/prj-a/locations/us/templates/shared-us"
    gcp.add("prj-a", "us", "templates", shared)  # a multi-region template covers us-central1
    run(gcp, "--organization", "1", "--locations", "us-central1,europe-west9", "--save-inventory", "inv.json",
        "-f", "json", "-o", "out.json")
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert len([x for x in inv["resources"] if x["kind"] == "model_deployment" and x["account"] == "prj-a"]) == 3
    assert any(x["id"].endswith("/locations/us/templates/shared-us") for x in inv["resources"])
    errs = {(e["scope"].get("project"), e["code"]) for e in inv["errors"]}
    assert errs and {p for p, _ in errs} == {"prj-locked"} and {c for _, c in errs} == {"PERMISSION_DENIED"}
    notes = " ".join(inv["scan"]["notes"])
    assert "prj-off: the Vertex AI API is disabled" in notes and "europe-west9" in notes
    res = json.loads((tmp_path / "out.json").read_text())["results"]
    assert not [x for x in res if x["account"] == "prj-locked" and x["status"] == "pass"]
    assert [x for x in res if x["account"] == "prj-locked" and x["status"] == "error"]


def test_read_only_and_role_covers_calls(gcp, tmp_path):
    from aiposture.collect.gcp_vertex import GCP_PERMISSIONS

    sc.populate(gcp, "prj-good", hardened=True)
    run(gcp, "--project", "prj-good", "--locations", "us-central1")
    perm = {"endpoints": "aiplatform.endpoints.list", "models": "aiplatform.models.list", "datasets": "aiplatform.datasets.list",
            "reasoningEngines": "aiplatform.reasoningEngines.list", "templates": "modelarmor.templates.list",
            "floorSetting": "modelarmor.floorSettings.get", "getIamPolicy": "resourcemanager.projects.getIamPolicy",
            "getEffectivePolicy": "orgpolicy.policy.get"}
    used = set()
    for method, path in gcp.calls:
        leaf = path.rsplit("/", 1)[-1].split(":")[-1]
        assert leaf in perm, path
        used.add(perm[leaf])
        assert method == "GET" or leaf == "getIamPolicy"
    assert used <= set(GCP_PERMISSIONS)
    role = json.loads(CliRunner().invoke(main, ["permissions", "gcp"]).output)
    assert role["includedPermissions"] == GCP_PERMISSIONS


def test_no_credentials_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    r = CliRunner().invoke(main, ["scan", "gcp", "--project", "p", "--locations", "us-central1"])
    assert r.exit_code == 2 and "Google Cloud credentials" in r.output and "Traceback" not in r.output


def test_locations_and_model_armor_locations():
    import requests

    from aiposture.collect.gcp_vertex import _unsupported_location, model_armor_locations

    assert model_armor_locations(["us-central1", "europe-west9", "asia-east2"]) == ["eu", "europe-west9", "us", "us-central1"]
    assert model_armor_locations(["asia-east2"]) == []
    dns = requests.exceptions.ConnectionError("HTTPSConnectionPool(host='modelarmor.asia-east2.rep.googleapis.com'): "
                                              "NameResolutionError: Failed to resolve")
    assert _unsupported_location(dns) and not _unsupported_location(requests.exceptions.ConnectionError("refused"))
