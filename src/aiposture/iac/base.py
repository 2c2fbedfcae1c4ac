"""Common types for IaC readers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPRESS = re.compile(r"aiposture:ignore\s+([A-Za-z0-9*?\-]+)(?:\s+(.*))?")
COMMENT = re.compile(r"^\s*(#|//)")


@dataclass
class RawResource:
    """One IaC resource in API shape (snake_case keys, UNKNOWN for unknown values)."""

    type: str  # aws_bedrock_guardrail | AWS::Bedrock::Guardrail | Microsoft.CognitiveServices/accounts
    address: str  # terraform address / logical id / ARM name
    values: dict[str, Any]
    origin: str  # terraform | terraform_plan | cloudformation | arm
    file: str
    line: int | None
    name: str = ""
    refs: dict[str, list[str]] = field(default_factory=dict)  # attribute path -> referenced addresses
    suppressions: list[dict[str, str]] = field(default_factory=list)
    reference_only: bool = False  # declared elsewhere (ARM "existing": true): usable for links, never judged

    @property
    def id(self) -> str:
        return f"{self.file}#{self.address}"


def rel_path(p: Path, base: Path) -> str:
    """Repo-relative POSIX path when ``p`` is under ``base``; else ``p`` as given."""
    try:
        return p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def suppressions_near(lines: list[str], line: int | None) -> list[dict[str, str]]:
    """``aiposture:ignore RULE reason`` on the resource's first line or in the comment block right above it."""
    if not line:
        return []
    found = []
    candidates = [lines[line - 1]] if 0 < line <= len(lines) else []
    i = line - 2
    while i >= 0 and COMMENT.match(lines[i]):
        candidates.append(lines[i])
        i -= 1
    for text in candidates:
        m = SUPPRESS.search(text)
        if m:
            found.append({"rule": m.group(1), "reason": (m.group(2) or "").strip() or "suppressed inline (no reason given)"})
    return found


def ref_targets(expr: str) -> list[str]:
    """Terraform resource addresses mentioned in an expression (``aws_x.y.attr`` -> ``aws_x.y``)."""
    out = []
    for m in re.finditer(r"\b((?:module\.[\w-]+\.)*(?:data\.)?[a-z][a-z0-9_]*\.[\w-]+)(?:\[[^\]]*\])?\.[\w]+", expr):
        addr = m.group(1)
        if not addr.startswith(("var.", "local.", "each.", "count.", "path.", "terraform.", "self.")):
            out.append(addr)
    return out
