"""Live Azure collector: the real CognitiveServicesManagementClient and DefaultAzureCredential against a
local HTTPS ARM fake (throw-away CA), reached through the user-facing --arm-endpoint switch."""

from __future__ import annotations

import json
import os
import re
import stat
import sys

import pytest
from click.testing import CliRunner

pytest.importorskip("azure.mgmt.cognitiveservices")
trustme = pytest.importorskip("trustme")

from aiposture.cli import main  # noqa: E402
from tests import azure_scenario as sc  # noqa: E402
from tests.fakes.azure import AzureFake  # noqa: E402

GOOD, BAD, DENIED = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def azure(ca, tmp_path, monkeypatch):
    fake = AzureFake(ca).start()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    # DefaultAzureCredential -> AzureCliCredential -> a stand-in 'az' that prints a token (no network)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    az = bindir / "az"
    az.write_text(f"#!{sys.executable}\nimport json, time\n"
                  "print(json.dumps({'accessToken': 'fake-token', 'expires_on': int(time.time()) + 3600, 'tokenType': 'Bearer'}))\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    for k in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(tmp_path)
    yield fake
    fake.stop()


def run(fake, *args):
    return CliRunner().invoke(main, ["scan", "azure", "-q", "--arm-endpoint", fake.url, *args], catch_exceptions=False)


def statuses(path, sub: str, rule: str) -> set[str]:
    doc = json.loads(open(path).read())
    return {r["status"] for r in doc["results"] if r["rule_id"] == rule and r["account"] == sub}


def test_hardened_and_default_accounts(azure, tmp_path):
    azure.add_subscription(GOOD)
    azure.add_subscription(BAD)
    sc.populate(azure, GOOD, hardened=True)
    sc.populate(azure, BAD, hardened=False)
    r = run(azure, "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    assert r.exit_code == 1, r.output
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert inv["errors"] == []
    assert {t["subscription"] for t in inv["scan"]["targets"]} == {GOOD, BAD}
    out = tmp_path / "out.json"
    wrong = []
    for rule in ("AIP-AUTH-001", "AIP-AUTH-002", "AIP-AUTH-004", "AIP-AUTH-008", "AIP-NET-001", "AIP-NET-002", "AIP-NET-004",
                 "AIP-ENC-001", "AIP-LOG-001", "AIP-LOG-003", "AIP-LOG-008", "AIP-RL-002", "AIP-RL-003",
                 "AIP-GR-002", "AIP-GR-003", "AIP-GR-008", "AIP-GR-012", "AIP-DATA-006"):
        b, g = statuses(out, BAD, rule), statuses(out, GOOD, rule)
        if "fail" not in b or not g or not g <= {"pass"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert not wrong
    assert statuses(out, GOOD, "AIP-LOG-002") == {"pass"}  # RequestResponse category (bad: no logging at all, LOG-001)
    res = {x["id"]: x for x in inv["resources"]}
    default_dep = next(x for x in res.values() if x["name"] == "aoai-dev/chat")
    assert default_dep["attrs"]["content_filter"] == {"attached": True, "id": "Microsoft.DefaultV2", "is_default": True}
    lenient = next(x for x in res.values() if x["name"] == "aoai-dev/lenient")
    assert lenient["attrs"]["prompt_attack"]["input_action"] == "annotate" and lenient["attrs"]["mode"] == "async"
    assert lenient["attrs"]["attached"] is True
    strict = next(x for x in res.values() if x["name"] == "aoai-prod/strict")
    assert strict["attrs"]["harm_categories"]["hate"]["input_strength"] == "high"  # threshold Low = catches most


def test_paging_forbidden_subscription_and_throttling(azure, tmp_path):
    for s in (GOOD, BAD, DENIED):
        azure.add_subscription(s)
    for i in range(3):  # pages of 2
        sc.populate(azure, GOOD, hardened=True, name=f"aoai-{i}")
    other = sc.account(GOOD, "rg-ai", "language", hardened=False, kind="TextAnalytics")
    azure.add_account(other)
    sc.populate(azure, BAD, hardened=False)
    azure.forbidden.add(DENIED)
    azure.throttles["/deployments"] = 2  # 429 + Retry-After twice, then served
    run(azure, "--save-inventory", "inv.json", "-f", "json", "-o", "out.json")
    inv = json.loads((tmp_path / "inv.json").read_text())
    svc = [x for x in inv["resources"] if x["kind"] == "ai_service" and x["account"] == GOOD]
    assert sorted(x["name"] for x in svc) == ["aoai-0", "aoai-1", "aoai-2"]  # TextAnalytics is not an AI account here
    assert len([x for x in inv["resources"] if x["kind"] == "model_deployment"]) == 5
    assert [(e["scope"], e["code"]) for e in inv["errors"]] == [({"subscription": DENIED}, "AuthorizationFailed")]
    assert "kinds" in inv["errors"][0]
    assert len([c for c in azure.calls if c[1].endswith("/deployments")]) == 4 + 2


def test_read_only_no_key_access_and_role_covers_calls(azure, tmp_path):
    from aiposture.collect.azure_openai import AZURE_ACTIONS

    azure.add_subscription(GOOD)
    sc.populate(azure, GOOD, hardened=False)
    run(azure, "--subscription", GOOD, "-f", "json", "-o", "out.json")
    assert azure.calls and not azure.secret_calls()
    assert {m for m, _ in azure.calls} == {"GET"}
    needed = set()
    for _, path in azure.calls:
        tail = re.sub(r"^/subscriptions/[^/]+(/resourceGroups/[^/]+)?", "", path)
        if tail.startswith("/providers/Microsoft.CognitiveServices/accounts"):
            sub = re.findall(r"/accounts/[^/]+/(\w+)$", tail)
            needed.add("Microsoft.CognitiveServices/accounts" + (f"/{sub[0]}" if sub else "") + "/read")
        elif "diagnosticSettings" in tail:
            needed.add("Microsoft.Insights/diagnosticSettings/read")
        elif "roleAssignments" in tail:
            needed.add("Microsoft.Authorization/roleAssignments/read")
    assert needed <= set(AZURE_ACTIONS), needed - set(AZURE_ACTIONS)
    role = json.loads(CliRunner().invoke(main, ["permissions", "azure"]).output)
    assert role["Actions"] == AZURE_ACTIONS and not role["DataActions"]


def test_failure_modes_are_clear(azure, tmp_path, monkeypatch):
    azure.add_subscription(GOOD)
    sc.populate(azure, GOOD, hardened=True)
    azure.forbidden.add(GOOD)
    r = run(azure, "--subscription", GOOD, "--rule", "AIP-AUTH-001")
    assert r.exit_code == 3
    assert run(azure, "--subscription", GOOD, "--rule", "AIP-AUTH-001", "--tolerate-errors").exit_code == 0
    monkeypatch.setenv("PATH", "/nonexistent")
    r = CliRunner().invoke(main, ["scan", "azure", "--arm-endpoint", azure.url])
    assert r.exit_code == 2 and "no usable Azure credentials" in r.output and "Traceback" not in r.output
