"""ARM templates (JSON; Bicep users run ``bicep build`` first).

Nested ``resources`` arrays are flattened with full types and names;
Template expressions are evaluated where they only depend on the template
itself: ``parameters()`` (default values), ``variables()``, ``format()``,
``concat()``, ``toLower()``/``toUpper()``, ``string()``, ``if()``, ``equals()``,
``not()``/``and()``/``or()`` and property access. That covers the names and
settings Bicep compiles to (``[format('{0}/{1}', parameters('account'), 'chat')]``).
Anything else (``resourceGroup()``, ``reference()``, ``uniqueString()`` ...) is
UNKNOWN.
"""

from __future__ import annotations

import re
from typing import Any

from aiposture.iac.base import RawResource, suppressions_near
from aiposture.normalize.values import UNKNOWN, snake_keys

_REF_NAME = re.compile(r"resourceId\([^)]*'(Microsoft\.[^']+)'\s*,\s*([^)]*)\)")


def looks_like_arm(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("resources"), (list, dict)) and (
        "deploymentTemplate" in str(doc.get("$schema", "")) or "contentVersion" in doc)


def _resolve(v: Any, params: dict[str, Any], variables: dict[str, Any] | None = None) -> Any:
    if isinstance(v, dict):
        return {k: _resolve(x, params, variables) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, params, variables) for x in v]
    if isinstance(v, str) and v.startswith("[") and v.endswith("]") and not v.startswith("[["):
        try:
            return _Expr(v[1:-1], params, variables or {}).parse()
        except _Unknown:
            return UNKNOWN
    return v


class _Unknown(Exception):
    pass


_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][\w]*)|(?P<op>[(),.\[\]]))")


class _Expr:
    """A tiny evaluator for ARM template expressions (no side effects, nothing external)."""

    def __init__(self, text: str, params: dict[str, Any], variables: dict[str, Any], depth: int = 0):
        self.toks = [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(text) if m.lastgroup]
        if "".join(t for _, t in self.toks).replace("'", "") != re.sub(r"\s+", "", text).replace("'", ""):
            raise _Unknown()  # something the tokenizer does not understand
        self.i, self.params, self.variables, self.depth = 0, params, variables, depth

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _take(self, value: str | None = None) -> tuple[str, str]:
        tok = self._peek()
        if tok is None or (value is not None and tok[1] != value):
            raise _Unknown()
        self.i += 1
        return tok

    def parse(self) -> Any:
        v = self._value()
        if self._peek() is not None:
            raise _Unknown()
        return v

    def _value(self) -> Any:
        kind, text = self._take()
        if kind == "str":
            v: Any = text[1:-1].replace("''", "'")
        elif kind == "num":
            v = int(text)
        elif kind == "name":
            if text in ("true", "false") and (self._peek() or ("", ""))[1] != "(":
                v = text == "true"
            else:
                self._take("(")
                args = []
                while (self._peek() or ("", ""))[1] != ")":
                    args.append(self._value())
                    if (self._peek() or ("", ""))[1] == ",":
                        self._take(",")
                self._take(")")
                v = self._call(text.lower(), args)
        else:
            raise _Unknown()
        while (self._peek() or ("", ""))[1] in (".", "["):
            if self._take()[1] == ".":
                key = self._take()[1]
            else:
                key = self._value()
                self._take("]")
            if (isinstance(v, dict) and key in v) or (isinstance(v, list) and isinstance(key, int) and 0 <= key < len(v)):
                v = v[key]
            else:
                raise _Unknown()
        return v

    def _call(self, fn: str, args: list[Any]) -> Any:
        if fn == "parameters" and len(args) == 1 and args[0] in self.params and self.params[args[0]] is not UNKNOWN:
            return _resolve(self.params[args[0]], self.params, self.variables)
        if fn == "variables" and len(args) == 1 and args[0] in self.variables and self.depth < 10:
            got = self.variables[args[0]]
            if isinstance(got, str) and got.startswith("["):
                got = _resolve(got, self.params, self.variables)
            if got is UNKNOWN:
                raise _Unknown()
            return got
        if fn == "format" and args and isinstance(args[0], str):
            return re.sub(r"\{(\d+)\}", lambda m: _s(args[int(m.group(1)) + 1]) if int(m.group(1)) + 1 < len(args) else m.group(0), args[0])
        if fn == "concat" and args:
            return [x for a in args for x in a] if all(isinstance(a, list) for a in args) else "".join(_s(a) for a in args)
        if fn in ("tolower", "toupper", "string") and len(args) == 1:
            return _s(args[0]).lower() if fn == "tolower" else (_s(args[0]).upper() if fn == "toupper" else _s(args[0]))
        if fn == "if" and len(args) == 3 and isinstance(args[0], bool):
            return args[1] if args[0] else args[2]
        if fn == "equals" and len(args) == 2:
            return args[0] == args[1]
        if fn == "not" and len(args) == 1 and isinstance(args[0], bool):
            return not args[0]
        if fn in ("and", "or") and args and all(isinstance(a, bool) for a in args):
            return all(args) if fn == "and" else any(args)
        raise _Unknown()


