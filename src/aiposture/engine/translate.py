"""The fast path: a CEL condition translated into one Python function.

Crossing into the Rust runtime costs more than the rules themselves: a
``cel.Context`` per resource (the resource converted to CEL values), then a
call per condition. Most conditions are a few field selections and
comparisons, which Python evaluates directly on the inventory's dicts in a
fraction of that.

The translation only produces a value when it is certain the runtime would
produce the same one:

* constructs it does not know (arithmetic, ``matches``, conversions, map
  literals, ...) are not translated: the rule keeps the runtime
  (:class:`~aiposture.engine.celpath.CelExpr`);
* at run time every operation checks the types it was written for (``==``
  between a string and a bool, ``<`` on numbers or strings, ``size`` of an
  ASCII string, ...); anything else, and every error (an absent key, an index
  out of range, a null where a map was expected), raises and the engine asks
  the runtime for that resource. Errors therefore always carry the runtime's
  own message.

``&&``/``||`` absorb an error when the other side decides (``error && false``
is false), like the runtime; ``all``/``exists`` follow the CEL specification
(see :mod:`aiposture.engine.celpath`). A test compares both paths on every
result of a large generated inventory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiposture.engine.celparse import OPAQUE, Node

_I64_MIN, _U64_END, _F53 = -(2**63), 2**64, 2**53
_SCALAR = frozenset({bool, str, int, float, type(None)})
_NUMBER = frozenset({int, float})


class Bail(Exception):
    """The fast path cannot decide this value with certainty: ask the runtime."""


class CelError(Exception):
    """An error the runtime is certain to raise here; ``exc`` is the exception it raises."""

    def __init__(self, exc: Exception):
        super().__init__(exc)
        self.exc = exc


class Untranslatable(Exception):
    pass


_UNKNOWN = object()  # an operand whose outcome only the runtime knows
_NO_OVERLOAD: list[Exception] = []  # the runtime's own "no such overload" error, probed once


def no_overload() -> Exception:
    if not _NO_OVERLOAD:
        from aiposture.engine.celpath import load_cel

        cel = load_cel()
        try:
            cel.compile("!null").execute(cel.Context({}))
        except Exception as e:
            _NO_OVERLOAD.append(e)
    return _NO_OVERLOAD[0]


def _bail() -> Any:
    raise Bail


def _type_error() -> Any:
    raise CelError(_NO_OVERLOAD[0])


def _err(x: BaseException) -> Any:
    """What an exception inside translated code means: a certain runtime error, or unknown."""
    if type(x) is CelError:
        return x
    if type(x) is KeyError:  # a dict lookup of a missing key: the runtime raises KeyError(key) too
        return CelError(x)
    return _UNKNOWN


def _both(a: Any, b: Any) -> Any:
    """Outcome of && / || when neither side decided: the runtime reports the right error, else
    the left one, else 'no such overload' (a non-boolean operand)."""
    if a is _UNKNOWN or b is _UNKNOWN:
        raise Bail
    if type(b) is CelError:
        raise b
    if type(a) is CelError:
        raise a
    raise CelError(_NO_OVERLOAD[0])


def _num_ok(a: Any, b: Any) -> bool:
    """Two numbers the runtime and Python compare alike (no float rounding of big ints, no overflow)."""
    for v in (a, b):
        if type(v) is int and not (_I64_MIN <= v < _U64_END):
            return False
    if type(a) is not type(b):
        i = a if type(a) is int else b
        return -_F53 <= i <= _F53
    return True


def _eq(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta in _NUMBER and tb in _NUMBER:
        if _num_ok(a, b):
            return a == b
        raise Bail
    if ta in _SCALAR and tb in _SCALAR:
        return ta is tb and a == b  # heterogeneous equality is false in CEL
    raise Bail


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _ordered(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta in _NUMBER and tb in _NUMBER:
        if _num_ok(a, b):
            return True
        raise Bail
    if ta is tb and (ta is str or ta is bool):
        return True
    if ta in _SCALAR and tb in _SCALAR:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _lt(a: Any, b: Any) -> bool:
    return _ordered(a, b) and a < b


def _le(a: Any, b: Any) -> bool:
    return _ordered(a, b) and a <= b


def _gt(a: Any, b: Any) -> bool:
    return _ordered(a, b) and a > b


def _ge(a: Any, b: Any) -> bool:
    return _ordered(a, b) and a >= b


def _in(a: Any, b: Any) -> bool:
    tb = type(b)
    if tb is dict and type(a) is str:
        return a in b
    if tb is list or tb is tuple:
        return any(_eq(a, e) for e in b)
    if tb in _SCALAR and type(a) is str:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _in_strs(a: Any, strs: frozenset[str]) -> bool:
    ta = type(a)
    if ta is str:
        return a in strs
    if ta in _SCALAR or ta is list or ta is dict:  # heterogeneous equality: never a member
        return False
    raise Bail


def _sel(a: Any, k: str) -> Any:
    ta = type(a)
    if ta is dict:
        return a[k]
    if ta in _SCALAR:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _has(a: Any, k: str) -> bool:
    ta = type(a)
    if ta is dict:
        return k in a
    if ta in _SCALAR:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _not(a: Any) -> bool:
    if a is True:
        return False
    if a is False:
        return True
    if type(a) in _SCALAR:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _index(a: Any, k: Any) -> Any:
    ta = type(a)
    if ta is dict and type(k) is str:
        return a[k]
    if ta is list and type(k) is int and k >= 0:
        return a[k]
    if (a is None or ta is str) and type(k) is str:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _size(a: Any) -> int:
    ta = type(a)
    if ta is list or ta is dict or (ta is str and a.isascii()):  # the runtime counts bytes of a string
        return len(a)
    raise Bail


def _iter(a: Any) -> Any:
    """Elements in canonical order: a list as it is, a map's keys sorted."""
    ta = type(a)
    if ta is list or ta is tuple:
        return a
    if ta is dict:
        return sorted(a)
    if ta in _SCALAR:
        raise CelError(_NO_OVERLOAD[0])
    raise Bail


