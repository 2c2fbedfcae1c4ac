"""Report writers at scale: N synthetic resources (copies of the example inventory) through the whole pack,
then each writer timed on the same report.

    python benchmarks/outputs.py [N] [--browser]

Prints the evaluation time, then per writer its wall time and output size; the compliance views of all
six frameworks; and, with --browser, how long headless Chromium takes to load the HTML report and run its
script (``--dump-dom`` returns once the page has loaded and rendered the first page of findings).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic import example_copies

from aiposture import pipeline
from aiposture.engine import Config


def make_doc(n: int) -> dict:
    return example_copies(n, accounts=50, errors=True)


def timed(label: str, fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = len(out) if isinstance(out, (str, bytes)) else None
    print(f"  {label:<22} {dt:6.2f} s  {cpu:6.2f} s" + (f"   {size / 1e6:7.1f} MB" if size is not None else ""))
    return out


def main(n: int, browser: bool) -> None:
    doc = make_doc(n)
    t0 = time.perf_counter()
    report = pipeline.evaluate(doc, pipeline.Options(), Config())
    print(f"resources: {n}, results: {len(report.results)}, evaluation {time.perf_counter() - t0:.2f} s")
    from aiposture import compliance
    from aiposture.output import compliance as comp_out
    from aiposture.output import csv_out, evidence, html, json_out, sarif

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("writer                    wall     CPU       size")
    timed("compliance views (6)", lambda: compliance.views(report))
    timed("compliance json (6)", lambda: comp_out.render_json(report, []))
    page = timed("html", lambda: html.render(report))
    timed("json", lambda: json_out.render(report))
    timed("sarif", lambda: sarif.render(report))
    timed("csv", lambda: csv_out.render(report))
    timed("evidence pack", lambda: evidence.build(report))
    if browser:
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            print("  browser: no chromium found")
            return
        with tempfile.TemporaryDirectory() as tmp:
            def load(html_text: str) -> tuple[float, str]:
                path = Path(tmp) / "page.html"
                path.write_text(html_text, encoding="utf-8")
                t0 = time.perf_counter()
                dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp}/profile",
                                      "--dump-dom", path.as_uri()], check=True, capture_output=True, text=True, timeout=600,
                                     env={**os.environ, "HOME": tmp}).stdout
                return time.perf_counter() - t0, dom

            empty, _ = load("<!DOCTYPE html><title>x</title><p>x")
            dt, dom = load(page)
            body = dom.split('<table id="findings">', 1)[-1].split("</tbody>", 1)[0]
            print(f"  chromium start-up     {empty:6.2f} s   (an empty page)")
            print(f"  chromium load+render  {dt:6.2f} s   ({body.count('<tr>') - 1} finding rows on the first page; "
                  f"{dt - empty:.2f} s more than the empty page)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 20000, "--browser" in sys.argv)
