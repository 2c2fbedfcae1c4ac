"""JSON: findings, rule metadata and the inventory (``schemas/findings.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from aiposture.engine.evaluator import summarize
from aiposture.engine.waivers import suppressions
from aiposture.output import Report


def build(report: Report, *, include_inventory: bool = True) -> dict:
    used = {r.rule.id for r in report.results}
    doc = {
        "schema_version": "1.0",
        "tool": {"name": "aiposture", "version": report.tool_version},
        "scan": report.inventory.get("scan", {}),
        "summary": summarize(report.results),
        "rules": [
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity,
                "kind": r.kind,
                "version": r.version,
                "digest": r.digest,
                "threats": r.threats,
                "controls": r.controls,
            }
            for r in report.rules
            if r.id in used or not report.results
        ],
        "results": [r.to_dict() for r in report.results],
        # every suppression that touched a failing result, applied or not (see engine/waivers.py)
        "suppressions": suppressions(report.results),
        "scan_errors": report.scan_errors,
        "rule_problems": report.rule_problems,
    }
    if include_inventory:
        doc["inventory"] = report.inventory
    return doc


def render(report: Report) -> str:
    # allow_nan=False: NaN/Infinity are not JSON; strict parsers reject them (inputs are checked, see inventory)
    return json.dumps(build(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def chunks(report: Report) -> Iterator[str]:
    """:func:`render` piece by piece, for a file: a large report is never held twice in memory."""
    yield from json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False).iterencode(build(report))
    yield "\n"
