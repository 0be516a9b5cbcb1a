"""Escalation runs and their call attempts (issue 13)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:15:00

A run keeps a snapshot of the chain it started with; its attempts are
append-only (triggers, like audit_events). On PostgreSQL a trigger sends
NOTIFY escalation_runs on every change, in the changing transaction, for the
consoles watching the board.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from noc_console.migrations import run_objects
from noc_console.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "escalation_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("chain_version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("ticket_ref", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("started_by", _ID, nullable=False),
        sa.Column("current_level", sa.Integer(), nullable=False),
        sa.Column("current_level_at", UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_attempt_level", sa.Integer(), nullable=True),
        sa.Column("attempts_count", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", _ID, nullable=True),
        sa.Column("acknowledged_level", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", _ID, nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("working_by", _ID, nullable=True),
        sa.Column("working_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'acknowledged', 'resolved', 'cancelled')",
            name=op.f("ck_escalation_runs_state"),
        ),
        sa.CheckConstraint(
            "current_level BETWEEN 1 AND 3", name=op.f("ck_escalation_runs_current_level")
        ),
        sa.CheckConstraint(
            "length(trim(ticket_ref)) > 0", name=op.f("ck_escalation_runs_ticket_ref")
        ),
        sa.CheckConstraint(
            "acknowledged_level IS NULL OR acknowledged_level BETWEEN 1 AND 3",
            name=op.f("ck_escalation_runs_acknowledged_level"),
        ),
        sa.CheckConstraint(
            "(state = 'open' AND acknowledged_at IS NULL)"
            " OR (state = 'acknowledged' AND acknowledged_at IS NOT NULL"
            " AND acknowledged_level IS NOT NULL AND closed_at IS NULL)"
            " OR (state IN ('resolved', 'cancelled') AND closed_at IS NOT NULL)",
            name=op.f("ck_escalation_runs_state_fields"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_escalation_runs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["operators.id"], name=op.f("fk_escalation_runs_started_by_operators")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["operators.id"],
            name=op.f("fk_escalation_runs_acknowledged_by_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["operators.id"], name=op.f("fk_escalation_runs_closed_by_operators")
        ),
        sa.ForeignKeyConstraint(
            ["working_by"], ["operators.id"], name=op.f("fk_escalation_runs_working_by_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_runs")),
    )
    op.create_index(
        "ix_escalation_runs_state", "escalation_runs", ["state", "current_level_at"], unique=False
    )
    op.create_index(
        "ix_escalation_runs_customer",
        "escalation_runs",
        ["customer_id", "started_at"],
        unique=False,
    )
    op.create_table(
        "escalation_attempts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_address", sa.String(length=254), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("operator_id", _ID, nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_escalation_attempts_level")),
        sa.CheckConstraint(
            "channel IN ('phone', 'email')", name=op.f("ck_escalation_attempts_channel")
        ),
        sa.CheckConstraint(
            "outcome IN ('answered', 'no_answer', 'voicemail', 'busy', 'wrong_number',"
            " 'email_sent')",
            name=op.f("ck_escalation_attempts_outcome"),
        ),
        sa.CheckConstraint(
            "(channel = 'email') = (outcome = 'email_sent')",
            name=op.f("ck_escalation_attempts_channel_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["escalation_runs.id"],
            name=op.f("fk_escalation_attempts_run_id_escalation_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_escalation_attempts_operator_id_operators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_attempts")),
    )
    op.create_index(
        "ix_escalation_attempts_run", "escalation_attempts", ["run_id", "at"], unique=False
    )
    for statement in run_objects.create_all(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("escalation_attempts")
    op.drop_table("escalation_runs")
    for statement in run_objects.drop_all(dialect):
        op.execute(statement)
