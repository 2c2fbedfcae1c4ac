"""Plain-text report: one line per finding for CI logs, aligned columns for a terminal.

Two layouts of the same content:

* **compact** (the default whenever the destination is not a terminal: CI logs,
  pre-commit, a file): one line per finding, nothing wrapped, so a log of 70
  findings is about 70 lines and every line greps on its own;
* **wide** (a terminal, or ``--no-compact``): findings grouped by severity in
  aligned columns, the finding text wrapped to the terminal width, with colour.

Both end with the same summary, which names things unambiguously: rules selected
versus rules that applied, results by status, failing *results* versus failing
*rules*, severities of failing results only (a result that could not be checked is
never counted as "critical"), and each scope that could not be read listed once
with the number of rules it affected.

Written by hand rather than with rich tables so that cost is linear in the
number of results (20,000 resources render in well under a second). Every string
from a cloud or a repository goes through :func:`terminal_safe` first.
"""

from __future__ import annotations

import io
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from aiposture.engine.model import SEVERITIES, Result, Rule, Status
from aiposture.output import Report
from aiposture.output.suppressions import suppression_lines
from aiposture.textsafe import clean

# every string from a cloud or a repository goes through the one terminal helper (textsafe.clean):
# controls, bidi overrides and line breaks become visible escapes
terminal_safe = clean


_SGR = {
    "fail": "31", "error": "35", "waived": "2", "pass": "32",
    "critical": "1;97;41", "high": "1;31", "medium": "33", "low": "36",
    "bold": "1", "dim": "2",
}


@dataclass(frozen=True)
class Layout:
    compact: bool = True
    color: bool = False
    width: int = 160


def choose_layout(stream: TextIO | None, compact: bool | None) -> Layout:
    """Compact unless ``stream`` is a terminal (or ``compact`` says otherwise); colour only on a terminal.

    ``NO_COLOR`` turns colour off; ``FORCE_COLOR`` turns it on for CI logs that render ANSI.
    """
    try:
        tty = bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    env = os.environ
    color = (tty or bool(env.get("FORCE_COLOR"))) and not env.get("NO_COLOR") and env.get("TERM") != "dumb"
    width = 160
    if tty:
        import shutil

        width = max(60, shutil.get_terminal_size((160, 24)).columns)
    elif env.get("COLUMNS", "").isdigit():
        width = max(60, int(env["COLUMNS"]))
    return Layout(compact=(not tty) if compact is None else compact, color=color, width=width)


class _Painter:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


def where(res: dict[str, Any]) -> str:
    src = res.get("source") or {}
    if src.get("file"):
        return f"{src['file']}:{src.get('line') or 1}"
    return "/".join(str(x) for x in (res.get("account"), res.get("region")) if x)


