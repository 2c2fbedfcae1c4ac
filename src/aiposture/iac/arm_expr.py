"""ARM template expressions: parsed once, evaluated with memoised scopes and a work budget.

Why a budget: the scanned tree is hostile. A template whose variables double at every
step (``v2 = concat(v1, v1)``), refer to themselves, or nest calls thousands deep must
end as "not checked", quickly and in flat memory, never hang or crash. So:

* every string or container a function builds is weighed (nodes + string length);
  past :data:`MAX_WEIGHT` the template is :class:`TooComplex` ("too large");
* variables and parameter defaults are evaluated once per scope (memoised); a
  variable met again while it is being evaluated is a circular reference;
* parse depth, scope depth and evaluation steps are bounded.

Values are plain JSON values, plus :class:`Opaque` for what is known only at deploy
time (``resourceGroup()``, ``reference()``, ``uniqueString()``, a parameter without
default). An Opaque keeps a rendering of its expression so two names built the same
way compare equal (links between resources still resolve), keeps the resources it
refers to (``resourceId()``, ``reference()``), and says whether it is *settled*: a
string that certainly exists (``uniqueString()``, or text with literal parts, like
Terraform's string templates), which a rule may treat as "set", as opposed to a value
that is simply unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_PARSE_DEPTH = 80
MAX_WEIGHT = 200_000  # nodes + string length / 50 of one value, expanded
MAX_STRING = 200_000
MAX_STEPS = 3_000_000  # evaluation steps per template file (nested deployments included)
MAX_VAR_DEPTH = 100  # variables referring to variables referring to ...
MAX_COPY = 800  # ARM's own limit on copy count


class TooComplex(Exception):
    """The template is too large, too deep or circular: the file is listed as not checked."""


class _Unsupported(Exception):
    """An expression this evaluator does not understand: its value is unknown."""


@dataclass(frozen=True)
class Opaque:
    """A value known only at deploy time (see the module docstring)."""

    text: str
    settled: bool = False
    refs: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Lambda:
    params: tuple[str, ...]
    body: Any


def opaque_refs(*vals: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for v in vals:
        if isinstance(v, Opaque):
            out.extend(x for x in v.refs if x not in out)
    return tuple(out)


# ----------------------------------------------------------------------------- parsing
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_$][\w$]*)|(?P<op>[(),.\[\]]))")

# AST: ("lit", v) | ("call", name, args) | ("get", base, key_ast)
Node = tuple[Any, ...]


def parse(text: str) -> Node:
    """Parse the inside of ``[ ... ]``; raises _Unsupported or TooComplex."""
    toks: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise _Unsupported()
        kind = m.lastgroup
        if kind is None:
            break
        toks.append((kind, m.group(kind)))
        pos = m.end()
    p = _Parser(toks)
    node = p.value(0)
    if p.i != len(toks):
        raise _Unsupported()
    return node


class _Parser:
    def __init__(self, toks: list[tuple[str, str]]):
        self.toks, self.i = toks, 0

    def peek(self) -> str:
        return self.toks[self.i][1] if self.i < len(self.toks) else ""

    def take(self, value: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks) or (value is not None and self.toks[self.i][1] != value):
            raise _Unsupported()
        self.i += 1
        return self.toks[self.i - 1]

    def value(self, depth: int) -> Node:
        if depth > MAX_PARSE_DEPTH:
            raise TooComplex("expression nested too deeply")
        kind, text = self.take()
        node: Node
        if kind == "str":
            node = ("lit", text[1:-1].replace("''", "'"))
        elif kind == "num":
            node = ("lit", float(text) if "." in text else int(text))
        elif kind == "name":
            name = text
            while self.peek() == "." and self.i + 2 < len(self.toks) and self.toks[self.i + 2][1] == "(":
                self.take(".")
                name += "." + self.take()[1]  # user-defined function namespace: ns.fn(...)
            if self.peek() != "(":
                if name.lower() in ("true", "false"):
                    node = ("lit", name.lower() == "true")
                elif name.lower() == "null":
                    node = ("lit", None)
                else:
                    raise _Unsupported()
            else:
                self.take("(")
                args = []
                while self.peek() != ")":
                    args.append(self.value(depth + 1))
                    if self.peek() == ",":
                        self.take(",")
                    elif self.peek() != ")":
                        raise _Unsupported()
                self.take(")")
                node = ("call", name.lower(), tuple(args))
        else:
            raise _Unsupported()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                node = ("get", node, ("lit", self.take()[1]))
            else:
                key = self.value(depth + 1)
                self.take("]")
                node = ("get", node, key)
            depth += 1
            if depth > MAX_PARSE_DEPTH:
                raise TooComplex("expression nested too deeply")
        return node


def render(node: Node) -> str:
    """Expression text of an AST (for Opaque values)."""
    if node[0] == "lit":
        return "'" + node[1].replace("'", "''") + "'" if isinstance(node[1], str) else json.dumps(node[1])
    if node[0] == "call":
        return f"{node[1]}({', '.join(render(a) for a in node[2])})"
    key = node[2]
    if key[0] == "lit" and isinstance(key[1], str) and re.fullmatch(r"\w+", key[1]):
        return f"{render(node[1])}.{key[1]}"
    return f"{render(node[1])}[{render(key)}]"


# ----------------------------------------------------------------------------- budget
class Budget:
    """Shared by every scope of one template file: steps and weighed values."""

    def __init__(self, max_steps: int = MAX_STEPS):
        self.steps = 0
        self.max_steps = max_steps
        self._weights: dict[int, tuple[Any, int]] = {}  # id -> (object kept alive, weight)
        self._parsed: dict[str, Node | None] = {}

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise TooComplex("too much work to evaluate")

    def parse(self, text: str) -> Node | None:
        if text not in self._parsed:
            try:
                self._parsed[text] = parse(text)
            except _Unsupported:
                self._parsed[text] = None
        return self._parsed[text]

    def weigh(self, v: Any, depth: int = 0) -> int:
        """Expanded size of a value, memoised by identity; raises TooComplex past MAX_WEIGHT."""
        if isinstance(v, str):
            return 1 + len(v) // 50
        if not isinstance(v, (dict, list)):
            return 1
        got = self._weights.get(id(v))
        if got is not None and got[0] is v:
            return got[1]
        if depth > MAX_PARSE_DEPTH:
            raise TooComplex("value nested too deeply")
        total = 1
        for x in (v.values() if isinstance(v, dict) else v):
            total += self.weigh(x, depth + 1)
            if total > MAX_WEIGHT:
                raise TooComplex("value too large")
        self._weights[id(v)] = (v, total)
        return total

    def checked(self, v: Any) -> Any:
        if isinstance(v, str):
            if len(v) > MAX_STRING:
                raise TooComplex("value too large")
        elif isinstance(v, (dict, list)):
            self.weigh(v)
        return v


# ----------------------------------------------------------------------------- evaluation
_IN_PROGRESS = object()


@dataclass
class Scope:
    """One template's parameters, variables and symbolic names (memoised)."""

    template: dict[str, Any]
    budget: Budget
    supplied: dict[str, Any] = field(default_factory=dict)  # parameter values passed in (evaluated)
    depth: int = 0
    symbols: dict[str, Callable[[], tuple[str, Any]]] = field(default_factory=dict)  # symbolic name -> (type, name)
    _params: dict[str, Any] = field(default_factory=dict)
    _vars: dict[str, Any] = field(default_factory=dict)
    _chain: int = 0

    def parameter(self, name: str, ctx: Ctx) -> Any:
        key = _ci_key(self.template.get("parameters"), name)
        if key is None:
            raise _Unsupported()
        got = self._params.get(key)
        if got is _IN_PROGRESS:
            raise TooComplex("circular reference between parameters")
        if got is not None or key in self._params:
            return got
        if key in self.supplied:
            self._params[key] = self.supplied[key]
            return self._params[key]
        decl = self.template["parameters"][key]
        decl = decl if isinstance(decl, dict) else {}
        self._params[key] = _IN_PROGRESS
        try:
            if "defaultValue" in decl:
                val = self._nested(lambda: evaluate_value(decl["defaultValue"], Ctx(self, {}, {})))
            elif decl.get("nullable") is True:
                val = None
            else:
                val = Opaque(f"parameters('{key}')")
        except BaseException:
            self._params.pop(key, None)
            raise
        self._params[key] = val
        return val

    def variable(self, name: str, ctx: Ctx) -> Any:
        variables = self.template.get("variables")
        got = self._vars.get(name.lower(), self)
        if got is _IN_PROGRESS:
            raise TooComplex("circular reference between variables")
        if got is not self:
            return got
        copies = {str(c.get("name", "")).lower(): c for c in (variables or {}).get("copy", []) or [] if isinstance(c, dict)} \
            if isinstance(variables, dict) and isinstance(variables.get("copy"), list) else {}
        key = _ci_key(variables, name)
        if key is None and name.lower() not in copies:
            raise _Unsupported()
        self._vars[name.lower()] = _IN_PROGRESS
        try:
            if name.lower() in copies:
                spec = copies[name.lower()]
                val = self._nested(lambda: copy_values(spec, Ctx(self, {}, {}), str(spec.get("name"))))
            else:
                assert isinstance(variables, dict) and key is not None
                raw = variables[key]
                val = self._nested(lambda: evaluate_value(raw, Ctx(self, {}, {})))
        except BaseException:
            self._vars.pop(name.lower(), None)
            raise
        self._vars[name.lower()] = val
        return val

    def _nested(self, fn: Callable[[], Any]) -> Any:
        self._chain += 1
        try:
            if self._chain > MAX_VAR_DEPTH:
                raise TooComplex("variables nested too deeply")
            return fn()
        finally:
            self._chain -= 1


