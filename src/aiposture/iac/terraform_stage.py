"""Stage a scanned tree's Terraform files into a private copy the evaluator may read.

The evaluator (``tfparse``) opens files itself, and its file system lets relative paths
climb out of the folder it is given. So it never sees the scanned tree: it gets a copy of
the regular in-tree files (see :mod:`aiposture.iac.tree`) in which

* ``file()``-family calls whose argument is not a plain in-tree path are renamed (their
  value becomes unknown); a plain in-tree file they name is copied along;
* module ``source`` paths and ``.terraform/modules/modules.json`` entries that leave the
  tree point at a missing folder instead (the module is listed as not checked), and module
  call cycles are cut;
* strings longer than :data:`MAX_STRING` become unknown (the evaluator is quadratic in them);
* ``dynamic`` blocks nested inside other blocks, which the evaluator drops, are hoisted into
  synthetic locals that it computes (read back by :mod:`aiposture.iac.terraform_hcl`).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiposture.iac import terraform_source as src
from aiposture.iac.tree import TreeFile, read_bytes

MAX_STRING = 256_000
_FILE_FUNCS = re.compile(
    r"(?<![\w.])(?P<ns>core::)?(?P<fn>filebase64sha256|filebase64sha512|filebase64|filemd5|filesha1|filesha256|filesha512"
    r"|fileexists|fileset|templatefile|file)(?P<ws>\s*)\((?P<args>\s*\"(?P<arg>(?:[^\"\\\n]|\\.)*)\")?")


@dataclass
class NotChecked:
    """One thing the Terraform reader did not read or could not judge."""

    file: str
    line: int | None
    code: str
    message: str


@dataclass
class SrcFile:
    staged: Path  # path in the staged copy
    rel: str  # display path relative to the scan base
    text: str | None  # HCL text (None for .tf.json)
    _blocks: list[src.Block] | None = None
    _by_line: dict[int, src.Block] | None = None

    def __post_init__(self) -> None:
        self.has_dynamic = self.text is not None and "dynamic" in self.text
        self.has_suppressions = self.text is not None and "aiposture:ignore" in self.text

    def by_line(self) -> dict[int, src.Block]:
        if self._by_line is None:
            self._by_line = {}
            if self.text is not None:
                try:
                    self._blocks = src.index(self.text)
                except src.ScanError:
                    self._blocks = []
                for b, _ in src.walk(self._blocks):
                    self._by_line.setdefault(b.line, b)
        return self._by_line


class Stage:
    """The private copy of the scanned Terraform files."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "stage"
        self.files: dict[Path, SrcFile] = {}  # staged path -> file
        self.dirs: dict[Path, list[SrcFile]] = defaultdict(list)  # staged dir -> its .tf/.tf.json
        self.tfvars: dict[Path, list[SrcFile]] = defaultdict(list)
        self.calls: dict[Path, set[Path]] = defaultdict(set)  # staged dir -> staged dirs it calls as local modules
        self.call_sites: list[tuple[Path, Path, str, str, int | None]] = []
        self.trees: dict[Path, Path] = {}  # scanned tree -> its staged folder
        self.rel_of_dir: dict[Path, str] = {}  # staged dir -> display path
        self.not_checked: list[NotChecked] = []
        self.sizes: dict[Path, int] = defaultdict(int)

    def staged_path(self, f: TreeFile) -> Path:
        top = self.trees.setdefault(f.tree, self.dir / f"t{len(self.trees)}")
        return top / f.path.relative_to(f.tree)

    def add(self, f: TreeFile) -> None:
        dest = self.staged_path(f)
        try:
            raw = read_bytes(f)
        except OSError as e:
            self.not_checked.append(NotChecked(f.rel, None, "Unreadable", f"cannot be read ({e.strerror or 'error'})"))
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.not_checked.append(NotChecked(f.rel, None, "NotText", "not UTF-8 text; not read"))
            return
        name = dest.name
        is_json = name.endswith(".json")
        try:
            rewritten = self._rewrite_json(text, f, dest) if is_json else self._rewrite_hcl(text, f, dest, name.endswith(".tf"))
        except src.ScanError as e:
            self.not_checked.append(NotChecked(f.rel, e.line, "ParseError", f"cannot parse Terraform ({e.reason})"))
            return
        except (ValueError, RecursionError):
            self.not_checked.append(NotChecked(f.rel, None, "ParseError", "cannot parse Terraform JSON"))
            return
        if rewritten is None:
            return
        text = rewritten
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        sf = SrcFile(dest, f.rel, None if is_json else text)
        self.files[dest] = sf
        d = dest.parent
        self.rel_of_dir.setdefault(d, posixpath.dirname(f.rel) or ".")
        if name.endswith((".tfvars", ".tfvars.json")):
            self.tfvars[d].append(sf)
        else:
            self.dirs[d].append(sf)
            self.sizes[d] += len(raw)

    # -- rewrites that keep the evaluator inside the staged tree
    def _file_calls(self, text: str, f: TreeFile, dest: Path) -> str:
        if "file" not in text:
            return text

        def repl(m: re.Match[str]) -> str:
            arg = m.group("arg")
            if arg is not None and self._stage_referenced(arg, f, dest):
                return m.group(0)
            return f"{m.group('ns') or ''}aiposture_blocked_{m.group('fn')}{m.group('ws')}({m.group('args') or ''}"

        return _FILE_FUNCS.sub(repl, text)

    def _stage_referenced(self, arg: str, f: TreeFile, dest: Path) -> bool:
        """Copy a file named by ``file("...")`` into the stage when it is a plain in-tree path."""
        path = re.sub(r"^\$\{path\.(?:module|root)\}/", "", arg)
        if "${" in path or "%{" in path or "\\" in path or path.startswith("/") or not path:
            return False
        origin_dir = f.path.parent
        target = Path(posixpath.normpath((origin_dir / path).as_posix()))
        if not inside(target, f.tree):
            return False
        try:
            if target.is_symlink() or not target.is_file() or target.stat().st_size > 2_000_000:
                return target.is_dir() and not target.is_symlink()
            out = dest.parent / Path(posixpath.normpath(path))
            if not inside(Path(posixpath.normpath(out.as_posix())), self.trees[f.tree]):
                return False
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(read_bytes(TreeFile(target, "", f.tree, 0)))  # target: checked regular, in-tree
            return True
        except OSError:
            return False

    def _long_strings(self, text: str, f: TreeFile) -> str:
        """Strings and heredocs longer than MAX_STRING become unknown: the evaluator's string handling is
        quadratic in their length (a 3 MB heredoc takes about a minute), and no setting aiposture reads is that long."""
        if len(text) <= MAX_STRING or ('"' not in text and "<<" not in text):
            return text
        edits = [(t.start, t.end, t.line) for t in src.tokens(text) if t.kind == "str" and t.end - t.start > MAX_STRING]
        for start, end, line in reversed(edits):
            self.not_checked.append(NotChecked(f.rel, line, "TooLarge", f"a string of {(end - start) // 1000} KB (limit "
                                               f"{MAX_STRING // 1000} KB) was not evaluated; its value is unknown"))
            text = text[:start] + "aiposture_blocked_long_string()" + text[end:]
        return text

    def _rewrite_hcl(self, text: str, f: TreeFile, dest: Path, is_tf: bool) -> str | None:
        text = self._long_strings(text, f)
        text = self._file_calls(text, f, dest)
        if not is_tf:
            return text
        if "terragrunt" in dest.name:
            return None
        needs_index = "module" in text or "dynamic" in text
        if not needs_index:
            return text
        blocks = src.index(text)
        edits: list[tuple[int, int, str]] = []
        synthetic: list[str] = []
        for b in blocks:
            if b.type == "module" and b.labels:
                self._module_call(b, text, f, dest, edits)
            elif b.type in ("resource", "data"):
                for child in b.children:
                    _hoist_dynamics(child, text, b, synthetic, f.rel)
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        if synthetic:
            text += "\nlocals {\n" + "\n".join(synthetic) + "\n}\n"
        return text

    def _module_call(self, b: src.Block, text: str, f: TreeFile, dest: Path, edits: list[tuple[int, int, str]]) -> None:
        a = b.attrs.get("source")
        if a is None:
            return
        expr = text[a.start:a.end].strip()
        source = expr[1:-1] if len(expr) >= 2 and expr[0] == expr[-1] == '"' and "${" not in expr else None
        verdict = self._check_source(source, f, dest, b.labels[0], b.line)
        if verdict is not None:
            edits.append((a.start, a.end, f'"./{verdict}"'))

    def _check_source(self, source: str | None, f: TreeFile, dest: Path, name: str, line: int | None) -> str | None:
        """None when the source may be read as written; else the stand-in folder name to put there."""
        if source is None:
            self.not_checked.append(NotChecked(f.rel, line, "ModuleNotRead",
                                               f"module '{name}': its source is not a literal string; not read"))
            return ".aiposture-module-not-read"
        if not source.startswith(("./", "../")) and not source.startswith("/"):
            return None  # registry / git: read from .terraform/modules when terraform init fetched it (checked later)
        target = Path(posixpath.normpath((f.path.parent / source).as_posix())) if not source.startswith("/") else None
        if target is None or not inside(target, f.tree):
            self.not_checked.append(NotChecked(f.rel, line, "ModuleOutsideTree",
                                               f"module '{name}': its source is outside the scanned tree; not read"))
            return ".aiposture-module-outside-tree"
        callee = self.trees[f.tree] / target.relative_to(f.tree)
        self.calls[dest.parent].add(callee)
        self.call_sites.append((dest, callee, source, name, line))
        return None

    def break_cycles(self) -> None:
        """A module that calls itself, directly or through others, would be expanded forever: cut the call."""
        def reaches(a: Path, b: Path) -> bool:
            seen, stack = set(), [a]
            while stack:
                x = stack.pop()
                if x == b:
                    return True
                if x not in seen:
                    seen.add(x)
                    stack.extend(self.calls.get(x, ()))
            return False

        for dest, callee, source, name, line in self.call_sites:
            if not reaches(callee, dest.parent):
                continue
            sf = self.files.get(dest)
            if sf is None or sf.text is None:
                continue
            at = sf.text.find(f'"{source}"', _offset_of_line(sf.text, line or 1))
            if at < 0:
                continue
            sf.text = sf.text[:at] + '"./.aiposture-module-cycle"' + sf.text[at + len(source) + 2:]
            sf._by_line = None
            dest.write_text(sf.text, encoding="utf-8")
            self.calls[dest.parent].discard(callee)
            self.not_checked.append(NotChecked(sf.rel, line, "ModuleCycle",
                                               f"module '{name}' calls a module that calls it back; the call was not followed"))

    def roots(self) -> list[Path]:
        """Folders no other folder calls as a module; then, for call cycles, the first folder of each cycle."""
        dirs = sorted(d for d in self.dirs if ".terraform" not in d.parts)
        called = {c for d, cs in self.calls.items() for c in cs if c != d}
        roots = [d for d in dirs if d not in called]
        seen: set[Path] = set()

        def visit(d: Path) -> None:
            stack = [d]
            while stack:
                x = stack.pop()
                if x not in seen:
                    seen.add(x)
                    stack.extend(self.calls.get(x, ()))

        for r in roots:
            visit(r)
        for d in dirs:
            if d not in seen:
                roots.append(d)
                visit(d)
        return roots

    def _rewrite_json(self, text: str, f: TreeFile, dest: Path) -> str | None:
        if dest.name == "modules.json":
            return self._modules_json(text, f)
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("not an object")

        def fix(v: Any) -> Any:
            if isinstance(v, str):
                return self._file_calls(v, f, dest)
            if isinstance(v, dict):
                return {k: fix(x) for k, x in v.items()}
            if isinstance(v, list):
                return [fix(x) for x in v]
            return v

        doc = fix(doc)
        mods = doc.get("module")
        for name, body in (mods.items() if isinstance(mods, dict) else []):
            for call in body if isinstance(body, list) else [body]:
                if isinstance(call, dict) and "source" in call:
                    s = call["source"]
                    verdict = self._check_source(s if isinstance(s, str) and "${" not in s else None, f, dest, str(name), None)
                    if verdict is not None:
                        call["source"] = f"./{verdict}"
        return json.dumps(doc)

    def _modules_json(self, text: str, f: TreeFile) -> str | None:
        """Keep the entries of ``.terraform/modules/modules.json`` whose folder is inside the tree."""
        doc = json.loads(text)
        mods = doc.get("Modules") if isinstance(doc, dict) else None
        if not isinstance(mods, list):
            raise ValueError("no Modules list")
        root = f.path.parent.parent.parent  # <root>/.terraform/modules/modules.json
        kept = []
        for m in mods:
            if not isinstance(m, dict) or not isinstance(m.get("Dir"), str) or not isinstance(m.get("Key"), str):
                continue
            target = Path(posixpath.normpath((root / m["Dir"]).as_posix()))
            if m["Dir"].startswith("/") or not inside(target, f.tree):
                self.not_checked.append(NotChecked(f.rel, None, "ModuleOutsideTree",
                                                   f"module '{m['Key']}': its fetched copy is outside the scanned tree; not read"))
                continue
            kept.append(m)
        return json.dumps({"Modules": kept})


