"""Terraform HCL (``.tf``) reader, with python-hcl2.

Literal values are read as written. ``var.x`` resolves to the module input,
``terraform.tfvars``/``*.auto.tfvars`` value or the variable's default;
``local.x`` to a literal local. Anything else (resource attributes, function
calls, interpolation) is UNKNOWN, and references to other resources are kept
so relationships can be linked. Local module calls (``source = "./..."``)
are followed with their literal inputs; remote modules cannot be read and are
reported as notes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from aiposture.iac.base import RawResource, ref_targets, suppressions_near
from aiposture.iac.base import rel_path as _rel
from aiposture.normalize.values import UNKNOWN, is_unknown

_HEADER = re.compile(r'^\s*(resource|data|module)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{')
_FULL_EXPR = re.compile(r"^\$\{(.*)\}$", re.DOTALL)
_SIMPLE_REF = re.compile(r"^(var|local)\.([\w-]+)$")
_INTERP = re.compile(r"\$\{([^{}]*)\}")
_SINGLE_INTERP = re.compile(r"\$\{[^{}]*\}")


class _Ref:
    """A module input that refers to resources of the calling module (kept for linking)."""

    def __init__(self, targets: list[str]):
        self.targets = targets


class HclError(Exception):
    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line = file, line
        super().__init__(message)


def parse_file(path: Path) -> dict[str, Any]:
    import hcl2
    from hcl2 import SerializationOptions

    text = path.read_text(encoding="utf-8")
    try:
        return hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True, with_comments=False))
    except Exception as e:
        line = getattr(e, "line", None)
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise HclError(str(path), line if isinstance(line, int) and line > 0 else None, msg) from None


_JSONENCODE = re.compile(r"^\$\{jsonencode\((.*)\)\}$", re.DOTALL)


@functools.lru_cache(maxsize=1024)
def _hcl_expression(text: str) -> Any:
    """Parse an HCL expression (the argument of ``jsonencode``) by parsing ``v = <expr>``; None if it does not parse."""
    import hcl2
    from hcl2 import SerializationOptions

    try:
        doc = hcl2.loads(f"v = {text}\n", serialization_options=SerializationOptions(strip_string_quotes=True, with_comments=False))
    except Exception:
        return None
    return _clean(doc).get("v")


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items() if k not in ("__is_block__", "__comments__", "__inline_comments__")}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


class _Module:
    """One module directory evaluated with given inputs."""

    def __init__(self, directory: Path, inputs: dict[str, Any], prefix: str, base: Path, notes: list[str], depth: int = 0):
        self.dir, self.inputs, self.prefix, self.base, self.notes, self.depth = directory, inputs, prefix, base, notes, depth
        self.blocks: list[tuple[str, dict[str, Any], Path]] = []
        self.variables: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}

    def load(self, errors: list[HclError]) -> None:
        for f in sorted(self.dir.glob("*.tf")):
            try:
                doc = _clean(parse_file(f))
            except HclError as e:
                errors.append(e)
                continue
            except (OSError, UnicodeDecodeError) as e:
                errors.append(HclError(str(f), None, f"cannot read: {e}"))
                continue
            for kind in ("resource", "module", "variable", "locals"):
                for block in doc.get(kind, []):
                    self.blocks.append((kind, block, f))
        for kind, block, _ in self.blocks:
            if kind == "variable":
                for name, body in block.items():
                    self.variables[name] = body.get("default", UNKNOWN) if isinstance(body, dict) else UNKNOWN
            elif kind == "locals":
                self.locals.update(block)
        if self.depth == 0:
            for tfvars in [self.dir / "terraform.tfvars", *sorted(self.dir.glob("*.auto.tfvars"))]:
                if tfvars.is_file():
                    try:
                        self.variables.update(_clean(parse_file(tfvars)))
                    except HclError as e:
                        errors.append(e)
        self.variables.update(self.inputs)

    def resolve(self, v: Any, refs: dict[str, list[str]], path: str, _depth: int = 0) -> Any:
        if isinstance(v, _Ref):
            refs.setdefault(path, []).extend(v.targets)
            return UNKNOWN
        if isinstance(v, dict):
            return {k: self.resolve(x, refs, f"{path}.{k}" if path else k, _depth) for k, x in v.items()}
        if isinstance(v, list):
            return [self.resolve(x, refs, path, _depth) for x in v]
        if isinstance(v, str) and "${" in v:
            jm = _JSONENCODE.match(v.strip())
            if jm and _depth < 5:  # jsonencode({...}) of a literal object: read the object itself
                inner = _hcl_expression(jm.group(1))
                if inner is not None:
                    return self.resolve(inner, refs, path, _depth + 1)
            m = _FULL_EXPR.match(v.strip())
            expr = m.group(1).strip() if m and "${" not in m.group(1) else None
            if expr:
                sm = _SIMPLE_REF.match(expr)
                if sm and _depth < 5:
                    table = self.variables if sm.group(1) == "var" else self.locals
                    if sm.group(2) in table:
                        return self.resolve(table[sm.group(2)], refs, path, _depth + 1)
                    return UNKNOWN
            targets = ref_targets(v)
            if targets:
                refs.setdefault(path, []).extend(self.prefix + t for t in targets)
            if expr is None and not (m and m.group(0) == v.strip() and _SINGLE_INTERP.fullmatch(v.strip())):
                # a template with literal text ("oai-${var.env}", a heredoc policy): it certainly has a
                # value; substitute the variables we know and keep the other interpolations verbatim
                return _INTERP.sub(lambda im: self._scalar(im, _depth), v)
            return UNKNOWN
        return v

    def _scalar(self, im: re.Match, depth: int) -> str:
        sm = _SIMPLE_REF.match(im.group(1).strip())
        if sm and depth < 5:
            table = self.variables if sm.group(1) == "var" else self.locals
            val = table.get(sm.group(2), UNKNOWN)
            if isinstance(val, (str, int, float, bool)) and not (isinstance(val, str) and "${" in val):
                return str(val).lower() if isinstance(val, bool) else str(val)
        return im.group(0)

    def expand_dynamic(self, body: Any) -> Any:
        """``dynamic "x" { for_each = ...; content { ... } }`` -> one ``x`` block per element.

        Expanded when ``for_each`` resolves to a literal list or map (variable defaults, tfvars,
        locals). Otherwise the block is unknown: rules that read it report "could not be
        checked" rather than judging a configuration with the blocks missing.
        """
        if isinstance(body, list):
            return [self.expand_dynamic(x) for x in body]
        if not isinstance(body, dict):
            return body
        out = {k: self.expand_dynamic(v) for k, v in body.items() if k != "dynamic"}
        for dyn in body.get("dynamic") or []:
            for block_name, spec in (dyn or {}).items():
                if not isinstance(spec, dict):
                    continue
                items = self.resolve(spec.get("for_each"), {}, "")
                it = spec.get("iterator")
                iterator: str = it if isinstance(it, str) else block_name
                content = spec.get("content") or [{}]
                content = content[0] if isinstance(content, list) and content else content
                if isinstance(items, dict):
                    pairs = list(items.items())
                elif isinstance(items, (list, tuple)) and not is_unknown(items):
                    pairs = list(enumerate(items))
                else:
                    out[block_name] = "${var.__unknown_dynamic__}"  # resolves to UNKNOWN
                    continue
                existing = out.get(block_name)
                blocks = existing if isinstance(existing, list) else ([] if existing is None else [existing])
                for key, value in pairs:
                    blocks.append(self.expand_dynamic(_substitute(content, iterator, key, value)))
                out[block_name] = blocks
        return out

    def resources(self, errors: list[HclError], visited: set[Path]) -> list[RawResource]:
        out: list[RawResource] = []
        texts: dict[Path, list[str]] = {}
        for kind, block, f in self.blocks:
            if kind == "resource":
                for rtype, named in block.items():
                    for name, body in (named or {}).items():
                        refs: dict[str, list[str]] = {}
                        values = self.resolve(self.expand_dynamic(body or {}), refs, "")
                        lines = texts.setdefault(f, f.read_text(encoding="utf-8").splitlines())
                        line = _find_header(lines, "resource", rtype, name)
                        out.append(RawResource(
                            type=rtype, address=f"{self.prefix}{rtype}.{name}", values=values, origin="terraform",
                            file=_rel(f, self.base), line=line, name=str(values.get("name")) if isinstance(values.get("name"), str) else name,
                            refs=refs, suppressions=suppressions_near(lines, line)))
            elif kind == "module":
                for mname, body in block.items():
                    src = body.get("source") if isinstance(body, dict) else None
                    if not isinstance(src, str) or not src.startswith(("./", "../")):
                        self.notes.append(f"{_rel(f, self.base)}: module '{mname}' source {src!r} is not local; its resources were not read")
                        continue
                    mdir = (self.dir / src).resolve()
                    if mdir in visited or self.depth > 8 or not mdir.is_dir():
                        if not mdir.is_dir():
                            self.notes.append(f"{_rel(f, self.base)}: module '{mname}' source {src} not found")
                        continue
                    inputs = {}
                    for k, v in body.items():
                        if k in ("source", "version", "providers", "count", "for_each", "depends_on"):
                            continue
                        in_refs: dict[str, list[str]] = {}
                        val = self.resolve(v, in_refs, "")
                        inputs[k] = _Ref(in_refs[""]) if val is UNKNOWN and in_refs.get("") else val
                    child = _Module(mdir, inputs, f"{self.prefix}module.{mname}.", self.base, self.notes, self.depth + 1)
                    child.load(errors)
                    out.extend(child.resources(errors, visited | {mdir}))
        return out


def _substitute(v: Any, iterator: str, key: Any, value: Any) -> Any:
    """Replace ``<iterator>.key`` / ``<iterator>.value[.attr...]`` in a dynamic block's content."""
    if isinstance(v, dict):
        return {k: _substitute(x, iterator, key, value) for k, x in v.items()}
    if isinstance(v, list):
        return [_substitute(x, iterator, key, value) for x in v]
    if not isinstance(v, str) or "${" not in v:
        return v
    pat = re.compile(r"\$\{\s*" + re.escape(iterator) + r"\.(key|value)((?:\.[\w-]+|\[\"[^\"]*\"\])*)\s*\}")

    def lookup(m: re.Match) -> Any:
        if m.group(1) == "key":
            return key
        node = value
        for part in re.findall(r"\.([\w-]+)|\[\"([^\"]*)\"\]", m.group(2)):
            name = part[0] or part[1]
            if not isinstance(node, dict) or name not in node:
                return UNKNOWN
            node = node[name]
        return node

    whole = pat.fullmatch(v.strip())
    if whole:
        got = lookup(whole)
        return "${var.__unknown_dynamic__}" if got is UNKNOWN else got
    if not pat.search(v):
        return v
    parts = [lookup(m) for m in pat.finditer(v)]
    if any(p is UNKNOWN or isinstance(p, (dict, list)) for p in parts):
        return "${var.__unknown_dynamic__}"
    return pat.sub(lambda m: str(lookup(m)), v)


