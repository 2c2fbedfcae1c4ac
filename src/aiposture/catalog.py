"""Threat and framework names (``rules/_catalog.yaml``), for reports and rule docs."""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from aiposture.paths import rules_dir


@functools.cache
def catalog() -> dict[str, Any]:
    """The parsed catalog; kept in the cache folder by content hash, so most runs parse no YAML."""
    import hashlib
    import marshal

    from aiposture.schemacheck import cache_dir

    raw = (rules_dir() / "_catalog.yaml").read_bytes()
    cached = cache_dir() / f"catalog-{hashlib.sha256(raw).hexdigest()[:16]}.marshal"
    try:
        data = marshal.loads(cached.read_bytes())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    import yaml

    data = yaml.safe_load(raw.decode("utf-8"))
    from aiposture.errors import OutputError
    from aiposture.safeio import write_file

    # best effort (an unwritable cache only costs the parse); atomic, never through a link
    with contextlib.suppress(OSError, OutputError, ValueError):
        write_file(cached, marshal.dumps(data), "the catalog cache")
    return data


def threat_title(threat: str) -> str:
    return catalog()["threats"].get(threat, {}).get("title", threat)


def control_title(framework: str, control: str) -> str:
    return catalog().get(framework, {}).get(control, "") if isinstance(catalog().get(framework), dict) else ""
