"""The engine's verdicts are deterministic and the fast path agrees with the CEL runtime.

The Rust CEL runtime iterates maps in a random order and its all()/exists() stop at the
first element that errors, so the same inventory used to give `error` in one run and
`fail` in the next. The engine now gives comprehensions the CEL specification's
semantics in a canonical order; these tests hold both evaluation paths to that.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest

from aiposture.engine import Config, Engine, Status, load_rules
from aiposture.engine.celparse import parse
from aiposture.engine.celpath import CelExpr
from aiposture.engine.synthetic import document
from aiposture.engine.translate import Bail, CelError, translate
from aiposture.inventory import make_resource, new_document


@pytest.fixture(scope="module")
def pack():
    rules, problems = load_rules()
    assert not problems
    return rules


@pytest.fixture(scope="module")
def mixed():
    # 30% of attributes varied: nulls, absent keys, wrong types, shuffled maps, harm categories without 'enabled'
    return document(2000, seed=17, chaos=0.3)


def outcomes(results):
    return [(r.rule.id, r.resource_id, r.status.value, r.message) for r in results]


def reorder(node, rng):
    """The same document with every map's insertion order shuffled."""
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {k: reorder(v, rng) for k, v in items}
    if isinstance(node, list):
        return [reorder(v, rng) for v in node]
    return node


def test_fast_path_matches_cel_runtime_on_every_result(pack, mixed):
    allowed = Config(inline_suppressions=True)  # the generated inline suppressions are applied (wildcards never)
    fast = outcomes(Engine(pack, allowed, warmup=0).evaluate(mixed))  # every resource through the generated kernels
    reference = outcomes(Engine(pack, allowed, fast=False).evaluate(mixed))
    assert len(fast) > 5000
    assert fast == reference
    statuses = {s for _, _, s, _ in fast}
    assert statuses >= {"pass", "fail", "error", "waived"}  # the inventory reaches every outcome


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "runtime"])
def test_results_do_not_depend_on_map_order(pack, fast):
    doc = document(700, seed=23, chaos=0.3)
    first = outcomes(Engine(pack, fast=fast, warmup=0).evaluate(doc))
    again = outcomes(Engine(pack, fast=fast, warmup=0).evaluate(doc))
    shuffled = outcomes(Engine(pack, fast=fast, warmup=0).evaluate(reorder(json.loads(json.dumps(doc)), random.Random(5))))
    assert first == again == shuffled


def test_gr005_is_decided_by_a_deciding_category_whatever_the_order(pack):
    """The issue's case: one category errors (no 'enabled'), another decides the all()."""
    rule = [r for r in pack if r.id == "AIP-GR-005"]
    cats = {
        "hate": {"input_action": "block", "input_strength": "low", "output_action": "block", "output_strength": "low"},
        "sexual": {"enabled": True, "input_action": "block", "input_strength": "low", "output_action": "block",
                   "output_strength": "low"},
        "violence": {"enabled": True, "input_action": "block", "input_strength": "high", "output_action": "block",
                     "output_strength": "high"},
    }
    seen = set()
    for order in itertools.permutations(cats):
        res = make_resource(id="cf", provider="aws", kind="content_filter", native_type="t", name="cf",
                            attrs={"harm_categories": {k: cats[k] for k in order}})
        for fast in (True, False):
            for _ in range(5):
                (result,) = Engine(rule, fast=fast, warmup=0).evaluate(new_document([res]))
                seen.add((result.status, result.message))
    assert {s for s, _ in seen} == {Status.FAIL}, seen


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "runtime"])
def test_comprehension_error_precedence(tmp_path, fast):
    """all(): false wins over errors; exists(): true wins; otherwise the first error in sorted key order."""
    (tmp_path / "r.yaml").write_text(
        "id: T-CMP-001\ntitle: every category enabled\nkind: content_filter\nseverity: low\n"
        "condition: resource.attrs.harm_categories.all(c, resource.attrs.harm_categories[c].enabled == true)\n"
        "threats: [evasion]\ncontrols: {iso27001: [A.8.28], owasp_llm_2025: ['LLM01:2025']}\n"
        "rationale: every harm category must be enabled\nremediation: {aws: enable them, terraform: enable them}\n"
        "tests: [{attrs: {harm_categories: {a: {enabled: true}}}, expect: pass},"
        " {attrs: {harm_categories: {a: {enabled: false}}}, expect: fail}]\n")
    rules, problems = load_rules([tmp_path], include_builtin=False)
    assert not problems
    eng = Engine(rules, fast=fast, warmup=0)

    def verdict(cats):
        res = make_resource(id="x", provider="aws", kind="content_filter", native_type="t", name="x",
                            attrs={"harm_categories": cats})
        (r,) = eng.evaluate_resource(res)
        return r.status, r.message

    assert verdict({"b": {}, "a": {"enabled": False}})[0] is Status.FAIL
    assert verdict({"a": {"enabled": False}, "b": {}})[0] is Status.FAIL
    for cats in ({"b": {"other": 1}, "a": {}}, {"a": {}, "b": {"other": 1}}):
        status, message = verdict(cats)
        assert status is Status.ERROR and message.endswith("attribute not present: enabled")
    assert verdict({"z": {"enabled": True}, "a": {"enabled": True}}) == (Status.PASS, "every category enabled: met")


