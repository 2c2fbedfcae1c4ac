"""Property: no answer from AWS can crash the scan or turn what could not be read into a pass.

One world (a careful and a careless set-up in one account) is scanned once as the baseline. Each
example then rewrites every successful answer to one operation the collector called, the way a broken
proxy, a truncated transfer or a changed API would: a value of another type, a null, a missing key,
a garbage body, a truncated body, an empty body. The scan must finish with exit code 0, 1 or 3, write
its files, record no internal error, and - for the answers that cannot be read - every result must
stay what it was or become ``error``: never a new ``pass`` or ``fail``.
"""

from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiposture.cli import main
from tests import aws_scenario as sc
from tests.aws_fixtures import moto_port, point_at, reset  # noqa: F401
from tests.fakes.aws import DEFAULT_ACCOUNT, AwsFake

UNREADABLE = ("type", "garbage", "truncate", "empty")  # the answer no longer fits the API's model
LEGAL = ("null", "delete")  # absent = AWS's default: may change findings, must not crash
ARGS = ("--regions", "us-east-1", "--max-attempts", "1", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json")


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*path, k))
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*path, i))
            out += _paths(v, (*path, i))
    return out


def _other_type(v: Any) -> Any:
    if isinstance(v, bool):
        return "yes"
    if isinstance(v, (int, float)):
        return str(v) + "x"
    if isinstance(v, str):
        return 7
    if isinstance(v, dict):
        return [1, 2]
    if isinstance(v, list):
        return "not-a-list"
    return {"unexpected": True}


def _mutate_json(kind: str, body: bytes, pick: int) -> bytes:
    doc = json.loads(body)
    paths = _paths(doc)
    if not paths:
        return b"[]" if kind == "type" else body
    path = paths[pick % len(paths)]
    parent = doc
    for seg in path[:-1]:
        parent = parent[seg]
    last = path[-1]
    if kind == "type":
        parent[last] = _other_type(parent[last])
    elif kind == "null":
        parent[last] = None
    elif isinstance(parent, dict):  # delete
        del parent[last]
    else:
        parent.pop(last)
    return json.dumps(doc).encode()


def _typed(text: str | None) -> bool:
    """XML carries every value as text: only numbers, flags and timestamps can be of the wrong type."""
    t = (text or "").strip()
    return t in ("true", "false") or t.isdigit() or (len(t) >= 10 and t[:4].isdigit() and t[4] == "-")


def _mutate_xml(kind: str, body: bytes, pick: int) -> bytes:
    root = ET.fromstring(body)
    pairs = [(p, c) for p in root.iter() for c in p if len(c) == 0 and (kind != "type" or _typed(c.text))]
    if not pairs:
        return body
    parent, child = pairs[pick % len(pairs)]
    if kind == "type":
        child.text = "not-a-number-or-flag"
    elif kind == "null":
        child.text = ""
    else:
        parent.remove(child)
    return ET.tostring(root)


def mutate(kind: str, status: int, ctype: str, body: bytes, pick: int) -> tuple[int, str, bytes]:
    if status >= 300 or not body:
        return status, ctype, body
    rnd = random.Random(pick)
    if kind == "garbage":
        return status, ctype, rnd.choice([b"<html><body>502 Bad Gateway</body></html>", b"\x00\xff garbage", b"null",
                                          b'"a string"', b"[1, 2, 3]"])
    if kind == "truncate":
        return status, ctype, body[: max(1, rnd.randrange(len(body)))]
    if kind == "empty":
        return status, ctype, b""
    if body.lstrip().startswith(b"<"):
        return status, ctype, _mutate_xml(kind, body, pick)
    return status, ctype, _mutate_json(kind, body, pick)


@pytest.fixture(scope="module")
def world(moto_port, tmp_path_factory):
    """The scenario, the fake, and the baseline scan (results and the operations the collector called)."""
    reset(moto_port)
    fake = AwsFake(moto_port).start()
    tmp = tmp_path_factory.mktemp("baseline")
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, tmp, fake.url)
        c = sc.clients(None)
        sc.hardened(c, DEFAULT_ACCOUNT, "good")
        sc.careless(c, DEFAULT_ACCOUNT, "bad")
        r = CliRunner().invoke(main, ["scan", "aws", "-q", *ARGS], catch_exceptions=False)
        assert r.exit_code == 1, r.output
        base = _results(tmp)
        ops = sorted({op for _, _, svc, op in fake.requests if svc != "sts"})
        yield {"fake": fake, "base": base, "ops": ops, "mp": mp}
    fake.stop()


def _results(folder: Path) -> dict[tuple[str, str], str]:
    doc = json.loads((folder / "out.json").read_text())
    return {(r["rule_id"], r["resource_id"]): r["status"] for r in doc["results"]}


@settings(max_examples=int(os.environ.get("AIPOSTURE_PROPERTY_EXAMPLES", "12")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(UNREADABLE + LEGAL), pick=st.integers(min_value=0, max_value=10_000))
def test_mutated_answers_never_crash_and_never_pass(world, tmp_path_factory, data, kind, pick):
    assert len(world["ops"]) > 20  # the baseline exercised the collector
    op = data.draw(st.sampled_from(world["ops"]), label="operation")
    fake = world["fake"]
    fake.mutators.clear()
    fake.mutate(op, lambda status, ctype, body: mutate(kind, status, ctype, body, pick))
    out = tmp_path_factory.mktemp("mutated")
    world["mp"].chdir(out)
    try:
        r = CliRunner().invoke(main, ["scan", "aws", "-q", *ARGS])
    finally:
        fake.mutators.clear()
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code in (0, 1, 3), r.output
    inv = json.loads((out / "inv.json").read_text())
    assert not [e for e in inv["errors"] if e["code"] == "InternalError"], inv["errors"]
    now = _results(out)
    if kind in UNREADABLE:
        changed = {k: (world["base"].get(k), s) for k, s in now.items() if s != world["base"].get(k)}
        assert all(s == "error" for _, s in changed.values()), changed
        if kind != "type":  # a value of another type under a key the model does not have changes nothing
            assert inv["errors"], f"{op} answered {kind}: nothing recorded as unreadable"
