"""Rule and Result types."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # low=0 .. critical=3

# resource.attrs.a.b.c  -> ("a", "b", "c"); stops at method calls / macros / indexing.
_ATTR_PATH = re.compile(r"\bresource\.attrs((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # could not be evaluated: never counted as a pass
    WAIVED = "waived"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


_HAS_CALL = re.compile(r"\bhas\(\s*resource\.attrs((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\)")


def required_paths(expression: str) -> tuple[tuple[str, ...], ...]:
    """Paths the rule needs present: if one is absent, the rule does not apply.

    A path the expression tests with ``has(...)`` (or one below it) is the
    rule's own business (``!has(x) || x == 1``) and is not required.
    """
    guarded = [tuple(m.group(1).lstrip(".").split(".")) for m in _HAS_CALL.finditer(expression)]
    return tuple(p for p in attr_paths(expression) if not any(p[: len(g)] == g for g in guarded))


def attr_paths(expression: str) -> tuple[tuple[str, ...], ...]:
    """The ``resource.attrs`` paths an expression reads, longest first, without duplicates.

    Used to tell "this rule read an unknown (null) attribute" apart from a
    real failure. A trailing segment that is a CEL method (``.size()``,
    ``.all(...)``) is dropped.
    """
    found: set[tuple[str, ...]] = set()
    for m in _ATTR_PATH.finditer(expression):
        parts = m.group(1).lstrip(".").split(".")
        end = m.end()
        if end < len(expression) and expression[end] == "(":
            parts = parts[:-1]
        if parts:
            found.add(tuple(parts))
    return tuple(sorted(found, key=lambda p: (-len(p), p)))


@dataclass
class Rule:
    """A loaded, validated and compiled rule."""

    id: str
    title: str
    kind: str
    severity: str
    condition: str
    threats: list[str]
    controls: dict[str, list[str]]
    rationale: str
    remediation: dict[str, str]
    tests: list[dict[str, Any]]
    file: str
    digest: str
    version: int = 1
    providers: list[str] | None = None
    applies_if: str | None = None
    message: str | None = None
    references: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)  # framework -> why no control fits
    # compiled artefacts (set by the loader)
    program: Any = None
    applies_program: Any = None
    paths: tuple[tuple[str, ...], ...] = ()
    applies_paths: tuple[tuple[str, ...], ...] = ()
    required: tuple[tuple[str, ...], ...] = ()  # paths read outside has(): absent -> not applicable

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def applies_to_provider(self, provider: str) -> bool:
        return not self.providers or provider in self.providers

    def framework_ids(self) -> list[str]:
        """Every control id across frameworks, e.g. ``LLM01:2025``, ``A.8.15``."""
        return [cid for ids in self.controls.values() for cid in ids]

    def to_dict(self) -> dict[str, Any]:
        """The rule's metadata as written in reports (no compiled objects)."""
        d = {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "kind": self.kind,
            "severity": self.severity,
            "providers": self.providers or ["aws", "azure", "gcp"],
            "threats": self.threats,
            "controls": self.controls,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "condition": self.condition,
            "digest": self.digest,
        }
        if self.applies_if:
            d["applies_if"] = self.applies_if
        if self.references:
            d["references"] = self.references
        if self.not_applicable:
            d["not_applicable"] = self.not_applicable
        return d


@dataclass(slots=True)
class Result:
    """The outcome of one rule on one resource (or on a scope that could not be read)."""

    rule: Rule
    status: Status
    resource: dict[str, Any]
    message: str
    waiver: dict[str, Any] | None = None

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def resource_id(self) -> str:
        return self.resource["id"]

    def to_dict(self) -> dict[str, Any]:
        r = self.resource
        src = r.get("source") or {}
        return {
            "rule_id": self.rule.id,
            "resource_id": r["id"],
            "status": self.status.value,
            "severity": self.rule.severity,
            "message": self.message,
            "provider": r["provider"],
            "kind": r["kind"],
            "native_type": r.get("native_type", ""),
            "account": r.get("account", ""),
            "region": r.get("region", ""),
            "resource_name": r.get("name", ""),
            "source": {k: v for k, v in src.items() if v is not None},
            "waiver": self.waiver,
            "fingerprint": fingerprint(self.rule.id, r["id"]),
        }


def fingerprint(rule_id: str, resource_id: str) -> str:
    """Stable identity of a finding across runs (rule id + resource id)."""
    return hashlib.sha256(f"{rule_id}\x00{resource_id}".encode()).hexdigest()[:32]
