"""Queued scans without a waiting client, and tasks that keep failing.

``--no-wait`` against a real redis-server and a real worker process: the client
prints the scan id, ``history`` shows the scan running, the worker that writes the
last part evaluates and saves it. A unit that raises on every attempt is retried,
then recorded as a scope error of the scan (never a gap): run through Celery's
eager mode so the retries take no broker round trips.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from aiposture.cli import main
from tests import aws_scenario as sc
from tests.aws_fixtures import aws, moto_port  # noqa: F401
from tests.fakes.aws import DEFAULT_ACCOUNT
from tests.servers import redis_server
from tests.test_queue import Workers, _env

pytest.importorskip("celery")


@pytest.fixture(scope="module")
def broker():
    with redis_server() as url:
        yield url


def test_no_wait_prints_the_id_and_the_workers_finish(aws, broker, tmp_path):
    sc.careless(sc.clients(None), DEFAULT_ACCOUNT)
    store = str(tmp_path / "store.db")
    env = _env({})
    cmd = [sys.executable, "-m", "aiposture", "scan", "aws", "--regions", "us-east-1,eu-west-1", "--queue", broker,
           "--store", store, "--no-wait"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    scan_id = r.stdout.strip()
    assert len(scan_id) == 36 and "3 task(s)" in r.stderr  # the account's IAM + 2 regions
    h = CliRunner().invoke(main, ["history", "--store", store])
    assert "[running]" in h.output and scan_id[:12] in h.output
    workers = Workers(broker, store, env, tmp_path).start(1, concurrency=4)
    try:
        from aiposture.store import open_store

        st = open_store(store)
        assert st is not None
        deadline = time.monotonic() + 60
        while st.scan_status(scan_id) != "complete" and time.monotonic() < deadline:
            time.sleep(0.2)
        info = st.get(scan_id)
        st.close()
    finally:
        workers.stop()
    assert info.status == "complete", workers.logs()
    assert info.n_fail > 0 and info.n_resources > 0 and info.n_error == 0
    h = CliRunner().invoke(main, ["history", "--store", store])
    assert "[running]" not in h.output and scan_id[:12] in h.output
    d = CliRunner().invoke(main, ["diff", scan_id, scan_id, "--store", store, "-f", "json"])
    assert d.exit_code == 0, d.output  # a finished scan is an ordinary stored scan


def test_a_unit_failing_every_attempt_becomes_a_scope_error(tmp_path, monkeypatch):
    from aiposture.queue import tasks
    from aiposture.queue.app import make_app
    from aiposture.store import open_store

    store = open_store(str(tmp_path / "store.db"))
    assert store is not None
    unit = {"key": "aws/111122223333/us-east-1", "scope": {"account": "111122223333", "region": "us-east-1"},
            "account": "111122223333", "name": "", "role_arn": None, "region": "us-east-1"}
    plan = {"provider": "aws", "units": [unit], "notes": [], "errors": [], "api_calls": 0,
            "started_at": "2026-11-25T10:00:00+00:00", "scope_label": "aws:test", "command": ["aiposture"],
            "finaliser": "workers", "evaluation": {}}
    store.begin_scan("scan-failing", provider="aws", scope_label="aws:test", command=["aiposture"], who="t", plan=plan)
    attempts = []

    def boom(provider, options, u):
        attempts.append(u["key"])
        raise RuntimeError("the collector crashed\nsecond line")

    monkeypatch.setattr(tasks, "run_unit", boom)
    monkeypatch.setattr(tasks, "RETRY_DELAY", 0.0)
    app = make_app("redis://127.0.0.1:1/0")  # never contacted: eager mode
    app.conf.task_always_eager = True
    task = tasks.register(app, store, retries=2)
    task.apply(args=[{"scan_id": "scan-failing", "provider": "aws", "options": {}, "unit": unit,
                      "finaliser": "workers", "units": 1}])
    assert len(attempts) == 3  # the first attempt and two retries
    info = store.get("scan-failing")
    assert info.status == "complete"  # the last part finalised the scan
    errors = store.scope_errors("scan-failing")
    assert [e["code"] for e in errors] == ["TaskFailed"]
    assert errors[0]["scope"] == unit["scope"] and "failed after 3 attempt(s)" in errors[0]["message"]
    assert "second line" not in errors[0]["message"]
    assert info.n_error > 0 and info.n_pass == 0  # every rule of the scope reports error, none passes
    store.close()


def test_a_task_for_a_scan_this_store_does_not_hold_is_dropped_with_a_reason(tmp_path, caplog):
    from aiposture.queue import tasks
    from aiposture.queue.app import make_app
    from aiposture.store import open_store

    store = open_store(str(tmp_path / "store.db"))
    assert store is not None
    app = make_app("redis://127.0.0.1:1/0")
    app.conf.task_always_eager = True
    task = tasks.register(app, store)
    with caplog.at_level("ERROR", logger="aiposture.worker"):
        r = task.apply(args=[{"scan_id": "elsewhere", "provider": "aws", "options": {}, "unit": {"key": "k"},
                              "finaliser": "client", "units": 1}])
    assert r.get() == "unknown-scan"
    assert "must use the same --store" in caplog.text
    store.close()
    assert os.path.exists(tmp_path / "store.db")


def test_a_worker_keeps_nothing_of_an_account_after_its_unit(aws, monkeypatch):
    """Flat memory in a long-lived worker: one shared client pool per process, and no account object (its
    credentials, IAM snapshot, bucket facts) survives the unit that scanned it."""
    import gc
    import weakref

    from aiposture.collect import aws_bedrock
    from aiposture.queue import units

    accounts = sc.make_org(["a", "b", "c"])
    for a in accounts:
        sc.clients(sc.assume(a))["bedrock"].create_guardrail(name=f"g-{a}", blockedInputMessaging="x",
                                                             blockedOutputsMessaging="x")
    monkeypatch.setattr(units, "_worlds", {})
    alive: list[weakref.ref] = []
    init = aws_bedrock.AccountScan.__init__

    def track(self, *a, **kw):
        init(self, *a, **kw)
        alive.append(weakref.ref(self))

    monkeypatch.setattr(aws_bedrock.AccountScan, "__init__", track)
    options = {"profile": None, "regions": ["us-east-1"], "external_id": None, "max_attempts": 3,
               "connect_timeout": 5, "read_timeout": 15}
    names = set()
    for a in accounts:
        base = {"account": a, "name": "", "role_arn": f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole"}
        for region in (None, "us-east-1"):
            part = units.run_aws(options, {**base, "region": region})
            assert part["errors"] == [] and part["api_calls"] > 0
            names |= {r["name"] for r in part["resources"] if r["kind"] == "content_filter"}
    assert names == {f"g-{a} (DRAFT)" for a in accounts}  # each unit ran with its own account's role
    gc.collect()
    assert len(alive) == 6 and all(ref() is None for ref in alive)
    assert len(units._worlds) == 1  # one session, credential set and client pool for every unit of the process


def test_the_fleet_examples_use_real_commands_and_options():
    """examples/queue: every aiposture command line in the compose file and the Kubernetes manifests parses."""
    import shlex
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent / "examples" / "queue"
    compose = yaml.safe_load((root / "compose.yaml").read_text())
    commands = [svc["command"] for svc in compose["services"].values()
                if isinstance(svc.get("command"), list) and svc["command"][0] == "aiposture"]
    for doc in yaml.safe_load_all((root / "kubernetes.yaml").read_text()):
        spec = doc.get("spec", {})
        pod = (spec.get("jobTemplate", {}).get("spec", spec)).get("template", {}).get("spec", {})
        for c in pod.get("containers", []):
            line = c["command"][-1].split("&& exec ", 1)[1]
            commands.append(shlex.split(line.replace("/tmp/v/bin/aiposture", "aiposture")))
    assert len(commands) == 4
    for cmd in commands:
        r = CliRunner().invoke(main, [*cmd[1:], "--help"])
        assert r.exit_code == 0, (cmd, r.output)


def test_an_interrupted_client_hands_the_scan_to_the_workers(tmp_path, monkeypatch, capsys):
    """Ctrl-C while waiting: the scan is 'detached'; the worker that writes the last part saves it."""
    from aiposture.queue import tasks
    from aiposture.queue.app import make_app
    from aiposture.queue.client import _detach
    from aiposture.store import open_store

    store = open_store(str(tmp_path / "store.db"))
    assert store is not None
    units = [{"key": f"aws/11112222333{i}/IAM", "scope": {"account": f"11112222333{i}"}, "account": f"11112222333{i}",
              "name": "", "role_arn": None, "region": None} for i in range(2)]
    plan = {"provider": "aws", "units": units, "notes": [], "errors": [], "api_calls": 0,
            "started_at": "2026-11-25T10:00:00+00:00", "scope_label": "aws:test", "command": ["aiposture"],
            "finaliser": "client", "evaluation": {"rule_ids": ["AIP-AUTH-*"]}}
    store.begin_scan("scan-detached", provider="aws", scope_label="aws:test", command=["aiposture"], who="t", plan=plan)
    empty = {"resources": [], "errors": [], "targets": [], "notes": [], "api_calls": 1}
    store.put_part("scan-detached", units[0]["key"], empty)
    _detach(store, "scan-detached", 2, plan)
    assert store.scan_status("scan-detached") == "detached"
    assert "the workers finish scan scan-detached" in capsys.readouterr().err
    monkeypatch.setattr(tasks, "run_unit", lambda provider, options, unit: dict(empty))
    app = make_app("redis://127.0.0.1:1/0")
    app.conf.task_always_eager = True
    task = tasks.register(app, store)
    r = task.apply(args=[{"scan_id": "scan-detached", "provider": "aws", "options": {}, "unit": units[1],
                          "finaliser": "client", "units": 2}])
    assert r.get() == "finalised"
    info = store.get("scan-detached")
    assert info.status == "complete" and info.n_resources == 0
    store.close()
