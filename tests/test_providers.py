"""Provider descriptors (providers/*.yaml) are loaded and agree with what the collectors emit."""

import json
import re
from pathlib import Path

import pytest
import yaml

from aiposture import providers
from aiposture.catalog import catalog

ROOT = Path(__file__).resolve().parent.parent
PREFIX = {"AWS::": "aws", "Microsoft.": "azure", "aiplatform.": "gcp", "modelarmor.": "gcp", "cloudresourcemanager.": "gcp",
          "accesscontextmanager.": "gcp", "orgpolicy.": "gcp", "discoveryengine.": "gcp", "notebooks.": "gcp"}


def _provider_of(native: str) -> str:
    return next(p for pre, p in PREFIX.items() if native.startswith(pre))


def _emitted() -> set[tuple[str, str]]:
    """(provider, native type) the live collectors and the IaC type map can put into an inventory."""
    from aiposture.iac.build import NATIVE

    found = set(NATIVE.values())
    for f in (ROOT / "src" / "aiposture" / "collect").glob("*.py"):
        found |= set(re.findall(r'native(?:_type)?="([^"]+)"', f.read_text()))
    found |= {r["native_type"] for r in json.loads((ROOT / "examples" / "inventory.json").read_text())["resources"]}
    return {(_provider_of(n), n) for n in found}


def test_native_types_match_what_sources_emit():
    listed = {(p, n) for p in providers.PROVIDERS for ns in providers.native_types(p).values() for n in ns}
    emitted = _emitted()
    assert emitted - listed == set(), "a type the scanners emit is missing from providers/*.yaml"
    assert listed - emitted == set(), "providers/*.yaml lists a type no scanner emits (e.g. InferenceProfile vs ApplicationInferenceProfile)"
    assert ("aws", "AWS::Bedrock::ApplicationInferenceProfile") in listed and ("aws", "AWS::Bedrock::InferenceProfile") not in listed


def test_every_rule_family_has_a_split_on_every_cloud():
    families = {f["key"] for f in catalog()["families"].values()}
    for p in providers.PROVIDERS:
        assert set(providers.families(p)) == families, p
        for fam in families:
            split = providers.family_split(p, fam)
            assert split is not None and split.provider and split.customer, (p, fam)
        assert providers.general_split(p).provider and providers.sources(p)
    assert providers.family_split("aws", "no-such-family") is None


def test_a_descriptor_without_the_split_is_rejected(tmp_path, monkeypatch):
    data = yaml.safe_load((ROOT / "providers" / "aws.yaml").read_text())
    data["shared_responsibility"] = {"provider": ["old flat list"], "customer": ["x"]}
    (tmp_path / "aws.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setattr(providers, "providers_dir", lambda: tmp_path)
    providers.descriptor.cache_clear()
    try:
        with pytest.raises(ValueError, match="shared_responsibility needs"):
            providers.descriptor("aws")
    finally:
        providers.descriptor.cache_clear()


def test_the_table_shows_the_split_for_failing_families(example_copy):
    from aiposture import inventory as inv
    from aiposture import pipeline
    from aiposture.engine import Config
    from aiposture.output import writers
    from aiposture.output.shared import failing_families

    rep = pipeline.evaluate(inv.load(example_copy), pipeline.Options(), Config())
    text = writers()["table"](rep)
    assert "Shared responsibility of what failed" in text
    fams = failing_families(rep)
    assert ("aws", "logging", 2) in fams and all(n > 0 for _, _, n in fams)
    assert "CloudTrail event history" in " ".join(text.split())  # the provider's part for AWS logging
