"""Live AWS collector: the real boto3 code against moto's server (+ the gap fake), through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aiposture.cli import main
from tests import aws_scenario as sc
from tests.aws_fixtures import aws, moto_port, point_at, reset, results, run, statuses  # noqa: F401
from tests.fakes.aws import DEFAULT_ACCOUNT, AwsFake

# declared calls this scenario does not make (nothing to read, or read through another path)
NOT_IN_THIS_SCENARIO = {("ec2", "DescribeRegions")}  # enabled regions: asked only without --regions
SECRET_OPS = {"CreateServiceSpecificCredential", "ResetServiceSpecificCredential", "CreateAccessKey",
              "GetSecretValue", "CreateLoginProfile", "GetSessionToken"}


@pytest.fixture
def org(aws):
    good, bad = sc.make_org(["good", "bad"])
    sc.hardened(sc.clients(sc.assume(good)), good)
    sc.careless(sc.clients(sc.assume(bad)), bad)
    aws.backdate_api_keys(bad, 200)
    return {"good": good, "bad": bad}


def test_org_scan_good_and_bad_accounts(aws, org, tmp_path):
    r = run("--org", "--role-name", "OrganizationAccountAccessRole", "--regions", "us-east-1,ap-east-1",
            "-f", "json", "-o", "out.json", "-f", "sarif", "-o", "out.sarif", "--save-inventory", "inv.json")
    assert r.exit_code == 1, r.output  # failing findings in the careless account
    inv = json.loads((tmp_path / "inv.json").read_text())
    scanned = {t["account"] for t in inv["scan"]["targets"]}
    assert {org["good"], org["bad"], DEFAULT_ACCOUNT} <= scanned
    assert inv["errors"] == []
    assert any("ap-east-1" in n and "not offered" in n for n in inv["scan"]["notes"])  # skipped, not an error
    assert not any(res["region"] == "ap-east-1" for res in inv["resources"])
    # who scanned, for the evidence pack: the caller, and the role assumed in each member account
    who = inv["scan"]["identity"]
    assert who[0]["principal"].startswith("arn:aws:") and who[0]["account"] == DEFAULT_ACCOUNT, who
    assumed = {w["scope"] for w in who if w.get("type") == "role"}
    assert {good_acct for good_acct in (org["good"], org["bad"])} <= assumed, who
    assert all(w["principal"].endswith(":role/OrganizationAccountAccessRole") for w in who if w.get("type") == "role")

    out = tmp_path / "out.json"
    good, bad = org["good"], org["bad"]
    expect_fail_bad_pass_good = [
        "AIP-GR-002",   # prompt-attack filter present but action NONE (configured, ineffective)
        "AIP-GR-005",   # harm filters at LOW
        "AIP-GR-006",   # no PII handling
        "AIP-GR-013",   # no enforced guardrail
        "AIP-LOG-001", "AIP-LOG-003", "AIP-NET-002",
        "AIP-AGT-001", "AIP-AGT-003", "AIP-AGT-004", "AIP-AGT-005", "AIP-AGT-006", "AIP-AGT-007", "AIP-ENC-005",
        "AIP-AUTH-004", "AIP-AUTH-005", "AIP-AUTH-006", "AIP-AUTH-007",
        "AIP-DATA-001", "AIP-DATA-002", "AIP-DATA-003", "AIP-DATA-005",
        "AIP-NET-006", "AIP-ENC-006",
        # not AIP-ENC-002/003: moto gives every custom model and job a KMS key (see CLOUD-API-NOTES.md)
    ]
    wrong = []
    for rule in expect_fail_bad_pass_good:
        b, g = statuses(out, bad, rule), statuses(out, good, rule)
        if "fail" not in b or not g or not g <= {"pass", "not_applicable", "skip"}:
            wrong.append((rule, sorted(b), sorted(g)))
    assert not wrong
    # SARIF for code scanning: valid, one category for the AWS scan, findings on inventory lines
    from pathlib import Path

    from jsonschema import Draft4Validator

    sarif = json.loads((tmp_path / "out.sarif").read_text())
    oasis = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    assert list(Draft4Validator(oasis).iter_errors(sarif)) == []
    run0 = sarif["runs"][0]
    assert run0["automationDetails"]["id"] == "aiposture/aws/"
    job = next(x for x in inv["resources"] if x["kind"] == "training_job" and x["account"] == good)
    assert job["attrs"]["validation_data"] == {"uri": "s3://good-training/validation.jsonl", "versioning": True,
                                               "object_lock": True, "public_access_blocked": True}
    locs = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run0["results"]}
    assert locs == {"inv.json"} and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in run0["results"])
    # pinned guardrail version on the agent, filters that block, a narrow VPC endpoint policy, finite capacity
    for rule in ("AIP-GR-001", "AIP-AGT-002", "AIP-NET-003", "AIP-RL-001", "AIP-LOG-002", "AIP-ENC-002", "AIP-ENC-004"):
        assert statuses(out, good, rule) == {"pass"}, rule


def test_paging_access_denied_and_retry(aws, tmp_path):
    good, bad = sc.make_org(["a", "b"])
    c = sc.clients(sc.assume(good))
    for i in range(5):  # the fake pages at 2 items
        c["bedrock"].create_guardrail(name=f"g{i}", blockedInputMessaging="x", blockedOutputsMessaging="x")
    c["iam"].create_user(UserName="u")
    for _ in range(3):
        c["iam"].create_service_specific_credential(UserName="u", ServiceName="bedrock.amazonaws.com")
    sc.clients(sc.assume(bad))["bedrock"].create_guardrail(name="hidden", blockedInputMessaging="x", blockedOutputsMessaging="x")
    aws.deny(bad, "ListGuardrails", "ListAgents")
    aws.throttle("ListEnforcedGuardrailsConfiguration", 2)  # succeeds on the third attempt

    r = run("--org", "--role-name", "OrganizationAccountAccessRole", "--accounts", f"{good},{bad}", "--regions", "us-east-1",
            "-f", "json", "-o", "out.json", "--save-inventory", "inv.json", "--rule", "AIP-GR-001", "--rule", "AIP-AGT-001",
            "--rule", "AIP-AUTH-006")
    inv = json.loads((tmp_path / "inv.json").read_text())
    filters = [x for x in inv["resources"] if x["kind"] == "content_filter" and x["account"] == good]
    assert len(filters) == 5
    keys = [x for x in inv["resources"] if x["account"] == good and x["native_type"] == "AWS::IAM::ServiceSpecificCredential"]
    assert len(keys) == 3
    assert not [x for x in inv["resources"] if x["kind"] == "content_filter" and x["account"] == bad]
    errs = {(e["scope"].get("account"), e["code"], tuple(e.get("kinds", []))) for e in inv["errors"]}
    assert (bad, "AccessDeniedException", ("content_filter",)) in errs
    assert (bad, "AccessDeniedException", ("agent",)) in errs
    assert not [e for e in inv["errors"] if e["scope"].get("account") == good]
    # throttled twice, then served: no error, enforced guardrail known
    svc = next(x for x in inv["resources"] if x["kind"] == "ai_service" and x["account"] == good)
    assert svc["attrs"]["enforced_guardrail"] == {"enabled": False, "blocking": None, "id": None}
    tries = [op for _, _, op in aws.calls if op == "ListEnforcedGuardrailsConfiguration"]
    assert len(tries) >= 4  # 2 throttled + one success per account (good, bad) at least

    res = json.loads((tmp_path / "out.json").read_text())["results"]
    bad_errors = [x for x in res if x["status"] == "error" and x["account"] == bad]
    assert {x["rule_id"] for x in bad_errors} == {"AIP-GR-001", "AIP-AGT-001"}
    assert not [x for x in res if x["status"] == "pass" and x["account"] == bad
                and x["rule_id"] in ("AIP-GR-001", "AIP-AGT-001")]
    assert r.exit_code in (1, 3)


def test_incomplete_scan_exit_code_and_tolerate(aws, tmp_path):
    aws.deny(DEFAULT_ACCOUNT, "ListGuardrails")
    r = run("--regions", "us-east-1", "--rule", "AIP-GR-001")
    assert r.exit_code == 3
    r = run("--regions", "us-east-1", "--rule", "AIP-GR-001", "--tolerate-errors")
    assert r.exit_code == 0


def test_throttling_past_retries_is_recorded(aws, tmp_path):
    aws.throttle("ListGuardrails", 100)
    run("--regions", "us-east-1", "--max-attempts", "2", "--save-inventory", "inv.json", "--rule", "AIP-GR-001")
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert [e["code"] for e in inv["errors"]] == ["ThrottlingException"]
    assert inv["errors"][0]["kinds"] == ["content_filter"]


def test_read_only_and_covered_by_the_shipped_policy(aws, org, tmp_path):
    from aiposture.collect.aws_bedrock import IAM_ACTIONS, iam_action

    run("--org", "--role-name", "OrganizationAccountAccessRole", "--regions", "us-east-1", "-f", "json", "-o", "out.json")
    ops = aws.collector_ops()
    assert len(ops) > 20
    assert not {op for _, op in ops} & SECRET_OPS
    uncovered = {iam_action(svc, op) for svc, op in ops} - set(IAM_ACTIONS) - {"sts:GetCallerIdentity"}
    assert not uncovered
    # every call is one a resource-type spec (or the scope discovery) declares, and every declared call is made
    from aiposture import specs

    declared = {(c.service, c.operation) for c in specs.calls("aws")}
    assert set(ops) - {("sts", "GetCallerIdentity")} <= declared, set(ops) - declared
    assert declared - set(ops) <= NOT_IN_THIS_SCENARIO, declared - set(ops)
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe", "AssumeRole")) for a in IAM_ACTIONS)
    out = CliRunner().invoke(main, ["permissions", "aws"]).output
    assert json.loads(out)["Statement"][0]["Action"] == IAM_ACTIONS


def test_saved_inventory_reevaluates_offline(aws, org, tmp_path):
    run("--org", "--role-name", "OrganizationAccountAccessRole", "--regions", "us-east-1", "-f", "json", "-o", "live.json",
        "--save-inventory", "inv.json")
    r = CliRunner().invoke(main, ["scan", "-q", "--inventory", "inv.json", "-f", "json", "-o", "offline.json"])
    assert r.exit_code == 1
    live, off = results(tmp_path / "live.json"), results(tmp_path / "offline.json")
    assert live == off and len(live) > 50


def test_user_mistakes_are_clear(aws, monkeypatch, tmp_path):
    r = CliRunner().invoke(main, ["scan", "aws", "--profile", "nope"])
    assert r.exit_code == 2 and "profile 'nope' not found" in r.output
    r = CliRunner().invoke(main, ["scan", "aws", "--org"])
    assert r.exit_code == 2 and "--role-name" in r.output
    r = CliRunner().invoke(main, ["scan", "aws", "--accounts", "999999999999"])
    assert r.exit_code == 2 and "--role-name" in r.output
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    r = CliRunner().invoke(main, ["scan", "aws"])
    assert r.exit_code == 2 and "no AWS credentials" in r.output
    assert "Traceback" not in r.output


def test_one_denied_setting_errors_only_the_rules_that_need_it(aws, tmp_path):
    aws.deny(DEFAULT_ACCOUNT, "DescribeVpcEndpoints")
    r = run("--regions", "us-east-1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json",
            "--rule", "AIP-NET-002", "--rule", "AIP-LOG-001")
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert [(e["code"], e.get("partial")) for e in inv["errors"]] == [("AccessDenied", True)]
    svc = next(x for x in inv["resources"] if x["kind"] == "ai_service")
    assert svc["attrs"]["private_endpoints"] is None
    res = {(x["rule_id"], x["status"]) for x in json.loads((tmp_path / "out.json").read_text())["results"]}
    assert res == {("AIP-NET-002", "error"), ("AIP-LOG-001", "fail")}
    assert r.exit_code == 1


def test_unreadable_trail_status_is_unknown_not_false(aws, tmp_path):
    c = sc.clients(None)
    c["s3"].create_bucket(Bucket="org-trail")
    c["cloudtrail"].create_trail(Name="org", S3BucketName="org-trail", IsMultiRegionTrail=True)
    c["cloudtrail"].start_logging(Name="org")
    aws.deny(DEFAULT_ACCOUNT, "GetTrailStatus")  # e.g. an organization trail seen from a member account
    run("--regions", "us-east-1", "--save-inventory", "inv.json", "--rule", "AIP-LOG-003", "-f", "json", "-o", "out.json")
    inv = json.loads((tmp_path / "inv.json").read_text())
    svc = next(x for x in inv["resources"] if x["kind"] == "ai_service")
    assert svc["attrs"]["audit_logging"] == {"enabled": None}
    assert [e["code"] for e in inv["errors"]] == ["TrailStatusUnreadable"]
    res = json.loads((tmp_path / "out.json").read_text())["results"]
    assert [(x["rule_id"], x["status"]) for x in res] == [("AIP-LOG-003", "error")]


def test_agent_alias_serves_an_older_version_than_the_draft(aws, tmp_path):
    """A guardrail added to the DRAFT is not live until a new version is published: the alias still fails."""
    c = sc.clients(None)
    c["iam"].create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    role = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/r"
    g = c["bedrock"].create_guardrail(name="g", blockedInputMessaging="x", blockedOutputsMessaging="x")
    a = c["bedrock-agent"].create_agent(agentName="helpdesk", agentResourceRoleArn=role, foundationModel="m")["agent"]
    c["bedrock-agent"].create_agent_alias(agentId=a["agentId"], agentAliasName="prod")  # v1: no guardrail
    c["bedrock-agent"].update_agent(agentId=a["agentId"], agentName="helpdesk", agentResourceRoleArn=role, foundationModel="m",
                                    guardrailConfiguration={"guardrailIdentifier": g["guardrailId"], "guardrailVersion": "DRAFT"})
    run("--regions", "us-east-1", "--rule", "AIP-AGT-001", "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    res = {(x["resource_name"], x["status"]) for x in json.loads((tmp_path / "out.json").read_text())["results"]}
    assert res == {("helpdesk (DRAFT)", "pass"), ("helpdesk (alias prod -> v1)", "fail")}
    inv = json.loads((tmp_path / "inv.json").read_text())
    alias = next(x for x in inv["resources"] if x["native_type"] == "AWS::Bedrock::AgentAlias")
    assert alias["id"].endswith(f":agent-alias/{a['agentId']}/" + alias["id"].rsplit("/", 1)[-1])


def test_plain_moto_not_implemented_is_an_error_without_retries(moto_port, monkeypatch, tmp_path):
    """Against an emulator without the newer Bedrock APIs, each missing operation is one recorded error, not ten retries."""
    reset(moto_port)
    fake = AwsFake(moto_port, passthrough=True).start()
    try:
        point_at(monkeypatch, tmp_path, fake.url)
        r = run("--regions", "us-east-1", "--save-inventory", "inv.json", "--rule", "AIP-GR-001")
        assert r.exit_code == 3
        inv = json.loads((tmp_path / "inv.json").read_text())
        codes = {e["message"].split(":")[0]: e["code"] for e in inv["errors"]}
        assert codes["guardrails"] == "EndpointError"  # moto answers a werkzeug HTML 500 page
        assert [op for _, _, op in fake.calls].count("ListGuardrails") == 1
        assert any(x["kind"] == "ai_service" for x in inv["resources"])  # what moto has is still collected
    finally:
        fake.stop()


def test_progress_in_ci_logs_is_a_few_lines():
    import io

    from aiposture.collect.base import Progress

    out = io.StringIO()
    p = Progress(40, "scanning AWS", stream=out)
    for i in range(40):
        p.advance(f"t{i}")
    p.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "scanning AWS: 4/40 done" and len(lines) == 9
    quiet = io.StringIO()
    q = Progress(40, "x", quiet=True, stream=quiet)
    for _ in range(40):
        q.advance("t")
    assert quiet.getvalue() == ""
