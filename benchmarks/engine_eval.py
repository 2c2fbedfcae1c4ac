"""Rule engine throughput: N synthetic resources of every kind through the full rule pack.

    python benchmarks/engine_eval.py [N]

Prints rule load time, evaluation wall time, evaluations per second and µs per evaluation.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aiposture.engine import Engine, load_rules
from aiposture.inventory import new_document


def main(n: int) -> None:
    example = json.loads((Path(__file__).resolve().parent.parent / "examples" / "inventory.json").read_text())
    templates = example["resources"]
    resources = []
    for i in range(n):
        r = dict(templates[i % len(templates)])
        r["id"] = f"{r['id']}#{i}"
        resources.append(r)
    doc = new_document(resources)
    t0 = time.perf_counter()
    rules, _problems = load_rules()
    t1 = time.perf_counter()
    results = Engine(rules).evaluate(doc)
    t2 = time.perf_counter()
    print(f"rules: {len(rules)} loaded in {(t1 - t0) * 1000:.0f} ms")
    print(f"resources: {n}, results: {len(results)}")
    print(f"evaluation: {t2 - t1:.2f} s, {len(results) / (t2 - t1):,.0f} evaluations/s, "
          f"{(t2 - t1) / max(len(results), 1) * 1e6:.1f} µs per evaluation (incl. context build and sorting)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
