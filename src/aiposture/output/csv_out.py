"""CSV: one row per result, for spreadsheets and SIEM imports.

Resource names and messages are attacker-controlled (CSV injection, see OWASP's
"CSV Injection" guidance). A spreadsheet runs a cell as a formula when it starts
with ``=``, ``+``, ``-``, ``@``, tab or carriage return; and an importer told to
split on ``;``, ``|`` or tab (or one that ignores quotes) turns ``x;=1+2`` into a
cell ``=1+2``. So every cell is quoted, and a quote character is put before each
trigger that starts the cell *or* follows a separator or quote character
(optionally after spaces): ``x;=1+2`` is written ``x;'=1+2``.
"""

from __future__ import annotations

import csv
import io
import re

from aiposture.output import Report

COLUMNS = ["status", "severity", "rule_id", "rule_title", "provider", "account", "region", "kind",
           "native_type", "resource_id", "resource_name", "file", "line", "message", "threats", "owasp_llm_2025"]


# a formula trigger at the start of the cell, or at the start of anything an importer could split off
_TRIGGER = re.compile(r"(^|[,;|\t\r\n\"'])([ \u00a0]*)(?=[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def _safe(v: object) -> str:
    s = "" if v is None else str(v)
    return _TRIGGER.sub(r"\1\2'", s)


def render(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
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