def _str_method(name: str) -> Callable[[Any, Any], bool]:
    meth = {"startsWith": str.startswith, "endsWith": str.endswith, "contains": str.__contains__}[name]

    def call(s: Any, arg: Any) -> bool:
        if type(s) is str and type(arg) is str:
            return meth(s, arg)
        raise Bail

    return call


_RELATION = {"==": "_eq", "!=": "_ne", "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}
_STR_METHODS = ("startsWith", "endsWith", "contains")


class _Gen:
    """Emits the body of ``def _f(resource, attrs)`` as statements with temporaries."""

    def __init__(self, tag: str = "") -> None:
        self.lines: list[str] = []
        self.consts: dict[str, Any] = {}
        self.n = 0
        self.tag = tag  # keeps temporaries of several expressions apart in one function
        self.cse: dict[tuple[Any, str], str] = {}  # (range expression, loop variable) -> the range's value
        self.paths: dict[tuple[str, ...], str] = {}  # attrs path -> variable holding its value (kernels)

    def tmp(self, prefix: str = "_t") -> str:
        self.n += 1
        return f"{prefix}{self.tag}_{self.n}"

    def const(self, value: Any) -> str:
        name = self.tmp("_k")
        self.consts[name] = value
        return name

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("    " * depth + line)

    # each method returns a Python expression; statements it needs are emitted first
    def expr(self, n: Node, scope: dict[str, str], d: int) -> str:
        k = n.kind
        if k == "lit":
            return self.literal(n)
        if k == "ident":
            if n.value in scope:
                return scope[n.value]
            if n.value == "resource":
                raise Untranslatable("the whole resource")
            raise Untranslatable(f"variable {n.value}")
        if k == "select":
            assert n.target is not None
            top = self.resource_field(n, scope, attrs="attrs", field="resource[{}]")
            if top is not None:
                return top
            operand = self.expr(n.target, scope, d)
            if self.static(n.target, scope):
                # a fixed attribute path: the engine has already answered nulls on it; a wrong type asks the runtime
                plain = f"{operand}[{n.value!r}]"
                known = self.paths.get(_attr_path(n))
                if known is not None:  # the kernel looked it up already (absent: the lookup raises as before)
                    return f"({known} if {known} is not _MISSING and {known} is not _NOWALK else {plain})"
                return plain
            t = self.tmp()
            return f"({t}[{n.value!r}] if type({t} := {operand}) is dict else _sel({t}, {n.value!r}))"
        if k == "has":
            assert n.target is not None
            top = self.resource_field(n, scope, attrs="True", field="({} in resource)")
            if top is not None:
                return top
            return f"_has({self.expr(n.target, scope, d)}, {n.value!r})"
        if k == "index":
            assert n.target is not None
            idx = n.args[0]
            if idx.kind == "ident" and idx.value in scope:
                same = self.cse.get((_key(n.target), scope[idx.value]))
                if same is not None:  # m[k] inside m.all(k, ...): k is a key of m
                    return f"{same}[{scope[idx.value]}]"
            return f"_index({self.expr(n.target, scope, d)}, {self.expr(idx, scope, d)})"
        if k == "unary" and n.value == "!":
            return f"_not({self.expr(n.args[0], scope, d)})"
        if k == "binary":
            return self.binary(n, scope, d)
        if k == "cond":
            return self.cond(n, scope, d)
        if k == "call":
            return self.call(n, scope, d)
        if k == "compr" and n.value in ("all", "exists", "exists_one"):
            return self.compr(n, scope, d)
        raise Untranslatable(k)

    def resource_field(self, n: Node, scope: dict[str, str], *, attrs: str, field: str) -> str | None:
        """Code for ``resource.<key>`` (or ``has()`` of it): ``attrs`` for the attributes (always
        present in the runtime's view), ``field`` formatted with the key otherwise; None when
        ``n`` does not select from ``resource`` itself."""
        assert n.target is not None
        if not (n.target.kind == "ident" and n.target.value == "resource" and "resource" not in scope):
            return None
        if n.value == "raw":
            raise Untranslatable("resource.raw")  # not in the runtime's view of the resource
        return attrs if n.value == "attrs" else field.format(repr(n.value))

    def static(self, n: Node, scope: dict[str, str]) -> bool:
        """``resource`` or a chain of field selections from it."""
        while n.kind == "select":
            assert n.target is not None
            n = n.target
        return n.kind == "ident" and n.value == "resource" and "resource" not in scope

    def literal(self, n: Node) -> str:
        v = n.value
        if v is OPAQUE or type(v) not in _SCALAR or (type(v) is int and not _I64_MIN <= v < -_I64_MIN):
            raise Untranslatable("literal")
        return repr(v)

    def binary(self, n: Node, scope: dict[str, str], d: int) -> str:
        op, (left, right) = n.value, n.args
        if op in ("&&", "||"):
            return self.logical(op, left, right, scope, d)
        if op in _RELATION:
            a, b = self.expr(left, scope, d), self.expr(right, scope, d)
            t = self.tmp()
            if op == "==" and right.kind == "lit" and type(right.value) is bool:
                return f"(({t} is {right.value}) if type({t} := {a}) in _SCALAR else _bail())"
            if right.kind == "lit" and type(right.value) is str and op in ("==", "!="):
                return f"(({t} {op} {b}) if type({t} := {a}) is str else {_RELATION[op]}({t}, {b}))"
            if right.kind == "lit" and type(right.value) is int and type(right.value) is not bool:
                return (f"(({t} {op} {b}) if type({t} := {a}) is int and {_I64_MIN} <= {t} < {_U64_END} "
                        f"else {_RELATION[op]}({t}, {b}))")
            if right.kind == "lit" and type(right.value) is float:
                return f"(({t} {op} {b}) if type({t} := {a}) is float else {_RELATION[op]}({t}, {b}))"
            return f"{_RELATION[op]}({a}, {b})"
        if op == "in":
            a = self.expr(left, scope, d)
            if right.kind == "list":
                lits = [e.value for e in right.args if e.kind == "lit"]
                if len(lits) == len(right.args) and all(type(v) is str for v in lits):
                    t, k = self.tmp(), self.const(frozenset(lits))
                    return f"(({t} in {k}) if type({t} := {a}) is str else _in_strs({t}, {k}))"
                return f"_in({a}, {self.const(tuple(self.literal_value(e) for e in right.args))})"
            return f"_in({a}, {self.expr(right, scope, d)})"
        raise Untranslatable(f"operator {op}")

    def literal_value(self, n: Node) -> Any:
        if n.kind != "lit":
            raise Untranslatable("non-literal list element")
        self.literal(n)
        return n.value

    def logical(self, op: str, left: Node, right: Node, scope: dict[str, str], d: int) -> str:
        # the side that decides (false for &&, true for ||) wins over an error on the other side
        decide, other = ("False", "True") if op == "&&" else ("True", "False")
        a, b, r = self.tmp("_a"), self.tmp("_b"), self.tmp("_r")
        self.outcome(a, left, scope, d)
        self.emit(f"if {a} is {decide}:", d)
        self.emit(f"{r} = {decide}", d + 1)
        self.emit("else:", d)
        self.outcome(b, right, scope, d + 1)
        self.emit(f"if {b} is {decide}:", d + 1)
        self.emit(f"{r} = {decide}", d + 2)
        self.emit(f"elif {a} is {other} and {b} is {other}:", d + 1)
        self.emit(f"{r} = {other}", d + 2)
        self.emit("else:", d + 1)
        self.emit(f"{r} = _both({a}, {b})", d + 2)
        return r

    def outcome(self, target: str, n: Node, scope: dict[str, str], d: int) -> None:
        """``target`` = the value of ``n``, or what its exception means (:func:`_err`)."""
        x = self.tmp("_x")
        self.emit("try:", d)
        self.emit(f"{target} = {self.expr(n, scope, d + 1)}", d + 1)
        self.emit(f"except Exception as {x}:", d)
        self.emit(f"{target} = _err({x})", d + 1)

    def cond(self, n: Node, scope: dict[str, str], d: int) -> str:
        c, r = self.tmp("_c"), self.tmp("_r")
        self.emit(f"{c} = {self.expr(n.args[0], scope, d)}", d)
        self.emit(f"if {c} is True:", d)
        self.emit(f"{r} = {self.expr(n.args[1], scope, d + 1)}", d + 1)
        self.emit(f"elif {c} is False:", d)
        self.emit(f"{r} = {self.expr(n.args[2], scope, d + 1)}", d + 1)
        self.emit(f"elif type({c}) in _SCALAR:", d)
        self.emit("_type_error()", d + 1)
        self.emit("else:", d)
        self.emit("_bail()", d + 1)
        return r


    def call(self, n: Node, scope: dict[str, str], d: int) -> str:
        if n.value == "size" and ((n.target is None and len(n.args) == 1) or (n.target is not None and not n.args)):
            arg = n.target if n.target is not None else n.args[0]
            return f"_size({self.expr(arg, scope, d)})"
        if n.value in _STR_METHODS and n.target is not None and len(n.args) == 1:
            fn = self.const(_str_method(n.value))
            return f"{fn}({self.expr(n.target, scope, d)}, {self.expr(n.args[0], scope, d)})"
        raise Untranslatable(f"function {n.value}")

    def compr(self, n: Node, scope: dict[str, str], d: int) -> str:
        """all/exists: a deciding element wins, else the first error in canonical order (list
        order, sorted map keys), as :mod:`aiposture.engine.celpath` evaluates them; the map is
        walked in its own order and sorted only to pick among several errors."""
        assert n.target is not None
        var, r, errs, v, x, m = (self.tmp(p) for p in ("_v", "_r", "_e", "_p", "_x", "_m"))
        if n.target.kind == "list":
            self.emit(f"{m} = {self.const(tuple(self.literal_value(e) for e in n.target.args))}", d)
        else:
            self.emit(f"{m} = {self.expr(n.target, scope, d)}", d)
        inner = {**scope, n.var: var}
        if n.value == "exists_one":
            self.emit(f"{r} = 0", d)
            self.emit(f"for {var} in _iter({m}):", d)
            self.emit(f"{v} = {self.expr(n.args[0], inner, d + 1)}", d + 1)
            self.emit(f"if {v} is True:", d + 1)
            self.emit(f"{r} += 1", d + 2)
            self.emit(f"elif {v} is not False:", d + 1)
            self.emit("_type_error()", d + 2)
            return f"({r} == 1)"
        decide, other = ("True", "False") if n.value == "exists" else ("False", "True")
        unknown = self.tmp("_u")
        if self.static(n.target, scope):
            self.cse[(_key(n.target), var)] = m
        self.emit(f"{r}, {errs}, {unknown} = {other}, None, False", d)
        self.emit(f"for {var} in ({m} if type({m}) is dict else _iter({m})):", d)
        self.emit("try:", d + 1)
        self.emit(f"{v} = {self.expr(n.args[0], inner, d + 2)}", d + 2)
        self.emit(f"except Exception as {x}:", d + 1)
        self.emit(f"{x} = _err({x})", d + 2)
        self.emit(f"if {x} is _UNKNOWN:", d + 2)
        self.emit(f"{unknown} = True", d + 3)
        self.emit(f"elif {errs} is None:", d + 2)
        self.emit(f"{errs} = [({var}, {x})]", d + 3)
        self.emit("else:", d + 2)
        self.emit(f"{errs}.append(({var}, {x}))", d + 3)
        self.emit("continue", d + 2)
        self.emit(f"if {v} is {decide}:", d + 1)
        self.emit(f"{r} = {decide}", d + 2)
        self.emit("break", d + 2)
        self.emit(f"if {v} is not {other}:", d + 1)
        self.emit(f"{errs} = ({errs} or []) + [({var}, CelError(_NO_OVERLOAD[0]))]", d + 2)
        self.emit("else:", d)
        self.emit(f"if {unknown}:", d + 1)
        self.emit("_bail()", d + 2)
        self.emit(f"if {errs} is not None:", d + 1)
        self.emit(f"raise _first_error({errs}, {m})", d + 2)
        return r


def _key(n: Node) -> Any:
    """Structural identity of a syntax node (same key, same value: CEL expressions are pure)."""
    return (n.kind, repr(n.value), n.var, _key(n.target) if n.target is not None else None, tuple(_key(a) for a in n.args))


def _first_error(errors: list[tuple[Any, CelError]], rng: Any) -> CelError:
    """The error of the first element in canonical order (sorted keys for a map)."""
    if type(rng) is dict:
        return min(errors, key=lambda e: (type(e[0]).__name__, e[0]))[1]
    return errors[0][1]


_GLOBALS = {"_bail": _bail, "_type_error": _type_error, "_err": _err, "_both": _both, "CelError": CelError, "_UNKNOWN": _UNKNOWN, "_first_error": _first_error,
            "_NO_OVERLOAD": _NO_OVERLOAD, "_sel": _sel, "_has": _has, "_not": _not, "_eq": _eq, "_ne": _ne, "_lt": _lt, "_le": _le, "_gt": _gt, "_ge": _ge, "_in": _in,
            "_in_strs": _in_strs, "_index": _index, "_size": _size, "_iter": _iter, "_SCALAR": _SCALAR}


GLOBALS = _GLOBALS


def _attr_path(n: Node) -> tuple[str, ...]:
    """``resource.attrs.a.b`` -> ("a", "b"); () for anything else."""
    segs: list[str] = []
    while n.kind == "select" and n.target is not None:
        segs.append(n.value)
        n = n.target
    if n.kind == "ident" and n.value == "resource" and segs and segs[-1] == "attrs":
        return tuple(reversed(segs[:-1]))
    return ()


def inline(tree: Node, tag: str, depth: int, paths: dict[tuple[str, ...], str] | None = None,
           ) -> tuple[list[str], str, dict[str, Any]] | None:
    """The translation as code to embed: (statements at ``depth``, result expression, constants).

    The code reads the variables ``resource`` and ``attrs`` and the names in :data:`GLOBALS`;
    ``paths`` names variables that already hold attribute values (``_MISSING`` when absent,
    ``_NOWALK`` when a parent was not a map). None when the expression is untranslatable.
    """
    no_overload()
    gen = _Gen(tag)
    gen.paths = paths or {}
    try:
        result = gen.expr(tree, {}, depth)
    except Untranslatable:
        return None
    return gen.lines, result, gen.consts


def translate(tree: Node, name: str = "_f") -> Callable[[dict[str, Any], dict[str, Any]], Any] | None:
    """``fn(resource, attrs) -> value`` (raises when the runtime must decide), or None if untranslatable."""
    no_overload()
    gen = _Gen()
    try:
        result = gen.expr(tree, {}, 1)
    except Untranslatable:
        return None
    src = "\n".join([f"def {name}(resource, attrs):", *gen.lines, f"    return {result}"])
    namespace: dict[str, Any] = {**_GLOBALS, **gen.consts}
    exec(compile(src, f"<cel {name}>", "exec"), namespace)
    fn = namespace[name]
    fn.__source__ = src
    return fn

