"""Load rule files: YAML (safe_load only) -> schema validation -> CEL compilation.

Every problem names the file, the line, the rule id and the field, and loading
continues with the other files: one broken rule must not hide the rest.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiposture.engine.model import Rule, attr_paths, required_paths
from aiposture.errors import RuleError
from aiposture.paths import rules_dir, schema

_validator = None
# libyaml when available (~10x faster); both are "safe" loaders: no object construction from tags


def _yaml() -> tuple[Any, Any]:
    """PyYAML and its safe loader, imported on first need (a run whose rule files are all
    in the cache parses no YAML)."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _rule_validator():
    global _validator
    if _validator is None:
        from jsonschema import Draft202012Validator

        _validator = Draft202012Validator(schema("rule"))
    return _validator


def rule_files(dirs: Iterable[str | Path], problems: list[RuleError] | None = None) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the given dirs (or the files themselves), sorted.

    Names starting with ``_`` are data files (e.g. ``_catalog.yaml``), not rules; hidden
    directories are skipped. Nothing is skipped silently: a sub-directory that cannot be
    listed and a link that leads out of the rules directory are reported in ``problems``
    (or raised, when no list is given) and their rules are not loaded.
    """
    files: list[Path] = []
    found: list[RuleError] = [] if problems is None else problems
    for d in dirs:
        p = Path(d)
        if p.is_file():
            files.append(p)
            continue
        if not p.is_dir():
            found.append(RuleError(str(p), "rules directory not found"))
            continue
        root = p.resolve()

        for dirpath, dirnames, filenames in os.walk(p, onerror=functools.partial(_unreadable, found, p)):
            dirnames[:] = sorted(x for x in dirnames if not x.startswith("."))
            for name in sorted(filenames):
                f = Path(dirpath) / name
                if f.suffix not in (".yaml", ".yml") or name.startswith(("_", ".")):
                    continue
                if f.is_symlink() and not _inside(f, root):
                    found.append(RuleError(str(f), "a link to a file outside the rules directory: not read"))
                    continue
                if f.is_file():
                    files.append(f)
    if problems is None and found:
        raise found[0]
    return sorted(files)


def _unreadable(found: list[RuleError], top: Path, e: OSError) -> None:
    found.append(RuleError(str(e.filename or top), f"cannot read this rules directory: {e.strerror or e}; "
                                                   "its rules are not loaded"))


def _inside(f: Path, root: Path) -> bool:
    try:
        f.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _line_of(node: Any, path: list[Any]) -> int | None:
    """1-based line of the YAML node at ``path`` (best effort)."""
    yaml, _ = _yaml()
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == key:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return line


def _attrs_schema(kind: str) -> dict[str, Any]:
    return schema("inventory")["$defs"].get(f"attrs_{kind}", {})


def _resolve(sub: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref / nullable oneOf to the object schema (for path checking)."""
    defs = schema("inventory")["$defs"]
    for _ in range(4):
        if "$ref" in sub:
            sub = defs[sub["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in sub or "oneOf" in sub:
            alts = sub.get("anyOf") or sub["oneOf"]
            sub = next((s for s in alts if s.get("type") != "null"), alts[0])
        else:
            break
    return sub


def check_path(kind: str, path: tuple[str, ...]) -> str | None:
    """Return an error if ``resource.attrs.<path>`` is not an attribute of ``kind``."""
    node: dict[str, Any] = _attrs_schema(kind)
    for i, seg in enumerate(path):
        node = _resolve(node)
        props = node.get("properties")
        if props is None:
            # free-form map (e.g. harm_categories.<name>) or a scalar: check map keys if constrained
            names = node.get("propertyNames", {}).get("enum")
            if names is not None:
                if seg not in names:
                    return f"'{seg}' is not one of {names} (in attrs.{'.'.join(path)})"
                node = node.get("additionalProperties", {})
                continue
            if node.get("additionalProperties") not in (None, False):
                node = node["additionalProperties"]
                continue
            return None if i else f"kind '{kind}' has no attribute '{seg}'"
        if seg not in props:
            where = "attrs." + ".".join(path[:i]) if i else f"kind '{kind}'"
            return f"{where} has no attribute '{seg}' (known: {', '.join(sorted(props))})"
        node = props[seg]
    return None


def _compile(expr: str, what: str, file: str, rule_id: str, kind: str, line_of):
    """Compile once; check every ``resource.attrs`` path against the kind's schema.

    ``line_of(field)`` is only called on error (it re-parses the file for marks).
    """
    from aiposture.engine.celpath import CelExpr, load_cel

    cel = load_cel()

    def fail(message: str):
        line = line_of(what)
        raise RuleError(f"{file}:{line}" if line else file, message, rule_id, what)

    try:
        program = cel.compile(expr)
    except (ValueError, RuntimeError) as e:
        fail("invalid CEL: " + str(e).replace("\n", "\n    "))
    unknown_vars = [v for v in program.variables() if v != "resource" and not _is_bound(expr, v)]
    if unknown_vars:
        fail(f"unknown variable(s) {', '.join(unknown_vars)}: rules read only 'resource'")
    paths = attr_paths(expr)
    for p in paths:
        problem = check_path(kind, p)
        if problem:
            fail(problem)
    compiled = CelExpr(expr, program)
    if not compiled.deterministic:
        fail("uses all()/exists()/map()/filter() in a form aiposture cannot evaluate in a fixed order "
             "(message literals or optional syntax); rewrite it without them")
    return compiled, paths


def _is_bound(expr: str, name: str) -> bool:
    """True when ``name`` is a comprehension variable (``x`` in ``list.all(x, ...)``)."""
    import re

    return re.search(r"\.(all|exists|exists_one|map|filter)\(\s*" + re.escape(name) + r"\s*,", expr) is not None


MAX_RULE_BYTES = 512 * 1024


def _parse_and_validate(text: str, file: str) -> dict[str, Any]:
    """Bounded YAML (:mod:`aiposture.safeyaml`: size of the expansion, depth, no timestamps),
    then the rule schema."""
    from aiposture import safeyaml

    try:
        data = safeyaml.load(text)
    except safeyaml.YamlProblem as e:
        raise RuleError(f"{file}:{e.line}" if e.line else file, str(e)) from None
    if not isinstance(data, dict):
        raise RuleError(file, "a rule file must be a YAML mapping")
    rule_id = data.get("id") if isinstance(data.get("id"), str) else None
    from aiposture import schemacheck

    # compiled yes/no first; jsonschema (slow to import and to run) only to word what is wrong
    errors = [] if schemacheck.matches("rule", data) else sorted(_rule_validator().iter_errors(data),
                                                                 key=lambda e: list(e.absolute_path))
    if errors:
        yaml, safe_loader = _yaml()
        node = yaml.compose(text, Loader=safe_loader)  # only now: line numbers for the message
        err = errors[0]
        field = ".".join(str(p) for p in err.absolute_path) or None
        line = _line_of(node, list(err.absolute_path))
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        message = err.message if len(err.message) <= 300 else err.message[:299] + "…"
        raise RuleError(f"{file}:{line}" if line else file, message + more, rule_id, field)
    return data


# Parsed, valid rule files by SHA-256 of their bytes, kept in the cache folder across runs: parsing
# YAML and checking the schema were most of the start-up of a command that evaluates rules.
_cache: dict[str, Any] | None = None
_cache_new: dict[str, Any] = {}


def _cache_file() -> Path:
    from aiposture import __version__
    from aiposture.paths import data_root
    from aiposture.schemacheck import cache_dir

    schema_text = (data_root() / "schemas" / "rule.schema.json").read_bytes()
    # the parser is part of the key: a file the bounded loader refuses must never come from an older cache
    key = hashlib.sha256(__version__.encode() + b"\0safeyaml-1\0" + schema_text).hexdigest()[:16]
    return cache_dir() / f"rules-{key}.marshal"


def _pack_cache() -> dict[str, Any]:
    global _cache
    if _cache is None:
        import marshal

        try:
            loaded = marshal.loads(_cache_file().read_bytes())
            _cache = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError, EOFError, TypeError):
            _cache = {}
    return _cache


def _remember(digest: str, data: dict[str, Any]) -> None:
    import marshal

    try:
        marshal.dumps(data)  # plain YAML values only
    except ValueError:
        return
    _pack_cache()[digest] = data
    _cache_new[digest] = data


def _save_cache() -> None:
    """Write the cache when this run parsed files it did not have (atomic, never through a link; best effort)."""
    import marshal

    from aiposture.errors import OutputError
    from aiposture.safeio import write_file

    if not _cache_new:
        return
    try:
        write_file(_cache_file(), marshal.dumps(_pack_cache()), "the rule cache")
        _cache_new.clear()
    except (OSError, OutputError):
        pass


def load_rule_file(path: Path) -> Rule:
    """Load one rule file; raise :class:`RuleError` naming file, line, rule id and field.

    At most :data:`MAX_RULE_BYTES`, UTF-8 only; a file parsed and validated before (same
    bytes) comes from the cache.
    """
    file = str(path)
    try:
        with path.open("rb") as fh:
            raw_bytes = fh.read(MAX_RULE_BYTES + 1)  # never more than the bound, whatever the file claims
    except OSError as e:
        raise RuleError(file, f"cannot read: {e.strerror}") from None
    if len(raw_bytes) > MAX_RULE_BYTES:
        raise RuleError(file, f"over {MAX_RULE_BYTES // 1024} KB: not a rule file")
    digest = hashlib.sha256(raw_bytes).hexdigest()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = raw_bytes[: e.start].count(b"\n") + 1
        raise RuleError(f"{file}:{bad_line}", "not UTF-8 text") from None
    data = _pack_cache().get(digest)  # parsed and validated before, byte for byte the same file
    if data is None:
        data = _parse_and_validate(text, file)
        _remember(digest, data)
    rule_id = data["id"]
    assert rule_id is not None
    kind = data["kind"]

    def line_of(key: str) -> int | None:
        yaml, safe_loader = _yaml()
        return _line_of(yaml.compose(text, Loader=safe_loader), [key])

    program, paths = _compile(data["condition"], "condition", file, rule_id, kind, line_of)
    applies_program, applies_paths = (None, ())
    if data.get("applies_if"):
        applies_program, applies_paths = _compile(data["applies_if"], "applies_if", file, rule_id, kind, line_of)
    return Rule(
        id=rule_id,
        title=data["title"],
        kind=kind,
        severity=data["severity"],
        condition=data["condition"],
        threats=list(data["threats"]),
        controls={k: list(v) for k, v in data["controls"].items()},
        rationale=data["rationale"].strip(),
        remediation={k: v.strip() for k, v in data["remediation"].items()},
        tests=list(data["tests"]),
        file=file,
        digest=digest,
        version=int(data.get("version", 1)),
        providers=list(data["providers"]) if data.get("providers") else None,
        applies_if=data.get("applies_if"),
        message=data.get("message"),
        references=list(data.get("references", [])),
        not_applicable=dict(data.get("not_applicable") or {}),
        program=program,
        applies_program=applies_program,
        paths=paths,
        applies_paths=applies_paths,
        required=required_paths(data["condition"] + " " + (data.get("applies_if") or "")),
    )


def load_rules(
    extra_dirs: Iterable[str | Path] = (), *, include_builtin: bool = True
) -> tuple[list[Rule], list[RuleError]]:
    """Load the built-in pack plus user dirs. Returns (rules sorted by id, problems).

    A rule id defined twice is a problem for the second file (user rules may
    not silently replace built-in ones).
    """
    dirs: list[str | Path] = [rules_dir()] if include_builtin else []
    dirs.extend(extra_dirs)
    rules: dict[str, Rule] = {}
    problems: list[RuleError] = []
    files: list[Path] = []
    for d in dirs:
        files.extend(rule_files([d], problems))
    for f in files:
        try:
            rule = load_rule_file(f)
        except RuleError as e:
            problems.append(e)
            continue
        if rule.id in rules:
            problems.append(RuleError(str(f), f"duplicate rule id (already defined in {rules[rule.id].file})", rule.id, "id"))
            continue
        rules[rule.id] = rule
    _save_cache()
    return sorted(rules.values(), key=lambda r: r.id), problems
