"""Outbox delivery state for the mailer (issue 14)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:15:00

``noc-console mailer`` delivers ``notification_outbox`` rows: each row gets a
state (queued → sending → sent, or retrying / failed / expired, held by a
CHECK), the time it is next due, a mailer's lease on it (so several mailers
never send one row twice, and a crashed one's row is taken over), the
Message-ID it was sent with, the reset token it carries (to know it expired or
was replaced before it left) and the language of the mail. The old
``(sent_at, created_at)`` index gives way to the one the claim query uses.
Portal users get the language their mail is written in (NULL: pt_BR).

Rows already delivered before this revision have ``sent_at`` set: they become
``sent``; the rest are queued, due at once.

Columns are added in place on both backends (SQLite accepts a column's CHECK
and REFERENCES in ADD COLUMN), so no table is rebuilt and the search triggers
of portal_users stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from noc_console.models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATES = "'queued', 'sending', 'sent', 'retrying', 'failed', 'expired'"
LANGUAGES = "'pt_BR', 'en'"
OUTBOX_CHECKS = {
    "ck_notification_outbox_state": f"state IN ({STATES})",
    "ck_notification_outbox_language": f"language IN ({LANGUAGES})",
}
USER_LANGUAGE_CHECK = f"language IS NULL OR language IN ({LANGUAGES})"
FK_RESET_LINK = "fk_notification_outbox_reset_token_id_password_reset_tokens"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # ALTER TABLE ... ADD COLUMN with the constraints on the column: SQLite has no
        # ADD CONSTRAINT, and a batch rebuild would drop portal_users' search triggers.
        for statement in (
            "ALTER TABLE notification_outbox ADD COLUMN state VARCHAR(16) DEFAULT 'queued'"
            f" NOT NULL CONSTRAINT ck_notification_outbox_state CHECK (state IN ({STATES}))",
            "ALTER TABLE notification_outbox ADD COLUMN next_attempt_at DATETIME",
            "ALTER TABLE notification_outbox ADD COLUMN claimed_until DATETIME",
            "ALTER TABLE notification_outbox ADD COLUMN claimed_by VARCHAR(120)",
            "ALTER TABLE notification_outbox ADD COLUMN message_id VARCHAR(255)",
            "ALTER TABLE notification_outbox ADD COLUMN language VARCHAR(8) DEFAULT 'pt_BR'"
            " NOT NULL CONSTRAINT ck_notification_outbox_language"
            f" CHECK (language IN ({LANGUAGES}))",
            "ALTER TABLE notification_outbox ADD COLUMN expires_at DATETIME",
            f"ALTER TABLE notification_outbox ADD COLUMN reset_token_id INTEGER"
            f" CONSTRAINT {FK_RESET_LINK} REFERENCES password_reset_tokens (id)",
            "ALTER TABLE portal_users ADD COLUMN language VARCHAR(8)"
            f" CONSTRAINT ck_portal_users_language CHECK ({USER_LANGUAGE_CHECK})",
        ):
            op.execute(statement)
    else:
        op.add_column(
            "notification_outbox",
            sa.Column("state", sa.String(length=16), server_default="queued", nullable=False),
        )
        for name in ("next_attempt_at", "claimed_until"):
            op.add_column("notification_outbox", sa.Column(name, UTCDateTime(), nullable=True))
        op.add_column(
            "notification_outbox", sa.Column("claimed_by", sa.String(length=120), nullable=True)
        )
        op.add_column(
            "notification_outbox", sa.Column("message_id", sa.String(length=255), nullable=True)
        )
        op.add_column(
            "notification_outbox",
            sa.Column("language", sa.String(length=8), server_default="pt_BR", nullable=False),
        )
        op.add_column("notification_outbox", sa.Column("expires_at", UTCDateTime(), nullable=True))
        op.add_column("notification_outbox", sa.Column("reset_token_id", sa.BigInteger()))
        op.create_foreign_key(
            FK_RESET_LINK,
            "notification_outbox",
            "password_reset_tokens",
            ["reset_token_id"],
            ["id"],
        )
        for name, condition in OUTBOX_CHECKS.items():
            op.create_check_constraint(name, "notification_outbox", condition)
        op.add_column("portal_users", sa.Column("language", sa.String(length=8), nullable=True))
        op.create_check_constraint("ck_portal_users_language", "portal_users", USER_LANGUAGE_CHECK)

    op.execute("UPDATE notification_outbox SET state = 'sent' WHERE sent_at IS NOT NULL")
    op.execute("UPDATE notification_outbox SET next_attempt_at = created_at WHERE sent_at IS NULL")
    op.drop_index("ix_notification_outbox_pending", table_name="notification_outbox")
    op.create_index(
        "ix_notification_outbox_due", "notification_outbox", ["state", "next_attempt_at"]
    )
    op.create_index(
        "ix_notification_outbox_portal_user_id", "notification_outbox", ["portal_user_id", "id"]
    )
    op.create_index(
        "ix_notification_outbox_reset_token_id", "notification_outbox", ["reset_token_id"]
    )


def downgrade() -> None:
    for name in (
        "ix_notification_outbox_reset_token_id",
        "ix_notification_outbox_portal_user_id",
        "ix_notification_outbox_due",
    ):
        op.drop_index(name, table_name="notification_outbox")
    op.create_index(
        "ix_notification_outbox_pending", "notification_outbox", ["sent_at", "created_at"]
    )
    columns = (
        "reset_token_id",
        "expires_at",
        "language",
        "message_id",
        "claimed_by",
        "claimed_until",
        "next_attempt_at",
        "state",
    )
    if op.get_bind().dialect.name == "sqlite":
        # The constraints belong to the columns themselves, so SQLite (3.35+) drops them
        # with their column; no table is rebuilt.
        for column in columns:
            op.execute(f"ALTER TABLE notification_outbox DROP COLUMN {column}")
        op.execute("ALTER TABLE portal_users DROP COLUMN language")
        return
    op.drop_constraint(FK_RESET_LINK, "notification_outbox", type_="foreignkey")
    for name in OUTBOX_CHECKS:
        op.drop_constraint(name, "notification_outbox", type_="check")
    for column in columns:
        op.drop_column("notification_outbox", column)
    op.drop_constraint("ck_portal_users_language", "portal_users", type_="check")
    op.drop_column("portal_users", "language")
