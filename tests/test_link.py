"""The one linker (aiposture.link): 'attached' from the specs' links, for live scans and IaC alike."""

from __future__ import annotations

import json

from aiposture import specs
from aiposture.inventory import make_resource
from aiposture.link import Linker, iac_attrs
from aiposture.specs import IacType, Link, ResourceSpec
from tests import aws_scenario as sc
from tests.aws_fixtures import aws, moto_port, run  # noqa: F401
from tests.fakes.aws import DEFAULT_ACCOUNT

RAI = "Microsoft.CognitiveServices/accounts/raiPolicies"
DEP = "Microsoft.CognitiveServices/accounts/deployments"


def _res(native: str, kind: str = "content_filter", provider: str = "azure", rid: str = "x"):
    return make_resource(id=rid, provider=provider, kind=kind, native_type=native, name=rid, attrs={})


def test_complete_link_says_false_and_names_compare_as_the_spec_says():
    """Azure: a deployment is the only way to use a RAI policy (complete), names are case-insensitive, and a
    deployment without raiPolicyName uses Microsoft.DefaultV2; a deployment whose properties could not be read
    refers to nothing."""
    links = Linker()
    links.refer(DEP, {"properties": {"raiPolicyName": "Strict"}})
    links.refer(DEP, {"properties": {}})
    links.refer(DEP, {"properties": None})
    strict, default, unused = _res(RAI, rid="strict"), _res(RAI, rid="default"), _res(RAI, rid="unused")
    links.target(strict, ["strict"])
    links.target(default, ["microsoft.defaultv2"])
    links.target(unused, ["unused"])
    assert links.referenced(RAI, ["STRICT"]) and not links.referenced(RAI, ["unused"])
    links.apply()
    assert (strict["attrs"], default["attrs"], unused["attrs"]) == ({"attached": True}, {"attached": True},
                                                                    {"attached": False})


def test_incomplete_link_leaves_the_attribute_out():
    """AWS: a guardrail may also be passed on each InvokeModel call, so one no agent uses is not 'unattached'."""
    links = Linker()
    links.refer("AWS::Bedrock::Agent", {"guardrailConfiguration": {"guardrailIdentifier": "gr-1"}})
    links.refer("AWS::Bedrock::Account", {"guardrailArn": "arn:g2", "guardrailId": None})
    used, enforced, free = (_res("AWS::Bedrock::Guardrail", provider="aws", rid=r) for r in ("a", "b", "c"))
    version = _res("AWS::Bedrock::GuardrailVersion", provider="aws", rid="a1")
    links.target(used, ["gr-1", "arn:g1"])
    links.target(version, ["gr-1", "arn:g1", "arn:g1:1"])
    links.target(enforced, ["gr-2", "arn:g2"])
    links.target(free, ["gr-3", "arn:g3"])
    links.apply()
    assert used["attrs"] == version["attrs"] == enforced["attrs"] == {"attached": True}
    assert free["attrs"] == {}


def test_scopes_keep_accounts_apart():
    links = Linker()
    links.refer(DEP, {"properties": {"raiPolicyName": "strict"}}, scope="acct-a")
    assert links.referenced(RAI, ["strict"], scope="acct-a") and not links.referenced(RAI, ["strict"], scope="acct-b")


def test_a_new_link_in_a_spec_is_honoured_live_and_in_iac():
    """Linking is data: a throwaway target type linked from a throwaway source type is 'attached' in both."""
    from aiposture.iac.base import RawResource
    from aiposture.iac.build import build

    target = ResourceSpec(provider="gcp", kind="content_filter", native_type="test.googleapis.com/Filter", title="",
                          service="aiplatform", iac=(IacType("google_test_filter"),),
                          normaliser="tests.test_link:_filter",
                          links=(Link("attached", "test.googleapis.com/User", api_paths=("spec.filter",),
                                      iac_paths=("filter",)),))
    source = ResourceSpec(provider="gcp", kind="agent", native_type="test.googleapis.com/User", title="",
                          service="aiplatform", iac=(IacType("google_test_user"),), normaliser="tests.test_link:_filter")
    with specs.registered(target), specs.registered(source):
        links = Linker()
        links.refer("test.googleapis.com/User", {"spec": {"filter": "projects/p/filters/f"}})
        res = _res("test.googleapis.com/Filter", provider="gcp")
        links.target(res, ["projects/p/filters/f"])
        links.apply()
        assert res["attrs"] == {"attached": True}

        f = RawResource(type="google_test_filter", address="google_test_filter.f", values={"project": "p"},
                        origin="terraform", file="main.tf", line=1, name="f")
        lone = RawResource(type="google_test_filter", address="google_test_filter.lone", values={"project": "p"},
                           origin="terraform", file="main.tf", line=9, name="lone")
        user = RawResource(type="google_test_user", address="google_test_user.u", values={"filter": "${x}"},
                           origin="terraform", file="main.tf", line=5, name="u", refs={"filter": ["google_test_filter.f"]})
        out = {r["source"]["address"]: r for r in build([f, lone, user])}
        assert out["google_test_filter.f"]["attrs"] == {"kind": "filter", "attached": True}
        assert out["google_test_filter.lone"]["attrs"] == {"kind": "filter"}  # IaC never says false
        assert out["google_test_filter.f"]["account"] == "p"


def _filter(shape):
    return {"kind": "filter"}


def test_iac_attrs_without_links_is_empty():
    class _G:
        def __init__(self) -> None:
            self.canon: dict[str, str] = {}
            self.by_canon: dict[str, list] = {}

        def referrers(self, *a, **k):
            raise AssertionError("no link, no lookup")

    assert iac_attrs(_G(), object(), "AWS::Bedrock::Agent") == {}


def test_live_aws_guardrails_used_by_agents_versions_and_enforcement(aws, tmp_path):
    c = sc.clients(None)
    c["iam"].create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    role = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/r"
    mk = {"blockedInputMessaging": "x", "blockedOutputsMessaging": "x"}
    by_agent = c["bedrock"].create_guardrail(name="by-agent", **mk)
    version = c["bedrock"].create_guardrail_version(guardrailIdentifier=by_agent["guardrailId"])["version"]
    enforced = c["bedrock"].create_guardrail(name="enforced", **mk)
    c["bedrock"].create_guardrail(name="free", **mk)
    c["bedrock"].put_enforced_guardrail_configuration(guardrailInferenceConfig={
        "guardrailIdentifier": enforced["guardrailArn"], "guardrailVersion": "DRAFT"})
    c["bedrock-agent"].create_agent(agentName="helpdesk", agentResourceRoleArn=role, foundationModel="m",
                                    guardrailConfiguration={"guardrailIdentifier": by_agent["guardrailId"],
                                                            "guardrailVersion": version})
    run("--regions", "us-east-1", "--rule", "AIP-GR-010", "-f", "json", "-o", "out.json", "--save-inventory", "inv.json")
    inv = json.loads((tmp_path / "inv.json").read_text())
    attached = {x["name"]: x["attrs"].get("attached") for x in inv["resources"] if x["kind"] == "content_filter"}
    assert attached == {"by-agent (DRAFT)": True, f"by-agent ({version})": True, "enforced (DRAFT)": True,
                        "free (DRAFT)": None}
    assert "attached" not in next(x for x in inv["resources"] if x["name"] == "free (DRAFT)")["attrs"]
