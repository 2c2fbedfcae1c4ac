"""Tables of the scan store (SQLAlchemy 2 declarative models).

The Alembic migrations in ``migrations/versions`` create exactly these tables;
a test compares the two so neither drifts.

* ``scans``: one row per stored scan (who, when, command, scope, tool and rule
  pack version, counts).
* ``scan_targets``: the accounts / subscriptions / projects / paths a scan
  covered, for ``history --account``.
* ``scope_errors``: what a scan could not read.
* ``snapshots``: resource documents, deduplicated by content hash (an
  unchanged resource costs one 64-byte reference per scan, not a copy).
* ``scan_resources``: which snapshot each resource of a scan had.
* ``results``: every failing, erroring or waived outcome, keyed by the finding
  fingerprint (what people query and compare).
* ``scan_passes``: the passing outcomes of a scan as one packed, sorted list of
  16-byte fingerprints. Passes are most results; as rows they made storing a
  10,000-resource scan cost as much as evaluating it.
* ``scan_parts``: partial inventories written by queue workers (one per
  account x region task) before the scan is finalised; idempotent by key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class Scan(Base):
    __tablename__ = "scans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="complete")  # running | complete
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str] = mapped_column(String(64))
    scope_key: Mapped[str] = mapped_column(String(64))
    scope_label: Mapped[str] = mapped_column(Text)
    command: Mapped[Any] = mapped_column(Json)
    who: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(32))
    rules_digest: Mapped[str] = mapped_column(String(64))
    n_resources: Mapped[int] = mapped_column(Integer, default=0)
    n_pass: Mapped[int] = mapped_column(Integer, default=0)
    n_fail: Mapped[int] = mapped_column(Integer, default=0)
    n_error: Mapped[int] = mapped_column(Integer, default=0)
    n_waived: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[Any] = mapped_column(Json)

    __table_args__ = (Index("ix_scans_scope_started", "scope_key", "started_at"),)


class ScanTarget(Base):
    __tablename__ = "scan_targets"

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    account: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_scan_targets_account", "account"),)


class ScopeError(Base):
    __tablename__ = "scope_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    scope: Mapped[Any] = mapped_column(Json)
    code: Mapped[str] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    kinds: Mapped[Any] = mapped_column(Json, nullable=True)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)


class Snapshot(Base):
    __tablename__ = "snapshots"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[Any] = mapped_column(Json)


class ScanResource(Base):
    __tablename__ = "scan_resources"

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    resource_id: Mapped[str] = mapped_column(Text, primary_key=True)
    snapshot_hash: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))
    provider: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)


class ResultRow(Base):
    __tablename__ = "results"

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    waiver: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text, written in bulk


class ScanPasses(Base):
    __tablename__ = "scan_passes"

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    fingerprints: Mapped[bytes] = mapped_column(LargeBinary)


class ScanPart(Base):
    __tablename__ = "scan_parts"

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    part_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    payload: Mapped[Any] = mapped_column(Json)
