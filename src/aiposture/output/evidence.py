"""Audit evidence pack: one zip an auditor can file and verify later.

Contents::

    manifest.json        tool version, scan id and times, generated_at, SHA-256 of every other file
    inventory.json       the inventory snapshot the results were computed from
    results.json         findings (the JSON report, without the inventory copy)
    results.sarif        the same findings as SARIF 2.1.0
    controls.json        per framework control: the rules mapped to it and their pass/fail/error/waived counts
    rules/<ID>.json      each rule as evaluated (condition, version, digest, mappings)

The manifest's hashes let anyone check that nothing in the pack was edited
after it was produced (``aiposture evidence verify`` is not needed: ``sha256sum``
against the manifest is enough).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiposture.catalog import catalog
from aiposture.inventory import dumps, now_iso
from aiposture.output import Report


def controls(report: Report) -> dict[str, Any]:
    """framework -> control -> {title, rules, pass, fail, error, waived}."""
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    cat = catalog()
    for rule in report.rules:
        for fw, ids in (rule.controls or {}).items():
            for cid in ids:
                entry = out[fw].setdefault(cid, {"title": (cat.get(fw) or {}).get(cid, "") if isinstance(cat.get(fw), dict) else "",
                                                 "rules": [], "pass": 0, "fail": 0, "error": 0, "waived": 0})
                if rule.id not in entry["rules"]:
                    entry["rules"].append(rule.id)
    for r in report.results:
        for fw, ids in (r.rule.controls or {}).items():
            for cid in ids:
                out[fw][cid][r.status.value] += 1
    return {fw: dict(sorted(c.items())) for fw, c in sorted(out.items())}


def build(report: Report) -> bytes:
    from aiposture.output import json_out, sarif

    files: dict[str, bytes] = {
        "inventory.json": dumps(report.inventory).encode(),
        "results.json": (json.dumps(json_out.build(report, include_inventory=False), indent=2, ensure_ascii=False) + "\n").encode(),
        "results.sarif": sarif.render(report).encode(),
        "controls.json": (json.dumps(controls(report), indent=2) + "\n").encode(),
    }
    for rule in report.rules:
        files[f"rules/{rule.id}.json"] = (json.dumps(rule.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    scan = report.inventory.get("scan", {})
    manifest = {
        "tool": {"name": "aiposture", "version": report.tool_version},
        "scan": {k: scan.get(k) for k in ("id", "started_at", "finished_at", "sources") if k in scan},
        "generated_at": now_iso(),
        "rules": {r.id: {"version": r.version, "digest": r.digest} for r in report.rules},
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in sorted(files.items())},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        for name, data in sorted(files.items()):
            z.writestr(name, data)
    return buf.getvalue()


def write(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build(report))