@dataclass
class Ctx:
    scope: Scope
    loops: dict[str, int]  # copy loop name (lower) -> index; "" = the innermost resource loop
    lambdas: dict[str, Any]


def _ci_key(d: Any, name: str) -> str | None:
    """ARM names (parameters, variables, properties) are case-insensitive."""
    if not isinstance(d, dict) or not isinstance(name, str):
        return None
    if name in d:
        return name
    low = name.lower()
    return next((k for k in d if isinstance(k, str) and k.lower() == low), None)


def is_expression(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("[") and v.endswith("]") and not v.startswith("[[")


def evaluate_value(v: Any, ctx: Ctx, depth: int = 0) -> Any:
    """A template value (JSON with ``[expression]`` strings) -> value; unknown parts are Opaque."""
    budget = ctx.scope.budget
    budget.step()
    if depth > MAX_PARSE_DEPTH:
        raise TooComplex("template nested too deeply")
    if isinstance(v, str):
        if is_expression(v):
            return evaluate_text(v[1:-1], ctx)
        return v[1:] if v.startswith("[[") else v
    if isinstance(v, dict):
        out: dict[str, Any] = {}
        for k, x in v.items():
            if k == "copy" and isinstance(x, list) and all(isinstance(c, dict) and "input" in c for c in x):
                for spec in x:  # property copy: each spec builds one array property
                    out[str(spec.get("name"))] = copy_values(spec, ctx, str(spec.get("name")))
                continue
            out[k] = evaluate_value(x, ctx, depth + 1)
        return budget.checked(out)
    if isinstance(v, list):
        return budget.checked([evaluate_value(x, ctx, depth + 1) for x in v])
    return v


def evaluate_text(text: str, ctx: Ctx) -> Any:
    node = ctx.scope.budget.parse(text)
    if node is None:
        return Opaque(text[:200])
    try:
        return _eval(node, ctx)
    except _Unsupported:
        return Opaque(render(node)[:1000], refs=())
    except RecursionError:
        raise TooComplex("expression nested too deeply") from None


def copy_values(spec: dict[str, Any], ctx: Ctx, name: str) -> Any:
    """A ``copy`` block (variable or property): ``count`` copies of ``input`` with copyIndex(name)."""
    count = evaluate_value(spec.get("count"), ctx)
    if not isinstance(count, int) or isinstance(count, bool):
        return Opaque(f"copy {name}")
    if count > MAX_COPY or count < 0:
        raise TooComplex("copy count out of range")
    out = []
    for i in range(count):
        loops = {**ctx.loops, name.lower(): i}
        out.append(evaluate_value(spec.get("input"), Ctx(ctx.scope, loops, ctx.lambdas)))
    return ctx.scope.budget.checked(out)


def _eval(node: Node, ctx: Ctx) -> Any:
    ctx.scope.budget.step()
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "get":
        base = _eval(node[1], ctx)
        key = _eval(node[2], ctx)
        if isinstance(base, Opaque) or isinstance(key, Opaque):
            return Opaque(render(node)[:1000], refs=opaque_refs(base, key))
        if isinstance(base, dict) and isinstance(key, str):
            k = _ci_key(base, key)
            if k is None:
                raise _Unsupported()
            return base[k]
        if isinstance(base, list) and isinstance(key, int) and not isinstance(key, bool) and -len(base) <= key < len(base):
            return base[key]
        raise _Unsupported()
    name, args = node[1], node[2]
    lazy = _LAZY.get(name)
    if lazy is not None:
        return lazy(node, args, ctx)
    fn = _FUNCS.get(name)
    vals = [_eval(a, ctx) for a in args]
    if fn is None:
        if name in _DEPLOY_TIME or name.startswith("list"):
            return Opaque(render(node)[:1000], refs=opaque_refs(*vals))
        raise _Unsupported()
    if any(isinstance(v, Opaque) for v in vals) and name not in _OPAQUE_AWARE:
        return _opaque_result(name, node, vals)
    try:
        out = fn(ctx, *vals)
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, AttributeError):
        raise _Unsupported() from None
    return ctx.scope.budget.checked(out)


