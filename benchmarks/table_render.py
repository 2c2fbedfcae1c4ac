"""Table writer cost: N synthetic resources (copies of the example inventory), every layout.

    python benchmarks/table_render.py [N]

Evaluates once, then times the compact layout (CI logs), the wide layout (a terminal)
and the wide layout with --show-passed, writing to an in-memory buffer. Prints one
line per layout with the number of lines, wall and CPU seconds.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

from aiposture.engine import Config
from aiposture.inventory import new_document
from aiposture.output.table import Layout, write_table
from aiposture.pipeline import Options, evaluate


def main(n: int) -> None:
    example = json.loads((Path(__file__).resolve().parent.parent / "examples" / "inventory.json").read_text())
    templates = example["resources"]
    resources = []
    for i in range(n):
        r = dict(templates[i % len(templates)])
        r["id"] = f"{r['id']}#{i}"
        resources.append(r)
    doc = new_document(resources)
    doc["errors"] = example["errors"]
    report = evaluate(doc, Options(), Config())
    print(f"resources: {n}, results: {len(report.results)}")
    for label, layout, passed in (("compact", Layout(compact=True), False),
                                  ("wide", Layout(compact=False, color=True, width=160), False),
                                  ("wide --show-passed", Layout(compact=False, width=160), True)):
        buf = io.StringIO()
        t0, c0 = time.perf_counter(), time.process_time()
        write_table(report, buf, layout=layout, show_passed=passed)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"table {label}: {buf.getvalue().count(chr(10)):,} lines in {dt:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
