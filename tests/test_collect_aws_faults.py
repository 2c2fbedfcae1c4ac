"""Live AWS scan under faults: each test serves an answer AWS documents (an error document, a throttle,
a connection that closes, a body that is not JSON, a value of the wrong type) through the moto-backed
fake and checks that what could not be read becomes `error`, never `pass`, and never a crash."""

from __future__ import annotations

import json

from tests import aws_scenario as sc
from tests.aws_fixtures import aws, moto_port, results, run  # noqa: F401
from tests.fakes.aws import DEFAULT_ACCOUNT

ROLE = "OrganizationAccountAccessRole"


def inventory(tmp_path) -> dict:
    return json.loads((tmp_path / "inv.json").read_text())


def by_rule(tmp_path, name: str = "out.json") -> dict[tuple[str, str], str]:
    """(rule id, resource name) -> status."""
    doc = json.loads((tmp_path / name).read_text())
    return {(r["rule_id"], r["resource_name"]): r["status"] for r in doc["results"]}


def agent_with_action_groups(c: dict) -> str:
    """An agent with a function action group (no confirmation) and the code interpreter, as the API creates them."""
    c["iam"].create_role(RoleName="agent-role", AssumeRolePolicyDocument="{}")
    role = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/agent-role"
    a = c["bedrock-agent"].create_agent(agentName="helpdesk", agentResourceRoleArn=role, foundationModel="m",
                                        idleSessionTTLInSeconds=600)["agent"]
    c["bedrock-agent"].create_agent_action_group(agentId=a["agentId"], agentVersion="DRAFT", actionGroupName="refunds",
                                                 actionGroupExecutor={"lambda": "arn:aws:lambda:us-east-1:1:function:f"},
                                                 functionSchema={"functions": [{"name": "refund"}]})
    return a["agentId"]


def test_a_failing_action_groups_call_keeps_the_agent(aws, tmp_path):
    """ListAgentActionGroups answering 500 (InternalServerException, as documented) used to drop every agent
    of the region; the agent stays, only what the action groups feed is unknown."""
    agent_with_action_groups(sc.clients(None))
    aws.fail("ListAgentActionGroups", 500, "InternalServerException")
    r = run("--regions", "us-east-1", "--max-attempts", "1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json",
            "--rule", "AIP-AGT-005", "--rule", "AIP-AGT-006", "--rule", "AIP-AGT-001")
    inv = inventory(tmp_path)
    agent = next(x for x in inv["resources"] if x["kind"] == "agent")
    assert agent["attrs"]["action_groups"] is None
    assert agent["attrs"]["idle_session_ttl_seconds"] == 600  # what GetAgent said is kept
    assert [(e["code"], e.get("partial"), e["kinds"]) for e in inv["errors"]] == [("InternalServerException", True, ["agent"])]
    res = by_rule(tmp_path)
    assert res[("AIP-AGT-005", "helpdesk (DRAFT)")] == "error"  # needs the action groups
    assert res[("AIP-AGT-006", "helpdesk (DRAFT)")] == "pass"   # does not
    assert res[("AIP-AGT-001", "helpdesk (DRAFT)")] == "fail"   # no guardrail: still found
    assert r.exit_code == 1


def test_an_unreadable_agent_stays_with_every_attribute_unknown(aws, tmp_path):
    agent_with_action_groups(sc.clients(None))
    aws.fail("GetAgent", 500, "InternalServerException")
    run("--regions", "us-east-1", "--max-attempts", "1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json")
    inv = inventory(tmp_path)
    agent = next(x for x in inv["resources"] if x["kind"] == "agent")
    assert agent["name"] == "helpdesk (DRAFT)" and set(agent["attrs"].values()) == {None}
    statuses = {s for (rule, name), s in by_rule(tmp_path).items() if name == "helpdesk (DRAFT)"}
    assert statuses == {"error"}


def test_max_attempts_means_attempts(aws, tmp_path):
    aws.throttle("ListGuardrails", 100)  # 429 ThrottlingException every time
    for n in (1, 3):
        aws.calls.clear()
        run("--regions", "us-east-1", "--max-attempts", str(n), "--save-inventory", "inv.json", "--rule", "AIP-GR-001")
        assert [op for _, _, op in aws.calls].count("ListGuardrails") == n
        assert [e["code"] for e in inventory(tmp_path)["errors"]] == ["ThrottlingException"]


