"""Open, migrate, write and read the scan store.

Why a database and not a folder of JSON files: scheduled scans across an
organisation produce thousands of scans; listing them, finding "the previous scan
of this scope" and comparing two of them must not read every file. Resources
rarely change between scans, so their documents are stored once per distinct
content (``snapshots``) and each scan keeps only references.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiposture.argv import redact_argv as _redact_argv
from aiposture.errors import AiPostureError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from aiposture.output import Report

ENV_VAR = "AIPOSTURE_STORE"
_CHUNK = 2000  # rows per INSERT batch / IN (...) list


class StoreError(AiPostureError):
    """The store URL is wrong, the database cannot be reached, or a scan reference matches nothing."""


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aiposture" / "aiposture.db"


def resolve_url(value: str | None) -> str | None:
    """Turn ``--store`` / ``AIPOSTURE_STORE`` into a SQLAlchemy URL (``None``: no store).

    ``default`` (or a bare ``--store``) is the SQLite file under the user's data
    directory; a path is a SQLite file; ``sqlite:///...`` and ``postgresql://...``
    are taken as given (PostgreSQL through psycopg 3).
    """
    value = value if value not in (None, "") else os.environ.get(ENV_VAR) or None
    if value is None:
        return None
    if value == "default":
        return f"sqlite:///{default_path()}"
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not scheme:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if scheme == "sqlite":
        return value
    raise StoreError(f"--store: unsupported URL scheme {scheme!r} (use a file path, sqlite:///PATH or postgresql://...)")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<store URL>"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(obj: Any) -> str:
    return hashlib.sha256(canonical(obj).encode("utf-8", "surrogatepass")).hexdigest()


def _parse_time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: everything stored is UTC."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)
    return t


@dataclass(frozen=True)
class ScanInfo:
    """One row of ``history``."""

    id: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    provider: str
    scope_key: str
    scope_label: str
    command: list[str]
    who: str
    tool_version: str
    rules_digest: str
    n_resources: int
    n_pass: int
    n_fail: int
    n_error: int
    n_waived: int
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["started_at"] = self.started_at.isoformat()
        d["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return d


@dataclass
class StoredResult:
    fingerprint: str
    rule_id: str
    resource_id: str
    status: str
    severity: str
    message: str


@dataclass
class StoredResource:
    resource_id: str
    snapshot_hash: str
    provider: str
    kind: str
    account: str
    name: str


def who_am_i(doc: dict[str, Any]) -> str:
    """The scanning identity if the source recorded one, else user@host."""
    ident = (doc.get("scan") or {}).get("identity")
    if isinstance(ident, str) and ident:
        return ident
    if isinstance(ident, dict) and ident:
        return ", ".join(f"{k}={v}" for k, v in sorted(ident.items()) if isinstance(v, str | int))
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def scope_of(doc: dict[str, Any], label: str | None = None) -> tuple[str, str]:
    """(key, label) naming "the same scope" across scans.

    A caller that knows what the user selected (``scan aws --org``, ``iac infra/``)
    passes that as ``label``; otherwise the sources and targets of the document
    stand for it. The key is a hash of the label so it fits an index.
    """
    if label is None:
        scan = doc.get("scan") or {}
        parts = sorted({canonical(t) for t in scan.get("targets") or []})
        label = ",".join(scan.get("sources") or []) + ":" + ";".join(parts)
    return hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:40], label


def _targets(doc: dict[str, Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for t in (doc.get("scan") or {}).get("targets") or []:
        if not isinstance(t, dict):
            continue
        acct = t.get("account") or t.get("subscription") or t.get("project") or t.get("path")
        if acct:
            out.add((str(t.get("provider") or ",".join((doc.get("scan") or {}).get("sources") or [])), str(acct)[:255]))
    for r in doc.get("resources") or []:
        if r.get("account"):
            out.add((str(r.get("provider", "")), str(r["account"])[:255]))
    return out


class Store:
    """A connection pool to one store database, migrated to the current schema."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, event

        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            path = url.split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            kwargs["connect_args"] = {"timeout": 60}
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except Exception as e:  # bad URL, missing driver
            raise StoreError(f"--store {redact(url)}: {e}") from None
        if url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()
        self.migrate()

    # ------------------------------------------------------------------ schema
    def migrate(self) -> None:
        """Bring the database to the newest schema (Alembic ``upgrade head``).

        On PostgreSQL an advisory lock serialises workers that start together.
        """
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import text

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
        try:
            with self._sqlite_migration_lock(), self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(4242427090)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except StoreError:
            raise
        except Exception as e:
            raise StoreError(f"cannot open the store {redact(self.url)}: {type(e).__name__}: {_first_line(e)}") from None

    @contextlib.contextmanager
    def _sqlite_migration_lock(self) -> Iterator[None]:
        """SQLite has no advisory lock: processes opening a new file together (queue workers starting
        at once) take turns through a lock file beside it, or the second one to create a table fails."""
        path = self.url.split("sqlite:///", 1)[-1] if self.url.startswith("sqlite") else ""
        if not path or path == ":memory:":
            yield
            return
        import fcntl

        with open(f"{path}.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ write
    def save(self, report: Report, *, command: Sequence[str] = (), scope_label: str | None = None,
             scan_id: str | None = None) -> str:
        """Store one evaluated scan; returns its id. Re-saving the same id replaces it (idempotent)."""
        from sqlalchemy import delete, insert

        from aiposture.store import models as m

        doc = report.inventory
        scan = doc.get("scan") or {}
        sid = scan_id or str(scan.get("id") or "") or content_hash([scan, len(report.results)])
        key, label = scope_of(doc, scope_label)
        results = _dedupe_results(report)
        counts = {s: 0 for s in ("pass", "fail", "error", "waived")}
        for res in results.values():
            counts[res[3]] += 1
        from aiposture.engine.evaluator import summarize

        resources = list(_resources(doc))
        row = {
            "id": sid, "status": "complete",
            "started_at": _parse_time(scan.get("started_at")),
            "finished_at": _parse_time(scan.get("finished_at")) if scan.get("finished_at") else None,
            "stored_at": dt.datetime.now(dt.UTC),
            "provider": ",".join(scan.get("sources") or sorted({r["provider"] for r in doc.get("resources", [])}))[:64],
            "scope_key": key, "scope_label": label,
            "command": _redact_argv(list(command)),
            "who": who_am_i(doc),
            "tool_version": str(scan.get("tool_version") or report.tool_version)[:32],
            "rules_digest": content_hash(sorted((r.id, r.digest) for r in report.rules)),
            "n_resources": len(resources),
            "n_pass": counts["pass"], "n_fail": counts["fail"], "n_error": counts["error"], "n_waived": counts["waived"],
            "summary": summarize(report.results),
        }
        with self.engine.begin() as conn:
            conn.execute(delete(m.Scan).where(m.Scan.id == sid))
            conn.execute(insert(m.Scan), [row])
            targets = [{"scan_id": sid, "provider": p, "account": a} for p, a in sorted(_targets(doc))]
            _insert_many(conn, m.ScanTarget, targets)
            _insert_many(conn, m.ScopeError, [
                {"scan_id": sid, "provider": str(e.get("provider", "")), "scope": e.get("scope") or {},
                 "code": str(e.get("code", "Error"))[:128], "message": str(e.get("message", "")),
                 "kinds": e.get("kinds"), "partial": bool(e.get("partial"))}
                for e in doc.get("errors") or []])
            self._put_snapshots(conn, {h: body for h, body, _ in resources})
            _bulk(conn, "scan_resources", ("scan_id", "resource_id", "snapshot_hash", "provider", "kind", "account", "name"), [
                (sid, rid, h, str(body.get("provider", "")), str(body.get("kind", "")), str(body.get("account", "")),
                 str(body.get("name", ""))) for h, body, rid in sorted(resources, key=lambda x: x[2])])
            _bulk(conn, "results", ("scan_id", "fingerprint", "rule_id", "resource_id", "status", "severity", "message",
                                    "waiver"),
                  [(sid, *results[fp]) for fp in sorted(results) if results[fp][3] != "pass"])  # key order: index appends
            passes = b"".join(bytes.fromhex(fp) for fp in sorted(results) if results[fp][3] == "pass")
            conn.execute(insert(m.ScanPasses), [{"scan_id": sid, "fingerprints": passes}])
        return sid

    def _put_snapshots(self, conn: Connection, snaps: dict[str, dict[str, Any]]) -> None:
        """Insert the snapshots not stored yet (concurrent writers: ON CONFLICT DO NOTHING)."""
        from sqlalchemy import select

        from aiposture.store import models as m

        hashes = list(snaps)
        have: set[str] = set()
        for i in range(0, len(hashes), _CHUNK):
            chunk = hashes[i:i + _CHUNK]
            have.update(conn.scalars(select(m.Snapshot.hash).where(m.Snapshot.hash.in_(chunk))))
        rows = [{"hash": h, "body": snaps[h]} for h in hashes if h not in have]
        if not rows:
            return
        stmt: Any
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(m.Snapshot).on_conflict_do_nothing(index_elements=["hash"])
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(m.Snapshot).on_conflict_do_nothing(index_elements=["hash"])
        for i in range(0, len(rows), _CHUNK):
            conn.execute(stmt, rows[i:i + _CHUNK])

    # ------------------------------------------------------------------ read
    def scans(self, *, provider: str | None = None, account: str | None = None, scope_key: str | None = None,
              limit: int = 50, include_running: bool = False) -> list[ScanInfo]:
        """Newest first."""
        from sqlalchemy import select

        from aiposture.store import models as m

        q = select(m.Scan).order_by(m.Scan.started_at.desc(), m.Scan.stored_at.desc())
        if not include_running:
            q = q.where(m.Scan.status == "complete")
        if provider:
            q = q.where(m.Scan.provider.contains(provider))
        if scope_key:
            q = q.where(m.Scan.scope_key == scope_key)
        if account:
            q = q.where(m.Scan.id.in_(select(m.ScanTarget.scan_id).where(m.ScanTarget.account == account)))
        with self.engine.connect() as conn:
            return [_info(s) for s in conn.execute(q.limit(limit)).all()]

    def get(self, scan_id: str) -> ScanInfo:
        from sqlalchemy import select

        from aiposture.store import models as m

        with self.engine.connect() as conn:
            row = conn.execute(select(m.Scan).where(m.Scan.id == scan_id)).first()
        if row is None:
            raise StoreError(f"no scan {scan_id!r} in the store (see 'aiposture history')")
        return _info(row)

    def resolve(self, ref: str) -> ScanInfo:
        """A scan by full id, unique id prefix (>= 4 characters), or ``latest`` / ``latest~N``."""
        from sqlalchemy import select

        from aiposture.store import models as m

        if ref == "latest" or ref.startswith("latest~"):
            n = int(ref.split("~", 1)[1]) if "~" in ref and ref.split("~", 1)[1].isdigit() else 0
            found = self.scans(limit=n + 1)
            if len(found) <= n:
                raise StoreError(f"{ref}: the store holds only {len(found)} scan(s)")
            return found[n]
        if len(ref) < 4:
            raise StoreError(f"scan id {ref!r}: give at least 4 characters")
        with self.engine.connect() as conn:
            ids = list(conn.scalars(select(m.Scan.id).where(m.Scan.id.startswith(ref, autoescape=True)).limit(3)))
        if not ids:
            raise StoreError(f"no scan {ref!r} in the store (see 'aiposture history')")
        if len(ids) > 1:
            raise StoreError(f"scan id prefix {ref!r} is ambiguous ({', '.join(i[:12] for i in ids)}...)")
        return self.get(ids[0])

    def previous(self, scan: ScanInfo) -> ScanInfo | None:
        """The newest complete scan of the same scope that started before ``scan``."""
        from sqlalchemy import select

        from aiposture.store import models as m

        q = (select(m.Scan).where(m.Scan.scope_key == scan.scope_key, m.Scan.status == "complete", m.Scan.id != scan.id,
                                  m.Scan.started_at <= scan.started_at)
             .order_by(m.Scan.started_at.desc(), m.Scan.stored_at.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return _info(row) if row else None

    def latest_for_scope(self, scope_key: str) -> ScanInfo | None:
        found = self.scans(scope_key=scope_key, limit=1)
        return found[0] if found else None

    def results(self, scan_id: str, *, passes: bool = True) -> dict[str, StoredResult]:
        """Fingerprint -> outcome. Passing outcomes carry only the fingerprint (rule and
        resource ids empty): they come from the packed ``scan_passes`` list."""
        from sqlalchemy import select

        from aiposture.store import models as m

        q = select(m.ResultRow.fingerprint, m.ResultRow.rule_id, m.ResultRow.resource_id, m.ResultRow.status,
                   m.ResultRow.severity, m.ResultRow.message).where(m.ResultRow.scan_id == scan_id)
        with self.engine.connect() as conn:
            out = {r[0]: StoredResult(*r) for r in conn.execute(q)}
            if passes:
                blob = conn.scalar(select(m.ScanPasses.fingerprints).where(m.ScanPasses.scan_id == scan_id)) or b""
                for i in range(0, len(blob), 16):
                    fp = blob[i:i + 16].hex()
                    out[fp] = StoredResult(fp, "", "", "pass", "", "")
        return out

    def resources(self, scan_id: str) -> dict[str, StoredResource]:
        from sqlalchemy import select

        from aiposture.store import models as m

        q = select(m.ScanResource.resource_id, m.ScanResource.snapshot_hash, m.ScanResource.provider,
                   m.ScanResource.kind, m.ScanResource.account, m.ScanResource.name).where(m.ScanResource.scan_id == scan_id)
        with self.engine.connect() as conn:
            return {r[0]: StoredResource(*r) for r in conn.execute(q)}

    def snapshots(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        from sqlalchemy import select

        from aiposture.store import models as m

        hs = list(set(hashes))
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(hs), _CHUNK):
                for h, body in conn.execute(select(m.Snapshot.hash, m.Snapshot.body).where(m.Snapshot.hash.in_(hs[i:i + _CHUNK]))):
                    out[h] = body
        return out

    def scope_errors(self, scan_id: str) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from aiposture.store import models as m

        q = select(m.ScopeError).where(m.ScopeError.scan_id == scan_id).order_by(m.ScopeError.id)
        with self.engine.connect() as conn:
            return [{"provider": e.provider, "scope": e.scope, "code": e.code, "message": e.message, "kinds": e.kinds,
                     "partial": e.partial} for e in conn.execute(q).all()]

    def trend(self, *, scope_key: str | None = None, limit: int = 30) -> list[ScanInfo]:
        """Oldest first: the series behind the HTML trend chart."""
        return list(reversed(self.scans(scope_key=scope_key, limit=limit)))

    # ------------------------------------------------------------------ queue parts
    def begin_scan(self, scan_id: str, *, provider: str, scope_label: str, command: Sequence[str], who: str,
                   plan: dict[str, Any] | None = None) -> None:
        """A placeholder row (status ``running``) that queue workers attach parts to.

        ``plan`` (the queue's part keys and how to finalise) is kept in the row's
        ``summary`` until the scan is saved, which replaces it with the real summary."""
        from sqlalchemy import insert, select

        from aiposture.store import models as m

        now = dt.datetime.now(dt.UTC)
        key, label = scope_of({}, scope_label)
        with self.engine.begin() as conn:
            if conn.execute(select(m.Scan.id).where(m.Scan.id == scan_id)).first():
                return
            conn.execute(insert(m.Scan), [{
                "id": scan_id, "status": "running", "started_at": now, "finished_at": None, "stored_at": now,
                "provider": provider[:64], "scope_key": key, "scope_label": label, "command": _redact_argv(list(command)),
                "who": who, "tool_version": "", "rules_digest": "", "n_resources": 0, "n_pass": 0, "n_fail": 0,
                "n_error": 0, "n_waived": 0, "summary": {"queue": plan} if plan else {}}])

    def put_part(self, scan_id: str, part_key: str, payload: dict[str, Any]) -> bool:
        """Record one task's partial inventory; a retried task overwrites its own part (idempotent).

        False (nothing written) once the scan is no longer running: a task delivered twice
        that ends after the scan was finalised leaves no stray part behind."""
        from sqlalchemy import delete, insert, select

        from aiposture.store import models as m

        with self.engine.begin() as conn:
            status = conn.scalar(select(m.Scan.status).where(m.Scan.id == scan_id))
            if status not in ("running", "detached", "finalising"):
                return False
            conn.execute(delete(m.ScanPart).where(m.ScanPart.scan_id == scan_id, m.ScanPart.part_key == part_key))
            conn.execute(insert(m.ScanPart), [{"scan_id": scan_id, "part_key": part_key[:255], "payload": payload}])
        return True

    def parts(self, scan_id: str) -> dict[str, dict[str, Any]]:
        from sqlalchemy import select

        from aiposture.store import models as m

        with self.engine.connect() as conn:
            return {k: p for k, p in conn.execute(select(m.ScanPart.part_key, m.ScanPart.payload)
                                                 .where(m.ScanPart.scan_id == scan_id))}

    def part_count(self, scan_id: str) -> int:
        """How many parts have landed (the waiting client polls this: no payload is read)."""
        from sqlalchemy import func, select

        from aiposture.store import models as m

        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(m.ScanPart).where(m.ScanPart.scan_id == scan_id)) or 0)

    def queue_plan(self, scan_id: str) -> tuple[str, dict[str, Any] | None]:
        """(status, plan given to :meth:`begin_scan`) of a scan; ``("", None)`` when the store has no such scan."""
        from sqlalchemy import select

        from aiposture.store import models as m

        with self.engine.connect() as conn:
            row = conn.execute(select(m.Scan.status, m.Scan.summary).where(m.Scan.id == scan_id)).first()
        if row is None:
            return "", None
        summary = row[1] if isinstance(row[1], dict) else {}
        return str(row[0]), summary.get("queue")

    def scan_status(self, scan_id: str) -> str:
        """``running``, ``finalising``, ``complete``, or ``""`` when the store has no such scan."""
        from sqlalchemy import select

        from aiposture.store import models as m

        with self.engine.connect() as conn:
            return str(conn.scalar(select(m.Scan.status).where(m.Scan.id == scan_id)) or "")

    @property
    def redacted_url(self) -> str:
        return redact(self.url)

    def set_status(self, scan_id: str, new: str, *, expect: str) -> bool:
        """Move a scan from ``expect`` to ``new`` atomically; False when another process moved it first.

        The finaliser of a queued scan claims it this way (``running`` -> ``finalising``), so
        two workers finishing the last parts at the same moment evaluate it once."""
        from sqlalchemy import update

        from aiposture.store import models as m

        with self.engine.begin() as conn:
            res = conn.execute(update(m.Scan).where(m.Scan.id == scan_id, m.Scan.status == expect).values(status=new))
            return (res.rowcount or 0) == 1

    def trend_counts(self, scan_ids: Sequence[str]) -> dict[str, list[tuple[str, str, str, int]]]:
        """Per scan: (rule id, severity, provider, count) of its failing results, for the HTML trend chart.

        The provider is the failing resource's; one grouped query per chunk of scans."""
        from sqlalchemy import and_, func, select

        from aiposture.store import models as m

        out: dict[str, list[tuple[str, str, str, int]]] = {sid: [] for sid in scan_ids}
        ids = list(scan_ids)
        r, sr = m.ResultRow, m.ScanResource
        with self.engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = (select(r.scan_id, r.rule_id, r.severity, sr.provider, func.count())
                     .select_from(r)
                     .join(sr, and_(sr.scan_id == r.scan_id, sr.resource_id == r.resource_id), isouter=True)
                     .where(r.scan_id.in_(ids[i:i + _CHUNK]), r.status == "fail")
                     .group_by(r.scan_id, r.rule_id, r.severity, sr.provider))
                for sid, rule, sev, prov, n in conn.execute(q):
                    out[sid].append((rule, sev, prov or "", int(n)))
        return out

    def drop_parts(self, scan_id: str) -> None:
        from sqlalchemy import delete

        from aiposture.store import models as m

        with self.engine.begin() as conn:
            conn.execute(delete(m.ScanPart).where(m.ScanPart.scan_id == scan_id))


# ---------------------------------------------------------------------- helpers
def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [""])[0][:300]


