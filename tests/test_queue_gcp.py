"""A queued Google Cloud scan: one task per project, run by a real worker against the local HTTPS fake.

The worker reaches the fake through the user's own switches (``GOOGLE_APPLICATION_CREDENTIALS`` in its
environment, ``--api-endpoint-template`` carried in the task as a scan option, never a credential) and
the findings equal those of the same scan in one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from aiposture.cli import main
from tests import gcp_scenario as sc
from tests.servers import redis_server
from tests.test_collect_gcp import gcp, sa_key  # noqa: F401
from tests.test_queue import Workers, _env

pytest.importorskip("celery")


def _results(path) -> dict[tuple[str, str], str]:
    return {(r["rule_id"], r["resource_id"]): r["status"] for r in json.loads(open(path).read())["results"]}


def test_projects_through_the_queue_match_one_process(gcp, tmp_path):
    sc.populate(gcp, "prj-good", hardened=True)
    sc.populate(gcp, "prj-bad", hardened=False)
    args = ["scan", "gcp", "--api-endpoint-template", gcp.url, "--project", "prj-good,prj-bad",
            "--locations", "us-central1"]
    r = CliRunner().invoke(main, [*args, "-q", "-f", "json", "-o", str(tmp_path / "single.json")], catch_exceptions=False)
    assert r.exit_code == 1, r.output
    with redis_server() as broker:
        store = str(tmp_path / "store.db")
        env = _env({"GOOGLE_APPLICATION_CREDENTIALS": os.environ["GOOGLE_APPLICATION_CREDENTIALS"]})
        workers = Workers(broker, store, env, tmp_path).start(1, concurrency=2)
        try:
            q = subprocess.run([sys.executable, "-m", "aiposture", *args, "--queue", broker, "--store", store, "-f", "json",
                                "-o", str(tmp_path / "queued.json")], env=env, capture_output=True, text=True,
                               timeout=120, cwd=tmp_path)
        finally:
            workers.stop()
    assert q.returncode == 1, q.stderr + workers.logs()
    assert "2 task(s)" in q.stderr  # one per project
    queued = _results(tmp_path / "queued.json")
    assert queued == _results(tmp_path / "single.json")
    assert "fail" in queued.values() and "error" not in queued.values()
