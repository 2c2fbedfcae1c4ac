"""SARIF 2.1.0 for GitHub code scanning.

GitHub rejects an upload when a result has no physical location, when rule
ids or tags repeat, or past its size limits; it shows ``security-severity``
(a string) as the alert severity and tracks alerts by
``partialFingerprints``. So:

* IaC findings point at the ``.tf``/``.yaml``/``.json`` line that declares the resource;
* live findings point at the inventory file that was scanned, which is written
  one resource per line, so the location is real and precise;
* fingerprints are a hash of rule id + resource id: stable across runs even
  when lines move;
* waived findings are emitted with a SARIF suppression and its justification;
* resources that could not be checked become tool execution notifications,
  never silent passes.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from aiposture.catalog import catalog, threat_title
from aiposture.engine.model import Result, Rule, Status, fingerprint
from aiposture.inventory import resource_lines
from aiposture.output import Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
MAX_TAGS = 20
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape_text(s: str) -> str:
    """SARIF message text treats ``[text](n)`` as an embedded link: escape brackets
    so a resource name cannot forge links."""
    return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def escape_md(s: str) -> str:
    """Escape Markdown so untrusted text renders literally (no links, HTML or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", s)


def _rule_name(rule: Rule) -> str:
    words = re.findall(r"[A-Za-z0-9]+", rule.title)
    return "".join(w[:1].upper() + w[1:] for w in words)[:100] or rule.id


def _tags(rule: Rule) -> list[str]:
    tags = ["security", "ai", f"kind/{rule.kind}"]
    tags += [f"iso27090/{t}" for t in rule.threats]
    tags += [f"owasp-llm/{c}" for c in rule.controls.get("owasp_llm_2025", [])]
    tags += [f"mitre-atlas/{c}" for c in rule.controls.get("mitre_atlas", [])]
    tags += [f"iso27001/{c}" for c in rule.controls.get("iso27001", [])]
    tags += [f"iso42001/{c}" for c in rule.controls.get("iso42001", [])]
    tags += [f"eu-ai-act/{c}" for c in rule.controls.get("eu_ai_act", [])]
    out: list[str] = []
    for t in tags:  # unique, order kept, GitHub's limit of 20
        if t not in out:
            out.append(t)
    return out[:MAX_TAGS]


def _help_markdown(rule: Rule) -> str:
    cat = catalog()
    lines = [f"**{rule.title}**", "", rule.rationale, "", "**Remediation**", ""]
    names = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}
    for key in ("aws", "azure", "gcp"):
        if key in rule.remediation:
            lines.append(f"- {names[key]}: {rule.remediation[key]}")
    if "terraform" in rule.remediation:
        lines += ["", "Terraform:", "", "```hcl", rule.remediation["terraform"], "```"]
    threats = (cat.get("threat_framework") or {}).get("iso27090", {}).get("title", "ISO/IEC 27090 threats")
    lines += ["", f"**{threats}**: " + ", ".join(threat_title(t) for t in rule.threats), ""]
    lines += ["| Framework | Controls |", "|---|---|"]
    for fw, ids in rule.controls.items():
        title = cat["frameworks"].get(fw, {}).get("title", fw)
        lines.append(f"| {title} | {', '.join(ids)} |")
    lines += ["", f"Condition (CEL): `{rule.condition.strip()}`"]
    return "\n".join(lines)


def _help_text(rule: Rule) -> str:
    parts = [rule.rationale, "Remediation:"]
    parts += [f"{k}: {v}" for k, v in rule.remediation.items() if k != "terraform"]
    return "\n".join(parts)


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    from aiposture.catalog import rule_docs_url

    url = rule_docs_url(rule)
    return {
        **({"helpUri": url} if url else {}),
        "id": rule.id,
        "name": _rule_name(rule),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale[:1024]},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": _tags(rule),
            "precision": "high",
            "problem.severity": {"critical": "error", "high": "error", "medium": "warning", "low": "recommendation"}[rule.severity],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def uri_reference(path: str) -> str:
    """A relative POSIX path as an RFC 3986 URI reference (SARIF1002): every byte outside the
    unreserved set is percent-encoded (``%``, ``#``, ``?``, spaces, non-ASCII). Non-UTF-8 file
    names (surrogate-escaped by Python) keep their original bytes."""
    return quote(os.fsencode(path), safe="/")


def _uri(path: str | Path, base: Path) -> tuple[str, bool]:
    """Repo-relative URI reference when under ``base``; else an absolute file URI."""
    return _uri_of(str(path), str(base))


@functools.lru_cache(maxsize=4096)
def _uri_of(path: str, base: str) -> tuple[str, bool]:
    # resolving touches the file system: findings share a handful of files, so each is resolved once
    p = Path(path)
    if not p.is_absolute():
        return uri_reference(p.as_posix()), True
    try:
        return uri_reference(p.resolve().relative_to(Path(base).resolve()).as_posix()), True
    except ValueError:
        return p.resolve().as_uri(), False  # as_uri percent-encodes


