"""Scan history and drift, on SQLite (the default) and a real PostgreSQL server."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiposture.cli import main
from aiposture.store.db import Store, _redact_argv, resolve_url
from tests.servers import postgres_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "inventory.json"
PROD_GUARDRAIL = "arn:aws:bedrock:eu-west-1:111122223333:guardrail/gr-prod:3"
SBX_GUARDRAIL = "arn:aws:bedrock:us-east-1:444455556666:guardrail/gr-sbx:DRAFT"
SBX_KB = "arn:aws:bedrock:us-east-1:444455556666:knowledge-base/KBSBX001"
AGENT = "arn:aws:bedrock:eu-west-1:111122223333:agent/AGPROD01"


@pytest.fixture(scope="module")
def pg_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    return _fresh_pg_db(request.getfixturevalue("pg_url"), tmp_path.name)


def _fresh_pg_db(url: str, name: str) -> str:
    """One database per test on the shared server, so migrations run from empty each time."""
    import psycopg

    db = "t_" + "".join(c for c in name.lower() if c.isalnum())[:40]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')
    return url.rsplit("/", 1)[0] + "/" + db


def _docs(tmp_path: Path) -> tuple[Path, Path]:
    """Two scans of the same scope: the second lowers the prod guardrail's prompt-attack
    strength (a new failing finding and an attribute change), fixes the sandbox
    guardrail's prompt-attack filter (a fixed finding), drops a knowledge base and adds
    an agent."""
    first = json.loads(EXAMPLE.read_text())
    first["scan"]["id"] = "scan-one"
    second = copy.deepcopy(first)
    second["scan"]["id"] = "scan-two"
    second["scan"]["started_at"] = "2026-11-21T09:00:00Z"
    by_id = {r["id"]: r for r in second["resources"]}
    by_id[PROD_GUARDRAIL]["attrs"]["prompt_attack"]["input_strength"] = "low"
    by_id[SBX_GUARDRAIL]["attrs"]["prompt_attack"].update(input_action="block", input_strength="high")
    second["resources"] = [r for r in second["resources"] if r["id"] != SBX_KB]
    agent = copy.deepcopy(by_id[AGENT])
    agent["id"] += "-new"
    agent["name"] = "new agent"
    second["resources"].append(agent)
    a, b = tmp_path / "one.json", tmp_path / "two.json"
    a.write_text(json.dumps(first))
    b.write_text(json.dumps(second))
    return a, b


def _scan(inv: Path, store: str, *extra: str):
    return CliRunner().invoke(main, ["scan", "--inventory", str(inv), "--store", store, "-q", "-f", "json",
                                     "-o", str(inv.with_suffix(".out.json")), *extra])


def test_two_scans_and_their_drift(store_url, tmp_path):
    one, two = _docs(tmp_path)
    assert _scan(one, store_url).exit_code == 1
    assert _scan(two, store_url).exit_code == 1

    r = CliRunner().invoke(main, ["history", "--store", store_url, "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [s["id"] for s in rows] == ["scan-two", "scan-one"]
    assert rows[0]["scope_key"] == rows[1]["scope_key"]
    assert rows[1]["n_resources"] == 27 and rows[0]["n_resources"] == 27  # one removed, one added

    r = CliRunner().invoke(main, ["diff", "--store", store_url, "-f", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert (d["old_scan"]["id"], d["new_scan"]["id"]) == ("scan-one", "scan-two")
    new = {(f["rule_id"], f["resource_id"]) for f in d["new_findings"]}
    fixed = {(f["rule_id"], f["resource_id"]) for f in d["fixed_findings"]}
    assert ("AIP-GR-002", PROD_GUARDRAIL) in new          # strength lowered high -> low
    assert ("AIP-GR-002", SBX_GUARDRAIL) in fixed         # annotate -> block at high
    assert not new & fixed
    gone = {(f["resource_id"], f["old_status"], f["new_status"]) for f in d["changed_findings"]}
    assert any(rid == SBX_KB and old == "fail" and new_ is None for rid, old, new_ in gone)
    assert [r["resource_id"] for r in d["resources_removed"]] == [SBX_KB]
    assert [r["name"] for r in d["resources_added"]] == ["new agent"]
    changes = {c["resource_id"]: c["changes"] for c in d["resources_changed"]}
    assert {"path": "attrs.prompt_attack.input_strength", "old": "high", "new": "low"} in changes[PROD_GUARDRAIL]

    md = CliRunner().invoke(main, ["diff", "scan-one", "scan-two", "--store", store_url]).output
    assert "`attrs.prompt_attack.input_strength`: `high` -> `low`" in md
    assert "| new failing findings | " in md


def test_new_only_reports_only_what_was_not_failing_before(tmp_path):
    store = str(tmp_path / "h.db")
    one, two = _docs(tmp_path)
    first = _scan(one, store, "--new-only")
    assert first.exit_code == 1  # nothing stored before: every finding is new
    r = _scan(two, store, "--new-only")
    assert r.exit_code == 1
    out = json.loads(two.with_suffix(".out.json").read_text())
    failing = {(x["rule_id"], x["resource_id"]) for x in out["results"] if x["status"] == "fail"}
    # only the lowered guardrail is new (the added agent copies a hardened one and passes)
    assert failing == {("AIP-GR-002", PROD_GUARDRAIL)}, failing
    # the store keeps every result, not only the new ones
    s = Store(resolve_url(store))
    try:
        stored = s.results("scan-two")
        assert sum(1 for x in stored.values() if x.status == "fail") > 1
    finally:
        s.close()
    # same scan again: nothing new, exit 0
    three = json.loads(two.read_text())
    three["scan"]["id"] = "scan-three"
    three["scan"]["started_at"] = "2026-11-22T09:00:00Z"
    p = tmp_path / "three.json"
    p.write_text(json.dumps(three))
    # nothing new fails; the example's access-denied scope still makes the run incomplete (3, not 1)
    assert _scan(p, store, "--new-only").exit_code == 3
    assert _scan(p, store, "--new-only", "--tolerate-errors").exit_code == 0


def test_new_only_without_a_store_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.delenv("AIPOSTURE_STORE", raising=False)
    r = CliRunner().invoke(main, ["scan", "--inventory", str(EXAMPLE), "--new-only", "-q"])
    assert r.exit_code == 2
    assert "--store" in r.output and "Traceback" not in r.output


def test_bare_store_flag_uses_the_data_directory_and_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("AIPOSTURE_STORE", raising=False)
    r = CliRunner().invoke(main, ["scan", "--inventory", str(EXAMPLE), "--store", "-q", "-f", "json", "-o",
                                  str(tmp_path / "o.json")])
    assert r.exit_code == 1, r.output
    assert (tmp_path / "data" / "aiposture" / "aiposture.db").is_file()
    monkeypatch.setenv("AIPOSTURE_STORE", str(tmp_path / "env.db"))
    r = CliRunner().invoke(main, ["scan", "--inventory", str(EXAMPLE), "-q", "-f", "json", "-o", str(tmp_path / "o.json")])
    assert (tmp_path / "env.db").is_file()
    r = CliRunner().invoke(main, ["history"])
    assert r.exit_code == 0 and "example-scan" in r.output


def test_history_filters_by_provider_and_account(tmp_path):
    store = str(tmp_path / "h.db")
    one, _ = _docs(tmp_path)
    aws_only = json.loads(one.read_text())
    aws_only["scan"].update(id="aws-only", sources=["aws"])
    aws_only["resources"] = [r for r in aws_only["resources"] if r["provider"] == "aws"]
    p = tmp_path / "aws.json"
    p.write_text(json.dumps(aws_only))
    _scan(one, store)
    _scan(p, store)
    rows = json.loads(CliRunner().invoke(main, ["history", "--store", store, "--json", "--provider", "aws"]).output)
    assert [r["id"] for r in rows] == ["aws-only"]
    rows = json.loads(CliRunner().invoke(main, ["history", "--store", store, "--json", "--account", "acme-ml-prod"]).output)
    assert [r["id"] for r in rows] == ["scan-one"]


def test_models_and_migrations_agree(store_url):
    """Alembic's autogenerate finds nothing to add: the migration creates exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from aiposture.store.models import Base

    s = Store(resolve_url(store_url))
    try:
        with s.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
        s.migrate()  # idempotent
    finally:
        s.close()


