"""SQLite: INSERT OR REPLACE cannot overwrite an audit event

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:00:00
"""

from __future__ import annotations

from alembic import op

from noc_console.migrations import search_objects

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL has no REPLACE; its UPDATE/DELETE/TRUNCATE triggers already cover upserts.
    if op.get_bind().dialect.name == "sqlite":
        for statement in search_objects.sqlite_audit_replace_ddl():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_replace")
