"""The reference CEL path: the Rust runtime, with comprehensions made deterministic.

``cel`` (the Rust runtime behind ``common-expression-language``) keeps maps in a
hash map whose order changes from run to run, and its ``all()``/``exists()``
stop at the first element that errors. Over a map where one entry errors and
another decides the answer, the verdict therefore flipped between ``error``
and ``fail`` across runs.

The engine gives comprehensions the semantics of the CEL specification, for
every rule (built-in or user-written), independent of any iteration order:

* ``all``: false when any element is false (errors of other elements are
  absorbed, as ``&&`` absorbs them); else the first error; else true;
* ``exists``: true when any element is true; else the first error; else false;
* ``exists_one``, ``map``, ``filter``: errors propagate;
* elements are visited in list order, map keys in sorted order, so "the first
  error" and the order of ``map``/``filter`` results are canonical.

How: the expression is parsed (:mod:`aiposture.engine.celparse`) and cut at
each comprehension macro. Every piece outside a macro is still compiled and run
by the Rust runtime, with the macro's result bound to a placeholder variable
(left unbound when the macro errored, so the runtime sees an error exactly
where the macro stood and ``&&``/``||`` absorb it as they would). The engine
only drives the iteration. When the whole expression already evaluates without
error, that value is the specified one (an error-free run visited a deciding
element or every element), so the piecewise evaluation runs only after an
error or for ``map``/``filter`` (whose result order depends on iteration).

Values bound to a comprehension variable cross into Python and back (CEL
``uint`` values come back as ``int``); inventories hold JSON values, so this
only matters for ``uint`` literals iterated inside a rule.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import itertools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiposture.engine.celparse import Node

_cel: ModuleType | None = None


def load_cel() -> ModuleType:
    """The compiled CEL extension only.

    ``import cel`` runs the package's ``__init__``, which also imports its REPL
    (typer, prompt_toolkit, rich): 0.6-0.8 s on every run. The extension
    module alone loads in a few ms. It is registered as ``cel.cel``, the name
    the package itself would give it, so a later ``import cel`` reuses it.
    """
    global _cel
    if _cel is not None:
        return _cel
    mod: ModuleType | None = sys.modules.get("cel.cel")
    if mod is None:
        spec = importlib.util.find_spec("cel")  # locates the package without running its __init__
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("the 'common-expression-language' package is not installed")
        folder = Path(next(iter(spec.submodule_search_locations)))
        so = next((folder / f"cel{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                   if (folder / f"cel{suffix}").is_file()), None)
        if so is None:  # an unusual layout: let the package import it
            import cel.cel

            mod = cel.cel
        else:
            ext = importlib.util.spec_from_file_location("cel.cel", so)
            assert ext is not None and ext.loader is not None
            mod = importlib.util.module_from_spec(ext)
            ext.loader.exec_module(mod)
            sys.modules["cel.cel"] = mod
    assert mod is not None
    _cel = mod
    return mod


_PLACEHOLDER_ERR = re.compile(r"'(__aip\d+)'")
_counter = itertools.count()


@dataclass
class _Segment:
    """A piece of the expression the runtime evaluates, with macros replaced by placeholders."""

    program: Any
    comps: list[tuple[str, _Comp]] = field(default_factory=list)


@dataclass
class _Comp:
    macro: str
    var: str
    range: _Segment
    parts: list[_Segment]  # predicate / transform (map with 3 arguments: predicate, transform)


def _segment(node: Node, src: str) -> _Segment:
    cel = load_cel()
    comps: list[tuple[str, _Comp]] = []
    cuts: list[tuple[int, int, str]] = []

    def visit(n: Node) -> None:
        if n.kind == "compr":
            name = f"__aip{next(_counter)}"
            assert n.target is not None
            comps.append((name, _Comp(n.value, n.var, _segment(n.target, src), [_segment(a, src) for a in n.args])))
            cuts.append((n.start, n.end, name))
            return
        if n.target is not None:
            visit(n.target)
        for a in n.args:
            visit(a)

    visit(node)
    text, pos = [], node.start
    for start, end, name in sorted(cuts):
        text += [src[pos:start], name]
        pos = end
    text.append(src[pos:node.end])
    return _Segment(cel.compile("".join(text)), comps)


class CelExpr:
    """One compiled condition: the Rust program plus, when it uses comprehension
    macros, the plan that evaluates them in canonical order."""

    def __init__(self, source: str, program: Any | None = None):
        self.source = source
        self.program = program if program is not None else load_cel().compile(source)
        # parsing is deferred: most expressions never need the tree (no macro, runtime only)
        self._has_macro_text = _MACRO_TEXT.search(source) is not None

    @functools.cached_property
    def tree(self) -> Node | None:
        """The syntax tree, or None when this parser does not know the syntax."""
        from aiposture.engine.celparse import CelSyntaxError, parse

        try:
            return parse(self.source)
        except CelSyntaxError:
            return None

    @functools.cached_property
    def macros(self) -> set[str]:
        if not self._has_macro_text or self.tree is None:
            return set()
        return {n.value for n in self.tree.walk() if n.kind == "compr"}

    @functools.cached_property
    def error_only(self) -> bool:
        # all/exists/exists_one give the specified value whenever the runtime returns one (see module doc)
        return self.macros <= {"all", "exists", "exists_one"}

    @functools.cached_property
    def root(self) -> _Segment | None:
        """The expression cut at its comprehensions (compiled on first need)."""
        return _segment(self.tree, self.source) if self.macros and self.tree is not None else None

    @functools.cached_property
    def fast(self) -> Any:
        """The translated function, or None when the expression uses something the translation does not know."""
        from aiposture.engine.translate import translate

        return translate(self.tree) if self.tree is not None else None

    @property
    def deterministic(self) -> bool:
        """False only when the expression uses a macro this parser could not locate."""
        return not self._has_macro_text or self.tree is not None

    def execute(self, variables: dict[str, Any], ctx: Any = None) -> Any:
        """Evaluate with ``variables`` (``{"resource": view}``); raise what the runtime raises.

        ``ctx``, a ``cel.Context`` of the same variables, saves converting them again.
        """
        if not self.macros or self.error_only:
            if ctx is None:
                ctx = load_cel().Context(variables)
            if not self.macros:
                return self.program.execute(ctx)
            try:
                return self.program.execute(ctx)
            except Exception:
                pass
        assert self.root is not None
        return _run(self.root, variables)


_MACRO_TEXT = re.compile(r"\.\s*(all|exists|exists_one|map|filter)\s*\(")


def _run(seg: _Segment, env: dict[str, Any]) -> Any:
    cel = load_cel()
    values: dict[str, Any] = {}
    errors: dict[str, Exception] = {}
    for name, comp in seg.comps:
        try:
            values[name] = _comprehension(comp, env)
        except Exception as e:
            errors[name] = e  # left unbound: the runtime raises where the macro stood
    try:
        return seg.program.execute(cel.Context({**env, **values}))
    except Exception as e:
        m = _PLACEHOLDER_ERR.search(str(e))
        if m and m.group(1) in errors:
            raise errors[m.group(1)] from None
        raise


def _canonical(keys: Any) -> list[Any]:
    return sorted(keys, key=lambda k: (type(k).__name__, k))


_probes: dict[str, Any] = {}


def _runtime_error(kind: str, value: Any) -> Exception:
    """The exception the runtime raises for a non-boolean predicate or a non-iterable range."""
    cel = load_cel()
    src = "[__aip_v].all(__aip_x, __aip_x)" if kind == "predicate" else "__aip_v.all(__aip_x, true)"
    program = _probes.get(src) or _probes.setdefault(src, cel.compile(src))
    try:
        program.execute(cel.Context({"__aip_v": value}))
    except Exception as e:
        return e
    return TypeError(f"unexpected {kind} value of type {type(value).__name__}")  # pragma: no cover


def _comprehension(comp: _Comp, env: dict[str, Any]) -> Any:
    rng = _run(comp.range, env)
    if isinstance(rng, dict):
        items = _canonical(rng)
    elif isinstance(rng, list):
        items = rng
    else:
        raise _runtime_error("range", rng)

    def part(i: int, item: Any) -> Any:
        return _run(comp.parts[i], {**env, comp.var: item})

    def predicate(i: int, item: Any) -> bool:
        v = part(i, item)
        if type(v) is not bool:
            raise _runtime_error("predicate", v)
        return v

    if comp.macro in ("all", "exists"):
        decider = comp.macro == "exists"  # the value that decides: true for exists, false for all
        first: Exception | None = None
        for item in items:
            try:
                if predicate(0, item) is decider:
                    return decider
            except Exception as e:
                first = first or e
        if first is not None:
            raise first
        return not decider
    if comp.macro == "exists_one":
        return sum(1 for item in items if predicate(0, item)) == 1
    if comp.macro == "filter":
        return [item for item in items if predicate(0, item)]
    if len(comp.parts) == 2:  # map(x, predicate, transform)
        return [part(1, item) for item in items if predicate(0, item)]
    return [part(0, item) for item in items]
