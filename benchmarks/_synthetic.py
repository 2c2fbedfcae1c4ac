"""Synthetic inventories for the benchmarks: N copies of the bundled example's resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiposture.inventory import new_document

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "inventory.json"


def example_copies(n: int, *, accounts: int = 0, errors: bool = False) -> dict[str, Any]:
    """An inventory of ``n`` resources cycling through the example's (ids made unique). ``accounts`` spreads
    them over that many copies of each account; ``errors`` keeps the example's scope errors."""
    example = json.loads(EXAMPLE.read_text())
    templates = example["resources"]
    resources = []
    for i in range(n):
        r = dict(templates[i % len(templates)])
        r["id"] = f"{r['id']}#{i}"
        if accounts and r["account"]:
            r["account"] = f"{r['account']}-{i % accounts}"
        resources.append(r)
    return new_document(resources, example["errors"] if errors else None, sources=["benchmark"])
