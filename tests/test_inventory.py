import json

import pytest

from aiposture import inventory as inv
from aiposture.errors import InventoryError


def test_example_inventory_is_valid_and_covers_three_clouds(example_doc):
    assert inv.validate(example_doc) == []
    assert {r["provider"] for r in example_doc["resources"]} == {"aws", "azure", "gcp"}
    kinds = {r["kind"] for r in example_doc["resources"]}
    assert {"ai_service", "model_deployment", "content_filter", "agent", "identity_binding"} <= kinds


def test_schema_rejects_unknown_attribute_for_kind(example_doc):
    res = next(r for r in example_doc["resources"] if r["kind"] == "content_filter")
    res["attrs"]["promt_attack"] = {"enabled": True}
    problems = inv.validate(example_doc)
    assert any("promt_attack" in p and res["id"] in p for p in problems)


def test_schema_rejects_bad_enum_in_filter(example_doc):
    res = next(r for r in example_doc["resources"] if r["kind"] == "content_filter")
    res["attrs"]["prompt_attack"]["input_strength"] = "extreme"
    assert any("extreme" in p for p in inv.validate(example_doc))


def test_null_is_allowed_everywhere_as_unknown():
    res = inv.make_resource(id="x", provider="azure", kind="ai_service", native_type="t", name="x",
                            attrs={"local_auth_enabled": None, "encryption": None, "invocation_logging": {"enabled": None}})
    assert inv.validate(inv.new_document([res])) == []


def test_same_content_filter_shape_on_all_clouds(example_doc):
    """A Bedrock guardrail, an Azure RAI policy and a Model Armor template share one shape."""
    filters = [r for r in example_doc["resources"] if r["kind"] == "content_filter"]
    assert {r["provider"] for r in filters} == {"aws", "azure", "gcp"}
    for r in filters:
        assert set(r["attrs"]["prompt_attack"]) <= {"enabled", "input_strength", "output_strength", "input_action", "output_action"}


def test_dumps_writes_one_resource_per_line_and_maps_lines(example_doc):
    text = inv.dumps(example_doc)
    assert json.loads(text) == json.loads(json.dumps(example_doc))
    lines = inv.resource_lines(text)
    all_lines = text.splitlines()
    for r in example_doc["resources"]:
        assert r["id"] in lines
        assert json.loads(all_lines[lines[r["id"]] - 1].rstrip(","))["id"] == r["id"]


def test_load_reports_bad_json_with_position(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"schema_version": "1.0",\n "resources": [}')
    with pytest.raises(InventoryError, match=r"bad.json:2:\d+: not valid JSON"):
        inv.load(p)


def test_load_reports_schema_problems(tmp_path):
    p = tmp_path / "inv.json"
    p.write_text(json.dumps({"schema_version": "1.0", "scan": {}, "resources": [{"id": "a"}], "errors": []}))
    with pytest.raises(InventoryError, match="does not match the inventory schema"):
        inv.load(p)


def test_load_missing_file(tmp_path):
    with pytest.raises(InventoryError, match="not found"):
        inv.load(tmp_path / "nope.json")