def _find_header(lines: list[str], kind: str, a: str, b: str | None) -> int | None:
    for i, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if m and m.group(1) == kind and m.group(2) == a and (b is None or m.group(3) == b):
            return i
    return None


def local_module_dirs(directory: Path) -> set[Path]:
    """Directories that ``directory``'s .tf files call as local modules (not roots of their own)."""
    out = set()
    for f in directory.glob("*.tf"):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in re.finditer(r'^\s*source\s*=\s*"(\.{1,2}/[^"]+)"', text, re.MULTILINE):
            out.add((directory / m.group(1)).resolve())
    return out


def read_root(directory: Path, base: Path) -> tuple[list[RawResource], list[HclError], list[str]]:
    """Read one root module directory (and the local modules it calls)."""
    errors: list[HclError] = []
    notes: list[str] = []
    mod = _Module(directory, {}, "", base, notes)
    mod.load(errors)
    return mod.resources(errors, {directory.resolve()}), errors, notes


def header_lines(root: Path, module_sources: dict[str, str] | None = None) -> dict[str, tuple[str, int]]:
    """Map ``[module.x.]type.name`` -> (file, line) for a Terraform tree (used to point plan findings at .tf)."""
    out: dict[str, tuple[str, int]] = {}

    def scan(d: Path, prefix: str, depth: int) -> None:
        for f in sorted(d.glob("*.tf")):
            try:
                lines = f.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            cur_module = None
            for i, line in enumerate(lines, start=1):
                m = _HEADER.match(line)
                if m and m.group(1) == "resource":
                    out.setdefault(f"{prefix}{m.group(2)}.{m.group(3)}", (f.as_posix(), i))
                    cur_module = None
                elif m and m.group(1) == "module":
                    cur_module = m.group(2)
                elif cur_module and depth < 8:
                    sm = re.match(r'^\s*source\s*=\s*"(\.{1,2}/[^"]+)"', line)
                    if sm and (d / sm.group(1)).is_dir():
                        scan((d / sm.group(1)).resolve(), f"{prefix}module.{cur_module}.", depth + 1)
                        cur_module = None

    scan(root, "", 0)
    return out