def _offset_of_line(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return 0
    return pos


def inside(p: Path, tree: Path) -> bool:
    try:
        Path(posixpath.normpath(p.as_posix())).relative_to(tree)
        return True
    except ValueError:
        return False


_ITER = r"(?<![\w.-]){name}\.(key|value)\b"


def _hoist_dynamics(b: src.Block, text: str, resource: src.Block, out: list[str], rel: str, depth: int = 0) -> None:
    """``dynamic`` blocks nested inside a resource's blocks become synthetic locals the evaluator computes.

    ``content_policy_config { dynamic "filters_config" { for_each = X; content { type = filters_config.value.t } } }``
    -> ``__aiposture_dyn_<line> = [for k, v in X : { type = v.t }]``. A content that refers to the
    resource's ``each``/``count``/``self`` or to an outer dynamic iterator is not hoisted: the reader then
    reports the block as unknown rather than missing. A content with nested blocks is hoisted as markers
    only: an empty ``for_each`` reads as no block, any instance makes the block unknown.
    """
    for child in b.children:
        if child.type == "dynamic" and child.labels:
            expr = _dynamic_as_for(child, text)
            if expr is not None:
                out.append(f"  __aiposture_dyn_{child.line} = {expr}")
        elif depth < 4:
            _hoist_dynamics(child, text, resource, out, rel, depth + 1)


def _dynamic_as_for(d: src.Block, text: str) -> str | None:
    fe = d.attrs.get("for_each")
    content = next((c for c in d.children if c.type == "content"), None)
    if fe is None or content is None:
        return None
    it = d.attrs.get("iterator")
    name = text[it.start:it.end].strip() if it else d.labels[0]
    if not re.fullmatch(r"[A-Za-z_][\w-]*", name):
        return None
    coll = text[fe.start:fe.end]
    items = []
    pat = re.compile(_ITER.format(name=re.escape(name)))
    # nested blocks are not computed: each instance is only a marker (the reader makes the block unknown),
    # so an empty for_each still reads as no block at all
    for a in ([] if content.children else content.attrs.values()):
        e = pat.sub(lambda m: "__aip_k" if m.group(1) == "key" else "__aip_v", text[a.start:a.end])
        items.append(f"{a.name} = ({e})")
    if content.children:
        items = ["__aip_nested = true"]
    body = coll + " " + " ".join(items)
    if re.search(r"(?<![\w.-])(each|count|self)\.", body) or re.search(r"(?<![\w.-])[A-Za-z_][\w-]*\.(key|value)\b", " ".join(items)):
        return None
    return "[for __aip_k, __aip_v in (" + coll + ") : {" + ", ".join(items) + "}]"


