"""Large, varied inventories generated from the bundled example, for benchmarks and tests.

Copies of a handful of resources would let any cache look fast and would never
reach the awkward cases. Each generated resource starts from one of the
example's resources and, with probability ``chaos`` per attribute, gets that
attribute flipped, replaced by another value seen for the same key, set to
``null`` (unknown), removed (absent) or given the wrong type; map insertion
order is shuffled and harm categories lose keys (the case that made results
flip between runs). Same ``seed``, same inventory.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from typing import Any

from aiposture.inventory import new_document
from aiposture.paths import examples_dir

_WRONG_TYPES: tuple[Any, ...] = ("true", 1, 0.5, [], {}, "")


def _pools(node: Any, pools: dict[str, list[Any]], key: str = "") -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _pools(v, pools, k)
    elif isinstance(node, list):
        for v in node:
            _pools(v, pools, key)
    elif node not in pools[key]:
        pools[key].append(node)


def _mutate(node: Any, rng: random.Random, chaos: float, pools: dict[str, list[Any]]) -> Any:
    if isinstance(node, list):
        return [_mutate(v, rng, chaos, pools) for v in node]
    if not isinstance(node, dict):
        return node
    items = list(node.items())
    if rng.random() < chaos:
        rng.shuffle(items)
    out: dict[str, Any] = {}
    for k, v in items:
        if rng.random() >= chaos:
            out[k] = _mutate(v, rng, chaos, pools)
            continue
        roll = rng.random()
        if roll < 0.15:
            continue  # absent
        if roll < 0.3:
            out[k] = None  # unknown
        elif roll < 0.4:
            out[k] = rng.choice(_WRONG_TYPES)
        elif isinstance(v, bool):
            out[k] = not v
        elif isinstance(v, (dict, list)):
            out[k] = _mutate(v, rng, min(1.0, chaos * 3), pools)
        else:
            out[k] = rng.choice(pools[k]) if pools[k] else v
    return out


def resources(n: int, *, seed: int = 0, chaos: float = 0.05) -> list[dict[str, Any]]:
    """``n`` resources cycling through the example's resources, each varied by ``chaos``."""
    example = json.loads((examples_dir() / "inventory.json").read_text(encoding="utf-8"))
    templates = example["resources"]
    pools: dict[str, list[Any]] = defaultdict(list)
    _pools([t["attrs"] for t in templates], pools)
    texts = [json.dumps(t) for t in templates]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = json.loads(texts[i % len(texts)])
        r["id"] = f"{r['id']}#{i}"
        r["name"] = f"{r.get('name', 'r')}-{i}"
        r["attrs"] = _mutate(r["attrs"], rng, chaos, pools)
        cats = r["attrs"].get("harm_categories")
        if isinstance(cats, dict) and cats and rng.random() < chaos * 4:
            victim = rng.choice(list(cats))
            if isinstance(cats[victim], dict):
                cats[victim].pop("enabled", None)
        if rng.random() < chaos / 2:
            # one rule id (applied when inline suppressions are allowed) or a wildcard (never applied, only listed)
            rule = f"AIP-GR-00{rng.randint(1, 3)}" if rng.random() < 0.7 else "AIP-GR-00*"
            r["suppressions"] = [{"rule": rule, "reason": f"generated waiver {i}"}]
        out.append(r)
    return out


def document(n: int, *, seed: int = 0, chaos: float = 0.05) -> dict[str, Any]:
    return new_document(resources(n, seed=seed, chaos=chaos))
