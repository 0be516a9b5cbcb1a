"""prefix indexes for login (PostgreSQL) and escalation contact names

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:10:00
"""

from __future__ import annotations

from alembic import op

from noc_console.migrations import search_objects

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_escalation_contacts_name_norm",
        "escalation_contacts",
        ["name_norm"],
        unique=False,
        postgresql_ops={"name_norm": "text_pattern_ops"},
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in search_objects.postgresql_prefix_ddl():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in search_objects.POSTGRES_PREFIX_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_escalation_contacts_name_norm", table_name="escalation_contacts")
