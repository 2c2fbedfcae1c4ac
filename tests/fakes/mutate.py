"""Mutations of recorded API answers for the property-based live-scan tests.

A :class:`Mutation` rewrites every JSON answer of one route the way broken or
future APIs do: a garbage body (HTML error page, truncated JSON, a JSON value of
the wrong kind, binary), one value replaced by a value of another JSON type,
one value set to null, or one key dropped. ``hypothesis`` draws the route, the
kind, and indexes that pick the value (modulo what the body holds), so every
example is reproducible from its draw.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

GARBAGE = (b"<html><body>502 Bad Gateway</body></html>", b"", b"{\"value\": [", b"null", b"[1, 2, 3]", b"\"text\"",
           b"\xff\xfe\x00garbage", b"{\"value\": 5}", b"{\"nextLink\": {}}", b"1e999")
REPLACEMENTS: tuple[Any, ...] = (0, 7, "", "x", [], [1, "x"], {}, True, False, -1, 2.5, "Enabled", {"a": None})
SWEEP = (1, 3, 6, 7)  # a truthy number, a truthy string, an object, a boolean
KINDS = ("garbage", "type", "null", "drop")


def _json_object(b: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(b), dict)
    except ValueError:
        return False


def _kind_of(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return type(v).__name__


def _parent(body: Any, where: tuple[Any, ...]) -> Any:
    for k in where[:-1]:
        body = body[k]
    return body


def json_paths(body: Any) -> list[tuple[Any, ...]]:
    """Every (key or index) path to a value inside a JSON document, parents before children."""
    out: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            out.append((*path, k))
            walk(v, (*path, k))

    walk(body, ())
    return out


@dataclass
class Mutation:
    route: str  # regex searched in the request path
    kind: str  # garbage | type | null | drop
    pick: int  # which value (modulo the number of values in the body); negative: every leaf (type kind)
    choice: int  # which replacement / garbage body
    keep_strings_for_numbers: bool = False  # proto3 clients drop unknown enum *names*; the service sends numbers
    fired: list[str] = field(default_factory=list)

    def __call__(self, path: str, body: Any) -> Any:
        if not re.search(self.route, path):
            return body
        self.fired.append(path)
        if self.kind == "garbage":
            return GARBAGE[self.choice % len(GARBAGE)]
        paths = json_paths(body)
        if not paths:
            return body
        body = copy.deepcopy(body)
        targets = ([w for w in paths if not isinstance(_parent(body, w)[w[-1]], (dict, list)) and w[-1] not in ("id", "name")]
                   if self.pick < 0 else [paths[self.pick % len(paths)]])  # negative pick: every leaf but identifiers
        for where in reversed(targets):  # children before parents, so deletions keep the other paths valid
            parent, last = _parent(body, where), where[-1]
            if self.kind == "drop":
                del parent[last]
            elif self.kind == "null":
                parent[last] = None
            else:
                self._replace(parent, last)
        return body

    def _replace(self, parent: Any, last: Any) -> None:
        old = parent[last]
        if old is None:  # null means 'not set'; giving it a value is a different answer, not a wrong type
            return
        allowed = [r for r in REPLACEMENTS if not (self.keep_strings_for_numbers and isinstance(r, str) and _kind_of(old) == "number")]
        if self.pick < 0:  # a sweep puts the same value everywhere it is of another type
            new = REPLACEMENTS[self.choice % len(REPLACEMENTS)]
            if new in allowed and _kind_of(new) != _kind_of(old):
                parent[last] = copy.deepcopy(new)
            return
        options = [r for r in allowed if _kind_of(r) != _kind_of(old)]
        parent[last] = copy.deepcopy(options[self.choice % len(options)])

    def __str__(self) -> str:
        return f"{self.kind} on {self.route} (pick {self.pick}, choice {self.choice}); fired on {sorted(set(self.fired))}"


@dataclass
class Mutations:
    """Several mutations at once (each on its route): more of the answer space per scan."""

    items: list[Mutation]

    def __call__(self, path: str, body: Any) -> Any:
        for m in self.items:
            if isinstance(body, bytes):
                break
            body = m(path, body)
        return body

    @property
    def fired(self) -> bool:
        return any(m.fired for m in self.items)

    @property
    def kinds(self) -> set[str]:
        return {m.kind for m in self.items if m.fired}

    def __str__(self) -> str:
        return "; ".join(str(m) for m in self.items)


def mutations(st: Any, routes: tuple[str, ...], *, keep_strings_for_numbers: bool = False, max_size: int = 6) -> Any:
    """A hypothesis strategy of :class:`Mutations` over ``routes`` (``st`` is ``hypothesis.strategies``)."""
    one = st.builds(Mutation, st.sampled_from(routes), st.sampled_from(KINDS), st.integers(-2, 10_000), st.integers(0, 100),
                    st.just(keep_strings_for_numbers))
    return st.lists(one, min_size=1, max_size=max_size).map(Mutations)


def flips_to_pass(baseline: dict[tuple[str, str], str], results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(rule, resource, was) for every result that passes now but did not pass before the mutation."""
    out = []
    for r in results:
        was = baseline.get((r["rule_id"], r["resource_id"]))
        if r["status"] == "pass" and was is not None and was != "pass":
            out.append((r["rule_id"], r["resource_id"], was))
    return out


