"""Initial scan store: scans, targets, scope errors, snapshots, resources, results, passes, parts.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aiposture.store.models import Json

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("scope_key", sa.String(64), nullable=False),
        sa.Column("scope_label", sa.Text(), nullable=False),
        sa.Column("command", Json, nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("rules_digest", sa.String(64), nullable=False),
        sa.Column("n_resources", sa.Integer(), nullable=False),
        sa.Column("n_pass", sa.Integer(), nullable=False),
        sa.Column("n_fail", sa.Integer(), nullable=False),
        sa.Column("n_error", sa.Integer(), nullable=False),
        sa.Column("n_waived", sa.Integer(), nullable=False),
        sa.Column("summary", Json, nullable=False),
    )
    op.create_index("ix_scans_scope_started", "scans", ["scope_key", "started_at"])
    op.create_table(
        "scan_targets",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(255), primary_key=True),
    )
    op.create_index("ix_scan_targets_account", "scan_targets", ["account"])
    op.create_table(
        "scope_errors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("scope", Json, nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("kinds", Json, nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_scope_errors_scan_id", "scope_errors", ["scan_id"])
    op.create_table(
        "snapshots",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("body", Json, nullable=False),
    )
    op.create_table(
        "scan_resources",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("resource_id", sa.Text(), primary_key=True),
        sa.Column("snapshot_hash", sa.String(64), sa.ForeignKey("snapshots.hash"), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.create_table(
        "results",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("waiver", sa.Text(), nullable=True),
    )
    op.create_table(
        "scan_passes",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "scan_parts",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("part_key", sa.String(255), primary_key=True),
        sa.Column("payload", Json, nullable=False),
    )


def downgrade() -> None:
    for table in ("scan_parts", "scan_passes", "results", "scan_resources", "snapshots", "scope_errors", "scan_targets", "scans"):
        op.drop_table(table)
