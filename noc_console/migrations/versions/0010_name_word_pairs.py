"""Pairs of name words and the vocabulary of names, for lookups of several words (issue 16)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:00:00

Two new tables: ``name_word_pairs`` (each name's ordered pairs of distinct
words, so the names holding two typed words are one btree range however
common each word is) and ``name_vocabulary`` (every distinct word, so a typed
prefix is resolved to the stored words it stands for). Both are filled here
from ``name_words`` (migration 0009) by one sorted INSERT ... SELECT each.

Online on PostgreSQL as 0009: the tables are new, created, filled and
indexed inside this migration's transaction, invisible to other sessions
until it commits; ``name_words`` is only read. Run it in a quiet moment: a
name written while the fill runs is not in its snapshot.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from noc_console.models.name_words import fill_derived

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WORD_LENGTH = 64  # frozen here: models.name_words.WORD_LENGTH says the same today


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    rowid = {"sqlite_with_rowid": False}
    op.create_table(
        "name_word_pairs",
        sa.Column("word", sa.String(length=WORD_LENGTH), nullable=False),
        sa.Column("other", sa.String(length=WORD_LENGTH), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind BETWEEN 1 AND 4", name=op.f("ck_name_word_pairs_kind")),
        sa.PrimaryKeyConstraint(
            "word", "other", "kind", "record_id", name=op.f("pk_name_word_pairs")
        ),
        **rowid,
    )
    op.create_table(
        "name_vocabulary",
        sa.Column("word", sa.String(length=WORD_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_name_vocabulary")),
        **rowid,
    )
    fill_derived(conn)  # sorted as the primary keys: each btree is appended to
    op.create_index(
        "ix_name_vocabulary_word",
        "name_vocabulary",
        ["word"],
        unique=False,
        postgresql_ops={"word": "text_pattern_ops"},
    )
    if dialect == "postgresql":
        op.execute("ANALYZE name_word_pairs")
        op.execute("ANALYZE name_vocabulary")


def downgrade() -> None:
    op.drop_index("ix_name_vocabulary_word", table_name="name_vocabulary")
    op.drop_table("name_vocabulary")
    op.drop_table("name_word_pairs")