class Tail:
    """The CLI's tail (engine, JSON report, saved inventory, exit code) with the rule pack loaded once, so a
    property test spends its time on the collector and the fake rather than on reloading 60 rule files."""

    def __init__(self) -> None:
        from aiposture import pipeline
        from aiposture.engine import Config

        self.opts = pipeline.Options(formats=["json"], quiet=True)
        self.config = Config()
        self.rules, _ = pipeline.prepare_rules(self.opts, self.config)

    def __call__(self, doc: dict[str, Any], out: Any) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
        import json
        from pathlib import Path

        from aiposture import inventory, pipeline
        from aiposture.engine import Engine
        from aiposture.output import Report

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        inventory.save(doc, out / "inv.json")
        report = Report(results=Engine(self.rules, self.config).evaluate(doc), rules=self.rules, inventory=doc,
                        inventory_path=out / "inv.json")
        self.opts.outputs = [str(out / "out.json")]
        pipeline.write_outputs(report, self.opts, [("json", str(out / "out.json"))])
        code = pipeline.exit_code(report, self.opts, self.config)
        return (code, json.loads((out / "inv.json").read_text()),
                json.loads((out / "out.json").read_text())["results"])


class World(tuple):
    """A property test's shared state (fake, temp dir, tail, baseline verdicts), printed briefly in reports."""

    def __new__(cls, *items: Any) -> World:
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        return "<live world>"


def check(world: World, scan: Any, m: Mutation | Mutations, *, sweep: bool = False, fallback_noted: bool = False,
          proto3: bool = False) -> None:
    """One example of the live-scan property: the scan under mutation ``m`` completes with exit 0, 1 or 3, records
    no internal error, turns nothing it could not read into a pass, and lists garbage as not checked (or, with
    ``fallback_noted``, as a noted fallback such as the built-in location list). With ``proto3``, a JSON object
    holding only unknown fields is a valid empty answer (forward compatibility), not garbage."""
    import tempfile
    from pathlib import Path

    fake, tmp, tail, baseline = world
    fake.mutate = m
    try:
        code, inv, results = scan(fake, tail, Path(tempfile.mkdtemp(dir=tmp)))
    finally:
        fake.mutate = None
    kinds = {m.kind} if isinstance(m, Mutation) else m.kinds
    assert code in (0, 1, 3), str(m)
    assert not [e for e in inv["errors"] if e.get("code") == "InternalError"], (str(m), inv["errors"])
    if m.fired and (sweep or kinds <= {"garbage", "type"}):
        assert not flips_to_pass(baseline, results), (str(m), flips_to_pass(baseline, results))
    items = [m] if isinstance(m, Mutation) else m.items
    garbage = [GARBAGE[x.choice % len(GARBAGE)] for x in items if x.kind == "garbage" and x.fired]
    if proto3:
        garbage = [g for g in garbage if not _json_object(g)]
    if not sweep and garbage:
        assert inv["errors"] or (fallback_noted and inv["scan"].get("notes")), str(m)
