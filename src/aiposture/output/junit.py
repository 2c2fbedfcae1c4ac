"""JUnit XML: one test suite per rule, one test case per resource.

fail -> <failure>, error -> <error>, waived -> <skipped> with the waiver, pass -> plain case.
ElementTree escapes all text and attributes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from aiposture.engine.model import Status
from aiposture.output import Report

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. Anything else
# (C0 controls, lone surrogates, U+FFFE, U+FFFF) cannot appear even escaped: it is shown as text instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(s: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="aiposture")
    grouped = defaultdict(list)
    for r in report.results:
        grouped[r.rule.id].append(r)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_id in sorted(grouped):
        rows = grouped[rule_id]
        rule = rows[0].rule
        counts = {
            "tests": len(rows),
            "failures": sum(r.status is Status.FAIL for r in rows),
            "errors": sum(r.status is Status.ERROR for r in rows),
            "skipped": sum(r.status is Status.WAIVED for r in rows),
        }
        for k, v in counts.items():
            totals[k] += v
        suite = ET.SubElement(suites, "testsuite", {"name": _clean(f"{rule.id} {rule.title}"),
                                                    **{k: str(v) for k, v in counts.items()}})
        for r in rows:
            res = r.resource
            src = res.get("source") or {}
            case = ET.SubElement(suite, "testcase", classname=_clean(f"{res['provider']}.{res['kind']}"),
                                 name=_clean(res["id"]))
            if src.get("file"):
                case.set("file", _clean(src["file"]))
                case.set("line", str(src.get("line") or 1))
            text = _clean(f"[{rule.severity}] {r.message}")
            if r.status is Status.FAIL:
                ET.SubElement(case, "failure", message=text, type=rule.severity).text = _clean(rule.remediation.get(res["provider"], rule.remediation.get("terraform", "")))
            elif r.status is Status.ERROR:
                ET.SubElement(case, "error", message=text, type="not-checked")
            elif r.status is Status.WAIVED:
                ET.SubElement(case, "skipped", message=text)
    for k, v in totals.items():
        suites.set(k, str(v))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
