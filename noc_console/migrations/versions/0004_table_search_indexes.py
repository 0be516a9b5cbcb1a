"""one trigram index per table (PostgreSQL) and e-mail domain prefix indexes (both)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 19:00:00

PostgreSQL probed one pg_trgm index per column: three bitmap scans on the
million portal users for every lookup term. One index over the table's
searched columns answers the same question in one probe. A term like
'empresa.com.br' is answered by the domain part of the addresses as a btree
prefix range instead of a trigram scan over every address of the company.
Building the indexes takes about a minute on a million portal users.
"""

from __future__ import annotations

from alembic import op

from noc_console.migrations import search_objects

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in search_objects.postgresql_table_search_ddl():
            op.execute(statement)
        for name in search_objects.postgresql_column_search_indexes():
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for statement in search_objects.email_domain_ddl(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        # Statistics for the new index expressions: without them the planner guesses 4 %
        # of rows match any term and scans a million users sequentially (0.3 s) for a
        # term that matches none, until autovacuum analyses the table on its own.
        for table in search_objects.SEARCH_COLUMNS:
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in search_objects.EMAIL_DOMAIN_INDEXES.values():
        op.execute(f"DROP INDEX IF EXISTS {name}")
    if dialect == "postgresql":
        for table, columns in search_objects.SEARCH_COLUMNS.items():
            if len(columns) > 1:
                op.execute(f"DROP INDEX IF EXISTS {search_objects.search_index(table)}")
        for statement in search_objects.create_all(dialect):
            if " USING gin " in statement:
                op.execute(statement)  # IF NOT EXISTS: the per-column indexes of 0001
