"""The scanning client of a queued scan: check, plan, enqueue, then wait and finalise (or leave it to the workers).

Everything that can be a usage error (no store, a wrong queue URL, an unreachable
broker, a --no-wait combined with report files) is checked before anything is
planned or sent: exit 2 with one line.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiposture.queue.app import QueueError, check_broker, make_app, redact, send

if TYPE_CHECKING:
    from aiposture.pipeline import Options, Prepared
    from aiposture.store import Store

POLL_SECONDS = 0.5
SILENCE_HINT_SECONDS = 60.0


def check_usage(opts: Options, *, no_wait: bool, save_inventory: Path | None) -> None:
    """What a queued scan cannot do, said before any work."""
    import os

    if opts.store is None and not os.environ.get("AIPOSTURE_STORE"):
        raise QueueError("--queue needs --store URL (or AIPOSTURE_STORE): the workers write the scan's parts there; "
                         "use the same PostgreSQL database for the client and every worker")
    if not no_wait:
        return
    given = [name for name, on in (("-f/--format", opts.formats), ("-o/--output", opts.outputs),
                                   ("--output-dir", opts.output_dir), ("--save-inventory", save_inventory),
                                   ("--new-only", opts.new_only), ("--rules-dir", opts.rules_dirs)) if on]
    if given:
        raise QueueError(f"--no-wait cannot be combined with {', '.join(given)}: the workers finish the scan into the "
                         "store only (see 'aiposture history'; drop --no-wait to wait and write reports)")


def open_checked(queue_url: str, store_value: str | None) -> tuple[Any, Store]:
    from aiposture.store import open_store

    app = make_app(queue_url)
    check_broker(app, queue_url)
    store = open_store(store_value)
    if store is None:  # check_usage ran first; kept for callers that skip it
        raise QueueError("--queue needs --store URL (or AIPOSTURE_STORE)")
    return app, store


def run_queued(provider: str, planner_opts: Any, *, queue_url: str, no_wait: bool, opts: Options, prepared: Prepared,
               config_path: Path | None, scope_label: str | None, save_inventory: Path | None) -> int:
    from aiposture.collect.base import Progress, report_errors
    from aiposture.inventory import now_iso
    from aiposture.queue.plan import PLANNERS
    from aiposture.store.db import who_am_i

    app, store = open_checked(queue_url, opts.store)
    try:
        started = now_iso()
        plan = PLANNERS[provider](planner_opts)
        scan_id = str(uuid.uuid4())
        command = list(opts.command_line or sys.argv)
        finaliser = "workers" if no_wait else "client"
        doc_plan: dict[str, Any] = {
            "provider": provider, "units": plan.units, "notes": plan.notes, "errors": plan.errors,
            "api_calls": plan.api_calls, "identity": plan.identity, "started_at": started, "scope_label": scope_label, "command": command,
            # the selection a worker applies if it finalises (--no-wait, or an interrupted client)
            "finaliser": finaliser, "evaluation": _evaluation(opts, prepared),
        }
        store.begin_scan(scan_id, provider=provider, scope_label=scope_label or provider, command=command,
                         who=who_am_i({}), plan=doc_plan)
        total = len(plan.units)
        send(app, [{"scan_id": scan_id, "provider": provider, "options": plan.options, "unit": u,
                    "finaliser": finaliser, "units": total} for u in plan.units])
        if no_wait:
            if total == 0:  # nothing to hand out: finish here
                from aiposture.queue.finalize import finalize_in_worker

                store.set_status(scan_id, "finalising", expect="running")
                finalize_in_worker(store, scan_id, doc_plan)
            if not opts.quiet:
                print(f"queued scan {scan_id}: {total} task(s) on {redact(queue_url)}; the workers save it in "
                      f"{store.redacted_url} ('aiposture history' shows it running, then complete)", file=sys.stderr)
            print(scan_id)
            return 0
        if not opts.quiet:
            print(f"queued scan {scan_id}: {total} task(s) on {redact(queue_url)}", file=sys.stderr)
        try:
            _wait(store, scan_id, total, Progress(total, f"scanning {provider} (queue)", quiet=opts.quiet), opts.quiet)
        except KeyboardInterrupt:
            _detach(store, scan_id, total, doc_plan)
            raise
        store.set_status(scan_id, "finalising", expect="running")
        from aiposture.queue.finalize import assemble

        doc = assemble(doc_plan, store.parts(scan_id), scan_id)
    finally:
        store.close()
    if not opts.quiet:
        s = doc["scan"]
        print(f"collected {len(doc['resources'])} resources from {len(s.get('targets', []))} targets in "
              f"{s.get('duration_seconds', 0):.1f}s through the queue ({total} tasks, {s.get('api_calls', 0)} API calls, "
              f"{len(doc['errors'])} scope errors)", file=sys.stderr)
        report_errors(doc)
    from aiposture.cli.common import run_pipeline

    return run_pipeline(doc, opts, config_path, prepared=prepared, save_inventory=save_inventory, scope_label=scope_label,
                        scan_id=scan_id)


def _wait(store: Store, scan_id: str, total: int, progress: Any, quiet: bool) -> None:
    """Poll the store until every part is in, advancing the progress display."""
    done = 0
    last_change = time.monotonic()
    hinted = False
    try:
        while done < total:
            time.sleep(POLL_SECONDS)
            now = store.part_count(scan_id)
            for _ in range(now - done):
                progress.advance(f"{now}/{total} parts")
            if now != done:
                done, last_change = now, time.monotonic()
            elif not hinted and not quiet and time.monotonic() - last_change > SILENCE_HINT_SECONDS:
                hinted = True
                print(f"note: no part of scan {scan_id[:12]} arrived for {SILENCE_HINT_SECONDS:.0f}s: is an "
                      "'aiposture worker' running on this queue, with the same --store?", file=sys.stderr)
    finally:
        progress.close()


def _detach(store: Store, scan_id: str, total: int, plan: dict[str, Any]) -> None:
    """The waiting client was interrupted: hand the finalisation to the workers (the one that writes the
    last part saves the scan, without report files), or do it here if every part is already in."""
    from aiposture.queue.finalize import finalize_in_worker

    if not store.set_status(scan_id, "detached", expect="running"):
        return
    if store.part_count(scan_id) >= total and store.set_status(scan_id, "finalising", expect="detached"):
        finalize_in_worker(store, scan_id, plan)
        print(f"interrupted: scan {scan_id} was saved in the store without report files", file=sys.stderr)
        return
    print(f"interrupted: the workers finish scan {scan_id} and save it in the store (no report files); "
          "'aiposture history' shows it", file=sys.stderr)


def _evaluation(opts: Options, prepared: Prepared) -> dict[str, Any]:
    """The rule selection and configuration a --no-wait finaliser (a worker) applies, as the client read them."""
    config_text = None
    path = getattr(prepared.config, "path", None)
    if path:
        config_text = Path(path).read_text(encoding="utf-8")
    return {"rule_ids": opts.rule_ids, "skip_rules": opts.skip_rules, "severities": opts.severities,
            "threats": opts.threats, "frameworks": opts.frameworks, "config_text": config_text}
