"""The store's part in a scan run: save the full result, then narrow to new findings if asked.

The full report is stored before any baseline or ``--new-only`` filtering, so the
history always holds every result and later diffs are exact.
"""

from __future__ import annotations

import sys

from aiposture.engine.model import Status, fingerprint
from aiposture.errors import AiPostureError
from aiposture.output import Report
from aiposture.pipeline import Options
from aiposture.store.db import open_store, redact, scope_of
from aiposture.textsafe import clean


def record_scan(report: Report, opts: Options, *, scope_label: str | None = None, scan_id: str | None = None) -> str:
    store = open_store(opts.store)
    if store is None:
        raise AiPostureError("--new-only compares with the previous stored scan: give --store URL (or set AIPOSTURE_STORE)")
    try:
        key, label = scope_of(report.inventory, scope_label)
        previous = store.latest_for_scope(key)
        scan_id = store.save(report, command=sys.argv, scope_label=label, scan_id=scan_id)
        if not opts.quiet:
            print(clean(f"stored scan {scan_id} in {redact(store.url)}"), file=sys.stderr)
        if "html" in opts.formats:  # the report's trend chart: this scan and the earlier ones of its scope
            from aiposture.store.trend import trend_points

            report.trend = trend_points(store, key, report.available_rules or report.rules)
        if opts.new_only:
            if previous is None:
                if not opts.quiet:
                    print("note: --new-only: no earlier scan of this scope in the store; every finding is new",
                          file=sys.stderr)
            else:
                known = {fp for fp, r in store.results(previous.id).items() if r.status == "fail"}
                report.results = [r for r in report.results
                                  if not (r.status is Status.FAIL and fingerprint(r.rule.id, r.resource_id) in known)]
                if not opts.quiet:
                    print(f"note: --new-only: compared with scan {previous.id[:12]} of {previous.started_at:%Y-%m-%d %H:%M}",
                          file=sys.stderr)
        return scan_id
    finally:
        store.close()