def test_a_region_that_closes_connections_is_reported_once_and_skipped(aws, tmp_path):
    """87 attempts and 168 s before: now one retry, one error for the region, nothing more sent to it."""
    accounts = sc.make_org(["a", "b"])
    aws.dead_regions["eu-west-1"] = "close"
    r = run("--org", "--role-name", ROLE, "--regions", "us-east-1,eu-west-1", "--workers", "1", "--save-inventory", "inv.json",
            "-f", "json", "-o", "out.json", "--rule", "AIP-LOG-001")
    inv = inventory(tmp_path)
    dead = [e for e in inv["errors"] if e["scope"].get("region") == "eu-west-1"]
    assert [(e["code"], e["scope"], e.get("kinds")) for e in dead] == [
        ("EndpointUnreachable", {"region": "eu-west-1", "service": "bedrock"}, None)]
    assert len(inv["errors"]) == 1
    sent = [x for x in aws.requests if x[1] == "eu-west-1"]
    assert len(sent) == 2, sent  # the first call and its one retry; no other account or call reached it
    scanned = {(t["account"], t["region"]) for t in inv["scan"]["targets"]}
    assert {(a, "us-east-1") for a in [*accounts, DEFAULT_ACCOUNT]} <= scanned
    assert not any(region == "eu-west-1" for _, region in scanned)
    res = json.loads((tmp_path / "out.json").read_text())["results"]
    assert {x["status"] for x in res if x["region"] == "eu-west-1"} == {"error"}
    assert r.exit_code in (1, 3)


def test_a_silent_region_costs_one_read_timeout(aws, tmp_path):
    c = sc.clients(None)  # warm moto's first EC2/CloudTrail answers (seconds on a busy machine) before a short timeout
    c["ec2"].describe_vpc_endpoints()
    c["cloudtrail"].describe_trails()
    aws.dead_regions["eu-west-1"] = "hang"
    aws.hang_seconds = 4.0
    run("--regions", "us-east-1,eu-west-1", "--read-timeout", "1.5", "--save-inventory", "inv.json", "--rule", "AIP-LOG-001")
    inv = inventory(tmp_path)
    assert [(e["code"], e["scope"]) for e in inv["errors"]] == [
        ("EndpointUnreachable", {"region": "eu-west-1", "service": "bedrock"})]
    assert "Read timeout" in inv["errors"][0]["message"]
    assert len([x for x in aws.requests if x[1] == "eu-west-1"]) == 2


def test_a_value_of_the_wrong_type_makes_the_item_unknown_not_a_crash(aws, tmp_path):
    """A number where the model promises a string id: a TypeError in sorting used to lose every output file."""
    br = sc.clients(None)["bedrock"]
    br.create_guardrail(name="g", blockedInputMessaging="x", blockedOutputsMessaging="x")

    def numeric_id(status, ctype, body):
        doc = json.loads(body)
        for g in doc.get("guardrails", []):
            g["id"] = 12345
        return status, ctype, json.dumps(doc).encode()

    aws.mutate("ListGuardrails", numeric_id)
    r = run("--regions", "us-east-1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json", "-f", "sarif",
            "-o", "out.sarif", "--rule", "AIP-GR-001")
    assert r.exit_code == 3
    assert (tmp_path / "out.json").exists() and (tmp_path / "out.sarif").exists()
    errs = inventory(tmp_path)["errors"]
    assert [(e["code"], e["kinds"]) for e in errs] == [("MalformedResponse", ["content_filter"])]
    assert "expected string, got int" in errs[0]["message"]
    assert set(results(tmp_path / "out.json").values()) == {"error"}


