"""Live Azure collector: DefaultAzureCredential and azure-mgmt-core's ARM pipeline against a local HTTPS ARM fake
(throw-away CA), reached through the user-facing --arm-endpoint switch. Each test serves the shapes ARM documents
(REST specification examples) and would fail without the behaviour it names."""

from __future__ import annotations

import base64
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


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


# A JWT-shaped token as the Azure CLI hands out: the claims name the scanning principal (the fake does not verify)
SCANNER_OID, SCANNER_TENANT = "5f1c9a57-0c0e-4b8e-9c39-2b1a7a1c2d11", "72f988bf-86f1-41af-91ab-2d7cd011db47"
SCANNER_TOKEN = ".".join([_b64({"alg": "RS256", "typ": "JWT"}),
                          _b64({"oid": SCANNER_OID, "tid": SCANNER_TENANT, "upn": "scanner@contoso.example", "idtyp": "user"}),
                          "c2lnbmF0dXJl"])


def _fake_az(bindir, *, ok: bool = True) -> None:
    """A stand-in 'az' printing a token (no network): DefaultAzureCredential -> AzureCliCredential."""
    bindir.mkdir(exist_ok=True)
    az = bindir / "az"
    body = (f"print(json.dumps({{'accessToken': {SCANNER_TOKEN!r}, 'expires_on': int(time.time()) + 3600, 'tokenType': 'Bearer'}}))"
            if ok else "import sys; print(\"ERROR: Please run 'az login' to setup account.\", file=sys.stderr); sys.exit(1)")
    az.write_text(f"#!{sys.executable}\nimport json, time\n{body}\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def azure(ca, tmp_path, monkeypatch):
    fake = AzureFake(ca).start()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    _fake_az(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    for k in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
              "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(tmp_path)
    yield fake
    fake.stop()


def run(fake, *args):
    return CliRunner().invoke(main, ["scan", "azure", "-q", "--arm-endpoint", fake.url, *args], catch_exceptions=False)


def scan(fake, tmp_path, *args):
    """Run a scan writing JSON results and the inventory; return (exit code, inventory, results)."""
    r = run(fake, "-f", "json", "-o", "out.json", "--save-inventory", "inv.json", *args)
    inv = json.loads((tmp_path / "inv.json").read_text())
    return r, inv, json.loads((tmp_path / "out.json").read_text())["results"]


def statuses(results, sub: str, rule: str, name: str | None = None) -> set[str]:
    return {r["status"] for r in results if r["rule_id"] == rule and r["account"] == sub
            and (name is None or r.get("resource_name", r.get("name")) == name)}


def by_name(inv, name):
    return next(x for x in inv["resources"] if x["name"] == name)


def result(results, rule: str, resource_id: str) -> str:
    return next(r["status"] for r in results if r["rule_id"] == rule and r["resource_id"] == resource_id)


def test_hardened_and_default_accounts(azure, tmp_path):
    azure.add_subscription(GOOD)
    azure.add_subscription(BAD)
    sc.populate(azure, GOOD, hardened=True)
    sc.populate(azure, BAD, hardened=False)
    r, inv, res = scan(azure, tmp_path)
    assert r.exit_code == 1, r.output
    assert inv["errors"] == []
    assert {t["subscription"] for t in inv["scan"]["targets"]} == {GOOD, BAD}
    # who scanned, from the token's claims; the token itself is never kept
    assert inv["scan"]["identity"] == [{"provider": "azure", "principal": SCANNER_OID, "type": "user",
                                        "account": SCANNER_TENANT, "name": "scanner@contoso.example"}]
    assert SCANNER_TOKEN.split(".")[1] not in (tmp_path / "inv.json").read_text()
    wrong = []
    for rule in ("AIP-AUTH-001", "AIP-AUTH-002", "AIP-AUTH-004", "AIP-AUTH-008", "AIP-NET-001", "AIP-NET-002", "AIP-NET-004",
                 "AIP-ENC-001", "AIP-LOG-001", "AIP-LOG-003", "AIP-LOG-008", "AIP-RL-002", "AIP-RL-003",
                 "AIP-GR-002", "AIP-GR-003", "AIP-GR-008", "AIP-GR-012", "AIP-DATA-006"):
        b, g = statuses(res, BAD, rule), statuses(res, GOOD, rule)
        if "fail" not in b or not g or not g <= {"pass"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert not wrong
    # Azure Monitor never receives prompt/completion text: RequestResponse logging is not 'text delivered'
    good_acct = by_name(inv, "aoai-prod")
    assert good_acct["attrs"]["invocation_logging"]["text_delivery"] is False
    assert statuses(res, GOOD, "AIP-LOG-002") == {"fail"}
    default_dep = by_name(inv, "aoai-dev/chat")
    assert default_dep["attrs"]["content_filter"]["is_default"] is True
    assert default_dep["attrs"]["content_filter"]["id"].endswith("/raiPolicies/Microsoft.DefaultV2")
    lenient = by_name(inv, "aoai-dev/lenient")
    assert lenient["attrs"]["prompt_attack"]["input_action"] == "annotate" and lenient["attrs"]["mode"] == "async"
    assert lenient["attrs"]["attached"] is True
    strict = by_name(inv, "aoai-prod/strict")
    assert strict["attrs"]["harm_categories"]["hate"]["input_strength"] == "high"  # threshold Low = catches most
    # the subscription-wide Reader assignment cannot touch keys or models: not an AI grant
    assert not [x for x in inv["resources"] if x["kind"] == "identity_binding" and "Reader" in x["name"]]


def test_system_managed_policies_are_judged_through_their_deployments(azure, tmp_path):
    """Microsoft.Default / Microsoft.DefaultV2 (type SystemManaged) come back in every raiPolicies list. Unused,
    they are nothing of the customer's (no orphan, no weak-filter fails on a hardened account); used by a
    deployment, they are that deployment's filter and judged as such."""
    azure.add_subscription(GOOD)
    azure.add_subscription(BAD)
    sc.populate(azure, GOOD, hardened=True)
    sc.populate(azure, BAD, hardened=False)
    _, inv, res = scan(azure, tmp_path)
    names = {x["name"] for x in inv["resources"] if x["kind"] == "content_filter"}
    assert names == {"aoai-prod/strict", "aoai-dev/lenient", "aoai-dev/Microsoft.DefaultV2"}
    used_default = by_name(inv, "aoai-dev/Microsoft.DefaultV2")
    assert used_default["attrs"]["attached"] is True
    assert result(res, "AIP-GR-003", used_default["id"]) == "fail"  # the default does not block indirect attacks
    assert result(res, "AIP-GR-001", used_default["id"]) == "pass"
    assert statuses(res, GOOD, "AIP-GR-010") == {"pass"}


def test_rai_mode_deferred_is_asynchronous_and_unknown_values_are_unknown(azure, tmp_path):
    """RaiPolicyMode: Default=0, Deferred=1, Blocking=2, Asynchronous_filter=3; 'Deferred' is the name before
    2025-06-01 of asynchronous filtering. A mode or filter source this version does not know is unknown."""
    azure.add_subscription(GOOD)
    acct = sc.populate(azure, GOOD, hardened=True)
    deferred = sc.rai_policy(acct, "legacy", threshold="Low", mode="Deferred")
    future = sc.rai_policy(acct, "future", threshold="Low")
    future["properties"]["mode"] = "Streaming_hold"
    odd_source = sc.rai_policy(acct, "odd-source", threshold="Low")
    odd_source["properties"]["contentFilters"][0]["source"] = "Tool"
    entry = azure.accounts[acct.lower()]
    entry["raipolicies"] += [deferred, future, odd_source]
    entry["deployments"] += [sc.deployment(acct, n, capacity=10, rai=n) for n in ("legacy", "future", "odd-source")]
    _, inv, res = scan(azure, tmp_path)
    legacy = by_name(inv, "aoai-prod/legacy")
    assert legacy["attrs"]["mode"] == "async"
    assert result(res, "AIP-GR-008", legacy["id"]) == "fail"
    fut = by_name(inv, "aoai-prod/future")
    assert fut["attrs"]["mode"] is None and result(res, "AIP-GR-008", fut["id"]) == "error"
    odd = by_name(inv, "aoai-prod/odd-source")
    assert odd["attrs"]["harm_categories"] is None
    assert result(res, "AIP-GR-004", odd["id"]) == "error"


def test_subscription_states(azure, tmp_path):
    """SubscriptionState: Enabled, Warned, PastDue (billing trouble, workloads still run: scanned), Disabled and
    Deleted (nothing runs: a note)."""
    subs = {state: f"{i}0000000-0000-0000-0000-000000000000" for i, state in
            enumerate(("Enabled", "Warned", "PastDue", "Disabled", "Deleted"), start=1)}
    for state, sub in subs.items():
        azure.add_subscription(sub, state=state)
        sc.populate(azure, sub, hardened=True)
    r, inv, _ = scan(azure, tmp_path)
    assert {t["subscription"] for t in inv["scan"]["targets"]} == {subs["Enabled"], subs["Warned"], subs["PastDue"]}
    note = " ".join(inv["scan"]["notes"])
    assert f"{subs['Disabled']} (Disabled)" in note and f"{subs['Deleted']} (Deleted)" in note
    assert inv["errors"] == []


def test_custom_role_definitions_are_judged_by_their_actions(azure, tmp_path):
    """Role assignments whose role is custom are read through GET {roleDefinitionId} (api-version 2022-04-01) and
    judged by permissions[].actions/notActions/dataActions/notDataActions with Azure's '*' wildcards."""
    azure.add_subscription(GOOD)
    acct = sc.populate(azure, GOOD, hardened=True)
    roles = {
        "key-reader": (["Microsoft.CognitiveServices/accounts/read", "Microsoft.CognitiveServices/accounts/listKeys/action"], [], [], []),
        "cs-operator": (["Microsoft.CognitiveServices/*"], ["Microsoft.CognitiveServices/accounts/listKeys/action"], [], []),
        "model-runner": (["Microsoft.CognitiveServices/*/read"], [], ["Microsoft.CognitiveServices/accounts/OpenAI/*"], []),
        "chat-only": (["Microsoft.CognitiveServices/*/read"], [],
                      ["Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"], []),
        "storage-admin": (["Microsoft.Storage/*"], [], ["Microsoft.Storage/*"], []),
    }
    guids = {}
    for i, (name, (a, na, d, nd)) in enumerate(roles.items()):
        guids[name] = f"{i:08d}-aaaa-bbbb-cccc-000000000000"
        azure.add_role_definition(sc.role_definition_body(guids[name], name, a, na, d, nd, custom=True, sub=GOOD))
    entry = azure.accounts[acct.lower()]
    entry["providers/microsoft.authorization/roleassignments"] = [
        sc.role_assignment(acct, GOOD, guid, f"p-{name}", "ServicePrincipal") for name, guid in guids.items()] + [
        sc.role_assignment(acct, GOOD, "99999999-9999-9999-9999-999999999999", "p-vanished")]
    _, inv, res = scan(azure, tmp_path)
    binds = {x["attrs"]["principal"]["id"]: x for x in inv["resources"] if x["kind"] == "identity_binding"}
    assert "p-storage-admin" not in binds  # touches no AI service
    assert binds["p-key-reader"]["attrs"]["can_read_keys"] is True and binds["p-key-reader"]["attrs"]["actions_wildcard"] is True
    assert binds["p-cs-operator"]["attrs"]["can_read_keys"] is False  # notActions takes listKeys away
    assert binds["p-model-runner"]["attrs"]["actions_wildcard"] is True and binds["p-model-runner"]["attrs"]["can_read_keys"] is False
    assert binds["p-chat-only"]["attrs"]["actions_wildcard"] is False and binds["p-chat-only"]["attrs"]["role_or_policy"] == "chat-only"
    assert result(res, "AIP-AUTH-008", binds["p-key-reader"]["id"]) == "fail"
    assert result(res, "AIP-AUTH-008", binds["p-cs-operator"]["id"]) == "pass"
    # a role definition that cannot be read: the grant is listed, what it allows is unknown
    assert binds["p-vanished"]["attrs"]["can_read_keys"] is None
    assert result(res, "AIP-AUTH-008", binds["p-vanished"]["id"]) == "error"
    assert [e["code"] for e in inv["errors"]] == ["RoleDefinitionDoesNotExist"] and inv["errors"][0]["partial"]
    # each definition is read once per scan, however many assignments use it
    defs = [p for _, p in azure.calls if "/roleDefinitions/" in p]
    assert len(defs) == len(set(defs))


def test_diagnostic_categories_that_log_requests(azure, tmp_path):
    """Only categories that record requests (RequestResponse, AzureOpenAIRequestUsage, or the allLogs group) are
    invocation logging; 'Audit' alone is audit logging only."""
    azure.add_subscription(GOOD)
    accts = {}
    for name, diag in (("audit-only", ("Audit",)), ("all-logs", ()), ("audit-group", ())):
        accts[name] = acct = sc.populate(azure, GOOD, hardened=True, name=name)
        groups = {"all-logs": ("allLogs",), "audit-group": ("audit",)}.get(name, ())
        azure.accounts[acct.lower()]["providers/microsoft.insights/diagnosticsettings"] = [sc.diagnostic(acct, *diag, groups=groups)]
    _, inv, res = scan(azure, tmp_path)
    for name, (log1, log3) in {"audit-only": ("fail", "pass"), "all-logs": ("pass", "pass"),
                               "audit-group": ("fail", "pass")}.items():
        assert (result(res, "AIP-LOG-001", accts[name]), result(res, "AIP-LOG-003", accts[name])) == (log1, log3), name
    assert result(res, "AIP-LOG-002", accts["all-logs"]) == "fail"  # logged, but without prompt/completion text


def test_null_properties_are_unknown_not_defaults(azure, tmp_path):
    """'properties': null on an account, a Defender setting or a role assignment: what it would have said is
    unknown (error), never the defaults (keys on, public, Defender off), and nothing crashes."""
    azure.add_subscription(GOOD)
    acct = sc.populate(azure, GOOD, hardened=True)
    entry = azure.accounts[acct.lower()]
    entry["body"]["properties"] = None
    entry["defenderforaisettings"][0]["properties"] = None
    nulled = sc.role_assignment(acct, GOOD, sc.OWNER, "p-null")
    nulled["properties"] = None
    entry["providers/microsoft.authorization/roleassignments"].append(nulled)
    r, inv, res = scan(azure, tmp_path, "--skip-rule", "AIP-LOG-002")
    assert r.exit_code == 3, r.output
    svc = by_name(inv, "aoai-prod")
    assert svc["attrs"]["local_auth_enabled"] is None and svc["attrs"]["public_network_access"] is None
    assert svc["attrs"]["threat_protection"] is None
    for rule in ("AIP-AUTH-001", "AIP-NET-001", "AIP-ENC-001", "AIP-LOG-008"):
        assert result(res, rule, acct) == "error", rule
    nb = next(x for x in inv["resources"] if x["kind"] == "identity_binding" and x["id"].endswith("p-null-8e3af657"))
    assert nb["attrs"]["can_read_keys"] is None and result(res, "AIP-AUTH-008", nb["id"]) == "error"
    # the rest of the account was still read
    assert by_name(inv, "aoai-prod/chat")["attrs"]["content_filter"]["is_default"] is False


def test_accounts_of_other_kinds_are_listed_as_skipped(azure, tmp_path):
    azure.add_subscription(GOOD)
    sc.populate(azure, GOOD, hardened=True)
    for name, kind in (("cs-multi", "CognitiveServices"), ("safety", "ContentSafety"), ("safety2", "ContentSafety")):
        azure.add_account(sc.account(GOOD, "rg-ai", name, hardened=True, kind=kind))
    _, inv, _ = scan(azure, tmp_path)
    note = next(n for n in inv["scan"]["notes"] if "other kinds" in n)
    assert "3 Cognitive Services account(s)" in note and "CognitiveServices x1" in note and "ContentSafety x2" in note
    assert {x["name"] for x in inv["resources"] if x["kind"] == "ai_service"} == {"aoai-prod"}


def test_paging_forbidden_subscription_and_throttling(azure, tmp_path):
    for s in (GOOD, BAD, DENIED):
        azure.add_subscription(s)
    for i in range(3):  # pages of 2
        sc.populate(azure, GOOD, hardened=True, name=f"aoai-{i}")
    sc.populate(azure, BAD, hardened=False)
    azure.forbidden.add(DENIED)
    azure.throttles["/deployments"] = 2  # 429 + Retry-After twice, then served
    _, inv, _ = scan(azure, tmp_path)
    svc = [x for x in inv["resources"] if x["kind"] == "ai_service" and x["account"] == GOOD]
    assert sorted(x["name"] for x in svc) == ["aoai-0", "aoai-1", "aoai-2"]
    assert len([x for x in inv["resources"] if x["kind"] == "model_deployment"]) == 5
    assert [(e["scope"], e["code"]) for e in inv["errors"]] == [({"subscription": DENIED}, "AuthorizationFailed")]
    assert "kinds" in inv["errors"][0]
    assert len([c for c in azure.calls if c[1].endswith("/deployments")]) == 4 + 2


def test_next_link_to_another_host_is_not_followed(azure, ca, tmp_path):
    """Issue 10: a nextLink (or redirect) naming another host must not receive the bearer token; the collection
    is reported incomplete instead."""
    evil = AzureFake(ca).start()
    try:
        azure.add_subscription(GOOD)
        for i in range(3):
            sc.populate(azure, GOOD, hardened=True, name=f"aoai-{i}")
        azure.next_link_base = evil.url
        r, inv, res = scan(azure, tmp_path, "--skip-rule", "AIP-LOG-002")
        assert evil.authorized == 0 and evil.calls == []
        errs = [e for e in inv["errors"] if e["code"] == "UntrustedNextLink"]
        assert errs and evil.url.split("//")[1] in errs[0]["message"]
        assert r.exit_code == 3
        # the third account was on the page that was not fetched: its kinds are errors, nothing passes for it
        assert "aoai-2" not in {x["name"] for x in inv["resources"]}
        assert {x["status"] for x in res if x["account"] == GOOD and x["resource_id"] == f"azure:{GOOD}"} == {"error"}
    finally:
        evil.stop()


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
        elif "roleDefinitions" in tail:
            needed.add("Microsoft.Authorization/roleDefinitions/read")
        else:
            needed.add(f"unexpected call {path}")
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


@pytest.mark.parametrize("args", [[], ["--subscription", GOOD]])
def test_no_login_is_one_line_and_exit_2(azure, tmp_path, args):
    """Issue 13: without a login, 'scan azure' (and with --subscription) is a usage error: exit 2, one line, no
    azure-identity log dump, no table of error rows; the hint names what to do, not what is already done.
    Run as a real process: only there does Python print unhandled log records (the dump) to stderr."""
    import subprocess

    azure.add_subscription(GOOD)
    sc.populate(azure, GOOD, hardened=True)
    _fake_az(tmp_path / "bin", ok=False)  # an Azure CLI that is installed but not logged in
    p = subprocess.run([sys.executable, "-m", "aiposture", "scan", "azure", "--arm-endpoint", azure.url, *args],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ))
    lines = (p.stdout + p.stderr).strip().splitlines()
    assert p.returncode == 2, p.stdout + p.stderr
    assert len(lines) == 1 and lines[0].startswith("error: no usable Azure credentials"), lines
    assert "run 'az login'" in lines[0] and "install the Azure CLI" not in lines[0]
    assert azure.calls == []  # nothing was scanned without a token


def test_credential_hints_name_only_what_is_missing():
    from aiposture.collect.azure_openai import credential_error

    chain = Exception("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                      "Attempted credentials:\n\tEnvironmentCredential: Authentication failed: AADSTS7000215: Invalid client "
                      "secret provided. Ensure the secret being sent is correct.\n"
                      "\tAzureCliCredential: Azure CLI not found on path\n")
    sp = {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s", "PATH": "/nonexistent"}
    msg = credential_error(chain, sp)
    assert "was refused: Authentication failed: AADSTS7000215: Invalid client secret provided" in msg
    assert "set AZURE_TENANT_ID" not in msg and "complete the service principal" not in msg
    assert "install the Azure CLI" in msg and "\n" not in msg
    partial = credential_error(chain, {"AZURE_CLIENT_ID": "c", "PATH": "/nonexistent"})
    assert "missing AZURE_TENANT_ID, AZURE_CLIENT_SECRET" in partial
    narrowed = credential_error(chain, {"AZURE_TOKEN_CREDENTIALS": "AzureCliCredential", "PATH": "/nonexistent"})
    assert "AZURE_TOKEN_CREDENTIALS=AzureCliCredential" in narrowed and "AZURE_CLIENT_ID" not in narrowed


