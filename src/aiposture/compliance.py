"""Compliance view: per framework control, a verdict from the results of the rules mapped to it.

Statuses (one per control, also per cloud and per account):

* ``fail``: at least one mapped rule failed on a resource (waived failures do not count);
* ``not_checked``: mapped rules exist but gave no verdict: a result could not be read (``error``), no
  resource was in scope, or the rules were not selected for this run;
* ``pass``: every result of every mapped rule passed (or was waived, which is counted and shown);
* ``not_covered``: no rule in the pack maps to the control. A configuration scanner gives technical
  evidence for a fraction of an ISMS / AIMS; the rest is the organisation's to evidence.

Results are aggregated per rule in one pass and then combined per control, so the cost is linear in
the number of results whatever the number of frameworks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiposture.catalog import Catalogue, control_catalogue, slugs
from aiposture.engine.model import Result, Rule, Status

STATUSES = ("fail", "not_checked", "pass", "not_covered")
LABELS = {"pass": "pass", "fail": "fail", "not_checked": "not checked", "not_covered": "not covered"}
RESULT_KEYS = ("pass", "fail", "error", "waived")


@dataclass
class RuleAggregate:
    """What one rule's results say, overall, per cloud and per account."""

    counts: Counter = field(default_factory=Counter)
    by_cloud: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_account: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))
    failing: list[Result] = field(default_factory=list)  # in the engine's (deterministic) order
    failing_ids: set[str] = field(default_factory=set)


def aggregate(results: list[Result]) -> dict[str, RuleAggregate]:
    """One pass over the results: rule id -> counts (overall, per cloud, per account) and failing results."""
    keys = Counter((r.rule.id, r.resource["provider"], r.resource.get("account") or "", r.status) for r in results)
    out: dict[str, RuleAggregate] = defaultdict(RuleAggregate)
    for (rid, provider, account, st), n in keys.items():
        agg = out[rid]
        agg.counts[st] += n
        agg.by_cloud[provider][st] += n
        agg.by_account[(provider, account)][st] += n
    for r in results:
        if r.status is Status.FAIL:
            agg = out[r.rule.id]
            agg.failing.append(r)
            agg.failing_ids.add(r.resource["id"])
    return out


def _status(counts: Counter, mapped: bool, selected: bool) -> tuple[str, str]:
    """(status, reason) from the summed result counts of a control's rules."""
    if not mapped:
        return "not_covered", "no rule in the pack maps to this control"
    if not selected:
        return "not_checked", "the rules mapped to it were not selected for this run"
    waived = f", {counts['waived']} waived" if counts["waived"] else ""
    if counts["fail"]:
        return "fail", f"{counts['fail']} failing result(s){waived}"
    if counts["error"]:
        return "not_checked", f"{counts['error']} result(s) could not be checked ({counts['pass']} passed{waived})"
    if counts["pass"] or counts["waived"]:
        return "pass", f"{counts['pass']} passing result(s){waived}"
    return "not_checked", "no resource in scope"