class _Locator:
    """Finds a physical location for every result."""

    def __init__(self, report: Report, base: Path):
        self.base = base
        self.inventory_path = report.inventory_path
        self.lines: dict[str, int] = {}
        if report.inventory_lines is not None:
            self.lines = report.inventory_lines
        elif report.inventory_path and Path(report.inventory_path).is_file():
            try:
                with Path(report.inventory_path).open(encoding="utf-8", errors="replace") as fh:
                    self.lines = resource_lines(fh)
            except OSError:
                self.lines = {}

    def locate(self, result: Result) -> dict[str, Any]:
        res = result.resource
        src = res.get("source") or {}
        if src.get("file"):
            file, line = src["file"], src.get("line") or 1
        elif self.inventory_path is not None:
            file, line = str(self.inventory_path), self.lines.get(res["id"], 1)
        else:  # no file at all: the CLI always provides one; keep the upload valid regardless
            file, line = "aiposture-inventory.json", 1
        uri, relative = _uri(file, self.base)
        art: dict[str, Any] = {"uri": uri}
        if relative:
            art["uriBaseId"] = "%SRCROOT%"
        return {"physicalLocation": {"artifactLocation": art, "region": {"startLine": int(line)}}}


def _suppression(out: dict[str, Any], res: Result, loc: dict[str, Any]) -> None:
    """Every suppression is visible: an applied one as a SARIF suppression (with its author's text
    and where it came from), one that was not applied in the result's properties only, so that
    no consumer can mistake it for a dismissal."""
    w = res.waiver or {}
    where = {k: w.get(k, "") for k in ("source", "origin", "owner", "expires", "status", "detail") if w.get(k)}
    where["rule"] = w.get("rule", "")
    where["reason"] = w.get("reason", "")
    if res.status is Status.WAIVED:
        sup: dict[str, Any] = {
            "kind": "inSource" if w.get("source") == "inline" else "external",
            "status": "accepted",
            "justification": f"{w.get('reason', '')} (owner: {w.get('owner', '')}, expires: {w.get('expires', '')}, "
                             f"from: {w.get('origin', '') or w.get('source', '')})",
            "properties": where,
        }
        if w.get("source") == "inline":
            sup["location"] = {"physicalLocation": loc["physicalLocation"]}
        out["suppressions"] = [sup]
    else:
        out["properties"]["aiposture/suppression"] = where


def _category(report: Report) -> str:
    if report.category:
        return report.category.strip("/")
    origins = sorted({(r.get("source") or {}).get("origin", "live") for r in report.inventory.get("resources", [])})
    if origins and all(o not in ("live", "inventory") for o in origins):
        return "aiposture/iac"
    accounts = sorted({(r["provider"], r["account"]) for r in report.inventory.get("resources", [])})
    if len(accounts) == 1:
        return f"aiposture/{accounts[0][0]}-{accounts[0][1]}"
    providers = {p for p, _ in accounts}
    return f"aiposture/{providers.pop()}" if len(providers) == 1 else "aiposture/live"


def _not_checked(res: Result, index: dict[str, int]) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": escape_text(f"{res.rule.id} not checked on {res.resource_id}: {res.message}")},
        "associatedRule": {"id": res.rule.id, "index": index[res.rule.id]},
    }


def _location(locator: _Locator, res: Result) -> dict[str, Any]:
    loc = locator.locate(res)
    loc["logicalLocations"] = [{"fullyQualifiedName": res.resource["id"], "kind": "resource"}]
    return loc


def _result(res: Result, loc: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    """One SARIF result, with its suppression (applied or not) when it has one."""
    r = res.resource
    out: dict[str, Any] = {
        "ruleId": res.rule.id,
        "ruleIndex": index[res.rule.id],
        "level": LEVEL[res.rule.severity],
        "message": {"text": f"{escape_text(res.message)} (resource: {escape_text(r['id'])})"},
        "locations": [loc],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint(res.rule.id, r["id"]) + ":1"},
        "properties": {
            "provider": r["provider"],
            "account": r.get("account", ""),
            "region": r.get("region", ""),
            "resourceType": r.get("native_type", ""),
            "severity": res.rule.severity,
        },
    }
    if res.waiver:
        _suppression(out, res, loc)
    return out


