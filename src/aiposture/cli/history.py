"""'aiposture history' and 'aiposture diff': what the store remembers and what drifted."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aiposture.cli.common import handle_errors, say
from aiposture.errors import AiPostureError

STORE_OPTION = click.option(
    "--store", "store", metavar="URL", default=None,
    help="The history store: a SQLite path, sqlite:///PATH or postgresql://... "
         "[default: $AIPOSTURE_STORE, else ~/.local/share/aiposture/aiposture.db].")


def _open(store: str | None):
    from aiposture.store import open_store

    s = open_store(store or None) or open_store("default")
    assert s is not None
    return s


@click.command(epilog="""
\b
Examples:
  aiposture scan aws --org --role-name R --store postgresql://aiposture@db/aiposture
  aiposture history --provider aws --account 111122223333
  aiposture history --json --limit 100
""")
@STORE_OPTION
@click.option("--provider", type=click.Choice(["aws", "azure", "gcp", "iac"]), help="Only scans of this source.")
@click.option("--account", metavar="ID", help="Only scans that covered this account / subscription / project.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def history(store, provider, account, limit, as_json) -> None:
    """List stored scans, newest first, with their counts.

    Scans are stored by giving --store (or AIPOSTURE_STORE) to any scan or iac
    command. The first column is the scan id ('aiposture diff' takes it, or a
    prefix of 4+ characters).
    """
    s = _open(store)
    try:
        rows = s.scans(provider=provider, account=account, limit=limit, include_running=True)  # queued scans too
    finally:
        s.close()
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2, default=str))
        return
    if not rows:
        say("no scans stored yet (add --store to a scan)")
        return
    from aiposture.store.render import scan_line

    click.echo(f"{'scan':<12} {'started (UTC)':<16} {'source':<7} {'res':>6} {'fail':>6} {'error':>6} {'waived':>6}  scope")
    for r in rows:
        label = r.scope_label if len(r.scope_label) <= 60 else r.scope_label[:57] + "..."
        if r.status != "complete":  # a queued scan whose parts are still arriving
            label = f"[{r.status}] {label}"
        say(f"{scan_line(r)[:37]:<37} {r.n_resources:>6} {r.n_fail:>6} {r.n_error:>6} {r.n_waived:>6}  {label}",
            err=False)


@click.command(epilog="""
\b
Examples:
  aiposture diff                           the newest scan against the previous scan of its scope
  aiposture diff 3f2a9c1d                  that scan against the previous one of its scope
  aiposture diff 3f2a9c1d 9be04411 -f json -o drift.json
""")
@click.argument("old", required=False)
@click.argument("new", required=False)
@STORE_OPTION
@click.option("--format", "-f", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@handle_errors
def diff(old, new, store, fmt, output) -> None:
    """What changed between two stored scans: new, fixed, still failing and changed
    findings; resources added and removed; attribute changes on resources.

    With no argument: the newest stored scan against the previous scan of the
    same scope. With one: that scan against its predecessor. With two: OLD NEW.
    """
    from aiposture.store.diff import diff_scans
    from aiposture.store.render import diff_json, diff_markdown

    s = _open(store)
    try:
        if old and new:
            a, b = s.resolve(old), s.resolve(new)
        else:
            b = s.resolve(old or "latest")
            prev = s.previous(b)
            if prev is None:
                raise AiPostureError(f"scan {b.id[:12]} has no earlier scan of the same scope ({b.scope_label}); "
                                     "name two scans: aiposture diff OLD NEW")
            a = prev
        d = diff_scans(s, a, b)
    finally:
        s.close()
    text = diff_json(d) if fmt == "json" else diff_markdown(d)
    if output:
        from aiposture.safeio import write_file

        write_file(output, text, f"the {fmt} diff")  # never through a planted link
        say(f"wrote {fmt} to {output}")
    else:
        from aiposture.safeio import stdout_text

        with stdout_text() as fh:
            fh.write(text)


def register(main: click.Group) -> None:
    main.add_command(history)
    main.add_command(diff)
