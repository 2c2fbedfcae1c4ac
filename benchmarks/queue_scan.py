"""Queued AWS scan: 1 vs 2 'aiposture worker' processes through a real redis-server, N accounts.

    python benchmarks/queue_scan.py [ACCOUNTS] [REGIONS] [LATENCY_MS] [CONCURRENCY]

The organisation is the one benchmarks/aws_scan.py builds (moto + the gap fake in
a child process, optional per-request latency). For each worker count: a fresh
SQLite store and an empty queue, the workers started and ready, then the real
client (``aiposture scan aws --org ... --queue ... --store ...``) timed from
start to exit: planning, enqueueing, every task, finalising (rules, store, JSON
report). Prints the wall time of each run, the speed-up, the CPU the workers
used and the load average (the machine is shared; it has 2 cores, so 2 worker
processes can at best double the CPU-bound part). Needs the test extras and
redis-server.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aws_scan import REGIONS, build_org

from tests.fakes.aws import AwsFake
from tests.servers import redis_server


def start_workers(n: int, broker: str, store: str, env: dict[str, str], concurrency: int, logs: Path) -> list:
    procs = []
    for i in range(n):
        log = open(logs / f"worker{i}.log", "wb")  # noqa: SIM115
        procs.append((subprocess.Popen([sys.executable, "-m", "aiposture", "worker", "--queue", broker, "--store", store,
                                        "--concurrency", str(concurrency), "--loglevel", "info"],
                                       env=env, stdout=log, stderr=subprocess.STDOUT), logs / f"worker{i}.log"))
    deadline = time.monotonic() + 120
    for proc, path in procs:  # Celery logs "ready." once it consumes
        while b"ready." not in path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start:\n{path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
    return procs


def stop_workers(procs: list) -> tuple[float, float]:
    """Stop the workers; return the CPU seconds they used (user + system) and the largest peak RSS (MB)."""
    import re

    cpu, peak = 0.0, 0.0
    for proc, _ in procs:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        proc.terminate()
    for proc, _ in procs:
        _, _, usage = os.wait4(proc.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
    return cpu, peak


def run(n_workers: int, broker: str, env: dict[str, str], regions: list[str], concurrency: int) -> dict:
    import redis

    redis.Redis.from_url(broker).flushdb()
    with tempfile.TemporaryDirectory(prefix="aiposture-queue-bench-") as tmp:
        store = str(Path(tmp) / "store.db")
        procs = start_workers(n_workers, broker, store, env, concurrency, Path(tmp))
        out = Path(tmp) / "results.json"
        cmd = [sys.executable, "-m", "aiposture", "scan", "aws", "--org", "--role-name", "OrganizationAccountAccessRole",
               "--regions", ",".join(regions), "--queue", broker, "--store", store, "-q", "-f", "json", "-o", str(out),
               "--soft-fail", "--tolerate-errors"]
        t = time.perf_counter()
        r = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        cpu, peak = stop_workers(procs)
        if r.returncode != 0:
            raise SystemExit(f"queued scan failed ({r.returncode}): {r.stderr[-2000:]}")
        doc = json.loads(out.read_text())
    return {"wall": wall, "worker_cpu": cpu, "worker_rss": peak, "results": len(doc["results"]),
            "errors": sum(1 for x in doc["results"] if x["status"] == "error")}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    latency_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    regions = REGIONS[:m]
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    q: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=AwsFake.serve_in_child, args=(q,), daemon=True)
    child.start()
    url = q.get(timeout=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPOSTURE_")}
    env.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
               PYTHONPATH=str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.update({k: env[k] for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION")})
    try:
        with redis_server() as broker:
            build_org(n, regions)
            urllib.request.urlopen(f"{url}/__fake/latency/{latency_ms}").read()
            load0 = os.getloadavg()
            one = run(1, broker, env, regions, concurrency)
            two = run(2, broker, env, regions, concurrency)
            load1 = os.getloadavg()
    finally:
        child.terminate()
    tasks = (n + 1) * (1 + m)
    print(f"queued scan: {n + 1} accounts x {m} region(s) = {tasks} tasks, {latency_ms} ms per request, "
          f"{concurrency} threads per worker (client, workers, redis-server and the fake each in their own process)")
    for label, r in (("1 worker ", one), ("2 workers", two)):
        print(f"  {label}  wall {r['wall']:.1f} s   worker CPU {r['worker_cpu']:.1f} s   "
              f"peak RSS per worker {r['worker_rss']:.0f} MB   "
              f"{r['results']} results, {r['errors']} not checked")
    print(f"  speed-up   {one['wall'] / two['wall']:.2f}x (2 workers vs 1)")
    print(f"  machine    {os.cpu_count()} cores; load average {load0[0]:.1f} before, {load1[0]:.1f} after (1 min, shared)")


if __name__ == "__main__":
    main()
