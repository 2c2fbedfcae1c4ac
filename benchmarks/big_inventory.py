"""A large saved inventory through ``aiposture scan --inventory``: wall time and peak memory.

    python benchmarks/big_inventory.py [MEGABYTES] [FORMAT ...]

Writes a synthetic inventory of about MEGABYTES (default 200) from the example
resources, then runs the CLI once per format (default: json sarif table) in a child
process and prints its wall time and peak resident memory (ru_maxrss of the child).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_inventory(path: Path, megabytes: float) -> int:
    """Stream an inventory of about ``megabytes`` to ``path``; return the resource count."""
    example = json.loads((ROOT / "examples" / "inventory.json").read_text(encoding="utf-8"))
    templates = example["resources"]
    target = int(megabytes * 1024 * 1024)
    written, n = 0, 0
    with path.open("w", encoding="utf-8") as f:
        head = {k: v for k, v in example.items() if k not in ("resources", "errors")}
        f.write("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in head.items()) + ', "resources": [\n')
        while written < target:
            r = dict(templates[n % len(templates)])
            r["id"] = f"{r['id']}#{n}"
            line = ("," if n else "") + json.dumps(r, sort_keys=True) + "\n"
            f.write(line)
            written += len(line)
            n += 1
        f.write('], "errors": []}\n')
    return n


CHILD = """import resource, sys
from aiposture.cli import main
try:
    main()
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run(inventory: Path, fmt: str, out_dir: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one CLI run in a fresh child process."""
    out = out_dir / f"out.{fmt}"
    cmd = [sys.executable, "-c", CHILD, "scan", "--inventory", str(inventory), "-f", fmt, "-o", str(out), "-q", "--soft-fail", "--tolerate-errors"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    lines = p.stderr.strip().splitlines()
    peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        print(f"  ({fmt}: exit {p.returncode}: {' | '.join(lines[:-1])[:300]})")
    return wall, peak_kib / 1024, p.returncode


def main(megabytes: float, formats: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inv = Path(tmp) / "inventory.json"
        t0 = time.perf_counter()
        n = write_inventory(inv, megabytes)
        size = inv.stat().st_size / 1024 / 1024
        print(f"inventory: {size:.0f} MiB, {n:,} resources (generated in {time.perf_counter() - t0:.1f} s)")
        for fmt in formats:
            wall, peak, code = run(inv, fmt, Path(tmp))
            print(f"  -f {fmt:<6} wall {wall:6.1f} s   peak RSS {peak:7.0f} MiB   exit {code}")


if __name__ == "__main__":
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 200
    main(mb, sys.argv[2:] or ["json", "sarif", "table"])
