"""Assemble a queued scan's parts into one inventory, and finalise it without a waiting client.

Assembly keeps every scope error a worker recorded, adds one for every planned
unit that has no part (it cannot happen once the scan is complete, but a gap must
never pass silently), and merges "endpoint unreachable" entries that workers
recorded separately for the same region and service (a single process records
one). The waiting client then runs the usual pipeline (rules, store, outputs);
for ``--no-wait`` the worker that writes the last part runs :func:`finalize_in_worker`.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from aiposture.inventory import make_error, new_document


def lost_unit_error(provider: str, unit: dict[str, Any], message: str, code: str = "TaskFailed") -> dict[str, Any]:
    return make_error(provider, message, code=code, kinds=None, partial=False, **unit.get("scope", {}))


def _merge_unreachable(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for e in errors:
        if e.get("code") != "EndpointUnreachable" or "account" in (e.get("scope") or {}):
            out.append(e)
            continue
        key = json.dumps(e.get("scope"), sort_keys=True)
        first = seen.get(key)
        if first is None:
            seen[key] = e
            out.append(e)
            continue
        if e.get("kinds") is None or first.get("kinds") is None:
            first.pop("kinds", None)
        else:
            first["kinds"] = sorted(set(first["kinds"]) | set(e["kinds"]))
        if not e.get("partial"):
            first.pop("partial", None)
    return out


def assemble(plan: dict[str, Any], parts: dict[str, dict[str, Any]], scan_id: str) -> dict[str, Any]:
    """The inventory document of a queued scan (same shape as a single-process scan's)."""
    provider = plan["provider"]
    resources: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = list(plan.get("errors") or [])
    targets: list[dict[str, Any]] = []
    notes: list[str] = list(plan.get("notes") or [])
    seen_notes: set[str] = set(notes)
    identity: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    calls = int(plan.get("api_calls") or 0)
    for ident in plan.get("identity") or []:
        seen_ids.add(json.dumps(ident, sort_keys=True))
        identity.append(ident)
    for unit in plan["units"]:
        part = parts.get(unit["key"])
        if part is None:
            errors.append(lost_unit_error(provider, unit, f"{unit['key']}: no result arrived from the workers"))
            continue
        resources += part.get("resources") or []
        errors += part.get("errors") or []
        targets += part.get("targets") or []
        for note in part.get("notes") or []:
            if note not in seen_notes:
                seen_notes.add(note)
                notes.append(note)
        calls += int(part.get("api_calls") or 0)
        for ident in part.get("identity") or []:
            k = json.dumps(ident, sort_keys=True)
            if k not in seen_ids:
                seen_ids.add(k)
                identity.append(ident)
    errors = sorted(_merge_unreachable(errors), key=lambda e: sorted((k, str(v)) for k, v in e["scope"].items()))
    doc = new_document(resources, errors, sources=[provider], targets=targets, started_at=plan.get("started_at"))
    scan = doc["scan"]
    scan["id"] = scan_id
    scan["api_calls"] = calls
    if identity:  # who planned and who scanned: the client, each worker's principal, the roles assumed
        scan["identity"] = identity
    if notes:
        scan["notes"] = notes
    try:
        started = dt.datetime.fromisoformat(str(plan.get("started_at")))
        scan["duration_seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 3)
    except ValueError:
        pass
    scan["queue"] = {"units": len(plan["units"]), "parts": len(parts)}
    return doc


def finalize_in_worker(store: Any, scan_id: str, plan: dict[str, Any]) -> None:
    """``--no-wait``: evaluate with the selection the client sent and save the scan (no report files:
    the results are in the store, for ``history``, ``diff`` and the next scan's ``--new-only``)."""
    from aiposture import pipeline
    from aiposture.engine import load_config

    parts = store.parts(scan_id)
    doc = assemble(plan, parts, scan_id)
    sel = plan.get("evaluation") or {}
    opts = pipeline.Options(rule_ids=list(sel.get("rule_ids") or []), skip_rules=list(sel.get("skip_rules") or []),
                            severities=list(sel.get("severities") or []), threats=list(sel.get("threats") or []),
                            frameworks=list(sel.get("frameworks") or []), providers=[plan["provider"]], quiet=True)
    with tempfile.TemporaryDirectory(prefix="aiposture-finalize-") as tmp:
        config_path = None
        if sel.get("config_text") is not None:  # the client's configuration (waivers, selection), as it read it
            config_path = Path(tmp) / ".aiposture.yaml"
            config_path.write_text(sel["config_text"], encoding="utf-8")
        config = load_config(config_path)
        report = pipeline.evaluate(doc, opts, config)
    store.save(report, command=plan.get("command") or [], scope_label=plan.get("scope_label"), scan_id=scan_id)

