"""Who may turn a failing result into ``waived``, and the record every suppression leaves.

Two sources, trusted differently:

* **config waivers** (``--config`` / ``AIPOSTURE_CONFIG``, written by the user): applied
  until they expire; an expired one no longer hides the failure and says so;
* **inline suppressions** (``# aiposture:ignore RULE reason`` in a scanned file, written
  by whoever wrote the file, e.g. the author of a pull request): applied only when the
  user allows them (``--allow-inline-suppressions`` or ``inline_suppressions: true`` in
  the config). A wildcard (``*``, ``AIP-*``, ``?``) is never applied: one comment must not
  switch off every check on a resource.

Every suppression that touched a failing result, applied or not, is recorded on the
result (``Result.waiver``) with its author text (``reason``), where it came from
(``origin``: the config file, or the scanned file and line) and its ``status``
(``applied``, ``expired``, ``refused``, ``not-allowed``), so the summary, JSON and SARIF
list it. The parsers only find the comments; the policy lives here, on the engine side.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from aiposture.engine.config import Config
from aiposture.engine.model import Result, Status

WILDCARD = frozenset("*?[")


def _origin(resource: dict[str, Any], sup: dict[str, Any]) -> str:
    src = resource.get("source") or {}
    file = sup.get("file") or src.get("file") or "?"
    line = sup.get("line") or src.get("line")
    return f"{file}:{line}" if line else str(file)


def _inline(res: Result, sup: dict[str, Any], status: str, detail: str) -> dict[str, Any]:
    return {
        "rule": str(sup.get("rule", "")),
        "resource": res.resource_id,
        "reason": str(sup.get("reason", "")),
        "owner": "inline",
        "expires": "",
        "expired": False,
        "source": "inline",
        "origin": _origin(res.resource, sup),
        "status": status,
        "detail": detail,
    }


def apply(res: Result, config: Config) -> Result:
    """Apply the first suppression that may hide ``res`` (a failing result); record the others' refusal."""
    if res.status is not Status.FAIL:
        return res
    refused: dict[str, Any] | None = None
    for sup in res.resource.get("suppressions") or ():
        if not isinstance(sup, dict):
            continue
        pattern = str(sup.get("rule", ""))
        if WILDCARD.intersection(pattern):
            if fnmatch.fnmatchcase(res.rule.id, pattern) and refused is None:
                refused = _inline(res, sup, "refused", f"wildcard inline suppression '{pattern}' is never applied: "
                                                        "name one rule id")
            continue
        if pattern != res.rule.id:
            continue
        if not config.inline_suppressions:
            refused = _inline(res, sup, "not-allowed", "inline suppressions are not applied unless allowed "
                                                       "(--allow-inline-suppressions or inline_suppressions: true in the config)")
            continue
        res.status = Status.WAIVED
        res.message = f"suppressed inline at {_origin(res.resource, sup)}: {sup.get('reason', '')}"
        res.waiver = _inline(res, sup, "applied", "")
        return res
    w = config.find_waiver(res.rule.id, res.resource_id) if config.waivers else None
    if w is not None and not w.expired():
        res.status = Status.WAIVED
        res.message = f"waived until {w.expires.isoformat()} by {w.owner}: {w.reason}"
        res.waiver = {**w.to_dict(), "expired": False, "status": "applied", "detail": ""}
        return res
    if w is not None:
        res.message += f" (waiver by {w.owner} expired on {w.expires.isoformat()}: {w.reason})"
        res.waiver = {**w.to_dict(), "expired": True, "status": "expired", "detail": f"expired on {w.expires.isoformat()}"}
        return res
    if refused is not None:
        why = "wildcard refused" if refused["status"] == "refused" else "not allowed in this run"
        res.message += f" (inline suppression at {refused['origin']} not applied: {why})"
        res.waiver = refused
    return res


def suppressions(results: list[Result]) -> list[dict[str, Any]]:
    """Every suppression recorded on a result, applied or not (for summaries and reports)."""
    return [{"rule_id": r.rule.id, **r.waiver} for r in results if r.waiver]
