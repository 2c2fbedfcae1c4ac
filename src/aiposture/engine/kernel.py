"""One generated Python function per (kind, provider): every rule of that pair on one resource.

Evaluating rule by rule through small functions spends most of the time on
calls, tuple unpacking and attribute lookups, not on the rules. The kernel
inlines, for each rule in turn: the absent-path check (the rule does not
apply), the null-path check (``error``: unknown), ``applies_if`` and the
condition (translated code from :mod:`aiposture.engine.translate`, or the CEL
runtime when there is none or it cannot decide), and appends the result to the
rule's list. The semantics are those of ``Engine`` rule by rule; the
comparison test in ``tests/test_engine_speed.py`` holds the kernel to the CEL
runtime on every result of a generated inventory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiposture.engine.celpath import CelExpr
from aiposture.engine.model import Result, Rule, Status

_MISSING = object()  # the key is absent
_NOWALK = object()  # the walk stopped before this key: a parent is not a map (or is null)


@dataclass
class KernelRule:
    rule: Rule
    bucket: list[Result]
    applies: CelExpr | None
    cond: CelExpr


_PLACEHOLDER = re.compile(r"\{(name|id|provider|account|region|kind|native_type)\}")


def fail_message_code(rule: Rule) -> str:
    """Python expression for the rule's failure message of ``resource`` (its template filled in)."""
    if not rule.message:
        return (f"{rule.title + ': not met by '!r} + resource['kind'] + \" '\" + "
                "str(resource.get('name') or resource['id']) + \"'\"")
    parts = _PLACEHOLDER.split(rule.message)  # literal, key, literal, key, ...
    code = [repr(p) if i % 2 == 0 else f"str(resource.get({p!r}, ''))" for i, p in enumerate(parts) if p or i % 2]
    return " + ".join(code) or "''"


class _Emitter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.n = 0
        self.paths: dict[tuple[str, ...], str] = {}

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("    " * depth + line)

    def name(self, prefix: str, value: Any) -> str:
        self.n += 1
        key = f"{prefix}{self.n}"
        self.names[key] = value
        return key

    def table(self, rules: list[KernelRule]) -> dict[tuple[str, ...], str]:
        """Look up, once per resource, every attribute path (and prefix) the rules read.

        A variable holds the value, ``_MISSING`` when the key is absent, ``_NOWALK`` when
        the walk stopped before (a parent that is not a map, null included).
        """
        prefixes = sorted({p[:i] for kr in rules for paths in (kr.rule.required, kr.rule.applies_paths, kr.rule.paths)
                           for p in paths for i in range(1, len(p) + 1)}, key=lambda p: (len(p), p))
        names: dict[tuple[str, ...], str] = {}
        self.emit("_root = attrs if type(attrs) is dict or isinstance(attrs, dict) else None", 1)
        for i, p in enumerate(prefixes):
            name = names[p] = f"_p{i}"
            if len(p) == 1:
                self.emit(f"{name} = _root.get({p[0]!r}, _MISSING) if _root is not None else _NOWALK", 1)
            else:
                parent = names[p[:-1]]
                self.emit(f"{name} = {parent}.get({p[-1]!r}, _MISSING) if type({parent}) is dict "
                          f"or isinstance({parent}, dict) else _NOWALK", 1)
        return names

    def absent(self, paths: tuple[tuple[str, ...], ...], names: dict[tuple[str, ...], str], d: int) -> None:
        """``break`` (the rule does not apply) when a required path is missing."""
        checks = sorted({names[p[:i]] for p in paths for i in range(1, len(p) + 1)}, key=lambda n: int(n[2:]))
        if checks:
            self.emit(f"if {' or '.join(f'{c} is _MISSING' for c in checks)}:", d)
            self.emit("break", d + 1)

    def unknown(self, paths: tuple[tuple[str, ...], ...], names: dict[tuple[str, ...], str], d: int) -> None:
        """Set ``_u`` to the first path that is null on the way (None when there is none)."""
        chain = [(names[p[:i]], ".".join(p[:i])) for p in paths for i in range(1, len(p) + 1)]
        expr = " else ".join(f"{label!r} if {name} is None" for name, label in chain)
        self.emit(f"_u = {expr + ' else None' if chain else 'None'}", d)

    def guarded(self, expr: CelExpr, paths: tuple[tuple[str, ...], ...], tag: str, bucket: str, rule: str,
                fast: bool, unknown_message: str, error_prefix: str) -> None:
        """``_v`` = the expression's value; an ``error`` result (and ``break``) when a path it
        reads is null or when it cannot be evaluated."""
        self.unknown(paths, self.paths, 2)
        self.emit("if _u is not None:", 2)
        self.emit(f"{bucket}.append(Result({rule}, ERROR, resource, {unknown_message}))", 3)
        self.emit("break", 3)
        self.emit("try:", 2)
        self.value(expr, fast, tag, 3)
        self.emit("except Exception as _e:", 2)
        self.emit(f"{bucket}.append(Result({rule}, ERROR, resource, {error_prefix} + _cel_error(_e)))", 3)
        self.emit("break", 3)

    def value(self, expr: CelExpr, fast: bool, tag: str, d: int) -> None:
        """Set ``_v`` to the expression's value (raises the runtime's error).

        A translation that is one Python expression is inlined; a longer one (loops,
        && with error absorption) is called, so the kernel stays quick to compile.
        """
        from aiposture.engine.translate import inline

        code = inline(expr.tree, tag, d + 1, self.paths) if fast and expr.tree is not None else None
        runtime = self.name("_x", expr)
        if code is None:
            self.emit(f"_v = _runtime({runtime}, resource, attrs, state)", d)
            return
        lines, result, consts = code
        if lines:  # translated once per expression (shared by the kernels of every provider)
            result = f"{self.name('_fast', expr.fast)}(resource, attrs)"
        else:
            self.names.update(consts)
        self.emit("try:", d)
        self.emit(f"_v = {result}", d + 1)
        self.emit("except CelError as _e:", d)
        self.emit("raise _e.exc from None", d + 1)
        self.emit("except KeyError:", d)
        self.emit("raise", d + 1)
        self.emit("except Exception:", d)
        self.emit("_v = None", d + 1)
        self.emit("if _v is not True and _v is not False:", d)
        self.emit(f"_v = _runtime({runtime}, resource, attrs, state)", d + 1)


