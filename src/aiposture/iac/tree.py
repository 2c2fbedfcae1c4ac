"""Walk a scanned tree safely: regular in-tree files only, under size limits, every skip recorded.

The scanned tree is hostile (a pull request from a fork): a ``.tf`` symlinked to
``/proc/self/environ`` must not be read, a 2 GB file must not be loaded, an unreadable
directory or a file name that is not UTF-8 must not crash the scan or vanish. Every
file the walker does not read becomes a :class:`Skipped` entry that the scan lists as
"not checked". Messages name the file and the reason, never its content.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 10_000_000  # one IaC file
MAX_TREE_BYTES = 300_000_000  # all IaC files of one scan
MAX_DIR_DEPTH = 64
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".terragrunt-cache"}
TF_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
OTHER_SUFFIXES = (".yaml", ".yml", ".template", ".json", ".bicep")


def display(name: str) -> str:
    """A path as text that is safe to print: undecodable bytes as \\x escapes, no control characters."""
    s = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in s)


@dataclass
class TreeFile:
    path: Path  # absolute location in the tree (for a symlink: the link itself)
    rel: str  # display path relative to the scan base
    tree: Path  # the scanned root it belongs to (absolute)
    size: int
    target: Path | None = None  # what to open when ``path`` is a symlink to another file of the tree

    @property
    def open_path(self) -> Path:
        return self.target or self.path


@dataclass
class Skipped:
    rel: str
    code: str  # Symlink | TooLarge | Unreadable | TooDeep | NotUtf8Name
    message: str


@dataclass
class Walk:
    files: list[TreeFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    total: int = 0


def _rel(p: Path, base: Path) -> str:
    try:
        return display(p.relative_to(base).as_posix())
    except ValueError:
        try:
            return display(p.resolve().relative_to(base.resolve()).as_posix())
        except (ValueError, OSError):
            return display(p.as_posix())


def _inside(p: Path, tree: Path) -> bool:
    try:
        p.relative_to(tree)
        return True
    except ValueError:
        return False


def wanted(name: str) -> bool:
    return name.endswith(TF_SUFFIXES) or name.endswith(OTHER_SUFFIXES) or name in ("terragrunt.hcl", "modules.json")


def walk(paths: list[Path], base: Path, excludes: list[str]) -> Walk:
    """IaC candidate files under ``paths`` (files given directly are taken as they are)."""
    out = Walk()

    def excluded(rel: str, name: str) -> bool:
        return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(rel + "/", pat) for pat in excludes)

    for root in paths:
        try:
            st = os.lstat(root)
        except OSError:
            continue  # missing paths are reported by the caller
        root = Path(os.path.abspath(root))
        if not stat.S_ISDIR(st.st_mode):
            _take(root, root.parent, base, out, given=True)
            continue
        tree = root
        stack: list[tuple[Path, int]] = [(root, 0)]
        while stack:
            d, depth = stack.pop()
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError as err:
                out.skipped.append(Skipped(_rel(d, base), "Unreadable", f"directory cannot be read ({err.strerror or type(err).__name__})"))
                continue
            subdirs = []
            for e in entries:
                p = Path(e.path)
                rel = _rel(p, base)
                if excluded(rel, e.name):
                    continue
                try:
                    is_link = e.is_symlink()
                    is_dir = e.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if e.name in SKIP_DIRS:
                        continue
                    if e.name == ".terraform":  # only the modules `terraform init` fetched are read
                        if (p / "modules").is_dir() and not (p / "modules").is_symlink():
                            subdirs.append((p / "modules", depth + 2))
                        continue
                    if depth + 1 > MAX_DIR_DEPTH:
                        out.skipped.append(Skipped(rel, "TooDeep", f"directory nested deeper than {MAX_DIR_DEPTH} levels; not read"))
                        continue
                    subdirs.append((p, depth + 1))
                    continue
                if not wanted(e.name):
                    continue
                if is_link:
                    _take(p, tree, base, out, link=True)
                else:
                    _take(p, tree, base, out)
            stack.extend(reversed(subdirs))
    return out


def _take(p: Path, tree: Path, base: Path, out: Walk, *, link: bool = False, given: bool = False) -> None:
    rel = _rel(p, base)  # a name that is not UTF-8 is read; every message shows it escaped
    target = p
    if link or (given and p.is_symlink()):
        try:
            target = p.resolve(strict=True)
        except (OSError, RuntimeError):
            out.skipped.append(Skipped(rel, "Symlink", "symbolic link that does not resolve; not followed"))
            return
        if not _inside(target, tree.resolve()):
            out.skipped.append(Skipped(rel, "Symlink", "symbolic link to a file outside the scanned tree; not followed"))
            return
    try:
        st = os.stat(target, follow_symlinks=False)
    except OSError as e:
        out.skipped.append(Skipped(rel, "Unreadable", f"cannot be read ({e.strerror or type(e).__name__})"))
        return
    if not stat.S_ISREG(st.st_mode):
        if given or link:
            out.skipped.append(Skipped(rel, "NotAFile", "not a regular file; not read"))
        return
    if st.st_size > MAX_FILE_BYTES:
        out.skipped.append(Skipped(rel, "TooLarge", f"too large ({st.st_size / 1e6:.1f} MB, limit {MAX_FILE_BYTES / 1e6:.0f} MB); not read"))
        return
    if out.total + st.st_size > MAX_TREE_BYTES:
        out.skipped.append(Skipped(rel, "TooLarge", f"the scan reached its limit of {MAX_TREE_BYTES / 1e6:.0f} MB of IaC files; not read"))
        return
    out.total += st.st_size
    out.files.append(TreeFile(p, rel, tree, st.st_size, target if target != p else None))


def read_bytes(f: TreeFile) -> bytes:
    """The file's bytes, opened without following a symlink and re-checked against the size limit."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(f.open_path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError("not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise OSError("file grew past the size limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]
    finally:
        os.close(fd)