def test_snapshots_are_deduplicated(tmp_path):
    store = str(tmp_path / "h.db")
    one, two = _docs(tmp_path)
    _scan(one, store)
    _scan(two, store)
    s = Store(resolve_url(store))
    try:
        from sqlalchemy import func, select

        from aiposture.store.models import Snapshot

        with s.engine.connect() as conn:
            n = conn.scalar(select(func.count()).select_from(Snapshot))
        assert n == 27 + 3  # 27 resources, then 2 changed + 1 added
    finally:
        s.close()


def test_store_errors_are_one_line(tmp_path):
    r = CliRunner().invoke(main, ["history", "--store", "mysql://x/y"])
    assert r.exit_code == 2 and "unsupported URL scheme" in r.output
    r = CliRunner().invoke(main, ["history", "--store", "postgresql://nobody:s3cret@127.0.0.1:1/none"])
    assert r.exit_code == 2
    assert "s3cret" not in r.output and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(main, ["diff", "nosuch", "--store", str(tmp_path / "e.db")])
    assert r.exit_code == 2 and "no scan" in r.output


def test_command_line_secrets_are_not_stored():
    argv = ["aiposture", "scan", "aws", "--external-id", "abc", "--store=postgresql://u:pw@h/db", "--var", "k=v"]
    assert _redact_argv(argv) == ["aiposture", "scan", "aws", "--external-id", "***", "--store=***", "--var", "***"]


def test_history_commands_do_not_import_sqlalchemy_elsewhere():
    code = "import sys; from aiposture.cli import main; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}).stdout
    assert out.strip() == "False"


def test_iac_scans_of_the_same_paths_compare(tmp_path, monkeypatch):
    """Pre-deploy history: the same folder scanned twice; a weakened filter shows as attribute drift."""
    src = ROOT / "tests" / "fixtures" / "iac" / "cloudformation"
    repo = tmp_path / "repo"
    repo.mkdir()
    text = (src / "bedrock.yaml").read_text()
    (repo / "bedrock.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    store = str(tmp_path / "h.db")
    r1 = CliRunner().invoke(main, ["iac", "repo", "--store", store, "-q", "-f", "json", "-o", "a.json"])
    assert r1.exit_code in (1, 3), r1.output
    (repo / "bedrock.yaml").write_text(text.replace("InputStrength: HIGH", "InputStrength: LOW", 1))
    r2 = CliRunner().invoke(main, ["iac", "repo", "--store", store, "-q", "-f", "json", "-o", "b.json"])
    assert r2.exit_code in (1, 3), r2.output
    d = json.loads(CliRunner().invoke(main, ["diff", "--store", store, "-f", "json"]).output)
    paths = {c["path"] for rc in d["resources_changed"] for c in rc["changes"]}
    assert any(p.startswith("attrs.harm_categories.") and p.endswith("input_strength") for p in paths), paths
    assert d["old_scan"]["scope_label"] == d["new_scan"]["scope_label"] == "iac:repo"
