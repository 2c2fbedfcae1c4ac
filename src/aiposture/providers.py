"""Provider descriptors: ``providers/*.yaml`` (title, terms, clouds, the shared-responsibility split that
the table, HTML report and evidence pack show) plus the service catalog and native types per kind, which
are derived from the resource-type specs (:mod:`aiposture.specs`), not listed a second time in the YAML.

The split is kept per rule family (``rules/_catalog.yaml`` ``families``: guardrails, logging, auth...):
for a finding of rule AIP-LOG-001 on AWS, the report can say what AWS operates and attests for logging
(CloudTrail event history) and what is the customer's to configure (invocation logging, trails).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from aiposture.paths import providers_dir

PROVIDERS = ("aws", "azure", "gcp")


@dataclass(frozen=True)
class Split:
    """Who does what for one provider and one control family."""

    provider: tuple[str, ...]
    customer: tuple[str, ...]


@functools.cache
def descriptor(provider: str) -> dict[str, Any]:
    if provider not in PROVIDERS:
        raise KeyError(f"no provider descriptor for {provider!r}")
    from aiposture.catalog import load_yaml

    data = load_yaml((providers_dir() / f"{provider}.yaml").read_bytes())
    sr = data.get("shared_responsibility") or {}
    if not isinstance(sr.get("families"), dict) or not isinstance(sr.get("general"), dict):
        raise ValueError(f"providers/{provider}.yaml: shared_responsibility needs 'general' and 'families'")
    return data


def all_descriptors() -> dict[str, dict[str, Any]]:
    return {p: descriptor(p) for p in PROVIDERS}


def title(provider: str) -> str:
    try:
        return str(descriptor(provider)["title"])
    except KeyError:
        return provider


def native_types(provider: str) -> dict[str, list[str]]:
    """Normalised kind -> the native resource types a scan of this provider emits (from the specs)."""
    from aiposture import specs

    return specs.native_types(provider)


def services(provider: str) -> dict[str, dict[str, str]]:
    """The cloud services a scan of this provider calls (from the specs): name -> sdk, description..."""
    from dataclasses import asdict

    from aiposture import specs

    return {n: {k: v for k, v in asdict(s).items() if v and k != "name"} for n, s in specs.services(provider).items()}


def _split(node: dict[str, Any] | None) -> Split:
    node = node or {}
    return Split(tuple(node.get("provider") or ()), tuple(node.get("customer") or ()))


def general_split(provider: str) -> Split:
    return _split(descriptor(provider)["shared_responsibility"]["general"])


def family_split(provider: str, family: str) -> Split | None:
    """The split for a rule family (``guardrails``...), or None when the descriptor does not cover it."""
    node = descriptor(provider)["shared_responsibility"]["families"].get(family)
    return _split(node) if node else None


def sources(provider: str) -> list[str]:
    return list(descriptor(provider)["shared_responsibility"].get("sources") or [])


def families(provider: str) -> list[str]:
    return list(descriptor(provider)["shared_responsibility"]["families"])
