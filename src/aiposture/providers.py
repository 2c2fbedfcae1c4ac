"""Provider descriptors (``providers/*.yaml``): service catalog, native types per kind,
default regions and the shared-responsibility split shown in reports."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from aiposture.paths import providers_dir


@functools.cache
def descriptor(provider: str) -> dict[str, Any]:
    with open(providers_dir() / f"{provider}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def all_descriptors() -> dict[str, dict[str, Any]]:
    return {p: descriptor(p) for p in ("aws", "azure", "gcp")}
