"""The compliance view (``--compliance FRAMEWORK``) as a terminal table, JSON or CSV.

Per control: status, why, the rules behind it and the failing resources. Resource names come from
clouds and repositories (and rule ids and titles may come from a --rules-dir in the scanned tree): the
table gets every string through :func:`aiposture.textsafe.clean` as ``rich.text.Text`` (never markup, no
control character reaches the terminal), the CSV through the same formula neutraliser as the findings CSV,
the JSON as strict JSON.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from aiposture.compliance import LABELS, STATUSES, FrameworkView, views
from aiposture.output import Report
from aiposture.textsafe import clean

STYLE = {"fail": "red", "not_checked": "magenta", "pass": "green", "not_covered": "dim"}
CSV_COLUMNS = ["framework", "control", "title", "family", "status", "reason", "rules", "rules_not_selected",
               "pass", "fail", "error", "waived", "failing_resources", "failing_resource_ids"]


def build(report: Report, frameworks: list[str]) -> dict[str, Any]:
    return {"schema_version": "1.0", "tool": {"name": "aiposture", "version": report.tool_version},
            "scan": {k: v for k, v in report.inventory.get("scan", {}).items() if k in ("id", "started_at", "finished_at", "sources")},
            "frameworks": [v.to_dict() for v in views(report, frameworks)]}


def render_json(report: Report, frameworks: list[str]) -> str:
    return json.dumps(build(report, frameworks), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_csv(report: Report, frameworks: list[str]) -> str:
    from aiposture.output.csv_out import _safe

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for view in views(report, frameworks):
        for c in view.controls:
            failing = c.failing_ids()
            w.writerow(_safe(x) for x in [
                view.catalogue.slug, c.id, c.title, c.family, LABELS[c.status], c.reason, " ".join(c.rules),
                " ".join(c.other_rules), c.counts.get("pass", 0), c.counts.get("fail", 0), c.counts.get("error", 0),
                c.counts.get("waived", 0), len(failing), " ".join(failing)])
    return buf.getvalue()


def print_views(report: Report, console: Any, frameworks: list[str], *, show_all: bool = False) -> None:
    """Covered controls as a table; controls no rule covers as one line of ids (``show_all`` lists them too)."""
    from rich.table import Table
    from rich.text import Text

    def text(value: object, style: str = "") -> Text:
        return Text(clean(value), style=style)

    for view in views(report, frameworks):
        cat = view.catalogue
        t = Table(title=text(f"{cat.title} ({cat.version})", "bold"), title_justify="left")
        for col in ("Status", "Control", "Title", "Rules", "Failing resources"):
            t.add_column(col)
        uncovered = []
        for c in view.controls:
            if c.status == "not_covered" and not show_all:
                uncovered.append(c.id)
                continue
            n = c.failing_count()
            names = ", ".join(f["name"] or f["resource_id"] for f in c.failing_resources(limit=3))
            more = f" and {n - 3} more" if n > 3 else ""
            t.add_row(text(LABELS[c.status].upper(), STYLE[c.status]), text(c.id), text(c.title),
                      text(" ".join(c.rules) or " ".join(c.other_rules)),
                      text(f"{n}: {names}{more}" if n else (c.reason if c.status != "pass" else "")))
        console.print(t)
        if uncovered:
            console.print(text(f"Not covered by any rule ({len(uncovered)}): {', '.join(uncovered)}", "dim"), soft_wrap=True)
        console.print(text(_summary_line(view)), soft_wrap=True)
        for cloud, counts in view.by_cloud.items():
            console.print(text(f"  {cloud}: " + ", ".join(f"{counts[s]} {LABELS[s]}" for s in STATUSES)), soft_wrap=True)
        console.print()


def _summary_line(view: FrameworkView) -> str:
    s = view.summary
    return f"{view.catalogue.title}: {s['controls']} controls: " + ", ".join(f"{s[k]} {LABELS[k]}" for k in STATUSES)


def render_table(report: Report, frameworks: list[str]) -> str:
    from rich.console import Console

    buf = io.StringIO()
    print_views(report, Console(file=buf, width=160, no_color=True, force_terminal=False), frameworks)
    return buf.getvalue()
