"""CSV: one row per result, for spreadsheets and SIEM imports.

Cells that a spreadsheet would run as a formula (=, +, -, @ ...) are prefixed
with a quote: resource names are attacker-controlled (CSV injection).
"""

from __future__ import annotations

import csv
import io

from aiposture.output import Report

COLUMNS = ["status", "severity", "rule_id", "rule_title", "provider", "account", "region", "kind",
           "native_type", "resource_id", "resource_name", "file", "line", "message", "threats", "owasp_llm_2025"]


def _safe(v: object) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def render(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in report.results:
        res = r.resource
        src = res.get("source") or {}
        w.writerow(_safe(x) for x in [
            r.status.value, r.rule.severity, r.rule.id, r.rule.title, res["provider"], res.get("account", ""),
            res.get("region", ""), res["kind"], res.get("native_type", ""), res["id"], res.get("name", ""),
            src.get("file", ""), src.get("line", ""), r.message, " ".join(r.rule.threats),
            " ".join(r.rule.controls.get("owasp_llm_2025", [])),
        ])
    return buf.getvalue()