def _known_text(vals: list[Any], i: int) -> str:
    """The text a format() placeholder certainly contributes: a known argument's, else nothing."""
    return str(vals[i]) if i < len(vals) and not isinstance(vals[i], Opaque) else ""


def _opaque_result(name: str, node: Node, vals: list[Any]) -> Opaque:
    """A string function over deploy-time values: still a string that certainly exists when it has literal text."""
    refs = opaque_refs(*vals)
    if name in ("format", "concat") and vals and all(isinstance(v, (str, int, Opaque)) for v in vals):
        if name == "format" and isinstance(vals[0], str):
            text = re.sub(r"\{(\d+)(?::[^}]*)?\}", lambda m: str(vals[int(m.group(1)) + 1]) if int(m.group(1)) + 1 < len(vals) else m.group(0), vals[0])
            # known (non-Opaque) arguments are literal text too: format('{0}{1}', 'app', uniqueSuffix)
            literal = re.sub(r"\{(\d+)(?::[^}]*)?\}", lambda m: _known_text(vals, int(m.group(1)) + 1), vals[0])
        else:
            text = "".join(str(v) for v in vals)
            literal = "".join(v for v in vals if isinstance(v, str))
        settled = bool(literal) or all(not isinstance(v, Opaque) or v.settled for v in vals)
        return Opaque(text[:1000], settled=settled, refs=refs)
    if name in ("tolower", "toupper", "string", "trim") and len(vals) == 1 and isinstance(vals[0], Opaque):
        v = vals[0]
        return Opaque(v.text.lower() if name == "tolower" else v.text.upper() if name == "toupper" else v.text, settled=v.settled, refs=refs)
    return Opaque(render(node)[:1000], refs=refs)


