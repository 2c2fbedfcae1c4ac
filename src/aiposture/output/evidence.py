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

import functools
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TextIO

from aiposture.catalog import catalog
from aiposture.inventory import now_iso
from aiposture.output import Report
from aiposture.safeio import SCRUB


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


class _Hashing(io.RawIOBase):
    """A write-only stream into a zip member that hashes and counts what passes through."""

    def __init__(self, dest: IO[bytes]):
        self.dest, self.sha, self.size = dest, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.sha.update(data)
        self.size += len(data)
        self.dest.write(data)
        return len(data)


def _member(z: zipfile.ZipFile, name: str, fill: Callable[[TextIO], object], digests: dict[str, dict[str, Any]]) -> None:
    """Write one member by streaming text into it; record its SHA-256 and size."""
    with z.open(name, "w", force_zip64=True) as raw:
        hashing = _Hashing(raw)
        with io.TextIOWrapper(io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", errors=SCRUB, newline="") as text:
            fill(text)
        digests[name] = {"sha256": hashing.sha.hexdigest(), "bytes": hashing.size}


def _write_text(text: str, fh: TextIO) -> None:
    fh.write(text)


def _write_zip(report: Report, target: IO[bytes]) -> None:
    from aiposture.output import json_out, sarif

    digests: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        def inventory(fh: TextIO) -> None:
            json_out.write_inventory(fh, report.inventory)
            fh.write("\n")

        _member(z, "inventory.json", inventory, digests)
        _member(z, "results.json", lambda fh: json_out.write(report, fh, include_inventory=False), digests)
        _member(z, "results.sarif", lambda fh: sarif.write(report, fh), digests)
        _member(z, "controls.json", lambda fh: fh.write(json.dumps(controls(report), indent=2, allow_nan=False) + "\n"), digests)
        for rule in report.rules:
            _member(z, f"rules/{rule.id}.json", functools.partial(_write_text, json.dumps(rule.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"),
                    digests)
        scan = report.inventory.get("scan", {})
        manifest = {
            "tool": {"name": "aiposture", "version": report.tool_version},
            "scan": {k: scan.get(k) for k in ("id", "started_at", "finished_at", "sources") if k in scan},
            "generated_at": now_iso(),
            "rules": {r.id: {"version": r.version, "digest": r.digest} for r in report.rules},
            "files": dict(sorted(digests.items())),
        }
        z.writestr("manifest.json", json.dumps(manifest, indent=2, allow_nan=False) + "\n")  # last: it lists the others' hashes


def build(report: Report) -> bytes:
    """The pack in memory (tests, small reports); :func:`write` streams it to a file."""
    buf = io.BytesIO()
    _write_zip(report, buf)
    return buf.getvalue()


def write(report: Report, path: str | Path) -> None:
    """Stream the pack to ``path``: each member is compressed as it is produced, into a temporary
    file that replaces ``path`` at the end (:mod:`aiposture.safeio`: never through a planted link)."""
    from aiposture.safeio import open_for_write

    with open_for_write(path, "the evidence output", binary=True) as fh:
        _write_zip(report, fh)
