"""ARM templates (JSON; Bicep users run ``bicep build`` first).

Nested ``resources`` arrays are flattened with full types and names;
``[parameters('x')]`` resolves to the parameter's ``defaultValue``; other
template expressions are UNKNOWN.
"""

from __future__ import annotations

import re
from typing import Any

from aiposture.iac.base import RawResource, suppressions_near
from aiposture.normalize.values import UNKNOWN, snake_keys

_PARAM = re.compile(r"^\[parameters\('([^']+)'\)\]$")
_REF_NAME = re.compile(r"resourceId\([^)]*'(Microsoft\.[^']+)'\s*,\s*([^)]*)\)")


def looks_like_arm(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("resources"), (list, dict)) and (
        "deploymentTemplate" in str(doc.get("$schema", "")) or "contentVersion" in doc)


def _resolve(v: Any, params: dict[str, Any]) -> Any:
    if isinstance(v, dict):
        return {k: _resolve(x, params) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, params) for x in v]
    if isinstance(v, str) and v.startswith("[") and not v.startswith("[["):
        m = _PARAM.match(v)
        if m and m.group(1) in params:
            return params[m.group(1)]
        return UNKNOWN
    return v


def read(doc: dict[str, Any], text: str, file: str) -> list[RawResource]:
    params = {k: p.get("defaultValue", UNKNOWN) for k, p in (doc.get("parameters") or {}).items() if isinstance(p, dict)}
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
            name = _resolve(res.get("name"), params)
            full_name = f"{parent_name}/{name}" if parent_type and isinstance(name, str) and isinstance(parent_name, str) else name
            line = line_for(rtype)
            values = snake_keys(_resolve({k: x for k, x in res.items() if k != "resources"}, params), keep=("tags",))
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
