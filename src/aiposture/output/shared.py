"""The shared-responsibility split (``providers/*.yaml``) for the terminal: per cloud and control family
with failing findings, what the provider attests and what is the customer's to fix."""

from __future__ import annotations

from collections import Counter
from typing import Any

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


def print_shared(report: Report, console: Any) -> None:
    """A table of the control families with failing findings: what is yours to fix, what the provider attests."""
    from rich.table import Table
    from rich.text import Text

    from aiposture import providers
    from aiposture.catalog import catalog

    rows = [(p, f, n) for p, f, n in failing_families(report) if p in providers.PROVIDERS]
    if not rows:
        return
    titles = {v["key"]: v["title"] for v in catalog().get("families", {}).values()}
    t = Table(title="Shared responsibility of what failed", title_justify="left")
    for col in ("Cloud", "Control family", "Failing", "Yours to configure", "Provider attests"):
        t.add_column(col, justify="right" if col == "Failing" else "left")
    for provider, family, n in rows:
        split = providers.family_split(provider, family)
        if split is not None:
            t.add_row(provider, titles.get(family, family), str(n), Text("; ".join(split.customer)), Text("; ".join(split.provider)))
    console.print(t)
