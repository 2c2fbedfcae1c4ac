"""Plan a queued scan: the units of work, made with the client's identity, no role assumed.

The planner lists what to scan (the organisation's accounts, the subscriptions,
the projects) exactly as a single-process scan would, and turns it into units
that name a scope and never carry a credential: roles are assumed, tokens
obtained, in the worker that runs the unit. Units are the collectors' own:

* AWS: one per account (IAM, account-wide) plus one per account x region.
* Azure: one per subscription (its accounts are scanned in the worker's threads).
* Google Cloud: one per project (its locations are scanned in the worker's threads).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from aiposture.collect.base import Recorder


@dataclass
class Plan:
    provider: str
    options: dict[str, Any]  # provider options every unit shares (no secrets)
    units: list[dict[str, Any]]  # {"key", "scope", ...provider fields}
    notes: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    api_calls: int = 0
    identity: list[dict[str, Any]] = field(default_factory=list)  # who planned (listed the organisation)

    def absorb(self, rec: Recorder) -> Plan:
        self.notes, self.errors, self.api_calls = list(rec.notes), list(rec.errors), rec.calls
        self.identity = list(rec.identities)
        return self


def plan_aws(opts: Any) -> Plan:
    from aiposture.collect.aws_bedrock import ScanContext, account_roles, scan_regions
    from aiposture.collect.aws_session import caller_identity, home_region, new_session, user_credentials
    from aiposture.collect.aws_transport import ClientPool

    opts.validate()
    rec = Recorder("aws")
    base = new_session(opts.profile)
    creds = user_credentials(base, opts.profile)
    home = home_region(base)
    pool = ClientPool(new_session(opts.profile), max_attempts=opts.max_attempts, connect_timeout=opts.connect_timeout,
                      read_timeout=opts.read_timeout, pool_size=4, on_call=rec.count_call)
    caller, partition = caller_identity(pool, creds, home, rec)
    ctx = ScanContext(opts, rec, pool, creds, home, partition)
    roles = account_roles(ctx, caller)
    regions = scan_regions(opts, base, partition, rec)
    units: list[dict[str, Any]] = []
    for acct, name, role_arn in roles:
        unit = {"account": acct, "name": name, "role_arn": role_arn}
        units.append({**unit, "key": f"aws/{acct}/IAM", "scope": {"account": acct}, "region": None})
        units += [{**unit, "key": f"aws/{acct}/{r}", "scope": {"account": acct, "region": r}, "region": r}
                  for r in regions]
    options = {"profile": opts.profile, "regions": list(opts.regions), "external_id": opts.external_id,
               "max_attempts": opts.max_attempts, "connect_timeout": opts.connect_timeout,
               "read_timeout": opts.read_timeout}
    return Plan("aws", options, units).absorb(rec)


def plan_azure(opts: Any) -> Plan:
    from aiposture.collect.azure_openai import AzureScan

    rec = Recorder("azure")
    scan = AzureScan(opts, rec)
    scan.check_credentials()
    subs = scan.subscriptions()
    options = {k: v for k, v in dataclasses.asdict(opts).items() if k != "subscriptions"}
    units = [{"key": f"azure/{s}", "scope": {"subscription": s}, "subscription": s} for s in subs]
    return Plan("azure", options, units).absorb(rec)


def plan_gcp(opts: Any) -> Plan:
    from aiposture.collect.gcp_vertex import GcpScan

    rec = Recorder("gcp")
    scan = GcpScan(opts, rec)
    projects = scan.projects()
    options = {k: v for k, v in dataclasses.asdict(opts).items() if k not in ("projects", "organization", "folder")}
    units = [{"key": f"gcp/{p}", "scope": {"project": p}, "project": p} for p in projects]
    return Plan("gcp", options, units).absorb(rec)


PLANNERS = {"aws": plan_aws, "azure": plan_azure, "gcp": plan_gcp}
