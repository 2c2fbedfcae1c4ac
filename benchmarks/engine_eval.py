"""Rule engine throughput: N generated resources of every kind through the full rule pack.

    python benchmarks/engine_eval.py [N] [--reference] [--chaos X] [--seed S]

The inventory is generated from the bundled example (``aiposture.engine.synthetic``):
every resource differs (values flipped, nulls, absent keys, wrong types), so no
cache can make a copy look cheap. The timed part is ``Engine.evaluate`` whole:
conditions, results, messages, waivers and the final ordering. ``--reference``
evaluates with the CEL runtime only (no translated fast path), for comparison.

Prints rule load time, the result mix, how often the fast path handed over to the
runtime, and on its last line evaluations per second.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from aiposture.engine import Engine, load_rules
from aiposture.engine.synthetic import document


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("--reference", action="store_true", help="CEL runtime only (no fast path)")
    ap.add_argument("--chaos", type=float, default=0.05, help="share of attributes varied per resource")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    doc = document(args.n, seed=args.seed, chaos=args.chaos)
    t0 = time.perf_counter()
    rules, _problems = load_rules()
    engine = Engine(rules, fast=not args.reference)
    t1, c1 = time.perf_counter(), time.process_time()
    results = engine.evaluate(doc)
    t2, c2 = time.perf_counter(), time.process_time()
    took = t2 - t1
    mix = Counter(r.status.value for r in results)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"rules: {len(rules)} loaded and compiled in {(t1 - t0) * 1000:.0f} ms "
          f"({sum(1 for r in rules for e in (r.program, r.applies_program) if e is not None and e.fast is not None)} "
          f"expressions translated)")
    print(f"resources: {args.n}, results: {len(results)} ({', '.join(f'{k} {v}' for k, v in sorted(mix.items()))})")
    print(f"path: {'CEL runtime only' if args.reference else 'fast path with CEL fallback'}")
    print(f"cpu time: {c2 - c1:.2f} s ({len(results) / max(c2 - c1, 1e-9):,.0f} evaluations per cpu-second; "
          "wall time below is what the machine's load allowed)")
    print(f"evaluation: {took:.2f} s, {len(results) / took:,.0f} evaluations/s, "
          f"{took / max(len(results), 1) * 1e6:.2f} µs per evaluation (whole evaluate path)")


if __name__ == "__main__":
    main()