def _is_scope(r: Result) -> bool:
    """An error result standing for a whole scope that could not be read (see Engine._scope_errors)."""
    return r.resource.get("native_type") == "scope"


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap (textwrap's chunking regex costs too much per row); long words are cut."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


@dataclass
class _Row:
    status: str
    severity: str
    rule: str
    provider: str
    resource: str
    where: str
    message: str


def _rows(results: list[Result]) -> list[_Row]:
    """Rows for ``results``; what depends only on the resource is made safe once per resource."""
    per_resource: dict[int, tuple[str, str, str]] = {}
    out = []
    for r in results:
        res = r.resource
        cached = per_resource.get(id(res))
        if cached is None:
            cached = per_resource[id(res)] = (terminal_safe(res.get("provider", "")),
                                              terminal_safe(res.get("name") or res.get("id", "")),
                                              terminal_safe(where(res)))
        rule = r.rule
        out.append(_Row(_status_name(r.status), rule.severity, terminal_safe(rule.id), *cached, terminal_safe(r.message)))
    return out


def _status_name(status: Status) -> str:
    """Plain-str status by identity (cheaper than hashing or ``.value`` on an enum, per result)."""
    if status is Status.FAIL:
        return "fail"
    if status is Status.ERROR:
        return "error"
    return "waived" if status is Status.WAIVED else "pass"


def _compact_lines(rows: list[_Row], paint: _Painter) -> Iterable[str]:
    if not rows:
        return
    rule_w = max(len(r.rule) for r in rows)
    for r in rows:
        loc = f"{r.provider} {r.where}".strip()
        yield (f"{paint(r.status.upper().ljust(6), r.status)} {paint(r.severity.ljust(8), r.severity)} "
               f"{r.rule.ljust(rule_w)}  {loc}  {r.resource}: {r.message}")


_WIDE_HEADS = ("STATUS", "RULE", "CLOUD", "RESOURCE", "WHERE")


def _wide_widths(rows: list[_Row]) -> list[int]:
    """Column widths over a whole section, so the severity groups line up with each other."""
    return [
        6,
        max(len(_WIDE_HEADS[1]), *(len(r.rule) for r in rows)),
        max(len(_WIDE_HEADS[2]), *(len(r.provider) for r in rows)),
        min(32, max(len(_WIDE_HEADS[3]), *(len(r.resource) for r in rows))),
        min(32, max(len(_WIDE_HEADS[4]), *(len(r.where) for r in rows))),
    ]


def _wide_lines(rows: list[_Row], paint: _Painter, width: int, widths: list[int]) -> Iterable[str]:
    """Aligned columns; the finding wraps beside them, or below them when the terminal is narrow."""
    indent = sum(widths) + 2 * len(widths) + 2
    beside = width - indent >= 50
    msg_w, pad = (width - indent, " " * indent) if beside else (width - 6, " " * 6)
    yield ("  " + "  ".join(h.ljust(w) for h, w in zip(_WIDE_HEADS, widths, strict=True)) + ("  FINDING" if beside else "")).rstrip()
    for r in rows:
        cells = [r.status.upper(), r.rule, r.provider, _clip(r.resource, widths[3]), _clip(r.where, widths[4])]
        first = "  " + paint(cells[0].ljust(6), r.status) + "  " + "  ".join(
            c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        wrapped = _wrap(r.message, msg_w)
        if beside:
            yield first + "  " + wrapped[0]
            wrapped = wrapped[1:]
        else:
            yield first.rstrip()
        for more in wrapped:
            yield pad + more


_STATUS_INDEX = {"fail": 0, "error": 1, "waived": 2, "pass": 3}


class Summary:
    """Counts for the closing lines: one pass over the results, then per-rule arithmetic."""

    def __init__(self, report: Report):
        per_rule: dict[str, list[int]] = {}
        rules: dict[str, Rule] = {}
        applied: set[str] = set()
        # each unreadable scope once, with the rules it kept from being checked
        self.scope_rules: dict[str, set[str]] = defaultdict(set)
        for r in report.results:
            rule = r.rule
            counts = per_rule.get(rule.id)
            if counts is None:
                counts = per_rule[rule.id] = [0, 0, 0, 0]
                rules[rule.id] = rule
            status = _status_name(r.status)
            counts[_STATUS_INDEX[status]] += 1
            if r.resource.get("native_type") == "scope":
                if status == "error":
                    self.scope_rules[r.resource["id"]].add(rule.id)
            else:
                applied.add(rule.id)
        self.by_status: Counter[str] = Counter()
        self.fail_by_sev: Counter[str] = Counter()
        self.by_threat: dict[str, Counter[str]] = defaultdict(Counter)
        for rid, counts in per_rule.items():
            named = dict(zip(_STATUS_INDEX, counts, strict=True))
            self.by_status.update(named)
            self.fail_by_sev[rules[rid].severity] += counts[0]
            for t in rules[rid].threats:
                self.by_threat[t].update(named)
        self.failing_rules = sum(1 for c in per_rule.values() if c[0])
        self.error_rules = sum(1 for c in per_rule.values() if c[1])
        self.applied_rules = len(applied)


def scope_label(err: dict[str, Any]) -> tuple[str, str]:
    """(pseudo resource id as the engine builds it, readable scope) for an inventory error."""
    from aiposture.engine.evaluator import SCOPE_KEYS

    scope = err.get("scope") or {}
    label = "/".join(str(scope[k]) for k in SCOPE_KEYS if scope.get(k)) or "scope"
    return f"{err.get('provider')}:{label}", " ".join(f"{k}={v}" for k, v in scope.items())


def write_table(report: Report, out: TextIO, *, layout: Layout | None = None, show_passed: bool = False) -> None:
    """Write the report to ``out`` in the given layout (default: compact, no colour)."""
    layout = layout or Layout()
    paint = _Painter(layout.color)
    w = out.write
    summary = Summary(report)
    by_status: dict[str, list[Result]] = {"fail": [], "error": [], "waived": [], "pass": []}
    for r in report.results:
        status = _status_name(r.status)
        if status == "error" and _is_scope(r):
            continue  # shown once per scope below
        by_status[status].append(r)

    def section(title: str, results: list[Result], style: str) -> None:
        rows = _rows(results)
        if layout.compact:
            w(paint(title, style) + "\n")
            for line in _compact_lines(rows, paint):
                w(line + "\n")
            return
        by_sev: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            by_sev[row.severity].append(row)
        w("\n" + paint(title, style) + "\n")
        widths = _wide_widths(rows)
        for sev in SEVERITIES:
            if by_sev.get(sev):
                w(paint(f"{sev.upper()} ({len(by_sev[sev])})", sev) + "\n")
                for line in _wide_lines(by_sev[sev], paint, layout.width, widths):
                    w(line + "\n")

    if by_status["fail"]:
        section(f"Failing: {len(by_status['fail'])} results from {summary.failing_rules} rules", by_status["fail"], "fail")
    if by_status["error"]:
        section(f"Not checked: {len(by_status['error'])} results (a value could not be read or evaluated)",
                by_status["error"], "error")
    if by_status["waived"]:
        section(f"Waived: {len(by_status['waived'])} results", by_status["waived"], "waived")
    if show_passed and by_status["pass"]:
        section(f"Passed: {len(by_status['pass'])} results", by_status["pass"], "pass")

    scope_errors = report.scan_errors
    if scope_errors:
        w(("" if layout.compact else "\n") + paint(f"Scopes and files not checked: {len(scope_errors)}", "error") + "\n")
    for err in scope_errors:
        rid, scope = scope_label(err)
        affected = len(summary.scope_rules.get(rid, ()))
        tail = f" ({affected} rules affected)" if affected else ""
        w(terminal_safe(f"NOT CHECKED {err.get('provider')} {scope}: {err.get('code', '')}: {err.get('message', '')}")
          + tail + "\n")
    for p in report.rule_problems:
        w(paint("RULE NOT LOADED ", "error") + terminal_safe(p) + "\n")
    for line in suppression_lines(report.results):  # every suppression, applied or not, with its origin
        w(paint(line, "dim") + "\n")

    if summary.by_threat:
        w(("" if layout.compact else "\n") + "By ISO/IEC 27090 threat (results)\n")
        from aiposture.catalog import threat_title

        names = {t: terminal_safe(threat_title(t)) for t in summary.by_threat}
        tw = max(len(n) for n in names.values())
        cols = ("fail", "error", "waived", "pass")
        w("  " + "THREAT".ljust(tw) + "".join(c.upper().rjust(8) for c in cols) + "\n")
        for t in sorted(summary.by_threat):
            counts = summary.by_threat[t]
            w("  " + names[t].ljust(tw) + "".join(str(counts.get(c, 0)).rjust(8) for c in cols) + "\n")

    from aiposture.output.shared import shared_lines

    for line in shared_lines(report, blank_line=not layout.compact):
        w(terminal_safe(line) + "\n")

    for line in summary_lines(report, summary, paint):
        w(line + "\n")


def summary_lines(report: Report, summary: Summary | None = None, paint: _Painter | None = None) -> list[str]:
    """The closing summary: what was checked, results by status, failing results vs failing rules."""
    s = summary or Summary(report)
    paint = paint or _Painter(False)
    st = s.by_status
    resources = len(report.inventory.get("resources", []))
    total = sum(st.values())
    lines = [
        paint("Summary", "bold"),
        (f"  checked: {resources} resources with {len(report.rules)} rules selected "
         f"({s.applied_rules} applied to at least one resource)"),
        f"  results: {total} = " + ", ".join([
            paint(f"{st.get('fail', 0)} fail", "fail" if st.get("fail") else "pass"),
            paint(f"{st.get('error', 0)} error", "error" if st.get("error") else "dim"),
            f"{st.get('waived', 0)} waived", f"{st.get('pass', 0)} pass"]),
    ]
    if st.get("fail"):
        sev = ", ".join(f"{s.fail_by_sev[x]} {x}" for x in SEVERITIES if s.fail_by_sev[x])
        lines.append(f"  failing: {st['fail']} results from {s.failing_rules} of {len(report.rules)} rules ({sev})")
    else:
        lines.append("  failing: none")
    if st.get("error") or report.scan_errors or report.rule_problems:
        scope_results = sum(len(v) for v in s.scope_rules.values())
        parts = [f"{st.get('error', 0)} results from {s.error_rules} rules"]
        if report.scan_errors:
            parts.append(f"{len(report.scan_errors)} scope/file error{'s' if len(report.scan_errors) != 1 else ''}"
                         + (f" behind {scope_results} of those results" if scope_results else ""))
        if report.rule_problems:
            parts.append(f"{len(report.rule_problems)} rule files not loaded")
        lines.append("  " + paint("not checked:", "error") + " " + "; ".join(parts))
    return lines


def render(report: Report) -> str:
    """The compact layout as a string (``-f table -o FILE``, tests)."""
    buf = io.StringIO()
    write_table(report, buf)
    return buf.getvalue()
