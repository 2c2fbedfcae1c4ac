"""Find IaC files under the given paths, read them, and build one inventory document.

Every file is accounted for: it is read, or it is listed as "not checked" (an inventory
error, provider ``iac``, naming file, line and reason: unparseable, too large, a symlink
out of the tree, a module that needs ``terraform init``...). Not-checked entries make the
run incomplete (exit code 3), never a silent pass. ``doc["scan"]["iac"]`` holds the
totals (files and resources read, AI resources found) that the CLI prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiposture.iac import arm, cloudformation
from aiposture.iac.base import RawResource
from aiposture.iac.build import build
from aiposture.iac.tree import TF_SUFFIXES, TreeFile, display, read_bytes, walk
from aiposture.inventory import make_error, new_document, now_iso

CFN_SUFFIXES = (".yaml", ".yml", ".template", ".json")


def _is_terraform(f: TreeFile) -> bool:
    name = f.path.name
    return name.endswith(TF_SUFFIXES) or name == "terragrunt.hcl" or (name == "modules.json" and ".terraform" in f.path.parts)


def scan_paths(paths: list[Path], *, excludes: list[str] | None = None, tf_root: Path | None = None,
               base: Path | None = None, progress: Callable[[str], None] | None = None,
               var_files: list[Path] | None = None, variables: dict[str, str] | None = None) -> dict[str, Any]:
    base = base or Path.cwd()
    started = now_iso()
    raws: list[RawResource] = []
    errors: list[dict[str, Any]] = []
    notes: list[str] = []
    for p in paths:
        if not p.exists() and not p.is_symlink():
            errors.append(make_error("iac", f"path not found: {display(str(p))}", code="NotFound", file=display(str(p))))
    found = walk([p for p in paths if p.exists() or p.is_symlink()], base, excludes or [])
    for s in found.skipped:
        errors.append(make_error("iac", f"not checked: {s.message}", code=s.code, file=s.rel))
    tf_files = [f for f in found.files if _is_terraform(f)]
    others = [f for f in found.files if not _is_terraform(f) and ".terraform" not in f.path.parts]
    stats: dict[str, Any] = {"files_read": 0, "resources_read": 0, "terraform_roots": 0}
    read_files: list[str] = []
    if tf_files:
        if progress:
            progress(f"{len(tf_files)} Terraform files")
        from aiposture.iac import terraform_hcl

        res = terraform_hcl.read(tf_files, var_files=var_files, variables=variables)
        raws.extend(res.raws)
        stats["files_read"] += res.files_read
        read_files.extend(res.read_files)
        stats["resources_read"] += res.resources_read
        stats["terraform_roots"] = res.roots
        for nc in res.not_checked:
            errors.append(make_error("iac", f"not checked: {nc.message}", code=nc.code, file=nc.file, line=nc.line))
    for f in others:
        if progress:
            progress(f.rel)
        before = len(errors)
        got = _read_file(f, base, tf_root, errors)
        if got is None:
            continue  # not IaC (a README.json, a workflow YAML)
        raws.extend(got)
        if len(errors) == before:
            stats["files_read"] += 1
            read_files.append(f.rel)
            stats["resources_read"] += len(got)
    from aiposture.iac.build import UNJUDGED

    unjudged: dict[str, int] = {}
    for r in raws:
        if r.type in UNJUDGED:
            unjudged[r.type] = unjudged.get(r.type, 0) + 1
    if unjudged:
        notes.append("read but not judged (no rules for these types yet): "
                     + ", ".join(f"{n} {t}" for t, n in sorted(unjudged.items())))
    resources = build(raws, errors)
    doc = new_document(resources, errors, sources=["iac"], targets=[{"path": display(str(p))} for p in paths], started_at=started)
    ai = len(resources)
    if stats["files_read"] == 0 and not any(e["code"] != "NotFound" for e in errors):
        looked = ", ".join(display(str(p)) for p in paths)
        doc["errors"].append(make_error("iac", f"not checked: no infrastructure-as-code found in {looked} (looked for Terraform "
                                        ".tf/.tf.json and plan JSON, CloudFormation, ARM and Bicep)", code="NoIaC",
                                        file=looked))
    doc["scan"]["notes"] = notes
    doc["scan"]["iac"] = {**stats, "ai_resources": ai, "not_checked": len(doc["errors"]), "files": read_files}
    return doc


def _read_file(f: TreeFile, base: Path, tf_root: Path | None, errors: list[dict[str, Any]]) -> list[RawResource] | None:
    """One CloudFormation / ARM / plan JSON file; None when it is not IaC at all."""
    rel = f.rel
    try:
        text = read_bytes(f).decode("utf-8")
    except OSError as e:
        errors.append(make_error("iac", f"not checked: cannot be read ({e.strerror or 'error'})", code="ReadError", file=rel))
        return []
    except UnicodeDecodeError:
        if f.path.suffix in (".json", ".template") or f.path.name.endswith(".tf.json"):
            errors.append(make_error("iac", "not checked: not UTF-8 text", code="ReadError", file=rel))
            return []
        return None
    if f.path.suffix == ".json":
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            if '"Resources"' in text or '"resources"' in text or '"planned_values"' in text or '"format_version"' in text:
                errors.append(make_error("iac", f"not checked: not valid JSON ({getattr(e, 'msg', 'nested too deep')})",
                                         code="ParseError", file=rel, line=getattr(e, "lineno", None)))
                return []
            return None
        from aiposture.iac import terraform_plan

        kind = terraform_plan.classify(doc)
        if kind == "plan":
            try:
                return terraform_plan.read_plan(doc, rel, tf_root=tf_root, base=base)
            except terraform_plan.PlanError as e:
                errors.append(make_error("iac", f"not checked: {e}", code="ParseError", file=rel))
                return []
        if kind is not None:
            errors.append(make_error("iac", f"not checked: {terraform_plan.WHY_NOT[kind]}", code="NotSupported", file=rel))
            return []
        if arm.looks_like_arm(doc):
            return arm.read(doc, text, rel)
        if cloudformation.looks_like_cfn(doc):
            return cloudformation.read(cloudformation.load(text, True), text, rel)
        return None
    if f.path.suffix not in (".yaml", ".yml", ".template"):
        return None
    # YAML / .template: only CloudFormation is read
    if "Resources" not in text or ("AWS::" not in text and "AWSTemplateFormatVersion" not in text):
        return None
    try:
        doc = cloudformation.load(text, text.lstrip().startswith("{"))
    except Exception as e:
        mark = getattr(e, "problem_mark", None)
        errors.append(make_error("iac", f"cannot parse CloudFormation: {getattr(e, 'problem', None) or type(e).__name__}",
                                 code="ParseError", file=rel, line=mark.line + 1 if mark else None))
        return []
    if not cloudformation.looks_like_cfn(doc):
        return None
    return cloudformation.read(doc, text, rel)
