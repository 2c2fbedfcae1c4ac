"""The HTML report at scale: the writer, the compliance views behind it, and (with --browser) how long
headless Chromium takes to load the page and render its first page of findings.

    python benchmarks/html_report.py [N] [--browser] [--runs R]

The inventory is generated (``aiposture.engine.synthetic``) and evaluated once. ``--dump-dom`` returns
once the page has loaded and its script has run; an empty page is timed first so Chromium's own
start-up can be subtracted. The figures to compare with: before the report rendered passes lazily,
20,000 resources took 325 s to first paint and 661 ms per filter keystroke.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from aiposture import compliance, pipeline
from aiposture.engine import Config
from aiposture.engine.synthetic import document
from aiposture.output import html


def timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def chromium(page: str) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        print("browser: no chromium found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        def load(text: str) -> tuple[float, str]:
            path = Path(tmp) / "page.html"
            path.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp}/profile",
                                  "--dump-dom", path.as_uri()], check=True, capture_output=True, text=True, timeout=600,
                                 env={**os.environ, "HOME": tmp}).stdout
            return time.perf_counter() - t0, dom

        empty, _ = load("<!DOCTYPE html><title>x</title><p>x")
        took, dom = load(page)
        body = dom.split('<table id="findings">', 1)[-1].split("</tbody>", 1)[0]
        print(f"chromium: empty page {empty:.2f} s, report {took:.2f} s ({took - empty:.2f} s more; "
              f"{body.count('<tr>') - 1} finding rows rendered)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("--browser", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    report = pipeline.evaluate(document(args.n), pipeline.Options(), Config())
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"resources: {args.n}, results: {len(report.results)}")
    _, wall, cpu = timed(lambda: compliance.views(report))
    print(f"compliance views (6 frameworks): {wall:.2f} s wall, {cpu:.2f} s cpu")
    walls, cpus = [], []
    page = ""
    for _ in range(args.runs):
        page, wall, cpu = timed(lambda: html.render(report))
        walls.append(wall)
        cpus.append(cpu)
    print(f"html writer: median of {args.runs}: {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s cpu, "
          f"{len(page) / 2**20:.1f} MiB")
    if args.browser:
        chromium(page)


if __name__ == "__main__":
    main()
