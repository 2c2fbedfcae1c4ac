"""Queued scans: a real redis-server, real 'aiposture worker' processes, the moto-backed AWS fake.

The same 20-account organisation is scanned in one process and through the queue;
the findings must be the same. One worker is killed (SIGKILL) mid-scan: its
unacknowledged tasks are delivered again to the other after the (lowered)
visibility timeout, and the scan completes with nothing lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiposture.cli import main
from tests import aws_scenario as sc
from tests.aws_fixtures import moto_port, reset, results  # noqa: F401
from tests.fakes.aws import AwsFake
from tests.servers import redis_server

pytest.importorskip("celery")

ROLE = ("--org", "--role-name", "OrganizationAccountAccessRole", "--regions", "us-east-1")
# seconds before a killed worker's tasks go to the other one; above the longest task on a loaded machine
# (a task still running when it passes runs twice: harmless, but slow)
VISIBILITY = "12"


@pytest.fixture(scope="module")
def broker():
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def world(moto_port, tmp_path_factory):
    """20 member accounts (two configured, the rest empty) behind the fake; the environment a user would set."""
    reset(moto_port)
    fake = AwsFake(moto_port).start()
    home = tmp_path_factory.mktemp("aws")
    env = {"AWS_ENDPOINT_URL": fake.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(home / "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(k, None)
    try:
        ids = sc.make_org([f"member{i:02d}" for i in range(20)])
        sc.hardened(sc.clients(sc.assume(ids[0])), ids[0])
        sc.careless(sc.clients(sc.assume(ids[1])), ids[1])
        sc.careless(sc.clients(sc.assume(ids[2])), ids[2], tag="worse")
        yield fake, env, ids
    finally:
        fake.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def single(world, tmp_path_factory):
    """The reference: the same scan in one process."""
    out = tmp_path_factory.mktemp("single") / "single.json"
    r = CliRunner().invoke(main, ["scan", "aws", "-q", *ROLE, "-f", "json", "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 1, r.output  # the careless accounts fail
    return out, r.exit_code


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPOSTURE_")}
    env.update(extra, AIPOSTURE_QUEUE_VISIBILITY_TIMEOUT=VISIBILITY, PYTHONUNBUFFERED="1")
    return env


class Workers:
    """'aiposture worker' processes, stopped (and reaped) at the end whatever happens."""

    def __init__(self, broker: str, store: str, env: dict[str, str], log_dir: Path):
        self.broker, self.store, self.env, self.log_dir = broker, store, env, log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, n: int, concurrency: int = 2) -> Workers:
        for i in range(n):
            log = open(self.log_dir / f"worker{len(self.procs)}-{i}.log", "wb")
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "aiposture", "worker", "--queue", self.broker, "--store", self.store,
                 "--concurrency", str(concurrency), "--loglevel", "info"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT))
        return self

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.log_dir.glob("worker*.log")))

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _scan_cmd(broker: str, store: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "aiposture", "scan", "aws", *ROLE, "--queue", broker, "--store", store, *extra]


def _flush(broker: str) -> None:
    import redis

    redis.Redis.from_url(broker).flushdb()


def test_twenty_accounts_through_two_workers_one_killed_mid_scan(world, single, broker, tmp_path):
    """Same findings as one process, although one of the two workers is SIGKILLed while it holds tasks."""
    fake, env, ids = world
    _flush(broker)
    store = str(tmp_path / "store.db")
    fake.latency = 0.01  # tasks long enough to be caught mid-flight
    workers = Workers(broker, store, _env(env), tmp_path).start(2)
    out = tmp_path / "queued.json"
    client = subprocess.Popen(_scan_cmd(broker, store, "-f", "json", "-o", str(out)), env=_env(env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        from aiposture.store import open_store

        st = open_store(store)
        assert st is not None
        deadline = time.monotonic() + 90
        victim = workers.procs[0]
        killed_at = -1
        while time.monotonic() < deadline and client.poll() is None:
            scans = st.scans(include_running=True)
            done = st.part_count(scans[0].id) if scans else 0
            if done >= 3:
                victim.send_signal(signal.SIGKILL)  # no warm shutdown: its reserved and running tasks vanish with it
                victim.wait()
                killed_at = done
                break
            time.sleep(0.05)
        stdout, stderr = client.communicate(timeout=120)
        st.close()
    finally:
        fake.latency = 0
        if client.poll() is None:
            client.kill()
            client.wait()
        workers.stop()
    assert 0 <= killed_at < 42, f"the victim was not killed mid-scan ({killed_at}): nothing was tested"
    assert client.returncode == single[1], stderr + workers.logs()
    assert "through the queue (42 tasks" in stderr  # 21 accounts (20 members + management) x (IAM + 1 region)
    queued, reference = results(out), results(single[0])
    assert queued == reference  # same rule ids, resource ids and statuses
    assert any(status == "fail" for status in queued.values())
    assert "error" not in queued.values()  # nothing lost: no scope came out "not checked"
    doc = json.loads(out.read_text())
    assert {ids[1], ids[2]} <= {x["account"] for x in doc["results"] if x["status"] == "fail"}

    h = CliRunner().invoke(main, ["history", "--store", store, "--json"])
    rows = json.loads(h.output)
    assert [row["status"] for row in rows] == ["complete"]
    assert rows[0]["n_fail"] == sum(1 for v in reference.values() if v == "fail")


def test_usage_errors_exit_2_before_any_work(world, broker, tmp_path, monkeypatch):
    monkeypatch.delenv("AIPOSTURE_STORE", raising=False)
    fake, _, _ = world
    before = len(fake.calls)

    def run(*args: str):
        return CliRunner().invoke(main, ["scan", "aws", *ROLE, *args])

    r = run("--queue", broker)
    assert r.exit_code == 2 and "--queue needs --store" in r.output
    r = run("--queue", "http://example.invalid/", "--store", str(tmp_path / "s.db"))
    assert r.exit_code == 2 and "Redis or Valkey URL" in r.output
    from tests.servers import free_port

    r = run("--queue", f"redis://127.0.0.1:{free_port()}/0", "--store", str(tmp_path / "s.db"))
    assert r.exit_code == 2 and "cannot reach the queue broker" in r.output
    assert "Traceback" not in r.output
    r = run("--queue", broker, "--store", str(tmp_path / "s.db"), "--no-wait", "-f", "json", "-o", "x.json")
    assert r.exit_code == 2 and "--no-wait cannot be combined with -f/--format, -o/--output" in r.output
    r = run("--no-wait")
    assert r.exit_code == 2 and "--no-wait goes with --queue" in r.output
    r = CliRunner().invoke(main, ["worker", "--queue", broker])
    assert r.exit_code == 2 and "needs --store" in r.output
    assert len(fake.calls) == before  # nothing was sent to AWS
