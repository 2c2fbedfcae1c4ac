"""Fixtures shared by the live AWS tests: moto's server per module, the gap fake per test, the CLI runner."""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner

from aiposture.cli import main

pytest.importorskip("moto")
pytest.importorskip("boto3")

from moto.server import ThreadedMotoServer

from tests.fakes.aws import AwsFake


@pytest.fixture(scope="module")
def moto_port():
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    yield srv._server.server_port
    srv.stop()


def reset(moto_port: int) -> None:
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{moto_port}/moto-api/reset", method="POST")).read()


def point_at(monkeypatch, tmp_path, url: str) -> None:
    """The environment a user would set to reach a private endpoint: AWS_ENDPOINT_URL and static keys."""
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def aws(moto_port, monkeypatch, tmp_path):
    reset(moto_port)
    fake = AwsFake(moto_port).start()
    point_at(monkeypatch, tmp_path, fake.url)
    yield fake
    fake.stop()


def run(*args):
    return CliRunner().invoke(main, ["scan", "aws", "-q", *args], catch_exceptions=False)


def results(path) -> dict[tuple[str, str], str]:
    """(rule id, resource id) -> status."""
    doc = json.loads(open(path).read())
    return {(r["rule_id"], r["resource_id"]): r["status"] for r in doc["results"]}


def statuses(path, account: str, rule: str) -> set[str]:
    doc = json.loads(open(path).read())
    return {r["status"] for r in doc["results"] if r["rule_id"] == rule and r["account"] == account}
