"""ARM templates (JSON, including what ``bicep build`` produces).

What is read, as Resource Manager would deploy it with the template's defaults:

* classic (``resources`` array, nested child ``resources``) and symbolic-name
  (``languageVersion: 2.0``, ``resources`` object) templates;
* nested ``Microsoft.Resources/deployments`` with an inline ``template`` (how Bicep
  modules compile): ``expressionEvaluationOptions.scope: inner`` evaluates the inner
  template with the ``parameters`` passed to it, ``outer`` (the default) with the
  outer template's parameters and variables;
* ``copy`` loops on resources, properties and variables (``copyIndex()``), resource
  ``condition``; ``"existing": true`` resources are references: usable for links,
  never judged;
* expressions (:mod:`aiposture.iac.arm_expr`); resource types and ``kind`` match
  case-insensitively, as in Resource Manager.

What cannot be read is listed as not checked: linked templates (``templateLink``), a
copy whose count is known only at deploy time, and a template too large, too deep or
circular (the whole file).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiposture.iac import arm_expr as ax
from aiposture.iac.base import RawResource, suppressions_near
from aiposture.normalize.values import UNKNOWN, snake

MAX_DEPLOYMENT_DEPTH = 20
MAX_RESOURCES = 20_000  # resource instances per template file, copies and nested deployments included

DEPLOYMENTS = "Microsoft.Resources/deployments"
DIAGNOSTICS = "Microsoft.Insights/diagnosticSettings"
# canonical spelling of the types the builder maps (ARM types are case-insensitive): the specs' ARM types
# (aiposture.specs) and the ones read only to follow links or nested deployments
_HELPER_TYPES = ("Microsoft.CognitiveServices/accounts/raiBlocklists", "Microsoft.CognitiveServices/accounts/projects",
                 "Microsoft.CognitiveServices/accounts/connections", DIAGNOSTICS, DEPLOYMENTS,
                 "Microsoft.MachineLearningServices/workspaces")


def _canon_types() -> dict[str, str]:
    from aiposture import specs

    return specs.cached("arm_types", lambda: {t.lower(): t for t in (*specs.iac_builders(), *_HELPER_TYPES)
                                              if t.startswith("Microsoft.")})


_CANON_KIND = {k.lower(): k for k in ("OpenAI", "AIServices", "CognitiveServices", "ContentSafety", "FormRecognizer",
                                        "TextAnalytics", "ComputerVision", "SpeechServices", "Face", "Hub", "Project")}
_SAFE_TYPE = re.compile(r"[A-Za-z0-9.]+(?:/[A-Za-z0-9.]+){1,4}")

Locate = Callable[[tuple[Any, ...], str, str], int | None]  # (json path, symbolic name, type) -> line


def looks_like_arm(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("resources"), (list, dict)) and (
        "deploymentTemplate" in str(doc.get("$schema", "")) or "contentVersion" in doc)


def is_bicep_output(doc: Any) -> bool:
    gen = doc.get("metadata", {}).get("_generator", {}) if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict) else {}
    return isinstance(gen, dict) and str(gen.get("name", "")).lower() == "bicep"


def canonical_type(t: str) -> str:
    return _canon_types().get(t.lower(), t)


@dataclass
class ArmRead:
    resources: list[RawResource] = field(default_factory=list)
    not_checked: list[tuple[int | None, str]] = field(default_factory=list)  # (line, what and why)


def read(doc: dict[str, Any], text: str, file: str, *, locate: Locate | None = None) -> ArmRead:
    """Read one template; raises :class:`arm_expr.TooComplex` when the whole file cannot be checked."""
    lines = text.splitlines()
    if locate is None:
        index = container_lines(text)

        def locate(path: tuple[Any, ...], symbol: str, rtype: str) -> int | None:
            return index.get(path)

    reader = _Reader(file, lines, locate)
    try:
        scope = ax.Scope(doc, ax.Budget())
        reader.template(doc, scope, (), {}, 0)
    except RecursionError:
        raise ax.TooComplex("template nested too deeply") from None
    reader.link_parents()
    return reader.result


class _Reader:
    def __init__(self, file: str, lines: list[str], locate: Locate):
        self.file, self.lines, self.locate = file, lines, locate
        self.result = ArmRead()
        self.addresses: set[str] = set()

    # ---- templates and resources
    def template(self, tpl: dict[str, Any], scope: ax.Scope, path: tuple[Any, ...], loops: dict[str, int], depth: int) -> None:
        if depth > MAX_DEPLOYMENT_DEPTH:
            raise ax.TooComplex("nested deployments too deep")
        resources = tpl.get("resources")
        if isinstance(resources, dict):  # languageVersion 2.0: symbolic names
            items = [((*path, "resources", k), str(k), r) for k, r in resources.items()]
            for _p, sym, res in items:
                if isinstance(res, dict):
                    scope.symbols[sym] = self._symbol(res, scope)
        elif isinstance(resources, list):
            items = [((*path, "resources", i), "", r) for i, r in enumerate(resources)]
        else:
            return
        for p, sym, res in items:
            if isinstance(res, dict):
                self.resource(res, scope, p, sym, loops, depth, None, None)

    def _symbol(self, res: dict[str, Any], scope: ax.Scope) -> Callable[[], tuple[str, Any]]:
        def resolve() -> tuple[str, Any]:
            name = ax.evaluate_value(res.get("name"), ax.Ctx(scope, {}, {}))
            return canonical_type(str(res.get("type", ""))).split("@", 1)[0], _text(name)
        return resolve

    def resource(self, res: dict[str, Any], scope: ax.Scope, path: tuple[Any, ...], symbol: str, loops: dict[str, int],
                 depth: int, parent_type: str | None, parent_name: str | None) -> None:
        rtype = str(res.get("type", "")).split("@", 1)[0]
        if parent_type and not re.match(r"^[A-Za-z0-9]+\.[A-Za-z0-9.]+/", rtype):
            rtype = f"{parent_type}/{rtype}"
        rtype = canonical_type(rtype)
        line = self.locate(path, symbol, rtype)
        copy = res.get("copy")
        if isinstance(copy, dict):
            ctx = ax.Ctx(scope, loops, {})
            count = ax.evaluate_value(copy.get("count"), ctx)
            if not isinstance(count, int) or isinstance(count, bool):
                self.result.not_checked.append((line, f"{_what(rtype)}: copy loop whose count is known only at deploy time"))
                return
            if count < 0 or count > ax.MAX_COPY:
                raise ax.TooComplex("copy count out of range")
            loop = str(copy.get("name", "")).lower()
            for i in range(count):
                self.instance(res, scope, path, symbol, {**loops, "": i, loop: i}, depth, rtype, line, parent_name)
        else:
            self.instance(res, scope, path, symbol, loops, depth, rtype, line, parent_name)

    def instance(self, res: dict[str, Any], scope: ax.Scope, path: tuple[Any, ...], symbol: str, loops: dict[str, int],
                 depth: int, rtype: str, line: int | None, parent_name: str | None) -> None:
        ctx = ax.Ctx(scope, loops, {})
        if "condition" in res and ax.evaluate_value(res["condition"], ctx) is False:
            return  # not deployed with these parameters
        name = _text(ax.evaluate_value(res.get("name"), ctx))
        full_name = f"{parent_name}/{name}" if parent_name is not None else name
        if rtype.lower() == DEPLOYMENTS.lower() and res.get("existing") is not True:
            self.deployment(res, scope, path, ctx, depth, line)
            return
        if len(self.result.resources) >= MAX_RESOURCES:
            raise ax.TooComplex("too many resources")
        raw = {k: x for k, x in res.items() if k not in ("resources", "copy", "condition", "dependsOn", "name", "existing")}
        evaluated = ax.evaluate_value(raw, ctx)
        refs: dict[str, list[str]] = {}
        values = _materialise(evaluated, "", refs)
        values["name"] = full_name
        rtype, values = _extension_type(rtype, full_name, values)
        if isinstance(values.get("kind"), str):
            values["kind"] = _CANON_KIND.get(values["kind"].lower(), values["kind"])
        address = self._address(rtype, full_name)
        r = RawResource(type=rtype, address=address, values=values, origin="arm", file=self.file, line=line,
                        name=full_name.rsplit("/", 1)[-1] or rtype, refs=refs, suppressions=suppressions_near(self.lines, line),
                        reference_only=res.get("existing") is True)
        self.result.resources.append(r)
        children = res.get("resources")
        if isinstance(children, list):
            for i, child in enumerate(children):
                if isinstance(child, dict):
                    self.resource(child, scope, (*path, "resources", i), "", loops, depth, rtype, full_name)

    def deployment(self, res: dict[str, Any], scope: ax.Scope, path: tuple[Any, ...], ctx: ax.Ctx, depth: int, line: int | None) -> None:
        props: dict[str, Any] = res["properties"] if isinstance(res.get("properties"), dict) else {}
        tpl = props.get("template")
        if not isinstance(tpl, dict):
            if props.get("templateLink") is not None:
                self.result.not_checked.append((line, ("nested deployment with a linked template (templateLink): "
                                                      "only inline templates are read; scan the linked template on its own")))
            return
        opts = props.get("expressionEvaluationOptions")
        inner = isinstance(opts, dict) and str(opts.get("scope", "")).lower() == "inner"
        tpath = (*path, "properties", "template")
        if not inner:  # the nested template's expressions use the outer template's parameters and variables
            self.template(tpl, scope, tpath, ctx.loops, depth + 1)
            return
        supplied: dict[str, Any] = {}
        params = props.get("parameters")
        if isinstance(params, dict):
            for k, p in params.items():
                if ax.is_expression(p):  # Bicep: "[if(cond, createObject('value', x), createObject('value', null()))]"
                    p = ax.evaluate_value(p, ctx)
                if isinstance(p, dict) and "value" in p:
                    supplied[k] = ax.evaluate_value(p["value"], ctx)
                elif isinstance(p, dict) and "reference" in p:  # a Key Vault secret: never read
                    supplied[k] = ax.Opaque(f"parameters('{k}')")
                else:
                    supplied[k] = p if isinstance(p, ax.Opaque) else ax.Opaque(f"parameters('{k}')")
        elif params is not None:
            supplied = {}
        decl = tpl.get("parameters") if isinstance(tpl.get("parameters"), dict) else {}
        supplied = {(ax._ci_key(decl, k) or k): v for k, v in supplied.items()}
        self.template(tpl, ax.Scope(tpl, scope.budget, supplied, depth + 1), tpath, {}, depth + 1)

    def _address(self, rtype: str, name: str) -> str:
        addr = name if rtype.startswith("Microsoft.CognitiveServices/") or rtype == DIAGNOSTICS else f"{rtype}:{name}"
        if addr in self.addresses:
            n = 2
            while f"{addr}[{n}]" in self.addresses:
                n += 1
            addr = f"{addr}[{n}]"
        self.addresses.add(addr)
        return addr

    def link_parents(self) -> None:
        # deployments/raiPolicies declared at top level carry "account/child" names: link by the parent segment
        for r in self.result.resources:
            if r.type.endswith(("/deployments", "/raiPolicies")) and "/" in r.values.get("name", ""):
                r.refs.setdefault("parent", []).append(r.values["name"].rsplit("/", 1)[0])


def _what(rtype: str) -> str:
    return rtype if _SAFE_TYPE.fullmatch(rtype) and rtype in _canon_types().values() else "a resource"


def _text(v: Any) -> str:
    if isinstance(v, ax.Opaque):
        return v.text
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    return "{name}"


def _extension_type(rtype: str, name: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``<type>/providers/diagnosticSettings`` named ``acct/Microsoft.Insights/x`` -> a diagnostic setting scoped to acct."""
    m = re.fullmatch(r"(.+)/providers/(?:Microsoft\.Insights/)?diagnosticSettings", rtype, re.IGNORECASE)
    if m is None:
        return rtype, values
    target = name.split("/", 1)[0]
    return DIAGNOSTICS, {**values, "scope": f"{canonical_type(m.group(1))}/{target}"}