def _results(report: Report, base: Path, index: dict[str, int], notifications: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """SARIF results, one per failing or waived finding; errors go to ``notifications``."""
    locator = _Locator(report, base)
    for res in report.results:
        if res.status is Status.PASS:
            continue
        if res.status is Status.ERROR:
            notifications.append(_not_checked(res, index))
            continue
        yield _result(res, _location(locator, res), index)


def _result_lines(report: Report, base: Path, index: dict[str, int], notifications: list[dict[str, Any]]) -> Iterator[str]:
    """The JSON text of each of :func:`_results`' results, built from pieces encoded once per
    rule and once per resource (a resource has a result per rule of its kind). A result with a
    suppression (rare) is encoded whole from :func:`_result`, so both paths say the same."""
    from aiposture.output.json_out import _dump, _string

    locator = _Locator(report, base)
    rule_parts: dict[int, str] = {}
    res_parts: dict[int, tuple[str, str, dict[str, Any]]] = {}
    for res in report.results:
        if res.status is Status.PASS:
            continue
        rule = res.rule
        if res.status is Status.ERROR:
            notifications.append(_not_checked(res, index))
            continue
        r = res.resource
        res_part = res_parts.get(id(r))
        if res_part is None:
            loc = _location(locator, res)
            props = {"provider": r["provider"], "account": r.get("account", ""), "region": r.get("region", ""),
                     "resourceType": r.get("native_type", "")}
            res_part = res_parts[id(r)] = (f" (resource: {escape_text(r['id'])})",
                                           f', "locations": [{_dump(loc)}], ' + '"properties": ' + _dump(props)[:-1], loc)
        if res.waiver:
            yield _dump(_result(res, res_part[2], index))
            continue
        rule_part = rule_parts.get(id(rule))
        if rule_part is None:
            rule_part = rule_parts[id(rule)] = (f'{{"ruleId": {_dump(rule.id)}, "ruleIndex": {index[rule.id]}, '
                                                f'"level": "{LEVEL[rule.severity]}"')
        yield (f'{rule_part}, "message": {{"text": {_string(escape_text(res.message) + res_part[0])}}}'
               f'{res_part[1]}, "severity": "{rule.severity}"}}, '
               f'"partialFingerprints": {{"primaryLocationLineHash": "{fingerprint(rule.id, r["id"])}:1"}}}}')


def _invocations(report: Report, notifications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for err in report.scan_errors:
        scope = err.get("scope", {})
        where = "/".join(str(v) for v in scope.values() if v not in (None, ""))
        notifications.append(
            {"level": "error", "message": {"text": escape_text(f"could not check {err.get('provider')} {where}: {err.get('code', '')}: {err.get('message', '')}")}}
        )
    for problem in report.rule_problems:
        notifications.append({"level": "error", "message": {"text": escape_text(f"rule not loaded: {problem}")}})
    return [{"executionSuccessful": not report.incomplete, "toolExecutionNotifications": notifications}]


def _skeleton(report: Report, base: Path, rules: list[Rule], results: Any, invocations: Any) -> dict[str, Any]:
    category = _category(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "aiposture",
                "semanticVersion": report.tool_version,
                "informationUri": "https://github.com/aiposture/aiposture",
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "automationDetails": {"id": f"{category}/"},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.resolve().as_uri() + "/"}},
        "results": results,  # before the invocations: writing results collects the notifications
        "invocations": invocations,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rules_used(report: Report) -> list[Rule]:
    return sorted({r.rule.id: r.rule for r in report.results}.values(), key=lambda r: r.id)


def build(report: Report, base: Path | None = None) -> dict[str, Any]:
    base = base or Path(os.getcwd())
    rules = _rules_used(report)
    index = {r.id: i for i, r in enumerate(rules)}
    notifications: list[dict[str, Any]] = []
    results = list(_results(report, base, index, notifications))
    return _skeleton(report, base, rules, results, _invocations(report, notifications))


def write(report: Report, fh: TextIO, base: Path | None = None) -> None:
    """Stream the SARIF log to ``fh``: the results one per line as they are produced."""
    from aiposture.output.json_out import write_array

    base = base or Path(os.getcwd())
    rules = _rules_used(report)
    index = {r.id: i for i, r in enumerate(rules)}
    notifications: list[dict[str, Any]] = []
    # placeholders no input can contain (an account id or a rule title could hold a fixed marker)
    token = secrets.token_hex(16)
    results_mark, invocations_mark = f"\x00results-{token}\x00", f"\x00invocations-{token}\x00"
    text = json.dumps(_skeleton(report, base, rules, results_mark, invocations_mark), indent=2, ensure_ascii=False,
                      allow_nan=False)
    before, rest = text.split(json.dumps(results_mark), 1)
    middle, after = rest.split(json.dumps(invocations_mark), 1)
    fh.write(before)
    write_array(fh, _result_lines(report, base, index, notifications), "      ", encoded=True)
    fh.write(middle)
    fh.write(json.dumps(_invocations(report, notifications), ensure_ascii=False, allow_nan=False))
    fh.write(after + "\n")


def render(report: Report) -> str:
    buf = io.StringIO()
    write(report, buf)
    return buf.getvalue()
