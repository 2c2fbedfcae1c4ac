"""Text views of stored history: ``history`` rows and ``diff`` as Markdown or JSON.

Names and messages come from clouds and repositories: Markdown output escapes
them (no links, HTML or emphasis can be forged) and shows control, bidi and line-separator
characters as visible escapes (:func:`aiposture.textsafe.clean`, as every other output).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiposture.store.db import ScanInfo
from aiposture.store.diff import FindingChange, ScanDiff
from aiposture.textsafe import clean

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
MAX_ROWS = 200


def md(value: Any) -> str:
    """Untrusted text as literal Markdown on one line."""
    return _MD_SPECIAL.sub(r"\\\1", clean(value))


def code(text: str) -> str:
    """Untrusted text inside a code span: no escaping applies there, so backticks are replaced."""
    return "`" + clean(text).replace("`", "'") + "`"


def _val(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, sort_keys=True) if not isinstance(v, str) else v
    if len(text) > 120:
        text = text[:117] + "..."
    return code(text)


def scan_line(s: ScanInfo) -> str:
    return f"{s.id[:12]} {s.started_at.strftime('%Y-%m-%d %H:%M')} {s.provider}"


def diff_json(d: ScanDiff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False, default=str, allow_nan=False) + "\n"


def diff_markdown(d: ScanDiff) -> str:
    c = d.counts()
    out = [
        "# aiposture drift",
        "",
        (f"From scan `{d.old.id[:12]}` ({d.old.started_at:%Y-%m-%d %H:%M} UTC) to scan `{d.new.id[:12]}` "
        f"({d.new.started_at:%Y-%m-%d %H:%M} UTC), scope: {md(d.new.scope_label)}"),
        "",
        "| | count |",
        "|---|---:|",
        f"| new failing findings | {c['new']} |",
        f"| fixed (fail -> pass) | {c['fixed']} |",
        f"| still failing | {c['still_failing']} |",
        f"| other status changes | {c['changed']} |",
        f"| resources added | {c['resources_added']} |",
        f"| resources removed | {c['resources_removed']} |",
        f"| resources with changed attributes | {c['resources_changed']} |",
        "",
    ]

    def findings(title: str, rows: list[FindingChange], transition: bool = False) -> None:
        if not rows:
            return
        out.extend([f"## {title}", "", "| severity | rule | resource | " + ("change |" if transition else "message |"),
                    "|---|---|---|---|"])
        for f in rows[:MAX_ROWS]:
            last = f"{f.old_status or 'absent'} -> {f.new_status or 'absent'}" if transition else md(f.message)
            out.append(f"| {f.severity} | {f.rule_id} | {md(f.resource_id)} | {last} |")
        if len(rows) > MAX_ROWS:
            out.append(f"| | | ... and {len(rows) - MAX_ROWS} more (see the JSON output) | |")
        out.append("")

    findings("New failing findings", d.new_findings)
    findings("Fixed", d.fixed, transition=True)
    findings("Other status changes", d.changed, transition=True)
    if d.resources_changed:
        out.extend(["## Attribute changes", ""])
        for rc in d.resources_changed[:MAX_ROWS]:
            out.append(f"- **{md(rc.name or rc.resource_id)}** ({rc.provider} {md(rc.kind)}, {md(rc.resource_id)})")
            for ch in rc.changes:
                before = "absent" if ch.absent_before else _val(ch.old)
                after = "absent" if ch.absent_after else _val(ch.new)
                out.append(f"  - {code(ch.path)}: {before} -> {after}")
            if rc.truncated:
                out.append("  - ... more changes (see the JSON output)")
        out.append("")
    for title, rows in (("Resources added", d.resources_added), ("Resources removed", d.resources_removed)):
        if rows:
            out.extend([f"## {title}", ""])
            out.extend(f"- {r.provider} {md(r.kind)} {md(r.name)} ({md(r.resource_id)})" for r in rows[:MAX_ROWS])
            if len(rows) > MAX_ROWS:
                out.append(f"- ... and {len(rows) - MAX_ROWS} more")
            out.append("")
    findings("Still failing", d.still_failing)
    return "\n".join(out).rstrip() + "\n"