def _insert_many(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for i in range(0, len(rows), _CHUNK):
        conn.execute(insert(model), rows[i:i + _CHUNK])


def _resources(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(snapshot hash, body, resource id), first occurrence of each id."""
    seen: set[str] = set()
    for r in doc.get("resources") or []:
        rid = str(r.get("id"))
        if rid in seen:
            continue
        seen.add(rid)
        yield content_hash(r), r, rid


_STATUS_RANK = {"fail": 3, "error": 2, "waived": 1, "pass": 0}


def _dedupe_results(report: Report) -> dict[str, tuple[Any, ...]]:
    """One row per fingerprint: (fingerprint, rule id, resource id, status, severity, message, waiver JSON).

    When a fingerprint repeats (duplicate resource ids) the worst status wins.
    Passing results keep no message: it is the rule's title, already in the rule pack.
    """
    from aiposture.engine.model import fingerprint

    out: dict[str, tuple[Any, ...]] = {}
    for r in report.results:
        rule = r.rule
        status = r.status.value
        fp = fingerprint(rule.id, r.resource_id)
        old = out.get(fp)
        if old is not None and _STATUS_RANK[status] <= _STATUS_RANK[old[3]]:
            continue
        out[fp] = (fp, rule.id, r.resource_id, status, rule.severity, "" if status == "pass" else r.message,
                   canonical(r.waiver) if r.waiver is not None else None)
    return out


def _bulk(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows through the driver directly (SQLAlchemy's per-row parameter processing
    cost more than the database at 50,000+ results); PostgreSQL uses COPY."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    for i in range(0, len(rows), 10 * _CHUNK):
        conn.exec_driver_sql(sql, rows[i:i + 10 * _CHUNK])


def _info(row: Any) -> ScanInfo:
    s = row[0] if not hasattr(row, "id") else row
    return ScanInfo(
        id=s.id, status=s.status, started_at=_aware(s.started_at) or dt.datetime.now(dt.UTC),
        finished_at=_aware(s.finished_at), provider=s.provider, scope_key=s.scope_key, scope_label=s.scope_label,
        command=list(s.command or []), who=s.who, tool_version=s.tool_version, rules_digest=s.rules_digest,
        n_resources=s.n_resources, n_pass=s.n_pass, n_fail=s.n_fail, n_error=s.n_error, n_waived=s.n_waived,
        summary=dict(s.summary or {}),
    )


def open_store(value: str | None) -> Store | None:
    """``--store`` / ``AIPOSTURE_STORE`` -> an open, migrated store (``None`` when neither is set)."""
    url = resolve_url(value)
    if url is None:
        return None
    try:
        import alembic  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        raise StoreError("the scan store needs SQLAlchemy and Alembic: pip install 'aiposture[store]'") from None
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError("a PostgreSQL store needs psycopg: pip install 'aiposture[postgres]'") from None
    return Store(url)