def _materialise(v: Any, path: str, refs: dict[str, list[str]]) -> Any:
    """Evaluated value -> RawResource values (snake_case keys); deploy-time values become UNKNOWN or their text."""
    if isinstance(v, ax.Opaque):
        for rtype, name in v.refs:
            ctype = canonical_type(rtype)
            addr = name if ctype.startswith("Microsoft.CognitiveServices/") or ctype == DIAGNOSTICS else f"{ctype}:{name}"
            if addr not in refs.setdefault(path or "self", []):
                refs[path or "self"].append(addr)
        return v.text if v.settled else UNKNOWN
    if isinstance(v, ax.Lambda):
        return UNKNOWN
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            sk = snake(k) if k != "tags" else k
            out[sk] = x if k == "tags" and isinstance(x, dict) and not any(isinstance(y, ax.Opaque) for y in x.values()) \
                else _materialise(x, f"{path}.{sk}" if path else sk, refs)
        return out
    if isinstance(v, list):
        return [_materialise(x, path, refs) for x in v]
    return v


# ----------------------------------------------------------------------------- lines
_JTOK = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|//[^\n]*|/\*.*?\*/', re.DOTALL)


def container_lines(text: str) -> dict[tuple[Any, ...], int]:
    """JSON path of every object/array -> the line of its opening bracket (one linear pass)."""
    nl = [i for i, c in enumerate(text) if c == "\n"] if len(text) < 50_000_000 else []
    out: dict[tuple[Any, ...], int] = {}
    stack: list[list[Any]] = []  # [kind, key_or_index, expecting_key]
    path: list[Any] = []
    for m in _JTOK.finditer(text):
        tok = m.group(0)
        c = tok[0]
        if c in "{[":
            out[tuple(path)] = bisect.bisect_left(nl, m.start()) + 1
            stack.append([c, 0 if c == "[" else None, c == "{"])
            path.append(0 if c == "[" else None)
        elif c in "}]":
            if stack:
                stack.pop()
                path.pop()
        elif c == '"' and stack and stack[-1][0] == "{" and stack[-1][2]:
            try:
                import json

                key = json.loads(tok)
            except ValueError:
                key = tok[1:-1]
            stack[-1][1] = key
            path[-1] = key
        elif c == ":" and stack and stack[-1][0] == "{":
            stack[-1][2] = False
        elif c == "," and stack:
            if stack[-1][0] == "{":
                stack[-1][2] = True
            else:
                stack[-1][1] += 1
                path[-1] = stack[-1][1]
    return out


def strip_comments(text: str) -> str:
    """ARM accepts ``//`` and ``/* */`` comments; JSON does not. Strings are left alone."""
    return re.sub(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.DOTALL)