EXPRESSIONS = [
    "x.a == 1 && x.b == 1", "x.a == 1 || x.b == 1", "x.a == true && x.s", "x.s && x.a == true", "x.s || x.f",
    "!x.a", "!x.s", "x.a ? 1 == 1 : x.b", "x.b ? x.a : x.s", "x.a < 3", "x.s < x.i", "x.i <= 3", "x.d >= 0.5",
    "x.a in ['block', 'annotate']", "x.s in x.m", "x.s in x.l", "has(x.m.k)", "has(x.n.k)", "has(x.s.k)",
    "size(x.l) > 0", "size(x.s) == 3", "x.m.all(k, x.m[k] == 1)", "x.m.exists(k, x.m[k] == 2)",
    "x.m.all(k, x.m[k].z == true)", "x.l.exists_one(i, i == 1)", "x.l.all(i, i)", "x.n.all(k, true)",
    "x.s.startsWith('a')", "x.m.k == 1 && x.m.k != 2", "[1, 2].all(i, x.a == i)", "x.m[x.s] == 1", "x.l[0] == 1",
]
VALUES = [None, True, False, 0, 1, 3, 2.5, "", "abc", "block", [], [1, "a", None], {}, {"k": 1, "j": 2},
          {"k": {"z": True}, "j": None}, {"k": "v"}]


def _outcome(fn, *, fast):
    """What the engine takes from an evaluation: a value, or an error (type and text)."""
    try:
        value = fn()
    except CelError as e:  # the fast path is certain of the runtime's error
        return ("error", type(e.exc).__name__, str(e.exc))
    except KeyError as e:  # a missing key: the runtime raises the same KeyError
        return ("error", "KeyError", str(e))
    except Bail:
        return ("bail",)
    except Exception as e:  # the engine asks the runtime after any other exception of the fast path
        return ("bail",) if fast else ("error", type(e).__name__, str(e))
    if fast and type(value) is not bool:
        return ("bail",)  # non-boolean results are also left to the runtime
    return ("value", value)


def test_translation_agrees_with_runtime_value_by_value():
    """Every value the fast path decides (a result or a certain error) is the runtime's."""
    rng = random.Random(3)
    decided = 0
    for src in EXPRESSIONS:
        expr = CelExpr(src.replace("x.", "resource.attrs.").replace("resource.attrs.m[", "resource.attrs.m["))
        fn = translate(parse(expr.source))
        assert fn is not None, src
        for _ in range(60):
            attrs = {k: rng.choice(VALUES) for k in ("a", "b", "s", "f", "i", "d", "l", "m", "n")}
            view = {"resource": {"attrs": attrs}}
            got = _outcome(lambda fn=fn, attrs=attrs: fn({"attrs": attrs}, attrs), fast=True)
            if got == ("bail",):
                continue
            want = _outcome(lambda expr=expr, view=view: expr.execute(view), fast=False)
            assert got == want, (src, attrs)
            decided += 1
    assert decided > len(EXPRESSIONS) * 30  # the fast path decides most cases itself
