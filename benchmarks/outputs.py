"""Report writers at scale: time and peak memory of each writer at N generated resources.

    python benchmarks/outputs.py [N] [--formats json,sarif,evidence,...]

The inventory is generated (``aiposture.engine.synthetic``) and evaluated once; then each
writer writes to a temporary file the way ``aiposture ... -o FILE`` does (JSON and SARIF
streamed, the evidence pack streamed into its zip). Each writer runs twice: once timed,
once under ``tracemalloc`` for the peak of memory it allocates on top of the report.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.engine.synthetic import document

ALL = ("json", "sarif", "evidence", "junit", "csv", "html", "table")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("--formats", default=",".join(ALL))
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aiposture-outputs-"))
    doc = document(args.n)
    inv_path = folder / "inventory.json"
    inv.save(doc, inv_path)  # live findings in SARIF point at this file
    t0 = time.perf_counter()
    report = pipeline.evaluate(doc, pipeline.Options(), Config(), inventory_path=inv_path)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"resources: {args.n}, results: {len(report.results)} (evaluated in {time.perf_counter() - t0:.2f} s)")
    for fmt in args.formats.split(","):
        opts = pipeline.Options(formats=[fmt], outputs=[str(folder / pipeline_name(fmt))], quiet=True, show_passed=False)
        plan = pipeline.plan_outputs(opts)
        t, c = time.perf_counter(), time.process_time()
        pipeline.write_outputs(report, opts, plan)
        took, cpu = time.perf_counter() - t, time.process_time() - c
        tracemalloc.start()
        pipeline.write_outputs(report, opts, plan)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = Path(plan[0][1]).stat().st_size
        print(f"{fmt:9} {took:7.2f} s wall {cpu:6.2f} s cpu  peak {peak / 2**20:7.1f} MiB  output {size / 2**20:7.1f} MiB")


def pipeline_name(fmt: str) -> str:
    from aiposture.output import DEFAULT_FILENAMES

    return DEFAULT_FILENAMES[fmt]


if __name__ == "__main__":
    main()
