"""Evaluate compiled rules against an inventory.

Before a condition runs, every ``resource.attrs`` path it reads is checked: a
``null`` on the way means the source could not read it, and the result is
``error`` naming that attribute, never ``pass`` or ``fail``.

Each condition then runs on the fast path when it has one (a Python function
translated from the CEL, :mod:`aiposture.engine.translate`); whenever that
path cannot decide with certainty, the CEL runtime decides
(:mod:`aiposture.engine.celpath`, comprehensions in canonical order), on a
view of the resource built once and only when needed.
"""

from __future__ import annotations

import gc
import itertools
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiposture.engine.celpath import CelExpr, load_cel
from aiposture.engine.config import Config
from aiposture.engine.model import Result, Rule, Status
from aiposture.engine.selection import (
    select_rules as select_rules,  # re-export: selection lives in engine/selection.py
)
from aiposture.engine.waivers import apply as apply_waivers

if TYPE_CHECKING:
    from aiposture.engine.kernel import KernelRule

_MISSING = object()
_PLACEHOLDER = re.compile(r"\{(name|id|provider|account|region|kind|native_type)\}")


def _unknown_path(attrs: dict[str, Any], paths: Iterable[tuple[str, ...]]) -> str | None:
    """First referenced attribute path that is null (unknown) in ``attrs``."""
    for path in paths:
        node: Any = attrs
        for i, seg in enumerate(path):
            if not isinstance(node, dict):
                break
            node = node.get(seg, _MISSING)
            if node is _MISSING:
                break  # absent: not applicable; CEL decides (has() or a 'no such key' error)
            if node is None:
                return ".".join(path[: i + 1])
    return None


def _absent_path(attrs: dict[str, Any], paths: Iterable[tuple[str, ...]]) -> str | None:
    """First required path missing from ``attrs`` (a null on the way is not 'missing')."""
    for path in paths:
        node: Any = attrs
        for i, seg in enumerate(path):
            if not isinstance(node, dict):
                break
            if seg not in node:
                return ".".join(path[: i + 1])
            node = node[seg]
            if node is None:
                break
    return None


def _message(rule: Rule, resource: dict[str, Any]) -> str:
    if rule.message:
        return _PLACEHOLDER.sub(lambda m: str(resource.get(m.group(1), "")), rule.message)
    return f"{rule.title}: not met by {resource['kind']} '{resource.get('name') or resource['id']}'"


