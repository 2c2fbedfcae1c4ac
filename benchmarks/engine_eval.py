"""Rule engine throughput: N synthetic resources of every kind through the full rule pack.

    python benchmarks/engine_eval.py [N]

Prints rule load time, evaluation wall time, evaluations per second and µs per evaluation.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import example_copies

from aiposture.engine import Engine, load_rules


def main(n: int) -> None:
    doc = example_copies(n)
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
