"""The resource-type specs are the one list: the IaC type map, 'aiposture permissions', the provider descriptors'
service and native-type lists and the inventory docs are derived from them, and agree with the collectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aiposture import providers, specs
from aiposture.specs import ApiCall, IacType, ResourceSpec

ROOT = Path(__file__).resolve().parent.parent

THROWAWAY = ResourceSpec(
    provider="aws", kind="agent", native_type="AWS::Test::Throwaway", title="A type that exists only in this test",
    service="throwaway-svc",
    calls=(ApiCall("throwaway-svc", "ListThrowaways", ("throwaway:ListThrowaways",)),),
    iac=(IacType("aws_throwaway_thing", adapter="tests.test_specs:_adapt"),),
    normaliser="tests.test_specs:_normalise",
)


def _adapt(values):
    return {"guard": values.get("guardrail_id")}


def _normalise(shape):
    return {"content_filter": {"attached": bool(shape.get("guard")), "id": shape.get("guard"), "version": None}}


def _permissions(cloud: str) -> str:
    from aiposture.cli import main

    res = CliRunner().invoke(main, ["permissions", cloud])
    assert res.exit_code == 0, res.output
    return res.output


def test_a_new_spec_appears_in_every_derived_list():
    from aiposture.docs import inventory_markdown
    from aiposture.iac import build

    before = _permissions("aws")
    assert "throwaway:ListThrowaways" not in before and "aws_throwaway_thing" not in build.CANON
    with specs.registered(THROWAWAY):
        # the IaC type map
        assert build.CANON["aws_throwaway_thing"] == "aws_throwaway_thing"
        assert build.is_ai_type("aws_throwaway_thing")
        # the permissions the CLI prints (and the collector's own list)
        assert "throwaway:ListThrowaways" in json.loads(_permissions("aws"))["Statement"][0]["Action"]
        # the provider descriptor's services and native types
        assert "throwaway-svc" in providers.services("aws")
        assert "AWS::Test::Throwaway" in providers.native_types("aws")["agent"]
        # the inventory docs and 'aiposture inventory types'
        assert "`AWS::Test::Throwaway`" in inventory_markdown()
        from aiposture.cli import main

        listed = json.loads(CliRunner().invoke(main, ["inventory", "types", "--provider", "aws", "--json"]).output)
        mine = next(x for x in listed if x["native_type"] == "AWS::Test::Throwaway")
        assert mine["iac"][0]["type"] == "aws_throwaway_thing" and mine["calls"][0]["permissions"] == ["throwaway:ListThrowaways"]
        assert not any(x["provider"] != "aws" for x in listed)
    assert _permissions("aws") == before and "aws_throwaway_thing" not in build.CANON
    assert "AWS::Test::Throwaway" not in providers.native_types("aws")["agent"]


def test_a_new_spec_needs_no_builder_code(tmp_path):
    """The generic IaC path: the spec's adapter and normaliser make the resource; nothing in iac/build.py changes."""
    from aiposture.iac.base import RawResource
    from aiposture.iac.build import build

    raw = RawResource(type="aws_throwaway_thing", address="aws_throwaway_thing.x", values={"guardrail_id": "g-1"},
                      origin="terraform", file="main.tf", line=3, name="x")
    with specs.registered(THROWAWAY):
        [res] = build([raw])
    assert res["native_type"] == "AWS::Test::Throwaway" and res["kind"] == "agent" and res["provider"] == "aws"
    assert res["attrs"]["content_filter"] == {"attached": True, "id": "g-1", "version": None}
    assert res["source"] == {"origin": "terraform", "file": "main.tf", "line": 3, "address": "aws_throwaway_thing.x"}
    assert build([raw]) == []  # without the spec the type is not an AI type


def test_the_registry_refuses_contradictions():
    with pytest.raises(ValueError, match="two specs"):
        specs.register(specs.by_native("AWS::Bedrock::Agent"))  # type: ignore[arg-type]
    clash = ResourceSpec(provider="aws", kind="agent", native_type="AWS::Test::Clash", title="", service="bedrock",
                         iac=(IacType("aws_bedrock_guardrail", "agent"),))
    with pytest.raises(ValueError, match="two mappings"):
        specs.register(clash)
    with pytest.raises(ValueError, match="unknown kind"):
        specs.register(ResourceSpec(provider="aws", kind="nope", native_type="AWS::Test::Nope", title="", service="x"))
    assert specs.by_native("AWS::Test::Clash") is None


@pytest.mark.parametrize("cloud", specs.PROVIDERS)
def test_descriptors_hold_no_second_list(cloud):
    data = yaml.safe_load((ROOT / "providers" / f"{cloud}.yaml").read_text())
    for key in ("services", "native_types", "default_regions", "default_locations"):
        assert key not in data, f"providers/{cloud}.yaml: {key} comes from src/aiposture/specs/{cloud}.py"
    # sovereign clouds: the Azure collector's CLOUDS (a copy here disagreed on the US Gov / China token scopes)
    assert "clouds" not in data


@pytest.mark.parametrize("cloud", specs.PROVIDERS)
def test_every_service_a_call_uses_is_described(cloud):
    described = {s.name for s in specs.provider(cloud).services}
    used = {c.service for c in specs.calls(cloud)} | {s.service for s in specs.all_specs(cloud)}
    assert used <= described, used - described
    assert described <= used, f"described but never called: {described - used}"
    assert all(s.description and s.sdk for s in providers.services(cloud).values() and specs.provider(cloud).services)


def test_normalisers_and_adapters_resolve():
    for s in specs.all_specs():
        if s.normaliser:
            assert callable(specs.resolve(s.normaliser)), s.native_type
        for it in s.iac:
            assert it.builder or s.normaliser, f"{it.type}: the generic path needs the spec's normaliser"
            if it.adapter:
                assert callable(specs.resolve(it.adapter)), it.type


def test_collectors_use_the_spec_lists():
    from aiposture.collect import aws_bedrock, azure_openai, gcp_vertex

    assert specs.permissions("aws") == aws_bedrock.IAM_ACTIONS
    assert specs.permissions("azure") == azure_openai.AZURE_ACTIONS
    assert specs.permissions("gcp") == gcp_vertex.GCP_PERMISSIONS
    assert list(specs.provider("gcp").default_locations) == gcp_vertex.DEFAULT_LOCATIONS
    assert azure_openai.API["cognitive"] == specs.services("azure")["cognitiveservices"].api_version
    # the operation -> action table for S3's differently named actions comes from the specs' calls
    assert aws_bedrock.iam_action("s3", "GetPublicAccessBlock") == "s3:GetBucketPublicAccessBlock"


def test_unjudged_types_shrink_when_a_spec_claims_them():
    assert "aws_bedrockagent_flow" in specs.unjudged_iac()
    flow = ResourceSpec(provider="aws", kind="agent", native_type="AWS::Test::Flow", title="", service="bedrock",
                        iac=(IacType("aws_bedrockagent_flow"),), normaliser="tests.test_specs:_normalise")
    with specs.registered(flow):
        assert "aws_bedrockagent_flow" not in specs.unjudged_iac()
    assert "aws_bedrockagent_flow" in specs.unjudged_iac()
