"""The series behind the HTML report's trend chart: failing findings per scan of one scope.

Per stored scan (oldest first): failing results per severity, per framework
(a result counts for every framework its rule maps to, by the current rule pack)
and per cloud (the failing resource's provider). One grouped query reads the
counts; no result row is loaded.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiposture.engine.model import Rule
    from aiposture.store.db import Store

MAX_SCANS = 30


def trend_points(store: Store, scope_key: str, rules: list[Rule], limit: int = MAX_SCANS) -> list[dict[str, Any]]:
    scans = store.trend(scope_key=scope_key, limit=limit)
    counts = store.trend_counts([s.id for s in scans])
    frameworks = {r.id: sorted(fw for fw, ctrls in (r.controls or {}).items() if ctrls) for r in rules}
    points = []
    for s in scans:
        sev: Counter[str] = Counter()
        fw: Counter[str] = Counter()
        cloud: Counter[str] = Counter()
        for rule_id, severity, provider, n in counts.get(s.id, []):
            sev[severity] += n
            cloud[provider or "unknown"] += n
            for f in frameworks.get(rule_id, ()):
                fw[f] += n
        points.append({"id": s.id, "started_at": s.started_at.isoformat(), "severity": dict(sev),
                       "framework": dict(fw), "cloud": dict(cloud)})
    return points
