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

from aiposture.iac.base import RawResource
from aiposture.iac.base import rel_path as _rel
from aiposture.iac.build import build
from aiposture.iac.tree import TF_SUFFIXES, TreeFile, display, walk
from aiposture.inventory import make_error, new_document, now_iso

MAX_FILE_BYTES = 20 * 1024 * 1024  # a template larger than this is listed as not checked


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
    from aiposture.iac import bicep

    by_path = {f.path: f for f in others}
    for path in bicep.arrange(list(by_path), base, notes):
        f = by_path.get(path)
        rel = f.rel if f else display(_rel(path, base))
        if progress:
            progress(rel)
        before = len(errors)
        got = _read_file(path, base, tf_root, errors)
        if got is None:
            continue  # not IaC (a README.json, a workflow YAML)
        raws.extend(got)
        if len(errors) == before:
            stats["files_read"] += 1
            read_files.append(rel)
            stats["resources_read"] += len(got)
    from aiposture.specs import unjudged_iac

    unjudged: dict[str, int] = {}
    not_judged = unjudged_iac()
    for r in raws:
        if r.type in not_judged:
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
    doc["scan"]["read_files"] = read_files
    return doc


def _read_file(f: Path, base: Path, tf_root: Path | None, errors: list[dict[str, Any]]) -> list[RawResource] | None:
    """Resources of one non-HCL file (already checked to be a regular in-tree file); None when it is not IaC at all."""
    from aiposture.iac import templates

    rel = display(_rel(f, base))
    if f.suffix == ".bicep":
        from aiposture.iac import bicep

        return bicep.read(f, base, rel, errors)
    try:
        if f.stat().st_size > MAX_FILE_BYTES:
            templates.not_checked(errors, rel, None, f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", code="TooComplex")
            return []
        text = f.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        if isinstance(e, UnicodeDecodeError) and f.suffix not in (".json", ".template"):
            return None
        errors.append(make_error("iac", f"cannot read: {type(e).__name__}", code="ReadError", file=rel))
        return []
    if f.suffix == ".json":
        try:
            doc = json.loads(text)
        except RecursionError:
            templates.too_complex(errors, rel, "nested too deeply")
            return []
        except json.JSONDecodeError as e:
            return templates.read_json(None, text, rel, errors, parse_error=e)
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
        return templates.read_json(doc, text, rel, errors)
    return templates.read_yaml(text, rel, errors)
