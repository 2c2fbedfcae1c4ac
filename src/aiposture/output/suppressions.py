"""Every suppression, applied or not, as the lines of a summary (table, logs).

A pull request may add ``# aiposture:ignore`` comments and a config may waive
findings; neither may do it unnoticed. The table ends with one line per
suppression that touched a failing result: its status, rule, resource, where
it came from and its author's text. JSON carries the same list
(``suppressions``) and SARIF the same fields on each result.
"""

from __future__ import annotations

from aiposture.engine.model import Result
from aiposture.engine.waivers import suppressions
from aiposture.textsafe import clean

LABEL = {"applied": "SUPPRESSED", "expired": "WAIVER EXPIRED", "refused": "SUPPRESSION REFUSED",
         "not-allowed": "SUPPRESSION NOT APPLIED"}


def suppression_lines(results: list[Result]) -> list[str]:
    """One inert line per suppression (controls escaped: the text comes from scanned files)."""
    entries = suppressions(results)
    out = []
    for s in entries:
        label = LABEL.get(s.get("status", ""), "SUPPRESSION")
        origin = s.get("origin") or s.get("source", "")
        who = f" by {s['owner']}" if s.get("owner") and s.get("owner") != "inline" else ""
        detail = f" ({s['detail']})" if s.get("detail") else ""
        out.append(clean(f"{label} {s['rule_id']} on {s.get('resource', '')} from {origin}{who}: "
                         f"\"{s.get('reason', '')}\"{detail}"))
    if out:
        applied = sum(1 for s in entries if s.get("status") == "applied")
        out.insert(0, f"Suppressions: {applied} applied, {len(out) - applied} not applied")
    return out
