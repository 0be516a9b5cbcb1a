"""Operators from the directory, second factor (issue 15)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:15:00

Operators gain where they come from (``local`` or ``ldap``, with the
directory DN), an e-mail, the break-glass flag and their TOTP factor (the
secret encrypted, the enrolment time and the last accepted time step); the
recovery codes get a table of their own (argon2 hashes, each used once).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

from noc_console.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHECKS = (
    ("source", "source IN ('local', 'ldap')"),
    (
        "directory_dn",
        "(source = 'ldap' AND directory_dn IS NOT NULL)"
        " OR (source = 'local' AND directory_dn IS NULL)",
    ),
    ("break_glass_local", "break_glass = false OR source = 'local'"),
    (
        "totp_enrolled",
        "(totp_secret IS NULL AND totp_enrolled_at IS NULL)"
        " OR (totp_secret IS NOT NULL AND totp_enrolled_at IS NOT NULL)",
    ),
    ("totp_last_step", "totp_last_step IS NULL OR totp_last_step >= 0"),
)


def _columns() -> tuple[sa.Column[object], ...]:
    """Fresh Column objects each time (a Column belongs to the one table it is added to)."""
    return (
        # Existing operators are local accounts, without a factor: the server defaults fill them in.
        sa.Column("source", sa.String(length=8), server_default="local", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("directory_dn", sa.String(length=1024), nullable=True),
        sa.Column("break_glass", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("totp_secret", sa.String(length=512), nullable=True),
        sa.Column("totp_enrolled_at", UTCDateTime(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
    )


_SQLITE_TRIGGERS = ("operators_identity_check_insert", "operators_identity_check_update")


def _new_row(condition: str) -> str:
    """The CHECK condition about the row being written (``NEW.column``), for a trigger."""
    names = "|".join(column.name for column in _columns())
    return re.sub(rf"\b({names})\b", r"NEW.\1", condition)


def upgrade() -> None:
    for column in _columns():
        op.add_column("operators", column)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a CHECK only by rebuilding the table, and rebuilding "operators"
        # (audit_events and the recovery codes point at it) fails with foreign keys on,
        # which a migration's transaction cannot switch off. Triggers hold the same rules.
        condition = _new_row(" AND ".join(f"({check})" for _name, check in _CHECKS))
        for trigger, event in zip(_SQLITE_TRIGGERS, ("INSERT", "UPDATE"), strict=True):
            op.execute(
                f"CREATE TRIGGER {trigger} BEFORE {event} ON operators"
                f" FOR EACH ROW WHEN NOT ({condition})"
                " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: operators identity'); END"
            )
    else:
        # The model has no server defaults: every insert says what it means.
        op.alter_column("operators", "source", server_default=None)
        op.alter_column("operators", "break_glass", server_default=None)
        for name, condition in _CHECKS:
            op.create_check_constraint(op.f(f"ck_operators_{name}"), "operators", condition)
    op.create_table(
        "operator_recovery_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "operator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_operator_recovery_codes_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_recovery_codes")),
    )
    op.create_index(
        op.f("ix_operator_recovery_codes_operator_id"),
        "operator_recovery_codes",
        ["operator_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_operator_recovery_codes_operator_id"), table_name="operator_recovery_codes"
    )
    op.drop_table("operator_recovery_codes")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        for name, _condition in reversed(_CHECKS):
            op.drop_constraint(op.f(f"ck_operators_{name}"), "operators", type_="check")
    for column in reversed(_columns()):
        op.drop_column("operators", column.name)
