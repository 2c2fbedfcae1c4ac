"""Which rules a run evaluates: ``--rule``, ``--skip-rule``, ``--severity``, ``--threat``,
``--framework``, providers and kinds.

A CI gate is only as good as its selection. A typo (``--framework nosuch``,
``--threat prompt_injeciton``, ``--rule NOPE-1``) must not quietly select no rule and
turn the gate green, so :func:`resolve` checks every value against what the loaded
rules and the catalog know, suggests the closest spelling, and refuses a selection
that matches no rule at all. Matching is forgiving where people differ in habit:
rule ids, framework keys and control ids are case-insensitive (``iso27001``,
``ISO27001``, ``llm01:2025``), threats accept ``-`` or spaces for ``_``, and a control
id selects its sub-controls (``AML.T0051`` selects ``AML.T0051.000``, ``A.8`` selects
``A.8.15``, ``LLM01`` selects ``LLM01:2025``).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aiposture.engine.model import SEVERITY_RANK, Rule
from aiposture.errors import AiPostureError


class SelectionError(AiPostureError):
    """A rule selection names something that does not exist or matches no rule (exit 2)."""


def split_values(values: Iterable[str] | None) -> list[str]:
    """Flatten repeated and comma-separated values: ``("a,b", "c")`` -> ``["a", "b", "c"]``."""
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in str(v).split(",") if x.strip()]
    return out


def _threat_key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def _control_matches(wanted: str, control: str) -> bool:
    """``wanted`` (lower case) is ``control`` or one of its parents (``A.8`` of ``A.8.15``)."""
    c = control.lower()
    return c == wanted or (c.startswith(wanted) and c[len(wanted)] in ".:(")


def _framework_keys() -> dict[str, str]:
    """Lower-case framework key or report tag -> framework key (``owasp-llm`` -> ``owasp_llm_2025``)."""
    from aiposture.catalog import catalog

    out: dict[str, str] = {}
    for key, meta in (catalog().get("frameworks") or {}).items():
        out[key.lower()] = key
        tag = (meta or {}).get("tag") if isinstance(meta, dict) else None
        if tag:
            out[str(tag).lower()] = key
    return out


def _catalog_threats() -> set[str]:
    from aiposture.catalog import catalog

    return set(catalog().get("threats") or {})


@dataclass
class Criteria:
    """What to select. Every list is already split on commas; empty means 'no filter'."""

    ids: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    min_severity: str | None = None
    threats: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    # how each criterion is spelled to the user ("--threat", "select.threats in .aiposture.yaml")
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        default = {"ids": "--rule", "skip": "--skip-rule", "severities": "--severity", "threats": "--threat",
                   "frameworks": "--framework", "providers": "--provider", "kinds": "--kind"}
        return self.labels.get(name, default.get(name, name))

    def describe(self) -> str:
        parts = []
        for name in ("ids", "severities", "threats", "frameworks", "providers", "kinds"):
            values = getattr(self, name)
            if values:
                parts.append(f"{self.label(name)} {','.join(values)}")
        if self.min_severity:
            parts.append(f"severity >= {self.min_severity}")
        return " and ".join(parts) or "(no filter)"


class _Matcher:
    """Compiled criteria: normalised once, applied to each rule."""

    def __init__(self, c: Criteria):
        fw_keys = _framework_keys()
        self.ids = [p.lower() for p in c.ids]
        self.skip = [p.lower() for p in c.skip]
        self.severities = {s.lower() for s in c.severities}
        self.min_rank = SEVERITY_RANK[c.min_severity.lower()] if c.min_severity else None
        self.threats = {_threat_key(t) for t in c.threats}
        self.fw_keys = {fw_keys.get(f.lower(), f.lower()) for f in c.frameworks if f.lower() in fw_keys}
        self.controls = [f.lower() for f in c.frameworks if f.lower() not in fw_keys]
        self.providers = set(c.providers)
        self.kinds = set(c.kinds)

    def skipped(self, r: Rule) -> bool:
        rid = r.id.lower()
        return any(fnmatch.fnmatchcase(rid, p) for p in self.skip)

    def __call__(self, r: Rule) -> bool:
        rid = r.id.lower()
        if self.ids and not any(fnmatch.fnmatchcase(rid, p) for p in self.ids):
            return False
        if self.skip and self.skipped(r):
            return False
        if self.severities and r.severity not in self.severities:
            return False
        if self.min_rank is not None and r.severity_rank < self.min_rank:
            return False
        if self.threats and not self.threats.intersection(r.threats):
            return False
        if (self.fw_keys or self.controls) and not (
            self.fw_keys.intersection(r.controls)
            or any(_control_matches(w, cid) for w in self.controls for cid in r.framework_ids())
        ):
            return False
        if self.providers and r.providers and not self.providers.intersection(r.providers):
            return False
        return not (self.kinds and r.kind not in self.kinds)


def filter_rules(rules: Sequence[Rule], criteria: Criteria) -> list[Rule]:
    """The rules matching ``criteria``, in their original order. No validation."""
    match = _Matcher(criteria)
    return [r for r in rules if match(r)]


def select_rules(
    rules: list[Rule],
    *,
    ids: Iterable[str] = (),
    severities: Iterable[str] = (),
    min_severity: str | None = None,
    threats: Iterable[str] = (),
    frameworks: Iterable[str] = (),
    providers: Iterable[str] = (),
    kinds: Iterable[str] = (),
    skip: Iterable[str] = (),
) -> list[Rule]:
    """Filter rules (keyword form of :func:`filter_rules`; values may be comma-separated)."""
    return filter_rules(rules, Criteria(
        ids=split_values(ids), skip=split_values(skip), severities=split_values(severities), min_severity=min_severity,
        threats=split_values(threats), frameworks=split_values(frameworks), providers=split_values(providers),
        kinds=split_values(kinds)))


def _suggest(value: str, candidates: Iterable[str]) -> str:
    cands = sorted(set(candidates))
    lower = {c.lower(): c for c in cands}
    close = difflib.get_close_matches(value.lower(), list(lower), n=3, cutoff=0.6)
    if not close:  # a prefix typo of a long id (AIP-GR-0O1) or a short form (LLM1)
        close = [c for c in lower if c.startswith(value.lower()[:4])][:3] if len(value) >= 4 else []
    return f" (did you mean {' or '.join(repr(lower[c]) for c in close)}?)" if close else ""


def unknown_values(rules: Sequence[Rule], criteria: Criteria) -> list[str]:
    """One message per selection value that names nothing the loaded rules or the catalog know."""
    problems: list[str] = []
    ids = [r.id for r in rules]
    lower_ids = [i.lower() for i in ids]
    for pattern in criteria.ids:
        if not any(fnmatch.fnmatchcase(i, pattern.lower()) for i in lower_ids):
            problems.append(f"{criteria.label('ids')} {pattern!r} matches no rule{_suggest(pattern, ids)}")
    threats = _catalog_threats().union(t for r in rules for t in r.threats)
    for t in criteria.threats:
        if _threat_key(t) not in threats:
            problems.append(f"{criteria.label('threats')} {t!r} is not a known threat{_suggest(_threat_key(t), threats)}")
    fw_keys = _framework_keys()
    controls = _known_controls(rules)
    for f in criteria.frameworks:
        low = f.lower()
        if low in fw_keys or any(_control_matches(low, c) for c in controls):
            continue
        keys = sorted({v for v in fw_keys.values()})
        hint = _suggest(f, [*keys, *controls]) or f" (frameworks: {', '.join(keys)}; or a control id such as LLM01:2025)"
        problems.append(f"{criteria.label('frameworks')} {f!r} is neither a framework nor a control id{hint}")
    kinds = {r.kind for r in rules}
    for k in criteria.kinds:
        if k not in kinds:
            problems.append(f"{criteria.label('kinds')} {k!r} is not a resource kind any rule checks{_suggest(k, kinds)}")
    return problems


def _known_controls(rules: Sequence[Rule]) -> set[str]:
    from aiposture.catalog import catalog

    cat = catalog()
    known = {cid for r in rules for cid in r.framework_ids()}
    for key in cat.get("frameworks") or {}:
        section = cat.get(key)
        if isinstance(section, dict):
            known.update(str(c) for c in section)
    return known


def unused_skips(rules: Sequence[Rule], criteria: Criteria) -> list[str]:
    """Warnings for skip patterns that match no loaded rule (a typo there makes the run stricter, not laxer)."""
    lower_ids = [r.id.lower() for r in rules]
    return [f"{criteria.label('skip')} {p!r} matches no rule{_suggest(p, [r.id for r in rules])}"
            for p in criteria.skip if not any(fnmatch.fnmatchcase(i, p.lower()) for i in lower_ids)]


def resolve(rules: Sequence[Rule], criteria: Criteria, *, allow_empty: bool = False,
            hint: str = "") -> tuple[list[Rule], list[str]]:
    """Validate ``criteria`` against ``rules`` and apply it: (selected rules, warnings).

    Raises :class:`SelectionError` (exit 2) when a value names nothing known, or when the
    selection as a whole matches no rule (unless ``allow_empty``, for listings).
    ``hint`` is appended to the 'matches no rule' message (e.g. rule files that failed to load).
    """
    problems = unknown_values(rules, criteria)
    if problems:
        raise SelectionError("; ".join(problems) + _see_also(hint))
    selected = filter_rules(rules, criteria)
    if not selected and not allow_empty:
        everything_skipped = criteria.skip and not filter_rules(rules, Criteria(skip=criteria.skip))
        why = "every rule is skipped" if everything_skipped else f"no rule matches {criteria.describe()}"
        raise SelectionError(f"the rule selection is empty: {why}; nothing would be checked" + _see_also(hint))
    return selected, unused_skips(rules, criteria)


def _see_also(hint: str) -> str:
    return f" ({hint})" if hint else " (see 'aiposture rules list')"
