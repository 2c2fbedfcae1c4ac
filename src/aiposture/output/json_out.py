"""JSON: findings, rule metadata and the inventory (``schemas/findings.schema.json``).

Written as a stream: one finding (and one inventory resource) per line, each
serialised by the C encoder as it is produced. An ``indent=2`` dump of the
whole document first built every finding as a dict, then ran the pure-Python
indenting encoder over all of them (peak memory about four times the output's
size at 20,000 resources); the stream keeps one finding in memory at a time
and still reads well in a diff or with ``grep``.

Strict JSON for strict parsers: no ``NaN``/``Infinity`` (the encoder refuses them) and
valid UTF-8 (the file or stdout stream the pipeline gives, :mod:`aiposture.safeio`,
writes a lone surrogate as U+FFFD). Every suppression is listed in ``suppressions``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from aiposture.engine.model import Result
from aiposture.output import Report


def _rules(report: Report) -> list[dict[str, Any]]:
    used = {r.rule.id for r in report.results}
    return [
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
    ]


def _head(report: Report) -> list[tuple[str, Any]]:
    from aiposture.engine.evaluator import summarize

    return [
        ("schema_version", "1.0"),
        ("tool", {"name": "aiposture", "version": report.tool_version}),
        ("scan", report.inventory.get("scan", {})),
        ("summary", summarize(report.results)),
        ("rules", _rules(report)),
    ]


def _suppressions(report: Report) -> list[dict[str, Any]]:
    """Every suppression that touched a failing result, applied or not (see engine/waivers.py)."""
    from aiposture.engine.waivers import suppressions

    return suppressions(report.results)


def build(report: Report, *, include_inventory: bool = True) -> dict:
    """The whole document as one dict (for callers that want the object, not the text)."""
    doc = dict(_head(report))
    doc["results"] = [r.to_dict() for r in report.results]
    doc["suppressions"] = _suppressions(report)
    doc["scan_errors"] = report.scan_errors
    doc["rule_problems"] = report.rule_problems
    if include_inventory:
        doc["inventory"] = report.inventory
    return doc


# one encoder, not one per call; allow_nan=False: NaN/Infinity are not JSON and strict parsers reject them
# (inventories are checked and sanitised before this, see inventory.py: a non-finite number here is a bug)
_dump = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_string = json.encoder.encode_basestring  # a str as JSON text (the C function; what _dump does for a str)


def write_array(fh: TextIO, items: Iterable[Any], indent: str, *, encoded: bool = False) -> None:
    """``[`` one item per line ``]``, streamed (``encoded``: the items are JSON text already)."""
    fh.write("[")
    first, batch = True, []
    for item in items:
        batch.append(item if encoded else _dump(item))
        if len(batch) == 512:  # one write per batch of lines
            fh.write(("\n" if first else ",\n") + indent + "  " + (",\n" + indent + "  ").join(batch))
            first, batch = False, []
    if batch:
        fh.write(("\n" if first else ",\n") + indent + "  " + (",\n" + indent + "  ").join(batch))
        first = False
    fh.write("]" if first else "\n" + indent + "]")


def result_lines(results: Iterable[Result]) -> Iterator[str]:
    """Each result as the JSON text of ``Result.to_dict()``, built from pieces encoded once per
    rule and once per resource (a resource has a result per rule of its kind)."""
    from aiposture.engine.model import fingerprint

    rules: dict[int, str] = {}
    resources: dict[int, tuple[str, str]] = {}
    for r in results:
        rule = r.rule
        rule_part = rules.get(id(rule))
        if rule_part is None:
            rule_part = rules[id(rule)] = _dump(rule.id)
        res = r.resource
        res_part = resources.get(id(res))
        if res_part is None:
            src = res.get("source") or {}
            res_part = resources[id(res)] = (_dump(res["id"]), (
                f', "provider": {_dump(res["provider"])}, "kind": {_dump(res["kind"])}, '
                f'"native_type": {_dump(res.get("native_type", ""))}, "account": {_dump(res.get("account", ""))}, '
                f'"region": {_dump(res.get("region", ""))}, "resource_name": {_dump(res.get("name", ""))}, '
                f'"source": {_dump({k: v for k, v in src.items() if v is not None})}'))
        waiver = "null" if r.waiver is None else _dump(r.waiver)
        yield (f'{{"rule_id": {rule_part}, "resource_id": {res_part[0]}, "status": "{r.status._value_}", '
               f'"severity": "{rule.severity}", "message": {_string(r.message)}{res_part[1]}, '
               f'"waiver": {waiver}, "fingerprint": "{fingerprint(rule.id, res["id"])}"}}')


def write_inventory(fh: TextIO, inventory: dict[str, Any], indent: str = "") -> None:
    """The inventory document, one resource and one error per line."""
    fh.write("{")
    keys = [k for k in inventory if k not in ("resources", "errors")]
    sep = "\n"
    for k in keys:
        fh.write(f"{sep}{indent}  {_dump(k)}: {_dump(inventory[k])}")
        sep = ",\n"
    for k in ("resources", "errors"):
        fh.write(f"{sep}{indent}  {_dump(k)}: ")
        write_array(fh, inventory.get(k, []), indent + "  ")
        sep = ",\n"
    fh.write("\n" + indent + "}")


def write(report: Report, fh: TextIO, *, include_inventory: bool = True) -> None:
    """Stream the JSON document to ``fh``."""
    fh.write("{\n")
    fh.writelines(f"  {_dump(k)}: {_dump(v)},\n" for k, v in _head(report))
    fh.write('  "results": ')
    write_array(fh, result_lines(report.results), "  ", encoded=True)
    fh.write(',\n  "suppressions": ')
    write_array(fh, _suppressions(report), "  ")
    fh.write(',\n  "scan_errors": ')
    write_array(fh, report.scan_errors, "  ")
    fh.write(',\n  "rule_problems": ')
    write_array(fh, report.rule_problems, "  ")
    if include_inventory:
        fh.write(',\n  "inventory": ')
        write_inventory(fh, report.inventory, "  ")
    fh.write("\n}\n")


def render(report: Report) -> str:
    buf = io.StringIO()
    write(report, buf)
    return buf.getvalue()
