"""Evaluate compiled rules against an inventory.

Per resource, one CEL context is built (the dict conversion is the costly
part) and reused for every rule of that resource's kind. Before a condition
runs, every ``resource.attrs`` path it reads is checked: a ``null`` on the
way means the source could not read it, and the result is ``error`` naming
that attribute, never ``pass`` or ``fail``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from aiposture.engine.config import Config
from aiposture.engine.model import Result, Rule, Status
from aiposture.engine.selection import (
    select_rules as select_rules,  # re-export: selection lives in engine/selection.py
)
from aiposture.engine.waivers import apply as apply_waivers

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


class Engine:
    """Evaluates a fixed set of rules; build once, evaluate many inventories."""

    def __init__(self, rules: list[Rule], config: Config | None = None):
        self.rules = rules
        self.config = config or Config()
        self._by_kind: dict[str, list[Rule]] = defaultdict(list)
        for r in rules:
            self._by_kind[r.kind].append(r)
        # what the rules of each kind read: the CEL context is built from only that (building
        # the context dominates evaluation cost, and it grows with the size of the value)
        self._reads = {kind: _reads([x for r in rs for x in (r.condition, r.applies_if or "")]) for kind, rs in self._by_kind.items()}

    # -- one resource -------------------------------------------------------
    def evaluate_resource(self, resource: dict[str, Any]) -> list[Result]:
        import cel

        rules = [r for r in self._by_kind.get(resource["kind"], ()) if r.applies_to_provider(resource["provider"])]
        if not rules:
            return []
        attrs = resource.get("attrs") or {}
        top, attr_keys = self._reads[resource["kind"]]
        if top is None:
            view = {k: v for k, v in resource.items() if k != "raw"}
        else:
            view = {k: resource[k] for k in top if k in resource and k != "attrs"}
            view["attrs"] = attrs if attr_keys is None else {k: attrs[k] for k in attr_keys if k in attrs}
        ctx = cel.Context({"resource": view})
        results = []
        for rule in rules:
            res = self._evaluate_one(rule, resource, attrs, ctx)
            if res is not None:
                results.append(self._apply_waiver(res))
        return results

    def _evaluate_one(self, rule: Rule, resource: dict[str, Any], attrs: dict[str, Any], ctx: Any) -> Result | None:
        # an attribute this resource type does not have (absent, not null): the rule does not apply.
        # Sources set null for what they could not read, so this never hides an unreadable value.
        if rule.required and _absent_path(attrs, rule.required) is not None:
            return None
        if rule.applies_program is not None:
            unknown = _unknown_path(attrs, rule.applies_paths)
            if unknown:
                return Result(rule, Status.ERROR, resource, f"cannot tell if the rule applies: attrs.{unknown} is unknown")
            try:
                applies = rule.applies_program.execute(ctx)
            except Exception as e:
                return Result(rule, Status.ERROR, resource, f"applies_if could not be evaluated: {_cel_error(e)}")
            if applies is not True:
                return None
        unknown = _unknown_path(attrs, rule.paths)
        if unknown:
            return Result(rule, Status.ERROR, resource, f"could not be checked: attrs.{unknown} is unknown (not readable from the source)")
        try:
            value = rule.program.execute(ctx)
        except Exception as e:
            return Result(rule, Status.ERROR, resource, f"could not be evaluated: {_cel_error(e)}")
        if value is True:
            return Result(rule, Status.PASS, resource, f"{rule.title}: met")
        if value is False:
            return Result(rule, Status.FAIL, resource, _message(rule, resource))
        return Result(rule, Status.ERROR, resource, f"condition returned {type(value).__name__}, not a boolean")

    def _apply_waiver(self, res: Result) -> Result:
        return apply_waivers(res, self.config)  # the policy (who may waive what) lives in engine/waivers.py

    # -- whole inventory ----------------------------------------------------
    def evaluate(self, doc: dict[str, Any]) -> list[Result]:
        """All results for an inventory document, in a deterministic order."""
        results: list[Result] = []
        for resource in doc.get("resources", []):
            results.extend(self.evaluate_resource(resource))
        results.extend(self._scope_errors(doc.get("errors", [])))
        results.sort(key=lambda r: (-r.rule.severity_rank, r.rule.id, r.resource_id, r.status.value))
        return results

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
