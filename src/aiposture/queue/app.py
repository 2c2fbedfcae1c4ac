"""The Celery application: broker URL, delivery guarantees, settings from the environment.

Delivery: tasks are acknowledged after they ran (``acks_late``) and a task whose
worker died is put back (``reject_on_worker_lost``); each worker thread reserves
one message at a time. With Redis, a message taken by a worker that vanished
(SIGKILL, lost node) is delivered again once the broker's visibility timeout has
passed since it was taken: ``AIPOSTURE_QUEUE_VISIBILITY_TIMEOUT`` seconds
(default 3600; it must exceed the longest task, or a slow task runs twice, which
is harmless: a part is replaced, never added twice).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aiposture.errors import AiPostureError

if TYPE_CHECKING:
    from celery import Celery

QUEUE_NAME = "aiposture"
TASK_NAME = "aiposture.collect_part"
VISIBILITY_ENV = "AIPOSTURE_QUEUE_VISIBILITY_TIMEOUT"
SCHEMES = ("redis", "rediss", "valkey", "valkeys")


class QueueError(AiPostureError):
    """The queue URL is wrong, Celery is missing or the broker cannot be reached (exit 2)."""


def redact(url: str) -> str:
    """The broker URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        u = urlsplit(url)
    except ValueError:
        return "<queue URL>"
    if u.password is None:
        return url
    netloc = f"{u.username or ''}:***@{u.hostname or ''}" + (f":{u.port}" if u.port else "")
    return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))


def broker_url(value: str) -> str:
    """Check the scheme (Redis or Valkey) and return the URL kombu understands."""
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in SCHEMES:
        raise QueueError(f"--queue {redact(value)}: use a Redis or Valkey URL (redis://HOST:6379/0, rediss://...)")
    if scheme.startswith("valkey"):  # same protocol; kombu knows it as redis
        value = "redis" + value[len("valkey"):]
    return value


def visibility_timeout() -> int:
    raw = os.environ.get(VISIBILITY_ENV, "3600")
    try:
        value = int(raw)
    except ValueError:
        raise QueueError(f"{VISIBILITY_ENV}={raw!r}: give a whole number of seconds") from None
    if value < 1:
        raise QueueError(f"{VISIBILITY_ENV}={raw!r}: give a whole number of seconds (at least 1)")
    return value


def transport_options(vt: int) -> dict[str, Any]:
    """Redis transport settings: the visibility timeout, and a sweep for messages of vanished workers
    often enough that one is delivered again soon after the timeout (kombu's default sweeps every 100 s)."""
    return {"visibility_timeout": vt, "unacked_restore_interval": max(1, min(10, vt // 5)),
            "unacked_restore_throttle": 1}


def make_app(url: str) -> Celery:
    try:
        from celery import Celery
    except ImportError:
        raise QueueError("a queued scan needs Celery with Redis: pip install 'aiposture[queue]'") from None
    url = broker_url(url)
    app = Celery("aiposture", broker=url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE_NAME,
        task_serializer="json", accept_content=["json"],
        task_ignore_result=True,  # parts go to the store, not to a result backend
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=transport_options(visibility_timeout()),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


def check_broker(app: Celery, url: str, timeout: float = 5.0) -> None:
    """Connect once; an unreachable broker is a usage error before any work is planned."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            conn.default_channel.client.ping()
    except Exception as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise QueueError(f"cannot reach the queue broker {redact(url)}: {first}") from None


def send(app: Celery, messages: list[dict[str, Any]]) -> None:
    """Publish one task per message over one connection."""
    with app.producer_or_acquire() as producer:
        for msg in messages:
            app.send_task(TASK_NAME, args=[msg], queue=QUEUE_NAME, producer=producer)
