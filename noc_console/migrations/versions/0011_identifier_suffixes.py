"""Every suffix of each CNPJ, contract number and contact phone, for fragments typed (issue 16)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:00:00

A fragment from the middle of an identifier ("345678" of a CNPJ, "010432" of
a contract number, "98765" of a phone) was found through the trigram
indexes, whose postings for digits grow with the data. ``identifier_suffixes``
holds each value's suffixes of three characters or more under one btree: the
fragment is a prefix of some suffix, one range that ``LIMIT`` stops.

Online on PostgreSQL as 0009 and 0010: the table is new, created and filled
inside this migration's transaction, invisible to other sessions until it
commits; the identifier tables are only read. Run it in a quiet moment: an
identifier written while the fill runs is not in its snapshot.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from noc_console.models.identifier_suffixes import fill_suffixes

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SUFFIX_LENGTH = 40  # frozen here: models.identifier_suffixes.SUFFIX_LENGTH says the same today


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "identifier_suffixes",
        sa.Column("field", sa.SmallInteger(), nullable=False),
        sa.Column(
            "suffix",
            sa.String(length=SUFFIX_LENGTH).with_variant(
                sa.String(length=SUFFIX_LENGTH, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("field BETWEEN 1 AND 3", name=op.f("ck_identifier_suffixes_field")),
        sa.PrimaryKeyConstraint(
            "field", "suffix", "record_id", name=op.f("pk_identifier_suffixes")
        ),
        sqlite_with_rowid=False,
    )
    fill_suffixes(conn)  # sorted as the primary key: its btree is appended to
    if conn.dialect.name == "postgresql":
        op.execute("ANALYZE identifier_suffixes")


def downgrade() -> None:
    op.drop_table("identifier_suffixes")