def build(rules: list[KernelRule], *, fast: bool, runtime: Callable[..., Any], waive: Callable[[Result], Result],
          waivers: bool, cel_error: Callable[[Exception], str]) -> Callable[[dict[str, Any]], None]:
    """``kernel(resource)``: evaluates ``rules`` on the resource, appending to each rule's bucket.

    ``waive`` is called on failures when the resource has inline suppressions, or always
    when ``waivers`` (the configuration has some).
    """
    from aiposture.engine.translate import GLOBALS, CelError

    em = _Emitter()
    em.emit("def _kernel(resource):", 0)
    em.emit('attrs = resource.get("attrs") or {}', 1)
    em.emit("state = []", 1)
    em.paths = names = em.table(rules)
    for i, kr in enumerate(rules):
        rule, r, b = kr.rule, em.name("_rule", kr.rule), em.name("_bucket", kr.bucket)
        em.emit(f"# {rule.id}", 1)
        em.emit("while True:", 1)
        em.absent(rule.required, names, 2)
        if kr.applies is not None:
            em.guarded(kr.applies, rule.applies_paths, f"a{i}", b, r, fast,
                       '"cannot tell if the rule applies: attrs." + _u + " is unknown"',
                       '"applies_if could not be evaluated: "')
            em.emit("if _v is not True:", 2)
            em.emit("break", 3)
        em.guarded(kr.cond, rule.paths, f"c{i}", b, r, fast,
                   '"could not be checked: attrs." + _u + " is unknown (not readable from the source)"',
                   '"could not be evaluated: "')
        em.emit("if _v is True:", 2)
        em.emit(f"{b}.append(Result({r}, PASS, resource, {em.name('_pass', rule.title + ': met')}))", 3)
        em.emit("elif _v is False:", 2)
        em.emit(f"_res = Result({r}, FAIL, resource, {fail_message_code(rule)})", 3)
        em.emit(f"{b}.append(_waive(_res) if {waivers} or 'suppressions' in resource else _res)", 3)
        em.emit("else:", 2)
        em.emit(f'{b}.append(Result({r}, ERROR, resource, "condition returned " + type(_v).__name__ + ", not a boolean"))', 3)
        em.emit("break", 2)
    namespace: dict[str, Any] = {
        **GLOBALS, **em.names, "CelError": CelError, "Result": Result, "PASS": Status.PASS, "FAIL": Status.FAIL,
        "ERROR": Status.ERROR, "_MISSING": _MISSING, "_NOWALK": _NOWALK, "_runtime": runtime, "_waive": waive, "_cel_error": cel_error,
    }
    src = "\n".join(em.lines)
    exec(compile(src, "<aiposture kernel>", "exec"), namespace)
    kernel = namespace["_kernel"]
    kernel.__source__ = src
    return kernel
