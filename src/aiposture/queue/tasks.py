"""The worker side: the Celery task that runs one unit and writes its part to the store.

A unit that raises (a crash, a store that is briefly down) is retried with
exponential back-off; after the last attempt its scope is recorded as a scope
error of the scan (code ``TaskFailed``: every rule reports ``error`` there), so
the scan completes and says what it could not check. Failures the collectors
understand (access denied, throttling past retries, an endpoint down) are not
task failures: they are already scope errors inside the part.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiposture.queue.app import TASK_NAME
from aiposture.queue.finalize import finalize_in_worker, lost_unit_error
from aiposture.queue.units import run_unit

if TYPE_CHECKING:
    from celery import Celery

    from aiposture.store import Store

log = logging.getLogger("aiposture.worker")
DEFAULT_RETRIES = 3
RETRY_DELAY = 2.0  # seconds before the first retry; doubles, at most 60


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [""])[0][:300]


def failed_part(provider: str, unit: dict[str, Any], attempts: int, e: BaseException) -> dict[str, Any]:
    msg = f"{unit['key']}: failed after {attempts} attempt(s): {type(e).__name__}: {_first_line(e)}"
    return {"resources": [], "errors": [lost_unit_error(provider, unit, msg)], "targets": [], "notes": [], "api_calls": 0}


def claim(store: Store, scan_id: str, finaliser: str) -> bool:
    """Take the finalisation of a scan whose parts are all in: a --no-wait scan (``running``), or a scan
    whose waiting client was interrupted (``detached``). One database update: exactly one caller wins."""
    if finaliser == "workers" and store.set_status(scan_id, "finalising", expect="running"):
        return True
    return store.set_status(scan_id, "finalising", expect="detached")


def handle(task: Any, msg: dict[str, Any], store: Store) -> str:
    """Run one unit; returns what happened (for logs and tests)."""
    scan_id, provider, unit = str(msg["scan_id"]), str(msg["provider"]), msg["unit"]
    status = store.scan_status(scan_id)
    if not status:
        log.error("scan %s is not in this worker's store %s: the scanning client and the workers must use the same "
                  "--store; task %s dropped", scan_id, store.redacted_url, unit.get("key"))
        return "unknown-scan"
    if status not in ("running", "detached", "finalising"):
        return "already-complete"  # a late redelivery of a finished scan
    retries = int(task.request.retries or 0)
    try:
        part = run_unit(provider, msg["options"], unit)
    except Exception as e:
        if retries < task.max_retries:
            log.warning("%s: %s: %s (attempt %d of %d, retrying)", scan_id[:12], unit.get("key"), _first_line(e),
                        retries + 1, task.max_retries + 1)
            raise task.retry(exc=e, countdown=min(60.0, RETRY_DELAY * 2 ** retries)) from None
        log.error("%s: %s failed after %d attempt(s): %s", scan_id[:12], unit.get("key"), retries + 1, _first_line(e))
        part = failed_part(provider, unit, retries + 1, e)
    if not store.put_part(scan_id, str(unit["key"]), part):
        return "already-complete"
    if store.part_count(scan_id) >= int(msg["units"]) and claim(store, scan_id, str(msg.get("finaliser"))):
        _, plan = store.queue_plan(scan_id)
        try:
            finalize_in_worker(store, scan_id, plan or {})
        except Exception:
            store.set_status(scan_id, "detached", expect="finalising")  # the next redelivery tries again
            raise
        log.info("%s: all %s parts in; scan saved", scan_id[:12], msg["units"])
        return "finalised"
    return "stored"


def register(app: Celery, store: Store, *, retries: int = DEFAULT_RETRIES) -> Any:
    """Define the task on ``app``, bound to this worker's store."""

    @app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=retries)
    def collect_part(self, msg: dict[str, Any]) -> str:
        return handle(self, msg, store)

    return collect_part
