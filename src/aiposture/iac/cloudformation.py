"""CloudFormation templates (YAML or JSON), parsed with cfn-flip (short tags such as
``!Ref``/``!GetAtt``/``!Sub`` become their long form; nothing is executed).

``Ref`` to a parameter resolves to its ``Default``; other intrinsics are
UNKNOWN, with the referenced logical ids kept for linking.
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


def _resolve(v: Any, params: dict[str, Any], refs: list[str]) -> Any:
    if isinstance(v, dict):
        if len(v) == 1:
            (k, arg), = v.items()
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
        return {k: _resolve(x, params, refs) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, params, refs) for x in v]
    return v


def _collect(v: Any, path: str, params: dict[str, Any], out: dict[str, list[str]]) -> Any:
    """Resolve intrinsics and record references per snake_case attribute path."""
    if isinstance(v, dict) and not (len(v) == 1 and next(iter(v)) in _INTRINSIC):
        from aiposture.normalize.values import snake

        return {k: _collect(x, f"{path}.{snake(k)}" if path else snake(k), params, out) for k, x in v.items()}
    if isinstance(v, list):
        return [_collect(x, path, params, out) for x in v]
    refs: list[str] = []
    val = _resolve(v, params, refs)
    if refs:
        out.setdefault(path, []).extend(refs)
    return val


def read(doc: dict[str, Any], text: str, file: str) -> list[RawResource]:
    params = {k: p.get("Default", UNKNOWN) for k, p in (doc.get("Parameters") or {}).items() if isinstance(p, dict)}
    lines = text.splitlines()
    out = []
    for lid, res in (doc.get("Resources") or {}).items():
        if not isinstance(res, dict):
            continue
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
