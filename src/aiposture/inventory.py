"""The common inventory: one document per scan, the contract between sources and rules.

Shape (``schemas/inventory.schema.json``)::

    {schema_version, scan: {...}, resources: [...], errors: [...]}

Resources are plain dicts (they are produced by collectors/readers and read
by the engine and outputs; a class hierarchy would only add copying). This
module builds, validates, loads and saves them.

Unknown is not false: an attribute a source could not read is ``None``
(JSON ``null``); an attribute that does not exist for a resource type is left
out. The engine turns a rule that reads an unknown attribute into an
``error`` result, never a ``pass``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from aiposture import __version__
from aiposture.errors import InventoryError
from aiposture.paths import schema
from aiposture.textsafe import scrub_surrogates

SCHEMA_VERSION = "1.0"
PROVIDERS = ("aws", "azure", "gcp")
KINDS = (
    "ai_service",
    "model_deployment",
    "content_filter",
    "agent",
    "knowledge_base",
    "custom_model",
    "training_job",
    "identity_binding",
    "notebook",
)

Resource = dict[str, Any]


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def make_resource(
    *,
    id: str,
    provider: str,
    kind: str,
    native_type: str,
    name: str,
    attrs: dict[str, Any],
    account: str = "",
    region: str = "",
    tags: dict[str, str] | None = None,
    origin: str = "live",
    file: str | None = None,
    line: int | None = None,
    address: str | None = None,
) -> Resource:
    """Build one resource in the inventory shape (no validation; see :func:`validate`)."""
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    source: dict[str, Any] = {"origin": origin}
    if file is not None:
        source["file"] = file
        source["line"] = line
    if address is not None:
        source["address"] = address
    return {
        "id": id,
        "provider": provider,
        "kind": kind,
        "native_type": native_type,
        "account": account or "",
        "region": region or "",
        "name": name,
        "tags": {str(k): str(v) for k, v in (tags or {}).items()},
        "source": source,
        "attrs": attrs,
    }


def make_error(
    provider: str,
    message: str,
    *,
    code: str = "Error",
    kinds: Iterable[str] | None = None,
    partial: bool = False,
    **scope: Any,
) -> dict[str, Any]:
    """An entry of the inventory's ``errors``: what could not be checked, and where."""
    err: dict[str, Any] = {
        "provider": provider,
        "scope": {k: v for k, v in scope.items() if v is not None},
        "code": code,
        "message": message,
    }
    if kinds:
        err["kinds"] = sorted(set(kinds))
    if partial:
        err["partial"] = True
    return err


def new_document(
    resources: list[Resource] | None = None,
    errors: list[dict[str, Any]] | None = None,
    *,
    sources: list[str] | None = None,
    targets: list[dict[str, Any]] | None = None,
    started_at: str | None = None,
) -> dict[str, Any]:
    """Wrap resources and errors into an inventory document."""
    import uuid  # only documents built here need an id: loading a saved inventory does not

    return {
        "schema_version": SCHEMA_VERSION,
        "scan": {
            "id": str(uuid.uuid4()),
            "started_at": started_at or now_iso(),
            "finished_at": now_iso(),
            "tool_version": __version__,
            "sources": sources or [],
            "targets": targets or [],
        },
        "resources": sort_resources(resources or []),
        "errors": errors or [],
    }


def sort_resources(resources: list[Resource]) -> list[Resource]:
    """Deterministic order: provider, account, region, kind, id."""
    return sorted(resources, key=lambda r: (r["provider"], r["account"], r["region"], r["kind"], r["id"]))


_validator = None

# Bounds for a saved inventory (a file may come from anywhere). AIPOSTURE_MAX_INVENTORY_MB raises the size.
MAX_INVENTORY_MB = 1024
MAX_DEPTH = 64  # containers inside containers; real inventories nest fewer than 10
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # CEL integers are 64-bit
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_HUGE_INT = re.compile(r"-?[0-9]{1000,}")


def _get_validator():
    global _validator
    if _validator is None:
        from jsonschema import Draft202012Validator

        _validator = Draft202012Validator(schema("inventory"))
    return _validator