# ---- lazily evaluated functions (branches, scope lookups, loops)
def _if(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    if len(args) != 3:
        raise _Unsupported()
    cond = _eval(args[0], ctx)
    if isinstance(cond, bool):
        return _eval(args[1] if cond else args[2], ctx)
    a, b = _eval(args[1], ctx), _eval(args[2], ctx)
    return Opaque(render(node)[:1000], refs=opaque_refs(cond, a, b))


def _parameters(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    name = _eval(args[0], ctx) if len(args) == 1 else None
    if not isinstance(name, str):
        raise _Unsupported()
    return ctx.scope.parameter(name, ctx)


def _variables(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    name = _eval(args[0], ctx) if len(args) == 1 else None
    if not isinstance(name, str):
        raise _Unsupported()
    return ctx.scope.variable(name, ctx)


def _copyindex(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    vals = [_eval(a, ctx) for a in args]
    loop, offset = "", 0
    for v in vals:
        if isinstance(v, str):
            loop = v.lower()
        elif isinstance(v, int) and not isinstance(v, bool):
            offset = v
        else:
            raise _Unsupported()
    if loop not in ctx.loops:
        raise _Unsupported()
    return ctx.loops[loop] + offset


def _lambda(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    if not args:
        raise _Unsupported()
    names = [_eval(a, ctx) for a in args[:-1]]
    if not all(isinstance(n, str) for n in names):
        raise _Unsupported()
    return Lambda(tuple(names), args[-1])


def _lambdavariables(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    name = _eval(args[0], ctx) if len(args) == 1 else None
    if not isinstance(name, str) or name not in ctx.lambdas:
        raise _Unsupported()
    return ctx.lambdas[name]


def _call_lambda(fn: Any, ctx: Ctx, *vals: Any) -> Any:
    if not isinstance(fn, Lambda) or len(fn.params) != len(vals):
        raise _Unsupported()
    return _eval(fn.body, Ctx(ctx.scope, ctx.loops, {**ctx.lambdas, **dict(zip(fn.params, vals, strict=False))}))


def _map_filter(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    if len(args) != 2:
        raise _Unsupported()
    items, fn = _eval(args[0], ctx), _eval(args[1], ctx)
    if isinstance(items, Opaque):
        return Opaque(render(node)[:1000], refs=items.refs)
    if not isinstance(items, list) or not isinstance(fn, Lambda):
        raise _Unsupported()
    if node[1] == "map":
        return ctx.scope.budget.checked([_call_lambda(fn, ctx, x) for x in items])
    out = []
    for x in items:
        keep = _call_lambda(fn, ctx, x)
        if not isinstance(keep, bool):
            return Opaque(render(node)[:1000])
        if keep:
            out.append(x)
    return out


def _reference(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    """reference()/resourceInfo(): deploy-time state of a resource; keeps the link to it."""
    vals = [_eval(a, ctx) for a in args]
    refs = list(opaque_refs(*vals))
    if vals and isinstance(vals[0], str):
        sym = ctx.scope.symbols.get(vals[0])
        if sym is not None:
            rtype, rname = sym()
            refs.append((rtype, str(rname)))
    return Opaque(render(node)[:1000], refs=tuple(refs))


def _resourceid(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    """resourceId([sub], [rg], type, name1, name2...): a reference to a resource of this deployment (by name)."""
    vals = [_eval(a, ctx) for a in args]
    i = next((k for k, v in enumerate(vals) if isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9.]+/[\w/.-]+", v)), None)
    if i is None:
        return Opaque(render(node)[:1000], refs=opaque_refs(*vals))
    rtype, names = vals[i], [str(v) for v in vals[i + 1:]]
    if node[1] == "extensionresourceid" and i >= 1:
        names = [str(v) for v in vals[i + 1:]]
    full_type = rtype
    name = "/".join(names)
    text = f"/providers/{full_type}/{name}"
    return Opaque(text[:1000], settled=True, refs=(*opaque_refs(*vals), (full_type, name)))


def _coalesce(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    for a in args:
        v = _eval(a, ctx)
        if isinstance(v, Opaque):
            return Opaque(render(node)[:1000], refs=v.refs)
        if v is not None:
            return v
    return None


def _tryget(node: Node, args: tuple[Node, ...], ctx: Ctx) -> Any:
    if len(args) < 2:
        raise _Unsupported()
    v = _eval(args[0], ctx)
    for a in args[1:]:
        key = _eval(a, ctx)
        if v is None:
            return None
        if isinstance(v, Opaque) or isinstance(key, Opaque):
            return Opaque(render(node)[:1000], refs=opaque_refs(v, key))
        if isinstance(v, dict) and isinstance(key, str):
            k = _ci_key(v, key)
            v = v[k] if k is not None else None
        elif isinstance(v, list) and isinstance(key, int) and not isinstance(key, bool):
            v = v[key] if -len(v) <= key < len(v) else None
        else:
            return None
    return v


_LAZY: dict[str, Callable[[Node, tuple[Node, ...], Ctx], Any]] = {
    "if": _if, "parameters": _parameters, "variables": _variables, "copyindex": _copyindex,
    "lambda": _lambda, "lambdavariables": _lambdavariables, "map": _map_filter, "filter": _map_filter,
    "reference": _reference, "resourceinfo": _reference, "resourceid": _resourceid,
    "subscriptionresourceid": _resourceid, "tenantresourceid": _resourceid, "extensionresourceid": _resourceid,
    "coalesce": _coalesce, "tryget": _tryget,
}

# deploy-time functions: their value is unknown here
_DEPLOY_TIME = {"resourcegroup", "subscription", "tenant", "managementgroup", "deployment", "environment", "utcnow",
                "newguid", "pickzones", "providers", "managementgroupresourceid", "deployer", "externalinput"}


# ---- eager functions (arguments already evaluated, none Opaque unless in _OPAQUE_AWARE)
def _s(v: Any) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (str, int, float)):
        return str(v)
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    raise _Unsupported()


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, str, float)):
        raise _Unsupported()
    return int(v)


def _format(ctx: Ctx, fmt: Any, *args: Any) -> str:
    if not isinstance(fmt, str):
        raise _Unsupported()

    def sub(m: re.Match[str]) -> str:
        i = int(m.group(1))
        if i >= len(args):
            raise _Unsupported()
        spec = m.group(2)
        if spec and isinstance(args[i], (int, float)) and not isinstance(args[i], bool):
            if re.fullmatch(r"D(\d+)", spec):
                return str(args[i]).zfill(int(spec[1:]))
            if re.fullmatch(r"0+", spec):
                return str(args[i]).zfill(len(spec))
        return _s(args[i])

    return re.sub(r"\{(\d+)(?::([^}]*))?\}", sub, fmt.replace("{{", "\x00").replace("}}", "\x01")).replace("\x00", "{").replace("\x01", "}")


def _concat(ctx: Ctx, *args: Any) -> Any:
    if args and all(isinstance(a, list) or a is None for a in args):
        return [x for a in args if a for x in a]
    return "".join(_s(a) for a in args)


def _union(ctx: Ctx, *args: Any) -> Any:
    if all(isinstance(a, dict) for a in args):
        out: dict[str, Any] = {}
        for a in args:
            for k, v in a.items():
                out[k] = _union(ctx, out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
        return out
    if all(isinstance(a, list) for a in args):
        res: list[Any] = []
        for a in args:
            res.extend(x for x in a if x not in res)
        return res
    raise _Unsupported()


def _empty(ctx: Ctx, v: Any) -> bool:
    return v is None or (isinstance(v, (str, list, dict)) and len(v) == 0)


def _contains(ctx: Ctx, c: Any, item: Any) -> bool:
    if isinstance(c, str):
        return _s(item).lower() in c.lower() if isinstance(item, (str, int)) else False
    if isinstance(c, dict):
        return _ci_key(c, item) is not None if isinstance(item, str) else False
    if isinstance(c, list):
        return item in c
    raise _Unsupported()


def _length(ctx: Ctx, v: Any) -> int:
    if isinstance(v, (str, list, dict)):
        return len(v)
    raise _Unsupported()


def _range(ctx: Ctx, start: Any, count: Any) -> list[int]:
    s, c = _int(start), _int(count)
    if c < 0 or c > 10_000:
        raise TooComplex("range too large")
    return list(range(s, s + c))


def _num2(fn: Callable[[int, int], Any]) -> Callable[..., Any]:
    def call(ctx: Ctx, a: Any, b: Any) -> Any:
        return fn(_int(a), _int(b))
    return call


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def call(ctx: Ctx, a: Any, b: Any) -> bool:
        if (isinstance(a, str) and isinstance(b, str)) or all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b)):
            return op(a, b)
        raise _Unsupported()
    return call


def _bool(ctx: Ctx, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    if isinstance(v, int):
        return v != 0
    raise _Unsupported()


def _json(ctx: Ctx, v: Any) -> Any:
    if not isinstance(v, str) or len(v) > MAX_STRING:
        raise _Unsupported()
    try:
        return json.loads(v)
    except RecursionError:
        raise TooComplex("value nested too deeply") from None
    except ValueError:
        raise _Unsupported() from None


def _equals(ctx: Ctx, a: Any, b: Any) -> bool:
    ctx.scope.budget.weigh(a)
    ctx.scope.budget.weigh(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b  # ARM equals is case-sensitive for strings
    return bool(a == b)


def _bool_args(*vals: Any) -> list[bool]:
    if not all(isinstance(v, bool) for v in vals):
        raise _Unsupported()
    return list(vals)


def _and_or(is_and: bool) -> Callable[..., Any]:
    def call(ctx: Ctx, *vals: Any) -> Any:
        known = [v for v in vals if not isinstance(v, Opaque)]
        _bool_args(*known)
        if is_and and False in known:
            return False
        if not is_and and True in known:
            return True
        if len(known) < len(vals):
            raise _Unsupported()
        return all(known) if is_and else any(known)
    return call


def _take_skip(take: bool) -> Callable[..., Any]:
    def call(ctx: Ctx, v: Any, n: Any) -> Any:
        k = max(0, _int(n))
        if isinstance(v, (str, list)):
            return v[:k] if take else v[k:]
        raise _Unsupported()
    return call


def _uniquestring(ctx: Ctx, *vals: Any) -> Opaque:
    return Opaque("{uniqueString(" + ",".join(str(v) for v in vals) + ")}", settled=True, refs=opaque_refs(*vals))


def _guid(ctx: Ctx, *vals: Any) -> Opaque:
    return Opaque("{guid(" + ",".join(str(v) for v in vals) + ")}", settled=True, refs=opaque_refs(*vals))


def _items(ctx: Ctx, v: Any) -> list[dict[str, Any]]:
    if not isinstance(v, dict):
        raise _Unsupported()
    return [{"key": k, "value": v[k]} for k in sorted(v, key=str.lower)]


def _create_object(ctx: Ctx, *vals: Any) -> dict[str, Any]:
    if len(vals) % 2 or not all(isinstance(k, str) for k in vals[::2]):
        raise _Unsupported()
    return dict(zip(vals[::2], vals[1::2], strict=False))


_FUNCS: dict[str, Callable[..., Any]] = {
    "format": _format, "concat": _concat, "union": _union, "empty": _empty, "contains": _contains, "length": _length,
    "tolower": lambda c, v: _s(v).lower(), "toupper": lambda c, v: _s(v).upper(), "string": lambda c, v: _s(v),
    "int": lambda c, v: _int(v), "bool": _bool, "json": _json, "equals": _equals,
    "not": lambda c, v: not _bool_args(v)[0], "and": _and_or(True), "or": _and_or(False),
    "less": _cmp(lambda a, b: a < b), "lessorequals": _cmp(lambda a, b: a <= b),
    "greater": _cmp(lambda a, b: a > b), "greaterorequals": _cmp(lambda a, b: a >= b),
    "add": _num2(lambda a, b: a + b), "sub": _num2(lambda a, b: a - b), "mul": _num2(lambda a, b: a * b),
    "div": _num2(lambda a, b: int(a / b)), "mod": _num2(lambda a, b: a % b),
    "min": lambda c, *v: min(v[0] if len(v) == 1 and isinstance(v[0], list) else v),
    "max": lambda c, *v: max(v[0] if len(v) == 1 and isinstance(v[0], list) else v),
    "createarray": lambda c, *v: list(v), "array": lambda c, v: v if isinstance(v, list) else [v],
    "createobject": _create_object, "items": _items, "range": _range,
    "first": lambda c, v: (v[0] if v else None) if isinstance(v, (list, str)) else _unsupported(),
    "last": lambda c, v: (v[-1] if v else None) if isinstance(v, (list, str)) else _unsupported(),
    "take": _take_skip(True), "skip": _take_skip(False),
    "replace": lambda c, s, a, b: _str(s).replace(_str(a), _str(b)),
    "split": lambda c, s, d: _str(s).split(d) if isinstance(d, str) else _unsupported(),
    "join": lambda c, v, d: _str(d).join(_s(x) for x in v) if isinstance(v, list) else _unsupported(),
    "trim": lambda c, s: _str(s).strip(),
    "startswith": lambda c, s, p: _str(s).lower().startswith(_str(p).lower()),
    "endswith": lambda c, s, p: _str(s).lower().endswith(_str(p).lower()),
    "substring": lambda c, s, i, n=None: _str(s)[_int(i):] if n is None else _str(s)[_int(i):_int(i) + _int(n)],
    "indexof": lambda c, s, p: _str(s).lower().find(_str(p).lower()),
    "padleft": lambda c, s, n, ch=" ": _s(s).rjust(min(_int(n), MAX_STRING), _str(ch)[:1] or " "),
    "uniquestring": _uniquestring, "guid": _guid, "null": lambda c: None,
    "true": lambda c: True, "false": lambda c: False,
    "objectkeys": lambda c, v: list(v) if isinstance(v, dict) else _unsupported(),
    "shallowmerge": lambda c, v: {k: x for d in v for k, x in d.items()} if isinstance(v, list) and all(isinstance(d, dict) for d in v) else _unsupported(),
    "base64": lambda c, s: __import__("base64").b64encode(_str(s).encode()).decode(),
}
_OPAQUE_AWARE = {"uniquestring", "guid", "and", "or", "createobject", "createarray"}


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise _Unsupported()
    return v


def _unsupported() -> Any:
    raise _Unsupported()
