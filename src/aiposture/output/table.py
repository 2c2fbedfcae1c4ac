"""Terminal report (rich): failures grouped by severity, then a summary by ISO 27090 threat."""

from __future__ import annotations

import io
from collections import defaultdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aiposture.catalog import threat_title
from aiposture.engine.evaluator import summarize
from aiposture.engine.model import SEVERITIES, Status
from aiposture.output import Report
from aiposture.output.suppressions import suppression_lines
from aiposture.textsafe import clean

SEV_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}
STATUS_STYLE = {"fail": "red", "error": "magenta", "waived": "dim", "pass": "green"}


def print_report(report: Report, console: Console, *, show_passed: bool = False) -> None:
    """Write the report to ``console``. All cloud/repo strings go in as ``Text`` (no markup)."""
    shown = [r for r in report.results if r.status is not Status.PASS or show_passed]
    by_sev = defaultdict(list)
    for r in shown:
        by_sev[r.rule.severity].append(r)
    for sev in SEVERITIES:
        rows = by_sev.get(sev)
        if not rows:
            continue
        t = Table(title=Text(f"{sev.upper()} ({len(rows)})", style=SEV_STYLE[sev]), title_justify="left",
                  show_lines=False, expand=False)
        t.add_column("Status", no_wrap=True)
        t.add_column("Rule", no_wrap=True)
        t.add_column("Provider", no_wrap=True)
        t.add_column("Resource")
        t.add_column("Where")
        t.add_column("Finding")
        for r in rows:
            res = r.resource
            src = res.get("source") or {}
            where = f"{src['file']}:{src.get('line') or 1}" if src.get("file") else " ".join(
                x for x in (res.get("account"), res.get("region")) if x
            )
            t.add_row(
                Text(r.status.value.upper(), style=STATUS_STYLE[r.status.value]),
                Text(clean(r.rule.id)),
                Text(clean(res["provider"])),
                Text(clean(res.get("name") or res["id"])),
                Text(clean(where)),
                Text(clean(r.message)),
            )
        console.print(t)

    summary = summarize(report.results)
    th = Table(title="By ISO/IEC 27090 threat", title_justify="left")
    th.add_column("Threat")
    for s in ("fail", "error", "waived", "pass"):
        th.add_column(s, justify="right", style=STATUS_STYLE[s])
    for threat, counts in summary["by_threat"].items():
        th.add_row(Text(threat_title(threat)), *(str(counts.get(s, 0)) for s in ("fail", "error", "waived", "pass")))
    if summary["by_threat"]:
        console.print(th)

    for err in report.scan_errors:
        scope = " ".join(f"{k}={v}" for k, v in (err.get("scope") or {}).items())
        console.print(Text(clean(f"NOT CHECKED {err.get('provider')} {scope}: {err.get('code', '')}: {err.get('message', '')}"),
                           style="magenta"), soft_wrap=True)
    for p in report.rule_problems:
        console.print(Text(clean(f"RULE NOT LOADED {p}"), style="magenta"), soft_wrap=True)
    for sup in suppression_lines(report.results):
        console.print(Text(sup, style="dim"), soft_wrap=True)

    resources = len(report.inventory.get("resources", []))
    line = Text()
    line.append(f"{resources} resources, {len(report.rules)} rules: ")
    line.append(f"{summary['fail']} failed", style="red" if summary["fail"] else "green")
    line.append(", ")
    line.append(f"{summary['error']} not checked", style="magenta" if summary["error"] else "")
    line.append(f", {summary['waived']} waived, {summary['pass']} passed")
    sev = summary["by_severity"]
    if summary["fail"]:
        line.append(" (" + ", ".join(f"{sev[s]} {s}" for s in SEVERITIES if sev[s]) + ")")
    console.print(line, soft_wrap=True)


def render(report: Report) -> str:
    buf = io.StringIO()
    print_report(report, Console(file=buf, width=160, no_color=True, force_terminal=False))
    return buf.getvalue()