def validate(doc: Any, *, limit: int = 20) -> list[str]:
    """Return human-readable schema violations (empty when valid); duplicate ids are one too.

    A compiled validator answers yes/no (:mod:`aiposture.schemacheck`, fastjsonschema with its
    generated code cached); only an invalid document goes through ``jsonschema``, for every
    problem in its wording.
    """
    from aiposture import schemacheck

    if schemacheck.matches("inventory", doc):
        return _duplicate_ids(doc, limit)
    problems: list[str] = []
    for err in sorted(_get_validator().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(document)"
        # name the resource, not just its index, so the user can find it
        parts = list(err.absolute_path)
        if len(parts) >= 2 and parts[0] == "resources" and isinstance(parts[1], int):
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                path = f"resources[{parts[1]}] ({clip(doc['resources'][parts[1]].get('id', '?'))})/" + "/".join(
                    str(p) for p in parts[2:]
                )
        problems.append(f"{path}: {clip(err.message, 300)}")
        if len(problems) >= limit:
            problems.append("... (more problems not shown)")
            break
    return problems or _duplicate_ids(doc, limit)


def clip(value: object, n: int = 120) -> str:
    """At most ``n`` characters of a value quoted in a message (inputs may be huge)."""
    s = str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _duplicate_ids(doc: Any, limit: int) -> list[str]:
    """Findings are tracked by rule + resource id (fingerprints, baselines): ids must be unique."""
    seen: dict[str, int] = {}
    problems = []
    for i, r in enumerate(doc.get("resources", []) if isinstance(doc, dict) else []):
        rid = r.get("id") if isinstance(r, dict) else None
        if not isinstance(rid, str):
            continue
        if rid in seen:
            problems.append(f"resources[{i}]/id: duplicate resource id {clip(rid)!r} (first at resources[{seen[rid]}]); "
                            "ids must be unique because findings are tracked by rule and resource id")
            if len(problems) >= limit:
                break
        else:
            seen[rid] = i
    return problems


def disambiguate_ids(doc: dict[str, Any]) -> list[str]:
    """Give a repeated resource id a ``#2``, ``#3``... suffix (documents built in this process).

    A saved inventory with duplicate ids is refused by :func:`load`; a reader or collector
    that produced the same id twice must still not give two findings one fingerprint.
    """
    counts: dict[str, int] = {}
    notes = []
    for r in doc.get("resources", []):
        rid = r["id"]
        n = counts.get(rid, 0) + 1
        counts[rid] = n
        if n > 1:
            r["id"] = f"{rid}#{n}"
            notes.append(f"resource id {rid!r} appears {n} times: occurrence {n} is reported as {r['id']!r}")
    return notes


class _Rejected(Exception):
    """A JSON value the inventory format does not allow (raised from the parser hooks)."""

    def __init__(self, message: str, token: str):
        super().__init__(message)
        self.token = token


def _parse_constant(s: str) -> Any:
    raise _Rejected(f"{s} is not a JSON number (use null for a value that could not be read)", s)


def max_inventory_bytes() -> int:
    raw = os.environ.get("AIPOSTURE_MAX_INVENTORY_MB", "")
    try:
        mb = float(raw) if raw.strip() else MAX_INVENTORY_MB
    except ValueError:
        raise InventoryError(f"AIPOSTURE_MAX_INVENTORY_MB={clip(raw, 40)!r} is not a number of megabytes") from None
    return int(mb * 1024 * 1024)


def read_json(path: str | Path, what: str, *, max_bytes: int, error: type[Exception] = InventoryError) -> Any:
    """Read a JSON file with bounds: size, UTF-8 only, 64-bit integers, no NaN/Infinity, nesting depth.

    Every problem is ``error`` with one line naming the file (and line where there is one).
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise error(f"{p}: the {what} is {size / 1048576:.0f} MB, over the {max_bytes / 1048576:.0f} MB limit"
                        + (" (raise it with AIPOSTURE_MAX_INVENTORY_MB)" if what == "inventory" else ""))
        raw = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{p}: {what} file not found") from None
    except IsADirectoryError:
        raise error(f"{p}: is a directory, not a {what} file") from None
    except OSError as e:
        raise error(f"{p}: cannot read the {what}: {e.strerror or e}") from None
    encoding = json.detect_encoding(raw[:4])
    if encoding not in ("utf-8", "utf-8-sig"):
        raise error(f"{p}: the {what} is {encoding.upper()} text; save it as UTF-8 (JSON files are UTF-8, RFC 8259)")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise error(f"{p}:{line}: the {what} is not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})") from None
    del raw
    maybe_surrogates = _MAYBE_SURROGATE.search(text) is not None
    try:
        doc = json.loads(text, parse_constant=_parse_constant)
    except json.JSONDecodeError as e:
        raise error(f"{p}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    except ValueError:  # an integer literal past Python's digit limit (thousands of digits)
        m = _HUGE_INT.search(text)
        near = f":{text.count(chr(10), 0, m.start()) + 1}" if m else ""
        raise error(f"{p}{near}: the {what} is not valid: an integer is out of range (64-bit integers only)") from None
    except _Rejected as e:
        at = text.find(e.token)
        near = f":{text.count(chr(10), 0, at) + 1}" if at >= 0 else ""
        raise error(f"{p}{near}: the {what} is not valid: {e}") from None
    except RecursionError:
        raise error(f"{p}: the {what} is nested too deeply (more than {MAX_DEPTH} levels)") from None
    del text
    problem = _check_tree(doc, surrogates=maybe_surrogates)
    if problem:
        raise error(f"{p}: the {what} is not valid: {problem}")
    return doc


def _check_tree(doc: Any, *, surrogates: bool) -> str | None:
    """Depth, 64-bit integers, finite numbers and, when the text had ``\\uD8xx``-like escapes,
    no lone surrogates (not Unicode text).

    Iterative (a deep document cannot exhaust the interpreter's stack here) and level by
    level without paths: about 8 s for 200 MB on a loaded 2-core machine. Only when it finds
    a problem does a second, slower pass name where.
    """
    if _tree_ok(doc, surrogates):
        return None
    return _locate(doc, surrogates) or "not a valid document"


def _tree_ok(doc: Any, surrogates: bool) -> bool:
    level, depth = [doc], 1
    while level:
        if depth > MAX_DEPTH:
            return False
        nxt: list[Any] = []
        push = nxt.append
        for node in level:
            if surrogates and type(node) is dict and any(type(k) is str and _lone_surrogate(k) for k in node):
                return False
            for v in node.values() if type(node) is dict else node:
                t = type(v)
                if t is dict or t is list:
                    push(v)
                elif t is str:
                    if surrogates and _lone_surrogate(v):
                        return False
                elif t is float:
                    if v - v:  # NaN or +/-Infinity (from 1e999)
                        return False
                elif t is int and not INT_MIN <= v <= INT_MAX:
                    return False
        level, depth = nxt, depth + 1
    return True


def _locate(doc: Any, surrogates: bool) -> str | None:
    """Where :func:`_tree_ok` failed, as a path (depth-first, keeps paths: the slow pass)."""
    stack: list[tuple[Any, int, tuple]] = [(doc, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep at {_path(path[:6])}/..."
        for k, v in (node.items() if type(node) is dict else enumerate(node)):
            here = (*path, k)
            if surrogates and ((type(k) is str and _lone_surrogate(k)) or (type(v) is str and _lone_surrogate(v))):
                return f"{_path(here)}: contains a lone surrogate escape (not Unicode text)"
            if type(v) is float and v - v:
                return f"{_path(here)}: number {v} is out of range"
            if type(v) is int and not INT_MIN <= v <= INT_MAX:
                return f"{_path(here)}: integer {clip(v, 30)} is out of range (64-bit integers only)"
            if type(v) is dict or type(v) is list:
                stack.append((v, depth + 1, here))
    return None


def _lone_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _path(parts: tuple) -> str:
    return "/".join(str(p) for p in parts) or "(document)"


def load(path: str | Path) -> dict[str, Any]:
    """Load and validate an inventory JSON file; raise :class:`InventoryError` with one clear line."""
    p = Path(path)
    doc = read_json(p, "inventory", max_bytes=max_inventory_bytes())
    problems = validate(doc)
    if problems:
        more = len([x for x in problems if not x.startswith("...")]) - 1
        hint = f" (+{more} more: 'aiposture inventory validate {p}' lists them)" if more > 0 else ""
        raise InventoryError(f"{p}: does not match the inventory schema: {problems[0]}{hint}", problems)
    return doc


def sanitize(doc: dict[str, Any]) -> list[str]:
    """Make a document built in this process safe to evaluate and write; return what was changed.

    Readers parse untrusted JSON (ARM, CloudFormation, plans) that may hold NaN/Infinity or lone
    surrogate escapes: a non-finite number becomes ``null`` (unknown: the rules reading it say
    ``error``), a lone surrogate U+FFFD, and a value nested deeper than the bound ``null``.
    """
    notes: list[str] = []
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        keys = list(node.keys()) if type(node) is dict else range(len(node))
        for k in keys:
            v = node[k]
            if type(v) is float and not math.isfinite(v):
                node[k] = None
                notes.append(f"a non-finite number ({v}) was read as unknown (null)")
            elif type(v) is str and _lone_surrogate(v):
                node[k] = scrub_surrogates(v)
            elif type(v) is dict or type(v) is list:
                if depth + 1 > MAX_DEPTH:
                    node[k] = None
                    notes.append(f"a value nested more than {MAX_DEPTH} levels deep was read as unknown (null)")
                else:
                    stack.append((v, depth + 1))
        if type(node) is dict and any(type(k) is str and _lone_surrogate(k) for k in node):
            fixed = {(scrub_surrogates(k) if type(k) is str else k): v for k, v in node.items()}
            node.clear()
            node.update(fixed)
    return sorted(set(notes))


def _head_and_items(doc: dict[str, Any]):
    head = {k: v for k, v in doc.items() if k not in ("resources", "errors")}
    return head, doc.get("resources", []), doc.get("errors", [])


def iter_dump(doc: dict[str, Any]) -> Iterator[str]:
    """The lines of the file :func:`dumps` returns, one at a time (one resource per line)."""
    head, resources, errors = _head_and_items(doc)
    yield "{\n"
    for k, v in head.items():
        yield f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True, allow_nan=False)},\n"
    for key, items in (("resources", resources), ("errors", errors)):
        yield f'  "{key}": [\n'
        last = len(items) - 1
        for i, item in enumerate(items):
            yield "    " + json.dumps(item, sort_keys=True, ensure_ascii=False, allow_nan=False) + ("," if i < last else "") + "\n"
        yield "  ]" + ("," if key == "resources" else "") + "\n"
    yield "}\n"


def dumps(doc: dict[str, Any]) -> str:
    """Serialise with one resource per line.

    Live findings in SARIF must point at a real file and line; writing each
    resource on its own line makes "the inventory file, line N" a precise,
    stable location (see :func:`resource_lines` and :func:`dumped_lines`); :func:`iter_dump` yields it line by line.
    """
    return "".join(iter_dump(doc))


def dumped_lines(doc: dict[str, Any]) -> dict[str, int]:
    """resource id -> line in the file :func:`dump` writes for ``doc``, without writing it."""
    head, resources, _ = _head_and_items(doc)
    first = 3 + len(head)  # "{", one line per head key, '"resources": ['
    lines: dict[str, int] = {}
    for i, r in enumerate(resources):
        lines.setdefault(r["id"], first + i)
    return lines


def save(doc: dict[str, Any], path: str | Path) -> None:
    """Write the inventory file (never through a symbolic link: see :mod:`aiposture.safeio`)."""
    from aiposture.safeio import write_chunks

    write_chunks(path, "the inventory", iter_dump(doc))


def resource_lines(text: str | Iterable[str]) -> dict[str, int]:
    """Map resource id -> 1-based line in an inventory file written by :func:`dumps`.

    ``text`` is the file's text or an iterable of its lines (an open file: read lazily).
    Falls back gracefully for inventories formatted differently: ids not on a
    line of their own are simply not in the map.
    """
    lines: dict[str, int] = {}
    in_resources = False
    for no, line in enumerate(text.splitlines() if isinstance(text, str) else text, start=1):
        s = line.strip()
        if s.startswith('"resources"'):
            in_resources = True
            continue
        if in_resources:
            if s.startswith("]"):
                break
            if s.startswith("{") and '"id"' in s:
                try:
                    rid = json.loads(s.rstrip(","))["id"]
                except (ValueError, KeyError, TypeError, RecursionError):
                    continue
                if isinstance(rid, str):
                    lines.setdefault(rid, no)
    return lines
