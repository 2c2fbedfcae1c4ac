"""Run one unit of a queued scan in a worker and return its part of the inventory.

The worker's own credentials are used (its environment, profile, workload
identity); an AWS unit assumes the planned role here. Per process, the AWS
clients (and the botocore models behind them) are built once and shared by every
unit, as in a single-process scan; nothing of an account is kept once its unit
has returned, so a worker's memory does not grow with the accounts it has seen.
"""

from __future__ import annotations

import threading
from typing import Any

from aiposture.collect.base import ALL_KINDS, Recorder, Task, internal

PART_FIELDS = ("resources", "errors", "targets", "notes", "api_calls", "identity")


def part_of(rec: Recorder) -> dict[str, Any]:
    return {"resources": list(rec.resources), "errors": list(rec.errors), "targets": list(rec.targets),
            "notes": list(rec.notes), "api_calls": rec.calls, "identity": list(rec.identities)}


def part_of_document(doc: dict[str, Any]) -> dict[str, Any]:
    scan = doc.get("scan") or {}
    return {"resources": doc.get("resources") or [], "errors": doc.get("errors") or [],
            "targets": scan.get("targets") or [], "notes": scan.get("notes") or [], "api_calls": scan.get("api_calls", 0),
            "identity": scan.get("identity") or []}


# ---------------------------------------------------------------------------- AWS
class _Calls:
    """``on_call`` of the shared client pool: counts into the recorder of the unit running on this thread."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, *_: Any, **__: Any) -> None:
        rec = getattr(self.local, "rec", None)
        if rec is not None:
            rec.count_call()


class _AwsWorld:
    """What every AWS unit of this process shares: session, the worker's credentials, clients, caller."""

    def __init__(self, opts: Any):
        from aiposture.collect.aws_session import caller_identity, home_region, new_session, user_credentials
        from aiposture.collect.aws_transport import ClientPool

        base = new_session(opts.profile)
        self.creds = user_credentials(base, opts.profile)
        self.home = home_region(base)
        self.calls = _Calls()
        self.pool = ClientPool(new_session(opts.profile), max_attempts=opts.max_attempts,
                               connect_timeout=opts.connect_timeout, read_timeout=opts.read_timeout, pool_size=16,
                               on_call=self.calls)
        who = Recorder("aws")
        self.caller, self.partition = caller_identity(self.pool, self.creds, self.home, who)
        self.identities = list(who.identities)  # the worker's own principal, recorded in every part


_worlds: dict[tuple[Any, ...], _AwsWorld] = {}
_worlds_lock = threading.Lock()


def _aws_world(opts: Any) -> _AwsWorld:
    key = (opts.profile, opts.max_attempts, opts.connect_timeout, opts.read_timeout)
    with _worlds_lock:
        world = _worlds.get(key)
        if world is None:
            world = _worlds[key] = _AwsWorld(opts)
        return world


class WrongAccount(Exception):
    pass


def run_aws(options: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    from aiposture.collect.aws_bedrock import AccountScan, ScanContext, open_role
    from aiposture.collect.aws_session import AwsOptions

    opts = AwsOptions(**options)
    world = _aws_world(opts)
    rec = Recorder("aws", identities=list(world.identities))
    ctx = ScanContext(opts, rec, world.pool, world.creds, world.home, world.partition)
    account, role_arn = str(unit["account"]), unit.get("role_arn")

    def open_credentials() -> Any:
        if role_arn:
            return open_role(ctx, str(role_arn))
        if world.caller != account:  # the planner used its own credentials for this account; so must the worker
            raise WrongAccount(f"the worker's credentials belong to account {world.caller}, not {account}: give the "
                               "scan --role-name, or run workers with credentials of that account")
        return world.creds

    scan = AccountScan(ctx, account, str(unit.get("name") or ""), open_credentials,
                       list(opts.regions) if opts.regions else None)
    region = unit.get("region")
    tasks = scan.tasks([str(region)] if region else [])
    task: Task = tasks[-1]
    scan.pending = 1
    world.calls.local.rec = rec  # the unit runs on this thread: its API calls count into its recorder
    try:
        task.run()
    except Exception as e:  # as run_tasks records it: the unit's whole scope is not checked
        code, msg = internal(e)
        rec.error(f"{task.label}: {msg}", code=code, kinds=ALL_KINDS, **task.scope)
    finally:
        world.calls.local.rec = None
    for err in rec.errors:  # a refused role is not an internal error: say what it is
        if err.get("code") == "InternalError" and "WrongAccount" in str(err.get("message")):
            err["code"] = "WrongAccount"
    return part_of(rec)


# ---------------------------------------------------------------------------- Azure, Google Cloud
def run_azure(options: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    from aiposture.collect.azure_openai import AzureOptions, collect

    return part_of_document(collect(AzureOptions(**options, subscriptions=[str(unit["subscription"])]), quiet=True))


def run_gcp(options: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    from aiposture.collect.gcp_vertex import GcpOptions, collect

    return part_of_document(collect(GcpOptions(**options, projects=[str(unit["project"])]), quiet=True))


RUNNERS = {"aws": run_aws, "azure": run_azure, "gcp": run_gcp}


def run_unit(provider: str, options: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    return RUNNERS[provider](options, unit)
