"""What every live collector shares: targets, the recorder, guarded calls, the worker pool.

A live scan is a list of :class:`Task` objects (one per account x region,
subscription x account, project x location, ...) run on a bounded thread
pool. Tasks write into one :class:`Recorder`; nothing a task does can stop
the others. Every failure becomes an entry of the inventory's ``errors``
naming the scope and the resource kinds it leaves unchecked, so the engine
reports ``error`` for those kinds instead of ``pass``.

Cloud SDKs are never imported here: the provider modules import them lazily.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiposture.inventory import KINDS, Resource, make_error, new_document, now_iso
from aiposture.textsafe import clean

ALL_KINDS = KINDS


@dataclass
class Task:
    """One unit of collection work; ``scope`` names it in errors and progress."""

    label: str
    scope: dict[str, Any]
    run: Callable[[], None]


@dataclass
class Recorder:
    """Thread-safe sink for resources, errors, notes and API call counts."""

    provider: str
    resources: list[Resource] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    identities: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, resource: Resource) -> None:
        with self._lock:
            self.resources.append(resource)

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)

    def target(self, **scope: Any) -> None:
        with self._lock:
            self.targets.append({"provider": self.provider, **scope})

    def identify(self, principal: str, **details: Any) -> None:
        """Record who scanned (an ARN, object id or e-mail: never a token or key) for the evidence pack;
        the same identity is recorded once however many scopes use it."""
        entry = {"provider": self.provider, "principal": principal,
                 **{k: v for k, v in details.items() if v not in (None, "")}}
        with self._lock:
            if entry not in self.identities:
                self.identities.append(entry)

    def count_call(self, *_: Any, **__: Any) -> None:
        with self._lock:
            self.calls += 1

    def error(self, message: str, *, code: str, kinds: Iterable[str] | None, partial: bool = False,
              **scope: Any) -> dict[str, Any]:
        """Record what could not be checked. ``partial``: the resources were still emitted, with the
        affected attributes null, so the engine reports errors per resource rather than for the scope.
        Returns the entry (a collector may widen it later, e.g. one entry per unreachable endpoint)."""
        err = make_error(self.provider, message, code=code, kinds=kinds, partial=partial, **scope)
        with self._lock:
            self.errors.append(err)
        return err

    def document(self, *, started_at: str, source: str) -> dict[str, Any]:
        doc = new_document(self.resources, sorted(self.errors, key=lambda e: sorted(e["scope"].items())),
                           sources=[source], targets=self.targets, started_at=started_at)
        doc["scan"]["api_calls"] = self.calls
        if self.identities:
            doc["scan"]["identity"] = list(self.identities)
        if self.notes:
            doc["scan"]["notes"] = list(self.notes)
        return doc


class OnceCache:
    """Compute a value once per key however many threads ask (the others wait for it); a raised exception
    is kept as the result, so every caller can record it in its own scope. For reads shared by many
    scopes: a role definition, a folder's IAM policy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[Any, threading.Event] = {}
        self._values: dict[Any, tuple[Any, Exception | None]] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> tuple[Any, Exception | None]:
        with self._lock:
            ev = self._events.get(key)
            owner = ev is None
            if ev is None:
                ev = self._events[key] = threading.Event()
        if owner:
            try:
                result: tuple[Any, Exception | None] = (compute(), None)
            except Exception as e:
                result = (None, e)
            with self._lock:
                self._values[key] = result
            ev.set()
        ev.wait()
        return self._values[key]


Classifier = Callable[[BaseException], "tuple[str, str]"]


@contextmanager
def guarded(rec: Recorder, what: str, *, kinds: Iterable[str] | None, classify: Classifier, partial: bool = False,
            **scope: Any) -> Iterator[None]:
    """Run a block of API calls; on failure record what could not be checked and carry on.

    ``kinds`` are the resource kinds the failure leaves unchecked in ``scope``
    (``None`` = every kind). Programming errors are recorded too (code
    ``InternalError``) rather than aborting the whole scan; they name the
    exception type so they can be reported.
    """
    try:
        yield
    except Exception as e:
        code, message = classify(e)
        rec.error(f"{what}: {message}", code=code, kinds=kinds if kinds is not None else ALL_KINDS, partial=partial, **scope)


def internal(e: BaseException) -> tuple[str, str]:
    return "InternalError", f"{type(e).__name__}: {e}"


class Progress:
    """A rich progress bar on a terminal; one line per failed task elsewhere (CI logs stay short)."""

    def __init__(self, total: int, description: str, *, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bar = None
        self.total = total
        self.done = 0
        self.description = description
        if not quiet and getattr(self.stream, "isatty", lambda: False)() and total > 1:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                    console=Console(file=self.stream), transient=True)
            self.task_id = self.bar.add_task(description, total=total)
            self.bar.start()

    def advance(self, label: str) -> None:
        self.done += 1
        if self.bar is not None:
            from rich.markup import escape

            self.bar.update(self.task_id, advance=1, description=escape(clean(label)))
        elif not self.quiet and self.total >= 10 and self.done % max(1, self.total // 10) == 0 and self.done < self.total:
            # CI logs: one short line per tenth of the work, so a long scan does not look stuck
            print(f"{self.description}: {self.done}/{self.total} done", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_tasks(tasks: list[Task], rec: Recorder, *, workers: int, progress: Progress | None = None) -> None:
    """Run tasks on a bounded pool. A task that raises is recorded as an error for its whole scope."""
    if not tasks:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks))), thread_name_prefix="aiposture") as pool:
        futures = {pool.submit(t.run): t for t in tasks}
        for fut in as_completed(futures):
            t = futures[fut]
            exc = fut.exception()
            if exc is not None:
                code, msg = internal(exc)
                rec.error(f"{t.label}: {msg}", code=code, kinds=ALL_KINDS, **t.scope)
            if progress is not None:
                progress.advance(t.label)
    if progress is not None:
        progress.close()


def report_errors(doc: dict[str, Any], stream=None) -> None:
    """Tell the user what was skipped and what could not be checked (the reports carry the detail)."""
    stream = stream or sys.stderr
    for n in doc["scan"].get("notes", []):
        print(clean(f"note: {n}"), file=stream)
    for e in doc["errors"]:
        where = " ".join(f"{k}={v}" for k, v in e["scope"].items())
        print(clean(f"warning: {where}: [{e['code']}] {e['message']}"), file=stream)


class Clock:
    """Wall time of a scan (for the summary line and benchmarks)."""

    def __init__(self) -> None:
        self.started_at = now_iso()
        self.t0 = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0