def _s(v: Any) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (str, int, float)):
        return str(v)
    raise _Unknown()


def read(doc: dict[str, Any], text: str, file: str) -> list[RawResource]:
    params = {k: p.get("defaultValue", UNKNOWN) for k, p in (doc.get("parameters") or {}).items() if isinstance(p, dict)}
    variables = doc.get("variables") if isinstance(doc.get("variables"), dict) else {}
    lines = text.splitlines()
    out: list[RawResource] = []
    cursor = [0]

    def line_for(rtype: str) -> int | None:
        short = rtype.rsplit("/", 1)[-1]
        for i in range(cursor[0], len(lines)):
            if re.search(r'"type"\s*:\s*"[^"]*' + re.escape(short) + r'"', lines[i]):
                cursor[0] = i + 1
                # the resource starts at the nearest "{" above the type line
                j = i
                while j > 0 and lines[j].strip() not in ("{", "{,") and not lines[j].rstrip().endswith("{"):
                    j -= 1
                return j + 1
        return None

    def walk(resources: Any, parent_type: str | None, parent_name: Any) -> None:
        items = resources.values() if isinstance(resources, dict) else resources  # languageVersion 2.0 symbolic names
        for res in items or []:
            if not isinstance(res, dict):
                continue
            rtype = str(res.get("type", ""))
            if parent_type and "/" not in rtype.split("/", 1)[-1] and not rtype.startswith("Microsoft."):
                rtype = f"{parent_type}/{rtype}"
            name = _resolve(res.get("name"), params, variables)
            full_name = f"{parent_name}/{name}" if parent_type and isinstance(name, str) and isinstance(parent_name, str) else name
            line = line_for(rtype)
            values = snake_keys(_resolve({k: x for k, x in res.items() if k != "resources"}, params, variables), keep=("tags",))
            refs: dict[str, list[str]] = {}
            short_name = full_name.rsplit("/", 1)[-1] if isinstance(full_name, str) else None
            out.append(RawResource(type=rtype, address=full_name if isinstance(full_name, str) else f"{rtype}[{len(out)}]",
                                   values=values, origin="arm", file=file, line=line, name=short_name or rtype,
                                   refs=refs, suppressions=suppressions_near(lines, line)))
            if isinstance(res.get("resources"), list):
                walk(res["resources"], rtype, full_name)

    walk(doc.get("resources"), None, None)
    # deployments/raiPolicies declared at top level carry "account/child" names: link by the parent segment
    for r in out:
        if r.type.endswith(("/deployments", "/raiPolicies")) and isinstance(r.address, str) and "/" in r.address:
            r.refs.setdefault("parent", []).append(r.address.rsplit("/", 1)[0])
    return out
