"""Cost of keeping a scan in the history store, next to the cost of evaluating it.

    python benchmarks/store_write.py [N] [STORE_URL]

N synthetic resources (the example inventory's, repeated) are evaluated with the
full rule pack, then stored twice in a fresh store: the first save writes every
snapshot, the second (same resources, a new scan id) only references them, as a
scheduled scan of an unchanged estate does. Prints evaluation time, both save times
and their share of the evaluation. STORE_URL defaults to a temporary SQLite file;
give postgresql://... for PostgreSQL.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from aiposture import pipeline
from aiposture.engine import Config
from aiposture.inventory import new_document
from aiposture.store.db import Store, resolve_url


def main(n: int, url: str | None) -> None:
    example = json.loads((Path(__file__).resolve().parent.parent / "examples" / "inventory.json").read_text())
    resources = []
    for i in range(n):
        r = dict(example["resources"][i % len(example["resources"])])
        r["id"] = f"{r['id']}#{i}"
        resources.append(r)
    doc = new_document(resources, sources=["bench"])
    t0 = time.perf_counter()
    report = pipeline.evaluate(doc, pipeline.Options(), Config())
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(resolve_url(url or str(Path(tmp) / "bench.db")) or "")
        t2 = time.perf_counter()
        store.save(report, scan_id="bench-1", scope_label="bench")
        t3 = time.perf_counter()
        store.save(report, scan_id="bench-2", scope_label="bench")
        t4 = time.perf_counter()
        store.close()
    ev, first, second = t1 - t0, t3 - t2, t4 - t3
    print(f"store: {url or 'sqlite (temporary file)'}")
    print(f"resources: {n}, results: {len(report.results)}")
    print(f"evaluation: {ev:.2f} s")
    print(f"first save (all snapshots new): {first:.2f} s ({first / ev:.0%} of evaluation)")
    print(f"second save (snapshots reused): {second:.2f} s ({second / ev:.0%} of evaluation)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000, sys.argv[2] if len(sys.argv) > 2 else None)
