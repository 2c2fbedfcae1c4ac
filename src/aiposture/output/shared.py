"""The shared-responsibility split (``providers/*.yaml``) for the terminal: per cloud and control family
with failing findings, what the provider attests and what is the customer's to fix."""

from __future__ import annotations

from collections import Counter

from aiposture.engine.model import Status
from aiposture.output import Report


def failing_families(report: Report) -> list[tuple[str, str, int]]:
    """(cloud, family key, failing results), worst first."""
    from aiposture.catalog import rule_family

    per_rule = Counter((r.rule.id, r.resource["provider"]) for r in report.results if r.status is Status.FAIL)
    fams: Counter = Counter()
    for (rid, provider), n in per_rule.items():
        fams[(provider, rule_family(rid)[0])] += n
    return sorted(((p, f, n) for (p, f), n in fams.items()), key=lambda x: (-x[2], x[0], x[1]))


def shared_lines(report: Report, *, blank_line: bool = False) -> list[str]:
    """Lines for the terminal: per cloud and control family that failed, what is yours and what the provider attests."""
    from aiposture import providers
    from aiposture.catalog import catalog

    rows = [(p, f, n) for p, f, n in failing_families(report) if p in providers.PROVIDERS]
    if not rows:
        return []
    titles = {v["key"]: v["title"] for v in catalog().get("families", {}).values()}
    out = ([""] if blank_line else []) + ["Shared responsibility of what failed (yours to configure / the provider attests)"]
    for provider, family, n in rows:
        split = providers.family_split(provider, family)
        if split is not None:
            out.append(f"  {provider} {titles.get(family, family)} ({n} failing): yours: {'; '.join(split.customer)} / "
                       f"{provider} attests: {'; '.join(split.provider)}")
    return out