def test_a_filter_strength_of_the_wrong_type_makes_that_guardrail_unknown(aws, tmp_path):
    br = sc.clients(None)["bedrock"]
    for name in ("ok", "odd"):
        br.create_guardrail(name=name, blockedInputMessaging="x", blockedOutputsMessaging="x", contentPolicyConfig={
            "filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]})

    def numeric_strength(status, ctype, body):
        doc = json.loads(body)
        if doc.get("name") == "odd":
            doc["contentPolicy"]["filters"][0]["inputStrength"] = 3
        return status, ctype, json.dumps(doc).encode()

    aws.mutate("GetGuardrail", numeric_strength)
    run("--regions", "us-east-1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json", "--rule", "AIP-GR-001")
    res = by_rule(tmp_path)
    assert res == {("AIP-GR-001", "ok (DRAFT)"): "pass", ("AIP-GR-001", "odd (DRAFT)"): "error"}
    [err] = inventory(tmp_path)["errors"]
    assert (err["code"], err.get("partial")) == ("MalformedResponse", True)


def test_a_200_that_is_not_json_is_an_error_not_not_configured(aws, tmp_path):
    """botocore reads such a body as an empty answer: 'no logging', 'no enforced guardrail' - false fails."""
    br = sc.clients(None)["bedrock"]
    g = br.create_guardrail(name="g", blockedInputMessaging="x", blockedOutputsMessaging="x")
    br.put_enforced_guardrail_configuration(guardrailInferenceConfig={"guardrailIdentifier": g["guardrailArn"],
                                                                      "guardrailVersion": "1"})
    aws.mutate("ListEnforcedGuardrailsConfiguration", lambda s, c, b: (200, "text/html", b"<html><body>proxy</body></html>"))
    aws.mutate("GetModelInvocationLoggingConfiguration", lambda s, c, b: (200, c, b[: len(b) // 2] or b"{"))
    r = run("--regions", "us-east-1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json",
            "--rule", "AIP-GR-013", "--rule", "AIP-LOG-001")
    res = set(by_rule(tmp_path).items())
    assert {(rule, status) for (rule, _), status in res} == {("AIP-GR-013", "error"), ("AIP-LOG-001", "error")}
    errs = inventory(tmp_path)["errors"]
    assert sorted(e["message"].split(":")[0] for e in errs) == ["enforced guardrails", "invocation logging"]
    assert {e["code"] for e in errs} == {"MalformedResponse"}
    assert r.exit_code == 3


def test_usage_mistakes_exit_2_before_any_call(aws, tmp_path):
    r = run("--org")
    assert r.exit_code == 2 and "--role-name" in r.output
    r = run("--regions", "us-east1")
    assert r.exit_code == 2 and "did you mean us-east-1" in r.output
    r = run("--regions", "eu-west-1a")
    assert r.exit_code == 2 and "did you mean eu-west-1" in r.output
    r = run("--role-arn", "arn:aws:iam::12:user/x")
    assert r.exit_code == 2 and "not a role ARN" in r.output
    assert aws.calls == []


def test_a_real_region_without_bedrock_is_a_note(aws, tmp_path):
    r = run("--regions", "us-east-1,ap-east-1", "--save-inventory", "inv.json", "--rule", "AIP-LOG-001")
    inv = inventory(tmp_path)
    assert inv["errors"] == [] and r.exit_code == 1
    notes = " ".join(inv["scan"]["notes"])
    assert "ap-east-1: Amazon Bedrock is not offered" in notes


def test_clients_are_shared_and_accounts_released(aws, tmp_path, monkeypatch):
    """Memory stays flat with the number of accounts: one client per service and region for the whole scan,
    and an account's credentials and IAM snapshot are dropped when its last task ends."""
    from aiposture.collect import aws_bedrock, aws_transport

    accounts = sc.make_org(["a", "b", "c"])
    for a in accounts:  # a guardrail named after its account: credentials bound to the wrong thread would show
        sc.clients(sc.assume(a))["bedrock"].create_guardrail(name=f"g-{a}", blockedInputMessaging="x",
                                                             blockedOutputsMessaging="x")
    created: list[tuple[str, str | None]] = []
    create = aws_transport.ClientPool._create
    monkeypatch.setattr(aws_transport.ClientPool, "_create",
                        lambda self, svc, region: created.append((svc, region)) or create(self, svc, region))
    left: list[tuple[str, object, object]] = []
    done = aws_bedrock.AccountScan._task_done

    def task_done(self):
        done(self)
        if self.pending == 0:
            left.append((self.id, self.creds, self._iam))

    monkeypatch.setattr(aws_bedrock.AccountScan, "_task_done", task_done)
    r = run("--org", "--role-name", ROLE, "--regions", "us-east-1,us-west-2", "--save-inventory", "inv.json")
    assert r.exit_code in (0, 1), r.output
    assert len(created) == len(set(created))  # never two clients for one service and region
    assert {svc for svc, _ in created} <= {"sts", "organizations", "iam", "bedrock", "bedrock-agent", "ec2", "cloudtrail", "s3"}
    assert sorted(a for a, _, _ in left) == sorted([*accounts, DEFAULT_ACCOUNT])
    assert all(creds is None and iam is None for _, creds, iam in left)
    guardrails = {(x["account"], x["name"]) for x in inventory(tmp_path)["resources"] if x["kind"] == "content_filter"}
    assert guardrails == {(a, f"g-{a} (DRAFT)") for a in accounts}
    assert len(inventory(tmp_path)["scan"]["targets"]) == 8
