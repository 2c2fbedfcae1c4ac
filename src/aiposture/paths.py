"""Where the bundled data (rules, schemas, framework catalogues, provider descriptors, examples) lives.

An installed wheel carries them under ``aiposture/_data``; a source checkout
(editable install, or running from the repo) has them at the repository root.
Everything else asks this module, so the tool works the same both ways.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

_PKG = Path(__file__).resolve().parent


@functools.cache
def data_root() -> Path:
    """Return the directory that holds ``rules/``, ``schemas/`` and ``providers/``."""
    bundled = _PKG / "_data"
    if (bundled / "schemas").is_dir():
        return bundled
    repo = _PKG.parent.parent
    if (repo / "schemas").is_dir():
        return repo
    raise RuntimeError(
        f"aiposture data files not found (looked in {bundled} and {repo}); the installation is incomplete"
    )


def rules_dir() -> Path:
    return data_root() / "rules"


def frameworks_dir() -> Path:
    """Framework control catalogues (ids, short titles, sources): ``frameworks/*.yaml``."""
    return data_root() / "frameworks"


def providers_dir() -> Path:
    return data_root() / "providers"


def examples_dir() -> Path:
    return data_root() / "examples"


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """Load ``schemas/<name>.schema.json`` once per process."""
    with open(data_root() / "schemas" / f"{name}.schema.json", encoding="utf-8") as fh:
        return json.load(fh)
