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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiposture import __version__
from aiposture.errors import InventoryError
from aiposture.paths import schema

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
    "ai_connection",
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


def _get_validator():
    global _validator
    if _validator is None:
        from jsonschema import Draft202012Validator

        _validator = Draft202012Validator(schema("inventory"))
    return _validator


def validate(doc: Any, *, limit: int = 20) -> list[str]:
    """Return human-readable schema violations (empty when valid).

    A compiled validator answers yes/no (:mod:`aiposture.schemacheck`); only an
    invalid document goes through ``jsonschema``, for every problem in its wording.
    """
    from aiposture import schemacheck

    if schemacheck.matches("inventory", doc):
        return []
    problems: list[str] = []
    for err in sorted(_get_validator().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(document)"
        # name the resource, not just its index, so the user can find it
        parts = list(err.absolute_path)
        if len(parts) >= 2 and parts[0] == "resources" and isinstance(parts[1], int):
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                path = f"resources[{parts[1]}] ({doc['resources'][parts[1]].get('id', '?')})/" + "/".join(
                    str(p) for p in parts[2:]
                )
        problems.append(f"{path}: {err.message}")
        if len(problems) >= limit:
            problems.append("... (more problems not shown)")
            break
    return problems


def load(path: str | Path) -> dict[str, Any]:
    """Load and validate an inventory JSON file; raise :class:`InventoryError` with a clear message."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InventoryError(f"{p}: inventory file not found") from None
    except OSError as e:
        raise InventoryError(f"{p}: cannot read inventory: {e.strerror}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InventoryError(f"{p}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    problems = validate(doc)
    if problems:
        raise InventoryError(f"{p}: does not match the inventory schema:\n  " + "\n  ".join(problems))
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """Serialise with one resource per line.

    Live findings in SARIF must point at a real file and line; writing each
    resource on its own line makes "the inventory file, line N" a precise,
    stable location (see :func:`resource_lines`).
    """
    head = {k: v for k, v in doc.items() if k not in ("resources", "errors")}
    out = ["{"]
    for k, v in head.items():
        out.append(f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)},")
    for key in ("resources", "errors"):
        items = doc.get(key, [])
        out.append(f'  "{key}": [')
        for i, item in enumerate(items):
            comma = "," if i < len(items) - 1 else ""
            out.append("    " + json.dumps(item, sort_keys=True, ensure_ascii=False) + comma)
        out.append("  ]" + ("," if key == "resources" else ""))
    out.append("}")
    return "\n".join(out) + "\n"


def save(doc: dict[str, Any], path: str | Path) -> None:
    """Write ``doc`` (see :func:`dumps`); an OS error is an :class:`InventoryError` (one line, exit 2)."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(dumps(doc), encoding="utf-8")
    except OSError as e:
        raise InventoryError(f"cannot write the inventory to {p}: {e.strerror or e}") from None


def resource_lines(text: str) -> dict[str, int]:
    """Map resource id -> 1-based line in an inventory file written by :func:`dumps`.

    Falls back gracefully for inventories formatted differently: ids not on a
    line of their own are simply not in the map.
    """
    lines: dict[str, int] = {}
    in_resources = False
    for no, line in enumerate(text.splitlines(), start=1):
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
                except (ValueError, KeyError, TypeError):
                    continue
                lines.setdefault(rid, no)
    return lines
