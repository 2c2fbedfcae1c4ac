"""CloudFormation templates (YAML or JSON), parsed with cfn-flip (short tags such as
``!Ref``/``!GetAtt``/``!Sub`` become their long form; nothing is executed).

``Ref`` to a parameter resolves to its ``Default``; ``Conditions`` are evaluated
with those defaults, so ``Fn::If`` picks its branch, ``AWS::NoValue`` removes the
property and a resource whose ``Condition`` is false is not read. ``Fn::Sub`` over
parameters is substituted. Other intrinsics are UNKNOWN, with the referenced
logical ids kept for linking.
"""

from __future__ import annotations

import re
from typing import Any

from aiposture.iac.base import RawResource, suppressions_near
from aiposture.normalize.values import UNKNOWN, snake_keys

_INTRINSIC = ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::ImportValue", "Fn::FindInMap",
              "Fn::Base64", "Fn::Split", "Fn::GetAZs", "Fn::Cidr")


def looks_like_cfn(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("Resources"), dict) and (
        "AWSTemplateFormatVersion" in doc or any(isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                                                 for r in doc["Resources"].values()))


def load(text: str, is_json: bool) -> Any:
    from cfn_flip import load_json, load_yaml

    return load_json(text) if is_json else load_yaml(text)


_NOVALUE = object()  # Ref AWS::NoValue: the property is removed
_CONDITIONS = "__conditions__"


def _condition(v: Any, params: dict[str, Any], depth: int = 0) -> Any:
    """Evaluate a condition expression with parameter defaults: True, False or UNKNOWN."""
    if depth > 20 or not isinstance(v, dict) or len(v) != 1:
        return UNKNOWN if not isinstance(v, bool) else v
    (k, arg), = v.items()
    conds = params.get(_CONDITIONS, {})
    if k == "Condition":
        return conds.get(arg, UNKNOWN) if isinstance(arg, str) else UNKNOWN
    args = arg if isinstance(arg, list) else [arg]
    if k == "Fn::Equals" and len(args) == 2:
        a, b = (_resolve(x, params, []) for x in args)
        return UNKNOWN if a is UNKNOWN or b is UNKNOWN else str(a) == str(b)
    vals = [_condition(x, params, depth + 1) for x in args]
    if k == "Fn::Not" and len(vals) == 1:
        return UNKNOWN if vals[0] is UNKNOWN else not vals[0]
    if k == "Fn::And":
        return False if False in vals else (UNKNOWN if UNKNOWN in vals else True)
    if k == "Fn::Or":
        return True if True in vals else (UNKNOWN if UNKNOWN in vals else False)
    return UNKNOWN


def _conditions(doc: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scoped = {**params, _CONDITIONS: out}
    items = (doc.get("Conditions") or {}).items() if isinstance(doc.get("Conditions"), dict) else []
    for _ in range(3):  # conditions may refer to each other
        for name, expr in items:
            out[name] = _condition(expr, scoped)
    return out


def _resolve(v: Any, params: dict[str, Any], refs: list[str]) -> Any:
    if isinstance(v, dict):
        if len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref" and arg == "AWS::NoValue":
                return _NOVALUE
            if k == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                cond = params.get(_CONDITIONS, {}).get(arg[0], UNKNOWN) if isinstance(arg[0], str) else UNKNOWN
                if cond is True or cond is False:
                    return _resolve(arg[1] if cond else arg[2], params, refs)
                _resolve(arg[1:], params, refs)  # keep references from both branches for linking
                return UNKNOWN
            if k == "Fn::Sub" and isinstance(arg, str):
                names = re.findall(r"\$\{([^}!]+)\}", arg)
                if all(n in params and params[n] is not UNKNOWN for n in names):
                    return re.sub(r"\$\{([^}!]+)\}", lambda m: str(params[m.group(1)]), arg)
            if k == "Ref":
                if isinstance(arg, str) and arg in params:
                    return params[arg]
                if isinstance(arg, str) and not arg.startswith("AWS::"):
                    refs.append(arg)
                return UNKNOWN
            if k == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) and arg else str(arg).split(".")[0]
                refs.append(str(target))
                return UNKNOWN
            if k in _INTRINSIC:
                for m in re.finditer(r"\$\{([A-Za-z0-9]+)[.}]", str(arg)):
                    refs.append(m.group(1))
                _resolve(arg, params, refs)
                return UNKNOWN
        out = {k: _resolve(x, params, refs) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not _NOVALUE}
    if isinstance(v, list):
        return [x for x in (_resolve(y, params, refs) for y in v) if x is not _NOVALUE]
    return v


def _collect(v: Any, path: str, params: dict[str, Any], out: dict[str, list[str]]) -> Any:
    """Resolve intrinsics and record references per snake_case attribute path."""
    if isinstance(v, dict) and not (len(v) == 1 and next(iter(v)) in _INTRINSIC):
        from aiposture.normalize.values import snake

        got = {k: _collect(x, f"{path}.{snake(k)}" if path else snake(k), params, out) for k, x in v.items()}
        return {k: x for k, x in got.items() if x is not _NOVALUE}
    if isinstance(v, list):
        return [x for x in (_collect(y, path, params, out) for y in v) if x is not _NOVALUE]
    refs: list[str] = []
    val = _resolve(v, params, refs)
    if refs:
        out.setdefault(path, []).extend(refs)
    return val


def read(doc: dict[str, Any], text: str, file: str) -> list[RawResource]:
    params: dict[str, Any] = {k: p.get("Default", UNKNOWN) for k, p in (doc.get("Parameters") or {}).items() if isinstance(p, dict)}
    params[_CONDITIONS] = _conditions(doc, params)
    lines = text.splitlines()
    out = []
    for lid, res in (doc.get("Resources") or {}).items():
        if not isinstance(res, dict):
            continue
        if isinstance(res.get("Condition"), str) and params[_CONDITIONS].get(res["Condition"]) is False:
            continue  # not created with the default parameters
        refs: dict[str, list[str]] = {}
        props = _collect(res.get("Properties") or {}, "", params, refs)
        values = snake_keys(props, keep=("tags",))
        line = _line_of(lines, lid)
        name = next((values.get(k) for k in ("name", "guardrail_name", "agent_name") if isinstance(values.get(k), str)), lid)
        out.append(RawResource(type=str(res.get("Type", "")), address=lid, values=values, origin="cloudformation",
                               file=file, line=line, name=name, refs=refs, suppressions=suppressions_near(lines, line)))
    return out


def _line_of(lines: list[str], logical_id: str) -> int | None:
    pat = re.compile(r'^\s*"?' + re.escape(logical_id) + r'"?\s*:')
    in_resources = False
    for i, line in enumerate(lines, start=1):
        if re.match(r'^\s*"?Resources"?\s*:', line):
            in_resources = True
            continue
        if in_resources and pat.match(line):
            return i
    return None
