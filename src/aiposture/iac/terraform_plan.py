"""Terraform plan JSON (``terraform show -json plan.out``).

Planned values are read from ``planned_values``; values marked in
``resource_changes[].change.after_unknown`` become UNKNOWN (known after
apply), not missing. References come from ``configuration`` expressions so
relationships resolve even when ids are unknown. With ``tf_root`` the
findings point at the ``.tf`` line that declares each resource.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiposture.iac.base import RawResource, suppressions_near
from aiposture.iac.base import rel_path as _rel
from aiposture.normalize.values import UNKNOWN

_INDEX = re.compile(r"\[[^\]]*\]")


WHY_NOT = {
    "state": "Terraform state JSON is not read (it describes what is deployed, not what will be): scan the live "
             "account, or the plan (`terraform show -json plan.out`)",
    "plan_no_version": "looks like a Terraform plan but has no format_version: produce it with `terraform show -json plan.out`",
}


class PlanError(Exception):
    """A plan JSON whose shape is not what ``terraform show -json`` writes."""


def is_plan(doc: Any) -> bool:
    return classify(doc) == "plan"


def classify(doc: Any) -> str | None:
    """"plan", "state" (terraform.tfstate or ``show -json`` of a state), "plan_no_version", or None."""
    if not isinstance(doc, dict):
        return None
    if "planned_values" in doc or "resource_changes" in doc:
        return "plan" if "format_version" in doc else "plan_no_version"
    if ("terraform_version" in doc and ("values" in doc or "resources" in doc) and "lineage" in doc) or \
            ("format_version" in doc and isinstance(doc.get("values"), dict) and "root_module" in doc["values"]):
        return "state"
    return None


def _set_reference(values: dict[str, Any], path: str, targets: list[str]) -> None:
    """A value known after apply whose configuration refers to another resource is set (see
    :func:`aiposture.iac.terraform_hcl.reference_value`): put the reference's placeholder there."""
    from aiposture.iac.terraform_hcl import reference_value

    node: Any = values
    parts = path.split(".")
    for seg in parts[:-1]:
        node = node[0] if isinstance(node, list) and len(node) == 1 else node
        if not isinstance(node, dict):
            return
        node = node.get(seg)
    node = node[0] if isinstance(node, list) and len(node) == 1 else node
    if isinstance(node, dict) and node.get(parts[-1]) is UNKNOWN:
        node[parts[-1]] = reference_value(path, targets)


