"""Property: whatever the configuration, inventory, baseline or rule file holds, the CLI
answers with a documented exit code (0, 1, 2 or 3) and never a traceback or exit 4.

Bounded: a few dozen examples per input, no example database, no deadline (the machine is shared).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safety_helpers import EXIT_CODES, ROOT, cli, example_doc, failing_filter, write_doc

SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

any_char = st.characters(codec=None, exclude_categories=())  # surrogates and controls included
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(any_char, max_size=12))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(any_char, max_size=8), inner, max_size=4), max_leaves=25)
deep = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)

_WORK = Path(tempfile.mkdtemp(prefix="aiposture-fuzz-"))
SMALL_INV = write_doc(_WORK / "small.json", [failing_filter()])
CFN = ROOT / "tests" / "fixtures" / "iac" / "cloudformation"
RULE = yaml.safe_load((ROOT / "rules" / "guardrails" / "AIP-GR-001.yaml").read_text())
CONFIG_KEYS = ["fail_on", "rule_dirs", "select", "skip", "waivers", "inline_suppressions", "nope"]


def _file(data: bytes | str, name: str) -> Path:
    fd, path = tempfile.mkstemp(prefix=name, dir=_WORK)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return Path(path)


def _dump_json(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _dump_yaml(value) -> bytes:
    try:
        return yaml.safe_dump(value, allow_unicode=False).encode()
    except yaml.YAMLError:
        return _dump_json(value)


def _ok(ran) -> None:
    assert ran.code in EXIT_CODES, ran


config_bytes = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(st.sampled_from(CONFIG_KEYS), json_values, max_size=4).map(_dump_yaml),
    st.builds(lambda k, d: f"{k}: {d}\n".encode(), st.sampled_from(CONFIG_KEYS), deep),
    st.builds(lambda v: _dump_yaml({"waivers": [{"rule": "AIP-*", "resource": "*", "reason": "because",
                                                 "owner": "o", "expires": v}]}),
              st.text(any_char, max_size=12) | st.dates().map(str) | st.just("2026-02-30")),
)


@SETTINGS
@given(config_bytes)
def test_any_config_file(data):
    _ok(cli("scan", "--inventory", SMALL_INV, "--config", _file(data, "cfg"), "-q", "-f", "json", "-o", os.devnull))


def _mutated_inventory(where: str, key: str, value) -> bytes:
    doc = example_doc()
    doc["resources"] = doc["resources"][:2]
    target = {"doc": doc, "scan": doc["scan"], "resource": doc["resources"][0],
              "attrs": doc["resources"][0]["attrs"]}[where]
    target[key] = value
    return _dump_json(doc)


inventory_bytes = st.one_of(
    st.binary(max_size=300),
    json_values.map(_dump_json),
    st.builds(_mutated_inventory, st.sampled_from(["doc", "scan", "resource", "attrs"]),
              st.sampled_from(["id", "name", "provider", "kind", "attrs", "resources", "errors", "source", "tags",
                               "suppressions", "x"]), json_values),
    st.builds(lambda d: b'{"resources": ' + d.encode() + b"}", deep),
    st.builds(lambda v, enc: json.dumps(example_doc()).encode(enc), st.none(), st.sampled_from(["utf-16", "utf-32", "utf-8-sig"])),
)


@SETTINGS
@given(inventory_bytes)
def test_any_inventory_file(data):
    p = _file(data, "inv")
    _ok(cli("scan", "--inventory", p, "-q", "-f", "json", "-o", os.devnull))


baseline_bytes = st.one_of(
    st.binary(max_size=200),
    json_values.map(_dump_json),
    st.builds(lambda v: _dump_json({"results": v}), json_values),
    st.builds(lambda v: _dump_json({"results": [{"fingerprint": v, "status": "fail"}]}), json_values),
    st.builds(lambda d: b'{"results": ' + d.encode() + b"}", deep),
)


@SETTINGS
@given(baseline_bytes)
def test_any_baseline_file(data):
    _ok(cli("iac", CFN, "--baseline", _file(data, "base"), "-q", "-f", "json", "-o", os.devnull))


def _mutated_rule(key: str, value) -> bytes:
    rule = copy.deepcopy(RULE)
    rule[key] = value
    return _dump_yaml(rule)


rule_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(_mutated_rule, st.sampled_from([*sorted(RULE), "extra"]), json_values),
    st.builds(_mutated_rule, st.sampled_from(["condition", "applies_if", "message"]),
              st.text(st.sampled_from("resource.attrs.prompt_attack.enabled ()[]{}!=&|\"'\\ 0123xyz.,:?"), max_size=40)),
    st.builds(lambda d: b"id: X\ntitle: " + d.encode() + b"\n", deep),
)


@SETTINGS
@given(rule_bytes)
def test_any_rule_file(data):
    d = Path(tempfile.mkdtemp(prefix="rules", dir=_WORK))
    (d / "r.yaml").write_bytes(data)
    ran = cli("rules", "validate", d)
    assert ran.code in (0, 2), ran
    _ok(cli("scan", "--inventory", SMALL_INV, "--rules-dir", d, "-q", "-f", "json", "-o", os.devnull))
