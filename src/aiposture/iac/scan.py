"""Find IaC files under the given paths, read them, and build one inventory document.

A file that cannot be parsed becomes an inventory error (provider ``iac``)
naming file and line; the scan continues and the run is marked incomplete
(exit code 3), never a silent pass.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiposture.iac.base import RawResource
from aiposture.iac.base import rel_path as _rel
from aiposture.iac.build import build
from aiposture.inventory import make_error, new_document, now_iso

SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
CFN_SUFFIXES = (".yaml", ".yml", ".template", ".json", ".bicep")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a template larger than this is listed as not checked


def discover(paths: list[Path], excludes: list[str], base: Path) -> tuple[list[Path], list[Path]]:
    """(terraform root dirs, other candidate files)."""
    tf_dirs: set[Path] = set()
    files: list[Path] = []

    def excluded(p: Path) -> bool:
        rel = _rel(p, base)
        return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(p.name, pat) or fnmatch.fnmatch(rel + "/", pat) for pat in excludes)

    for root in paths:
        if root.is_file():
            if root.suffix == ".tf":
                tf_dirs.add(root.parent.resolve())
            elif not excluded(root):
                files.append(root)
            continue
        for p in sorted(root.rglob("*")):
            if any(part in SKIP_DIRS for part in p.relative_to(root).parts) or excluded(p) or not p.is_file():
                continue
            if p.suffix == ".tf":
                tf_dirs.add(p.parent.resolve())
            elif p.suffix in CFN_SUFFIXES:
                files.append(p)
    from aiposture.iac.terraform_hcl import local_module_dirs

    called = set().union(*(local_module_dirs(d) for d in tf_dirs)) if tf_dirs else set()
    return sorted(d for d in tf_dirs if d not in called), files


def scan_paths(paths: list[Path], *, excludes: list[str] | None = None, tf_root: Path | None = None,
               base: Path | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    base = base or Path.cwd()
    started = now_iso()
    raws: list[RawResource] = []
    errors: list[dict[str, Any]] = []
    notes: list[str] = []
    for p in paths:
        if not p.exists():
            errors.append(make_error("iac", f"path not found: {p}", code="NotFound", file=str(p)))
    tf_dirs, files = discover([p for p in paths if p.exists()], excludes or [], base)
    for d in tf_dirs:
        if progress:
            progress(_rel(d, base) or ".")
        from aiposture.iac.terraform_hcl import read_root

        try:
            rs, errs, n = read_root(d, base)
        except ImportError as e:
            errors.append(make_error("iac", f"Terraform support needs python-hcl2 (pip install 'aiposture[iac]'): {e}",
                                     code="MissingDependency", file=_rel(d, base)))
            continue
        root_key = _rel(d, base)
        for r in rs:
            r.__dict__["root"] = root_key
        raws.extend(rs)
        notes.extend(n)
        for he in errs:
            errors.append(make_error("iac", f"cannot parse Terraform: {he}", code="ParseError", file=_rel(Path(he.file), base), line=he.line))
    from aiposture.iac import bicep

    files = bicep.arrange(files, base, notes)
    read_files: list[str] = []
    for f in files:
        if progress:
            progress(_rel(f, base))
        got = _read_file(f, base, tf_root, errors)
        if got is not None:
            read_files.append(_rel(f, base))
            raws.extend(got)
    resources = build(raws, errors)
    doc = new_document(resources, errors, sources=["iac"], targets=[{"path": _rel(p, base)} for p in paths], started_at=started)
    doc["scan"]["notes"] = notes
    doc["scan"]["read_files"] = read_files
    return doc


def _read_file(f: Path, base: Path, tf_root: Path | None, errors: list[dict[str, Any]]) -> list[RawResource] | None:
    """Resources of one non-HCL file; None when it is not an IaC file at all."""
    from aiposture.iac import templates

    rel = _rel(f, base)
    if f.suffix == ".bicep":
        from aiposture.iac import bicep

        return bicep.read(f, base, rel, errors)
    try:
        if f.stat().st_size > MAX_FILE_BYTES:
            templates.not_checked(errors, rel, None, f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", code="TooComplex")
            return []
        text = f.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
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

        if terraform_plan.is_plan(doc):
            return terraform_plan.read_plan(doc, rel, tf_root=tf_root, base=base)
        return templates.read_json(doc, text, rel, errors)
    return templates.read_yaml(text, rel, errors)
