"""'aiposture worker': run the tasks of queued scans; and the --queue / --no-wait options of live scans."""

from __future__ import annotations

import os
import socket

import click

from aiposture.cli.common import handle_errors

QUEUE_HELP = ("Run the scan on 'aiposture worker' processes through this Redis/Valkey broker (redis://HOST:6379/0): "
              "one task per account x region (subscription, project). Needs --store, shared with the workers.")


def queue_options(fn):
    """--queue and --no-wait, for the live scan commands."""
    fn = click.option("--no-wait", is_flag=True,
                      help="With --queue: enqueue, print the scan id and exit; the workers finish the scan into the "
                           "store ('aiposture history' shows it running, then complete).")(fn)
    return click.option("--queue", "queue_url", metavar="URL", envvar="AIPOSTURE_QUEUE", show_envvar=True,
                        help=QUEUE_HELP)(fn)


@click.command(epilog="""
\b
Examples:
  aiposture worker --queue redis://redis:6379/0 --store postgresql://aiposture@db/aiposture
  aiposture worker --queue redis://redis:6379/0 --store postgresql://... --concurrency 16
\b
Credentials are the worker's own (environment, profile, instance or workload
identity): an AWS worker assumes the scan's --role-name / --role-arn itself;
nothing secret travels through the broker. Settings: AIPOSTURE_QUEUE_VISIBILITY_TIMEOUT
(seconds before a task taken by a vanished worker is delivered again; default 3600).
See docs/scheduling.md.
""")
@click.option("--queue", "queue_url", metavar="URL", envvar="AIPOSTURE_QUEUE", show_envvar=True, required=True,
              help="The Redis/Valkey broker the scans are queued on.")
@click.option("--store", "store", metavar="URL", default=None,
              help="The store the scans are written to (the scanning client's): postgresql://... in production "
                   "[default: $AIPOSTURE_STORE].")
@click.option("--concurrency", "-c", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Tasks run at once (threads: collection waits on the network).")
@click.option("--retries", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Retries of a task that fails (back-off 2 s, doubling); after the last the scope is recorded as "
                   "not checked.")
@click.option("--loglevel", "-l", type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              default="info", show_default=True)
@handle_errors
def worker(queue_url: str, store: str | None, concurrency: int, retries: int, loglevel: str) -> None:
    """Run queued scan tasks ('aiposture scan aws|azure|gcp ... --queue URL --store URL').

    Each task collects one account x region (Azure subscription, Google Cloud
    project) with this worker's credentials and writes its part of the
    inventory to the store; a task is acknowledged only once its part is
    written, so a worker killed mid-task loses nothing (another worker runs it
    again). Stop with Ctrl-C or SIGTERM (running tasks finish first).
    """
    from aiposture.queue.app import QueueError
    from aiposture.queue.client import open_checked
    from aiposture.queue.tasks import register

    if not store and not os.environ.get("AIPOSTURE_STORE"):
        raise QueueError("the worker needs --store URL (or AIPOSTURE_STORE): the store of the scanning client")
    app, st = open_checked(queue_url, store)
    register(app, st, retries=retries)
    click.echo(f"aiposture worker: {concurrency} thread(s) on {_safe(queue_url)}, store {st.redacted_url}", err=True)
    app.worker_main(["worker", "--pool", "threads", "--concurrency", str(concurrency), "--loglevel", loglevel.upper(),
                     "--without-gossip", "--without-mingle", "--without-heartbeat",
                     "--hostname", f"aiposture-{os.getpid()}@{socket.gethostname()}"])


def _safe(url: str) -> str:
    from aiposture.queue.app import redact

    return redact(url)


def register(main: click.Group) -> None:
    main.add_command(worker)
