"""Markdown summary for a CI job page (``$GITHUB_STEP_SUMMARY``), a PR comment or a wiki.

Short by design: the counts that decide the gate, the top failing findings by severity,
and what could not be checked. Names, ids and messages come from clouds and repositories:
every one is made terminal-safe (control characters shown as escapes) and then
Markdown-escaped, so a resource called ``x](https://evil) <img onerror=...>`` renders as
that literal text: no link, no HTML, no table cell broken by a ``|``.
"""

from __future__ import annotations

from aiposture.engine.model import SEVERITIES, Status
from aiposture.output import Report
from aiposture.output.sarif import escape_md
from aiposture.output.table import Summary, scope_label, terminal_safe, where

TOP_FINDINGS = 20


def cell(text: object) -> str:
    """Untrusted text for one Markdown table cell or list item, rendered literally."""
    return escape_md(terminal_safe(text).replace("&", "&amp;"))


def render(report: Report, *, top: int = TOP_FINDINGS) -> str:
    s = Summary(report)
    st = s.by_status
    fail, error = st.get("fail", 0), st.get("error", 0)
    verdict = "failing findings" if fail else "nothing could be checked" if error and not st.get("pass") else (
        "some checks could not run" if error else "no failing findings")
    out = [f"## aiposture: {verdict}", ""]
    sev = ", ".join(f"{s.fail_by_sev[x]} {x}" for x in SEVERITIES if s.fail_by_sev[x])
    out += [
        "| | |",
        "|---|---|",
        f"| Resources checked | {len(report.inventory.get('resources', []))} |",
        f"| Rules selected (applied) | {len(report.rules)} ({s.applied_rules}) |",
        f"| Failing results | **{fail}**" + (f" from {s.failing_rules} rules ({sev})" if fail else "") + " |",
        f"| Not checked (error) | {error}" + (f" from {s.error_rules} rules" if error else "") + " |",
        f"| Waived | {st.get('waived', 0)} |",
        f"| Passed | {st.get('pass', 0)} |",
        "",
    ]
    failing = [r for r in report.results if r.status is Status.FAIL]
    if failing:
        failing.sort(key=lambda r: -r.rule.severity_rank)  # stable: the engine's order within a severity
        shown = failing[:top]
        out += [f"### Top failing findings ({len(shown)} of {len(failing)})", "",
                "| Severity | Rule | Resource | Where | Finding |", "|---|---|---|---|---|"]
        for r in shown:
            res = r.resource
            out.append(f"| {r.rule.severity} | {cell(r.rule.id)} | {cell(res.get('name') or res.get('id', ''))} | "
                       f"{cell(res.get('provider', ''))} {cell(where(res))} | {cell(r.message)} |")
        out.append("")
    per_resource = [r for r in report.results if r.status is Status.ERROR and r.resource.get("native_type") != "scope"]
    if per_resource or report.scan_errors or report.rule_problems:
        out += ["### Not checked", ""]
        for err in report.scan_errors:
            rid, scope = scope_label(err)
            n = len(s.scope_rules.get(rid, ()))
            out.append(f"- {cell(err.get('provider', ''))} {cell(scope)}: {cell(err.get('code', ''))}: "
                       f"{cell(err.get('message', ''))}" + (f" ({n} rules affected)" if n else ""))
        for r in per_resource[:top]:
            out.append(f"- {cell(r.rule.id)} on {cell(r.resource.get('name') or r.resource_id)}: {cell(r.message)}")
        if len(per_resource) > top:
            out.append(f"- ... and {len(per_resource) - top} more (see the reports)")
        for p in report.rule_problems:
            out.append(f"- rule not loaded: {cell(p)}")
        out.append("")
    return "\n".join(out)
