"""A queued Azure scan: one task per subscription, run by real workers against the local HTTPS ARM fake.

The client plans (lists the subscriptions) with its own token; each worker gets its own token from its own
environment (a stand-in ``az`` on its PATH, as ``DefaultAzureCredential`` -> ``AzureCliCredential`` would);
only ``--arm-endpoint`` and the subscription id travel in the task. The findings equal those of the same scan
in one process; a worker that cannot get a token makes its subscriptions scope errors (exit 3), not a gap.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("celery")
pytest.importorskip("azure.mgmt.cognitiveservices")
trustme = pytest.importorskip("trustme")

from aiposture.cli import main  # noqa: E402
from tests import azure_scenario as sc  # noqa: E402
from tests.fakes.azure import AzureFake  # noqa: E402
from tests.servers import redis_server  # noqa: E402
from tests.test_collect_azure import _b64  # noqa: E402
from tests.test_queue import Workers, _env, _flush  # noqa: E402

HARDENED, CARELESS, CARELESS2 = ("a1111111-1111-1111-1111-111111111111", "b2222222-2222-2222-2222-222222222222",
                                 "c3333333-3333-3333-3333-333333333333")
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PLANNER_OID, WORKER_OID = "0a0a0a0a-0000-4000-8000-00000000000a", "0b0b0b0b-0000-4000-8000-00000000000b"


def _token(oid: str, name: str) -> str:
    return ".".join([_b64({"alg": "RS256", "typ": "JWT"}),
                     _b64({"oid": oid, "tid": TENANT, "appid": oid, "app_displayname": name, "idtyp": "app"}),
                     "c2lnbmF0dXJl"])


def _az(bindir: Path, token: str | None) -> Path:
    """A stand-in Azure CLI printing ``token`` (or failing as a logged-out CLI does)."""
    bindir.mkdir(parents=True, exist_ok=True)
    body = (f"print(json.dumps({{'accessToken': {token!r}, 'expires_on': int(time.time()) + 3600, "
            "'tokenType': 'Bearer'}))" if token else
            "import sys; print(\"ERROR: Please run 'az login' to setup account.\", file=sys.stderr); sys.exit(1)")
    az = bindir / "az"
    az.write_text(f"#!{sys.executable}\nimport json, time\n{body}\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    return bindir


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Three subscriptions (one hardened, two careless) behind the fake; the client's own environment."""
    ca = trustme.CA()
    fake = AzureFake(ca).start()
    home = tmp_path_factory.mktemp("azure")
    ca.cert_pem.write_to_path(str(home / "ca.pem"))
    sc.populate(fake, HARDENED, hardened=True)
    sc.populate(fake, CARELESS, hardened=False)
    sc.populate(fake, CARELESS2, hardened=False, name="aoai-test")
    for sub in (HARDENED, CARELESS, CARELESS2):
        fake.add_subscription(sub)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AIPOSTURE_"))}
    base.update(AZURE_TOKEN_CREDENTIALS="AzureCliCredential", REQUESTS_CA_BUNDLE=str(home / "ca.pem"))

    def env_with(token: str | None, name: str) -> dict[str, str]:
        return _env({**base, "PATH": f"{_az(home / name, token)}{os.pathsep}{os.environ['PATH']}"})

    try:
        yield fake, env_with(_token(PLANNER_OID, "planner"), "client"), env_with
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def broker():
    with redis_server() as url:
        yield url


def _scan(fake: AzureFake, env: dict[str, str], cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiposture", "scan", "azure", "--arm-endpoint", fake.url,
                           "-f", "json", "-o", "out.json", "--save-inventory", "inv.json", *extra],
                          env=env, capture_output=True, text=True, timeout=120, cwd=cwd)


def _results(path: Path) -> dict[tuple[str, str], str]:
    return {(r["rule_id"], r["resource_id"]): r["status"] for r in json.loads(path.read_text())["results"]}


def test_subscriptions_through_the_queue_match_one_process(world, broker, tmp_path, monkeypatch):
    fake, client_env, env_with = world
    _flush(broker)
    store = str(tmp_path / "store.db")
    workers = Workers(broker, store, env_with(_token(WORKER_OID, "worker"), "worker"), tmp_path).start(1, 2)
    try:  # the workers boot while the reference scan runs (in this process, with the client's environment)
        for k in [k for k in os.environ if k.startswith(("AZURE_", "AIPOSTURE_"))]:
            monkeypatch.delenv(k)
        for k in ("PATH", "AZURE_TOKEN_CREDENTIALS", "REQUESTS_CA_BUNDLE"):
            monkeypatch.setenv(k, client_env[k])
        (tmp_path / "single").mkdir()
        monkeypatch.chdir(tmp_path / "single")
        single = CliRunner().invoke(main, ["scan", "azure", "--arm-endpoint", fake.url, "-q", "-f", "json", "-o",
                                           "out.json"], catch_exceptions=False)
        assert single.exit_code == 1, single.output  # the careless subscriptions fail
        (tmp_path / "queued").mkdir()
        q = _scan(fake, client_env, tmp_path / "queued", "--queue", broker, "--store", store)
        import redis

        r = redis.Redis.from_url(broker)
        in_broker = b"".join(json.dumps([k.decode(errors="replace"), str(r.dump(k))]).encode() for k in r.keys("*"))
    finally:
        workers.stop()
    assert q.returncode == 1, q.stderr + workers.logs()
    assert "3 task(s)" in q.stderr  # one per subscription
    queued = _results(tmp_path / "queued" / "out.json")
    assert queued == _results(tmp_path / "single" / "out.json")
    subs = {rid.split("/")[2] for _, rid in queued}
    assert subs == {HARDENED, CARELESS, CARELESS2}
    assert "fail" in queued.values() and "pass" in queued.values() and "error" not in queued.values()
    inv = json.loads((tmp_path / "queued" / "inv.json").read_text())
    assert inv["errors"] == []
    # the client listed the subscriptions with its token; the worker read them with its own
    assert {i["principal"] for i in inv["scan"]["identity"]} == {PLANNER_OID, WORKER_OID}
    assert {t["subscription"] for t in inv["scan"]["targets"]} == {HARDENED, CARELESS, CARELESS2}
    stored = Path(store).read_bytes()
    for token in (_token(PLANNER_OID, "planner"), _token(WORKER_OID, "worker")):  # no token in the broker or store
        assert token.split(".")[1].encode() not in in_broker and token.split(".")[1].encode() not in stored


def test_worker_without_credentials_makes_scope_errors_not_gaps(world, broker, tmp_path):
    """The client is logged in, the workers are not: every subscription is a scope error (exit 3); the client's
    token is not lent to the workers."""
    fake, client_env, env_with = world
    _flush(broker)
    store = str(tmp_path / "store.db")
    workers = Workers(broker, store, env_with(None, "loggedout"), tmp_path).start(1, 2, "--retries", "0")
    try:
        q = _scan(fake, client_env, tmp_path, "--queue", broker, "--store", store)
    finally:
        workers.stop()
    assert q.returncode == 3, q.stderr + workers.logs()
    inv = json.loads((tmp_path / "inv.json").read_text())
    assert sorted((e["scope"]["subscription"], e["code"]) for e in inv["errors"]) == \
        sorted((s, "TaskFailed") for s in (HARDENED, CARELESS, CARELESS2))
    assert all("az login" in e["message"] or "credential" in e["message"].lower() for e in inv["errors"])
    results = json.loads((tmp_path / "out.json").read_text())["results"]
    assert results and {r["status"] for r in results} == {"error"}
