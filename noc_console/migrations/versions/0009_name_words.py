"""Name words for the word-prefix and typo-tolerant lookup (issue 16)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:15:00

Two new tables: ``name_words`` (each distinct word of every company, trade,
portal-user and escalation-contact name, with the customer it leads to) and
``name_word_keys`` (each word's one-deletion variants, which find the words one
typo away with a btree equality). Both are filled here from the names already
stored, then indexed.

Online on PostgreSQL: no index is added to a live table. The two tables are
created, filled and indexed inside this migration's transaction, where no
other session can see them until it commits, so nothing waits on them; the
live tables are only read (ACCESS SHARE, which blocks no write). A name
written by another session while the fill runs is not in its snapshot: run
the upgrade in a quiet moment (as for 0004), the console's own writes keep
the words in step from then on. About 40 s per million portal users on the
benchmark machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from noc_console.models.name_words import (
    insert_words,
    rows_for_contact,
    rows_for_customer,
    rows_for_user,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 20_000
WORD_LENGTH = 64  # frozen here: models.name_words.WORD_LENGTH says the same today


def _fill(
    conn: sa.Connection, sql: str, to_rows: Callable[[Any], Sequence[dict[str, Any]]]
) -> None:
    """Keyset batches by id: flat memory on millions of rows."""
    last = 0
    while True:
        batch = conn.execute(sa.text(sql), {"last": last, "n": BATCH}).mappings().all()
        if not batch:
            return
        rows: list[dict[str, Any]] = []
        for row in batch:
            rows += to_rows(row)
        insert_words(conn, rows, derived=False)  # pairs and vocabulary: migration 0010
        last = int(batch[-1]["id"])


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    op.create_table(
        "name_words",
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("word", sa.String(length=WORD_LENGTH), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind BETWEEN 1 AND 4", name=op.f("ck_name_words_kind")),
        sa.PrimaryKeyConstraint("kind", "record_id", "word", name=op.f("pk_name_words")),
    )
    op.create_table(
        "name_word_keys",
        sa.Column("key", sa.String(length=WORD_LENGTH), nullable=False),
        sa.Column("word", sa.String(length=WORD_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("key", "word", name=op.f("pk_name_word_keys")),
    )
    _fill(
        conn,
        "SELECT id, legal_name, trade_name FROM customers WHERE id > :last ORDER BY id LIMIT :n",
        rows_for_customer,
    )
    _fill(
        conn,
        "SELECT id, customer_id, full_name FROM portal_users WHERE id > :last ORDER BY id LIMIT :n",
        rows_for_user,
    )
    _fill(
        conn,
        "SELECT e.id AS id, e.name AS name, h.customer_id AS customer_id"
        " FROM escalation_contacts e JOIN escalation_chains h ON h.id = e.chain_id"
        " WHERE e.id > :last ORDER BY e.id LIMIT :n",
        lambda row: rows_for_contact(row, int(row["customer_id"])),
    )
    # After the fill: one sort instead of a million random inserts into the btree.
    op.create_index(
        "ix_name_words_word",
        "name_words",
        ["word", "kind", "record_id"],
        unique=False,
        postgresql_ops={"word": "text_pattern_ops"},
    )
    if dialect == "postgresql":
        op.execute("ANALYZE name_words")
        op.execute("ANALYZE name_word_keys")


def downgrade() -> None:
    op.drop_index("ix_name_words_word", table_name="name_words")
    op.drop_table("name_word_keys")
    op.drop_table("name_words")
