"""Drift between two stored scans: findings, resources, and attribute changes.

Findings are matched by fingerprint (rule id + resource id). Beyond "new" and
"fixed", a finding can stop failing for reasons that are not a fix (the resource
was deleted, the finding was waived, the rule could no longer be evaluated), and
a passing check can become uncheckable; these are reported as their own
transitions so that "fixed" means fixed. Resources whose content hash changed
are compared attribute by attribute (``attrs.prompt_attack.input_strength:
high -> low``), which is drift a findings-only view cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiposture.store.db import ScanInfo, Store, StoredResource, StoredResult

MAX_CHANGES_PER_RESOURCE = 200


@dataclass
class FindingChange:
    fingerprint: str
    rule_id: str
    resource_id: str
    severity: str
    old_status: str | None  # None: the result did not exist
    new_status: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class AttributeChange:
    path: str
    old: Any
    new: Any
    absent_before: bool = False
    absent_after: bool = False

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "old": self.old, "new": self.new}
        if self.absent_before:
            d["absent_before"] = True
        if self.absent_after:
            d["absent_after"] = True
        return d


@dataclass
class ResourceChange:
    resource_id: str
    name: str
    kind: str
    provider: str
    account: str
    changes: list[AttributeChange] = field(default_factory=list)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"resource_id": self.resource_id, "name": self.name, "kind": self.kind, "provider": self.provider,
                "account": self.account, "changes": [c.to_dict() for c in self.changes], "truncated": self.truncated}


@dataclass
class ScanDiff:
    old: ScanInfo
    new: ScanInfo
    new_findings: list[FindingChange]
    fixed: list[FindingChange]  # fail -> pass
    still_failing: list[FindingChange]
    changed: list[FindingChange]  # every other status transition (fail -> waived/error/gone, pass -> error, ...)
    resources_added: list[StoredResource]
    resources_removed: list[StoredResource]
    resources_changed: list[ResourceChange]

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new_findings), "fixed": len(self.fixed), "still_failing": len(self.still_failing),
                "changed": len(self.changed), "resources_added": len(self.resources_added),
                "resources_removed": len(self.resources_removed), "resources_changed": len(self.resources_changed)}

    def to_dict(self) -> dict[str, Any]:
        def res(r: StoredResource) -> dict[str, Any]:
            return {"resource_id": r.resource_id, "name": r.name, "kind": r.kind, "provider": r.provider, "account": r.account}

        return {
            "old_scan": self.old.to_dict(),
            "new_scan": self.new.to_dict(),
            "counts": self.counts(),
            "new_findings": [f.to_dict() for f in self.new_findings],
            "fixed_findings": [f.to_dict() for f in self.fixed],
            "still_failing": [f.to_dict() for f in self.still_failing],
            "changed_findings": [f.to_dict() for f in self.changed],
            "resources_added": [res(r) for r in self.resources_added],
            "resources_removed": [res(r) for r in self.resources_removed],
            "resources_changed": [r.to_dict() for r in self.resources_changed],
        }


def diff_scans(store: Store, old: ScanInfo, new: ScanInfo) -> ScanDiff:
    old_res, new_res = store.results(old.id), store.results(new.id)
    new_findings, fixed, still, changed = _findings(old_res, new_res)
    old_rs, new_rs = store.resources(old.id), store.resources(new.id)
    added = [new_rs[k] for k in sorted(new_rs.keys() - old_rs.keys())]
    removed = [old_rs[k] for k in sorted(old_rs.keys() - new_rs.keys())]
    moved = sorted(k for k in new_rs.keys() & old_rs.keys() if new_rs[k].snapshot_hash != old_rs[k].snapshot_hash)
    bodies = store.snapshots([old_rs[k].snapshot_hash for k in moved] + [new_rs[k].snapshot_hash for k in moved])
    resources_changed: list[ResourceChange] = []
    for k in moved:
        a, b = bodies.get(old_rs[k].snapshot_hash, {}), bodies.get(new_rs[k].snapshot_hash, {})
        rc = ResourceChange(k, new_rs[k].name, new_rs[k].kind, new_rs[k].provider, new_rs[k].account)
        for ch in attribute_changes(a, b):
            if len(rc.changes) >= MAX_CHANGES_PER_RESOURCE:
                rc.truncated = True
                break
            rc.changes.append(ch)
        if rc.changes:
            resources_changed.append(rc)
    return ScanDiff(old, new, new_findings, fixed, still, changed, added, removed, resources_changed)


def _findings(old: dict[str, StoredResult], new: dict[str, StoredResult]):
    new_findings: list[FindingChange] = []
    fixed: list[FindingChange] = []
    still: list[FindingChange] = []
    changed: list[FindingChange] = []
    for fp in sorted(old.keys() | new.keys()):
        o, n = old.get(fp), new.get(fp)
        os_, ns = (o.status if o else None), (n.status if n else None)
        if os_ == ns == "pass" or (os_ is None and ns == "pass") or (os_ == "pass" and ns is None):
            continue  # passes carry no ids; only transitions involving a non-pass outcome are reported
        # passing outcomes are stored without ids: take them from the other side
        ids = n if n is not None and n.rule_id else o
        assert ids is not None
        fc = FindingChange(fp, ids.rule_id, ids.resource_id, ids.severity, os_, ns, (n.message if n else o.message if o else ""))
        if ns == "fail" and os_ != "fail":
            new_findings.append(fc)
        elif os_ == "fail" and ns == "pass":
            fixed.append(fc)
        elif os_ == "fail" and ns == "fail":
            still.append(fc)
        elif os_ != ns:
            changed.append(fc)  # includes fail -> gone / waived / error and pass -> error
    key = _severity_key
    return (sorted(new_findings, key=key), sorted(fixed, key=key), sorted(still, key=key), sorted(changed, key=key))


_SEV = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _severity_key(f: FindingChange) -> tuple[int, str, str]:
    return (_SEV.get(f.severity, 9), f.rule_id, f.resource_id)


_MISSING = object()


def attribute_changes(old: dict[str, Any], new: dict[str, Any]) -> list[AttributeChange]:
    """Leaf-level differences of ``name``, ``tags``, ``attrs`` and ``native_type`` (iterative, bounded)."""
    out: list[AttributeChange] = []
    stack: list[tuple[str, Any, Any]] = [
        (k, old.get(k, _MISSING), new.get(k, _MISSING)) for k in ("native_type", "name", "tags", "attrs")
    ][::-1]
    while stack:
        path, a, b = stack.pop()
        if a == b and type(a) is type(b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(set(a) | set(b), key=str, reverse=True)
            stack.extend((f"{path}.{k}", a.get(k, _MISSING), b.get(k, _MISSING)) for k in keys)
            continue
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and len(a) <= 50:
            stack.extend((f"{path}[{i}]", x, y) for i, (x, y) in reversed(list(enumerate(zip(a, b, strict=True)))))
            continue
        out.append(AttributeChange(path, None if a is _MISSING else a, None if b is _MISSING else b,
                                   absent_before=a is _MISSING, absent_after=b is _MISSING))
        if len(out) > MAX_CHANGES_PER_RESOURCE:
            break
    return out