def _lines(p: Path) -> list[str]:
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _merge_unknown(values: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN
    if isinstance(values, dict) and isinstance(unknown, dict):
        out = dict(values)
        for k, u in unknown.items():
            out[k] = _merge_unknown(values.get(k), u)
        return out
    if isinstance(unknown, list):
        base = values if isinstance(values, list) else []
        return [_merge_unknown(base[i] if i < len(base) else None, u) for i, u in enumerate(unknown)] + base[len(unknown):]
    return values


def _drop_empty_blocks(v: Any) -> Any:
    """Plans render absent nested blocks as []: treat them as absent."""
    if isinstance(v, dict):
        return {k: _drop_empty_blocks(x) for k, x in v.items() if not (isinstance(x, list) and not x)}
    if isinstance(v, list):
        return [_drop_empty_blocks(x) for x in v]
    return v


def _expr_refs(exprs: Any, path: str, out: dict[str, list[str]], prefix: str,
               inputs: dict[str, list[str]] | None = None) -> None:
    """Collect resource addresses referenced by configuration expressions; ``var.x`` inside a module
    resolves to what the module call passed as ``x`` (``inputs``), so links cross module boundaries."""
    if isinstance(exprs, dict):
        if "references" in exprs and isinstance(exprs["references"], list):
            for ref in exprs["references"]:
                parts = ref.split(".")
                if parts[0] == "var" and inputs and len(parts) > 1 and parts[1] in inputs:
                    for addr in inputs[parts[1]]:
                        if addr not in out.get(path, []):
                            out.setdefault(path, []).append(addr)
                    continue
                if parts[0] in ("var", "local", "each", "count", "path", "module") and parts[0] != "module":
                    continue
                addr = _INDEX.sub("", ".".join(parts[:2] if parts[0] != "data" else parts[:3]))
                if parts[0] == "module":
                    addr = _INDEX.sub("", ".".join(parts[:4]))
                out.setdefault(path, []).append(prefix + addr)
            return
        for k, x in exprs.items():
            _expr_refs(x, f"{path}.{k}" if path else k, out, prefix, inputs)
    elif isinstance(exprs, list):
        for x in exprs:
            _expr_refs(x, path, out, prefix, inputs)


def _config_refs(module: dict[str, Any], prefix: str, out: dict[str, dict[str, list[str]]], sources: dict[str, str], mod_path: str,
                 inputs: dict[str, list[str]] | None = None) -> None:
    for res in module.get("resources", []) or []:
        refs: dict[str, list[str]] = {}
        _expr_refs(res.get("expressions", {}), "", refs, prefix, inputs)
        out[prefix + res.get("address", "")] = refs
    for name, call in (module.get("module_calls") or {}).items():
        sources[f"{prefix}module.{name}"] = str(Path(mod_path) / call.get("source", "")) if call.get("source", "").startswith(".") else ""
        passed: dict[str, list[str]] = {}
        for var, expr in (call.get("expressions") or {}).items():
            got: dict[str, list[str]] = {}
            _expr_refs(expr, "", got, prefix, inputs)
            if got.get(""):
                passed[var] = got[""]
        _config_refs(call.get("module") or {}, f"{prefix}module.{name}.", out, sources, sources[f"{prefix}module.{name}"], passed)


def read_plan(doc: dict[str, Any], file: str, *, tf_root: Path | None, base: Path) -> list[RawResource]:
    """Resources of a plan; a plan with unexpected types is a :class:`PlanError` (reported, never a traceback)."""
    try:
        return _read_plan(doc, file, tf_root=tf_root, base=base)
    except (TypeError, AttributeError, ValueError, KeyError, RecursionError) as e:
        raise PlanError(f"the plan JSON has an unexpected shape ({type(e).__name__}); it was not read") from None


def _read_plan(doc: dict[str, Any], file: str, *, tf_root: Path | None, base: Path) -> list[RawResource]:
    unknown = {}
    for rc in doc.get("resource_changes", []) or []:
        unknown[rc.get("address")] = (rc.get("change") or {}).get("after_unknown") or {}
    refs: dict[str, dict[str, list[str]]] = {}
    _config_refs((doc.get("configuration") or {}).get("root_module") or {}, "", refs, {}, ".")
    headers = {}
    if tf_root is not None:
        from aiposture.iac.terraform_hcl import header_lines

        headers = header_lines(tf_root)
    out: list[RawResource] = []
    file_lines: dict[str, list[str]] = {}

    def walk(module: dict[str, Any]) -> None:
        for res in module.get("resources", []) or []:
            if res.get("mode", "managed") != "managed":
                continue
            addr = res.get("address", "")
            plain = _INDEX.sub("", addr)
            values = _drop_empty_blocks(_merge_unknown(res.get("values") or {}, unknown.get(addr, {})))
            src_file, line, sup = file, None, []
            if plain in headers:
                f, line = headers[plain]
                src_file = _rel(Path(f), base)
                lines = file_lines.setdefault(f, _lines(Path(f)))
                sup = suppressions_near(lines, line)
            for path, targets in refs.get(plain, {}).items():
                _set_reference(values, path, targets)
            name = values.get("name") if isinstance(values.get("name"), str) else res.get("name", addr)
            raw = RawResource(type=res.get("type", ""), address=plain, values=values, origin="terraform_plan",
                              file=src_file, line=line, name=str(name), refs=refs.get(plain, {}), suppressions=sup)
            raw.__dict__["plan_address"] = addr
            raw.__dict__["root"] = file  # one plan = one configuration: links resolve across its .tf files and modules
            out.append(raw)
        for child in module.get("child_modules", []) or []:
            walk(child)

    walk((doc.get("planned_values") or {}).get("root_module") or {})
    return out