def _cel_error(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"attribute not present: {e.args[0] if e.args else e}"
    return f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"


SCOPE_KEYS = ("subscription", "project", "account", "region", "location", "service")
_RESOURCE_USE = re.compile(r"\bresource\b(\.[A-Za-z_]\w*)?(\.[A-Za-z_]\w*)?")


def _reads(expressions: list[str]) -> tuple[set[str] | None, set[str] | None]:
    """(top-level resource keys, attrs keys) the expressions read; None = the whole thing is used."""
    top: set[str] | None = set()
    attrs: set[str] | None = set()
    for expr in expressions:
        for m in _RESOURCE_USE.finditer(expr):
            if not m.group(1):
                return None, None
            key = m.group(1)[1:]
            if top is not None:
                top.add(key)
            if key == "attrs":
                if not m.group(2):
                    attrs = None
                elif attrs is not None:
                    attrs.add(m.group(2)[1:])
    return top, attrs


_UNSET = object()


def _result_key(r: Result) -> tuple[str, str]:
    return (r.resource_id, r.status.value)


def _as_expr(program: Any, source: str | None) -> CelExpr:
    if isinstance(program, CelExpr):
        return program
    assert source is not None
    return CelExpr(source)


class Engine:
    """Evaluates a fixed set of rules; build once, evaluate many inventories.

    ``fast=False`` evaluates every condition with the CEL runtime (the
    reference the fast path is tested against).
    """

    def __init__(self, rules: list[Rule], config: Config | None = None, *, fast: bool = True, warmup: int = 32):
        self.rules = rules
        self.warmup = warmup  # resources per (kind, provider) interpreted before a kernel is generated
        self.config = config or Config()
        self.fast = fast
        by_kind: dict[str, list[Rule]] = defaultdict(list)
        for r in rules:
            by_kind[r.kind].append(r)
        # what the rules of each kind read: the CEL context is built from only that (building
        # the context dominates the runtime's cost, and it grows with the size of the value)
        self._reads = {kind: _reads([x for r in rs for x in (r.condition, r.applies_if or "")]) for kind, rs in by_kind.items()}
        # results are collected per rule in report order (severity, rule id), so the final sort is a concatenation
        keys = sorted({(-r.severity_rank, r.id) for r in rules})
        self._bucket_of = {k: i for i, k in enumerate(keys)}
        self._shared = {self._bucket_of[(-r.severity_rank, r.id)] for r in rules
                        if sum(1 for o in rules if o.id == r.id and o.severity_rank == r.severity_rank) > 1}
        self._by_kind = dict(by_kind)
        self._fast = fast

    def _kernels(self, buckets: list[list[Result]]) -> Callable[[str, str], Callable[[dict[str, Any]], None] | None]:
        """The evaluator per (kind, provider), writing into ``buckets``.

        The first ``warmup`` resources of a pair are interpreted rule by rule with
        the CEL runtime; after that a kernel is generated (:mod:`aiposture.engine.kernel`).
        Generating and compiling a kernel costs milliseconds: worth it for a large
        inventory, not for a pre-deploy check of a dozen resources.
        """
        from aiposture.engine import kernel

        cache: dict[tuple[str, str], Callable[[dict[str, Any]], None] | None] = {}

        def kernel_for(kind: str, provider: str) -> Callable[[dict[str, Any]], None] | None:
            key = (kind, provider)
            if key in cache:
                return cache[key]
            rules = [kernel.KernelRule(r, buckets[self._bucket_of[(-r.severity_rank, r.id)]],
                                       _as_expr(r.applies_program, r.applies_if) if r.applies_if else None,
                                       _as_expr(r.program, r.condition))
                     for r in self._by_kind.get(kind, ()) if r.applies_to_provider(provider)]
            if not rules:
                cache[key] = None
                return None
            interpret = self._interpreter(rules)
            if not self._fast:
                cache[key] = interpret
                return interpret
            seen = 0
            compiled: list[Callable[[dict[str, Any]], None]] = []

            def run(resource: dict[str, Any]) -> None:
                nonlocal seen
                if compiled:
                    compiled[0](resource)
                    return
                seen += 1
                if seen <= self.warmup:
                    interpret(resource)
                    return
                compiled.append(kernel.build(rules, fast=True, runtime=self._runtime, waive=self._apply_waiver,
                                             waivers=bool(self.config.waivers), cel_error=_cel_error))
                compiled[0](resource)

            cache[key] = run
            return run

        return kernel_for

    def _interpreter(self, rules: list[KernelRule]) -> Callable[[dict[str, Any]], None]:
        """Rule by rule with the CEL runtime: the reference the kernels are tested against."""

        def run(resource: dict[str, Any]) -> None:
            attrs = resource.get("attrs") or {}
            state: list[Any] = []
            for kr in rules:
                res = self._interpret_one(kr, resource, attrs, state)
                if res is not None:
                    kr.bucket.append(res)

        return run

    def _interpret_one(self, kr: KernelRule, resource: dict[str, Any], attrs: dict[str, Any],
                       state: list[Any]) -> Result | None:
        rule = kr.rule
        # an attribute this resource type does not have (absent, not null): the rule does not apply.
        # Sources set null for what they could not read, so this never hides an unreadable value.
        if rule.required and _absent_path(attrs, rule.required) is not None:
            return None
        if kr.applies is not None:
            unknown = _unknown_path(attrs, rule.applies_paths)
            if unknown:
                return Result(rule, Status.ERROR, resource, f"cannot tell if the rule applies: attrs.{unknown} is unknown")
            try:
                applies = self._runtime(kr.applies, resource, attrs, state)
            except Exception as e:
                return Result(rule, Status.ERROR, resource, f"applies_if could not be evaluated: {_cel_error(e)}")
            if applies is not True:
                return None
        unknown = _unknown_path(attrs, rule.paths)
        if unknown:
            return Result(rule, Status.ERROR, resource, f"could not be checked: attrs.{unknown} is unknown (not readable from the source)")
        try:
            value = self._runtime(kr.cond, resource, attrs, state)
        except Exception as e:
            return Result(rule, Status.ERROR, resource, f"could not be evaluated: {_cel_error(e)}")
        if value is True:
            return Result(rule, Status.PASS, resource, f"{rule.title}: met")
        if value is False:
            return self._apply_waiver(Result(rule, Status.FAIL, resource, _message(rule, resource)))
        return Result(rule, Status.ERROR, resource, f"condition returned {type(value).__name__}, not a boolean")

    def _view(self, resource: dict[str, Any], attrs: dict[str, Any]) -> dict[str, Any]:
        """The resource as the CEL runtime sees it: only what the rules of its kind read, never ``raw``."""
        top, attr_keys = self._reads[resource["kind"]]
        if top is None:
            view = {k: v for k, v in resource.items() if k != "raw"}
        else:
            view = {k: resource[k] for k in top if k in resource and k != "attrs"}
        view["attrs"] = attrs if attr_keys is None else {k: attrs[k] for k in attr_keys if k in attrs}
        return {"resource": view}

    def _runtime(self, expr: CelExpr, resource: dict[str, Any], attrs: dict[str, Any], state: list[Any]) -> Any:
        """Evaluate with the CEL runtime; ``state`` carries the runtime's view and context of
        this resource, built on first need and shared by its rules."""
        if not state:
            variables = self._view(resource, attrs)
            state += [variables, load_cel().Context(variables)]
        return expr.execute(state[0], state[1])

    # -- one resource -------------------------------------------------------
    def evaluate_resource(self, resource: dict[str, Any]) -> list[Result]:
        """Results of one resource, in rule order."""
        buckets: list[list[Result]] = [[] for _ in self._bucket_of]
        run = self._kernels(buckets)(resource["kind"], resource["provider"])
        if run is not None:
            run(resource)
        return [r for bucket in buckets for r in bucket]

    def _apply_waiver(self, res: Result) -> Result:
        return apply_waivers(res, self.config)  # the policy (who may waive what) lives in engine/waivers.py

    # -- whole inventory ----------------------------------------------------
    def evaluate(self, doc: dict[str, Any]) -> list[Result]:
        """All results for an inventory document, ordered by severity, rule id, resource id, status.

        Resources are visited in id order and results collected per rule in
        report order, so the ordering costs one sort of the resources, not one
        of the results. The garbage collector is paused meanwhile: the loop
        allocates hundreds of thousands of small objects that live on, and
        generational collections would rescan them again and again.
        """
        buckets: list[list[Result]] = [[] for _ in self._bucket_of]
        resources = sorted(doc.get("resources", []), key=operator.itemgetter("id"))
        unsorted = set(self._shared)
        ids = [r["id"] for r in resources]
        if len(set(ids)) != len(ids):
            unsorted = set(range(len(buckets)))  # duplicate ids: status breaks the tie
        kernel_for = self._kernels(buckets)
        kernels: dict[tuple[str, str], Any] = {}
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for resource in resources:
                key = (resource["kind"], resource["provider"])
                run = kernels.get(key, _UNSET)
                if run is _UNSET:
                    run = kernels[key] = kernel_for(*key)
                if run is not None:
                    run(resource)
            for res in self._scope_errors(doc.get("errors", [])):
                b = self._bucket_of[(-res.rule.severity_rank, res.rule.id)]
                buckets[b].append(res)
                unsorted.add(b)
            for b in unsorted:
                buckets[b].sort(key=_result_key)
            return list(itertools.chain.from_iterable(buckets))
        finally:
            if was_enabled:
                gc.enable()

    def _scope_errors(self, errors: list[dict[str, Any]]) -> list[Result]:
        """A scope that could not be read yields ``error`` for every rule it would have fed."""
        out = []
        seen = set()
        for err in errors:
            provider = err.get("provider")
            if provider not in ("aws", "azure", "gcp") or err.get("partial"):
                continue  # IaC file errors are scan errors; partial ones already made attrs null on the resources
            scope = err.get("scope", {})
            kinds = set(err.get("kinds") or [])
            label = "/".join(str(scope[k]) for k in SCOPE_KEYS if scope.get(k)) or "scope"
            for rule in self.rules:
                if not rule.applies_to_provider(provider) or (kinds and rule.kind not in kinds):
                    continue
                rid = f"{provider}:{label}"
                key = (rule.id, rid)
                if key in seen:
                    continue
                seen.add(key)
                pseudo = {
                    "id": rid,
                    "provider": provider,
                    "kind": rule.kind,
                    "native_type": "scope",
                    "account": str(scope.get("subscription") or scope.get("project") or scope.get("account") or ""),
                    "region": str(scope.get("region") or scope.get("location") or ""),
                    "name": label,
                    "tags": {},
                    "source": {"origin": "live"},
                    "attrs": {},
                }
                msg = f"could not be checked in {label}: {err.get('code', 'Error')}: {err.get('message', '')}"
                out.append(Result(rule, Status.ERROR, pseudo, msg))
        return out


def summarize(results: list[Result], rules: list[Rule] | None = None) -> dict[str, Any]:
    """Counts by status, by severity (failures) and by ISO 27090 threat."""
    status = Counter(r.status.value for r in results)
    by_sev = Counter(r.rule.severity for r in results if r.status is Status.FAIL)
    by_threat: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for t in r.rule.threats:
            by_threat[t][r.status.value] += 1
    return {
        "total": len(results),
        "pass": status.get("pass", 0),
        "fail": status.get("fail", 0),
        "error": status.get("error", 0),
        "waived": status.get("waived", 0),
        "by_severity": {s: by_sev.get(s, 0) for s in ("critical", "high", "medium", "low")},
        "by_threat": {t: dict(c) for t, c in sorted(by_threat.items())},
    }
