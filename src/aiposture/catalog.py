"""Threat and framework names (``rules/_catalog.yaml``), for reports and rule docs."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from aiposture.paths import rules_dir


@functools.cache
def catalog() -> dict[str, Any]:
    with open(rules_dir() / "_catalog.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def threat_title(threat: str) -> str:
    return catalog()["threats"].get(threat, {}).get("title", threat)


def control_title(framework: str, control: str) -> str:
    return catalog().get(framework, {}).get(control, "") if isinstance(catalog().get(framework), dict) else ""