@dataclass
class ControlVerdict:
    id: str
    title: str
    family: str
    status: str
    reason: str
    rules: list[str]  # selected rules mapped to the control
    other_rules: list[str]  # rules in the pack mapped to it but not selected
    counts: Counter
    failing: list[tuple[str, RuleAggregate]]  # the mapped rules that failed somewhere, with their results
    _ids: set[str] | None = field(default=None, repr=False)

    def _id_set(self) -> set[str]:
        if self._ids is None:
            if len(self.failing) == 1:
                self._ids = self.failing[0][1].failing_ids
            else:
                self._ids = set().union(*(agg.failing_ids for _rid, agg in self.failing))
        return self._ids

    def failing_count(self) -> int:
        """How many resources at least one mapped rule failed on (set operations: cheap at any size)."""
        return len(self._id_set())

    def failing_ids(self) -> list[str]:
        """Ids of the resources at least one mapped rule failed on, sorted."""
        return sorted(self._id_set())

    def failing_resources(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Failing resources with their names and the mapped rules that failed on each, in the engine's
        order (severity, rule, resource); ``limit`` stops early, for views that show the first few."""
        out: dict[str, dict[str, Any]] = {}
        for _rid, agg in self.failing:
            for r in agg.failing:
                if r.resource["id"] in out:
                    continue
                if limit is not None and len(out) >= limit:
                    break
                res = r.resource
                out[res["id"]] = {"resource_id": res["id"], "name": res.get("name", ""), "provider": res["provider"],
                                  "account": res.get("account", ""), "region": res.get("region", ""),
                                  "rules": [rid for rid, a in self.failing if res["id"] in a.failing_ids]}
        return list(out.values())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "family": self.family, "status": self.status, "reason": self.reason,
                "rules": self.rules, "rules_not_selected": self.other_rules,
                "results": {k: self.counts.get(k, 0) for k in RESULT_KEYS},
                "failing_by_rule": {rid: len(a.failing_ids) for rid, a in self.failing},
                "failing_resources": self.failing_ids()}


@dataclass
class FrameworkView:
    catalogue: Catalogue
    controls: list[ControlVerdict]
    by_cloud: dict[str, dict[str, int]]
    by_account: list[dict[str, Any]]
    not_applicable: dict[str, str]  # rule id -> why the framework does not apply to it

    @property
    def summary(self) -> dict[str, int]:
        c = Counter(v.status for v in self.controls)
        return {"controls": len(self.controls), **{s: c.get(s, 0) for s in STATUSES}}

    def to_dict(self) -> dict[str, Any]:
        cat = self.catalogue
        return {
            "framework": {"key": cat.key, "slug": cat.slug, "title": cat.title, "version": cat.version,
                          "sources": list(cat.sources), "note": cat.note},
            "summary": self.summary,
            "by_cloud": self.by_cloud,
            "by_account": self.by_account,
            "controls": [v.to_dict() for v in self.controls],
            "not_applicable": [{"rule_id": k, "reason": v} for k, v in sorted(self.not_applicable.items())],
        }


def _rank(counts: Counter) -> int:
    """3 fail, 2 could not be checked, 1 passed or waived, 0 no result."""
    return 3 if counts.get("fail") else 2 if counts.get("error") else 1 if (counts.get("pass") or counts.get("waived")) else 0


_RANK_STATUS = {3: "fail", 2: "not_checked", 1: "pass", 0: "not_checked"}


def _scoped_summary(covered: list[tuple[str, list[str]]], not_covered: int, ranks: dict[str, int]) -> dict[str, int]:
    """Status counts over every control for one cloud or account, from each rule's rank there.

    A control's status is the worst of its rules' (any fail -> fail; else any unreadable -> not checked;
    else any pass -> pass; else nothing in scope -> not checked), so a max over ranks gives it."""
    out: Counter = Counter(not_covered=not_covered)
    for _cid, rids in covered:
        out[_RANK_STATUS[max((ranks.get(r, 0) for r in rids), default=0)]] += 1
    return {s: out.get(s, 0) for s in STATUSES}


def build(framework: str, results: list[Result], rules: list[Rule], pack: list[Rule] | None = None,
          aggregates: dict[str, RuleAggregate] | None = None) -> FrameworkView:
    """The view of one framework (key or ``--compliance`` slug).

    ``rules`` are the rules selected for the run, ``pack`` every rule loaded (to tell "not selected"
    from "not covered"); ``aggregates`` lets callers that build several views aggregate once.
    """
    cat = control_catalogue(framework)
    pack = pack if pack is not None else rules
    aggs = aggregates if aggregates is not None else aggregate(results)
    index: dict[str, list[str]] = defaultdict(list)
    for r in rules:
        for cid in cat.rule_ids(r):
            index[cid].append(r.id)
    selected = {r.id for r in rules}
    pack_index: dict[str, list[str]] = defaultdict(list)
    for r in pack:
        for cid in cat.rule_ids(r):
            pack_index[cid].append(r.id)
    for cid, rids in index.items():  # a user rule outside the pack still counts
        pack_index[cid] = list(dict.fromkeys([*pack_index.get(cid, []), *rids]))
    controls = []
    ids = list(cat.controls) + sorted(c for c in index if c not in cat.controls)  # unknown ids are shown, not dropped
    for cid in ids:
        total: Counter = Counter()
        failing: list[tuple[str, RuleAggregate]] = []
        for rid in index.get(cid, ()):
            agg = aggs.get(rid)
            if agg is not None:
                total.update(agg.counts)
                if agg.failing:
                    failing.append((rid, agg))
        status, reason = _status(total, bool(pack_index.get(cid)), bool(index.get(cid)))
        title = cat.controls.get(cid, "(not in the shipped catalogue)")
        controls.append(ControlVerdict(id=cid, title=title, family=cat.family(cid), status=status, reason=reason,
                                       rules=list(index.get(cid, [])),
                                       other_rules=[x for x in pack_index.get(cid, []) if x not in selected],
                                       counts=total, failing=failing))
    # per cloud / per account: controls whose rules were selected; the rest is not covered or not selected everywhere
    covered = [(c.id, c.rules) for c in controls if c.rules]
    not_covered = sum(1 for c in controls if c.status == "not_covered")
    cloud_ranks: dict[str, dict[str, int]] = defaultdict(dict)
    account_ranks: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for rid, agg in aggs.items():
        for p, counts in agg.by_cloud.items():
            cloud_ranks[p][rid] = _rank(counts)
        for key, counts in agg.by_account.items():
            account_ranks[key][rid] = _rank(counts)
    unselected = sum(1 for c in controls if not c.rules and c.status != "not_covered")

    def scoped(ranks: dict[str, int]) -> dict[str, int]:
        s = _scoped_summary(covered, not_covered, ranks)
        s["not_checked"] += unselected
        return s

    by_cloud = {p: scoped(cloud_ranks[p]) for p in sorted(cloud_ranks)}
    by_account = [{"provider": p, "account": acct, **scoped(account_ranks[(p, acct)])} for p, acct in sorted(account_ranks)]
    na = {} if cat.threats else {r.id: r.not_applicable[cat.key] for r in rules if cat.key in r.not_applicable}
    return FrameworkView(catalogue=cat, controls=controls, by_cloud=by_cloud, by_account=by_account, not_applicable=na)


def views(report: Any, frameworks: list[str] | None = None, aggregates: dict[str, RuleAggregate] | None = None) -> list[FrameworkView]:
    """Views of several frameworks (default: all) over a report, aggregating its results once."""
    names = frameworks or list(slugs())
    aggs = aggregates if aggregates is not None else aggregate(report.results)
    pack = getattr(report, "available_rules", None) or report.rules
    return [build(f, report.results, report.rules, pack, aggs) for f in names]


def coverage(framework: str, rules: list[Rule]) -> list[dict[str, Any]]:
    """Statement-of-Applicability style coverage of the rule pack: every control, covered or not, and by which rules."""
    cat = control_catalogue(framework)
    index: dict[str, list[str]] = defaultdict(list)
    for r in rules:
        for cid in cat.rule_ids(r):
            index[cid].append(r.id)
    return [{"id": cid, "title": title, "family": cat.family(cid), "covered": bool(index.get(cid)), "rules": index.get(cid, [])}
            for cid, title in cat.controls.items()]


def unknown_ids(rule: Rule) -> list[str]:
    """Problems with a rule's control ids: ids not in the shipped catalogue of their framework (typos, other editions)."""
    from aiposture.catalog import frameworks

    out = []
    for fw, ids in rule.controls.items():
        if fw not in frameworks():
            continue
        cat = control_catalogue(fw)
        out += [f"{rule.file}: {rule.id}: controls.{fw}: {cid!r} is not in {cat.title} ({cat.version})"
                for cid in ids if cid not in cat.controls]
    return out
