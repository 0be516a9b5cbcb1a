"""Bulk writing: Core ``executemany`` in blocks with explicit ids, on either backend.

The ORM's per-object bookkeeping would dominate at a million rows, so rows go in
as plain dictionaries, one transaction per block, with ids chosen here (children
know their parents' ids without a round trip; PostgreSQL sequences are moved
past them at the end).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text

from noc_console.demo.tally import TABLES, TableTally
from noc_console.models import Base

# Rows per transaction, roughly: big enough to amortise the commit, small enough
# to keep memory flat and the progress bar moving.
ROWS_PER_BLOCK = 20_000
CONTRACT_CHUNK = 20_000


def begin_bulk(conn: Connection) -> None:
    """PostgreSQL: the console's engine has a 5 s statement timeout; a bulk batch may need more."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


def table_of(name: str) -> Table:
    """The Core table of a model, by its name."""
    return Base.metadata.tables[name]


def next_ids(conn: Connection) -> TableTally:
    """The first free id of every table: a seeding may follow rows already there (operators)."""
    ids = TableTally()
    with conn.begin():
        for name in TABLES:
            table = table_of(name)
            setattr(ids, name, int(conn.scalar(select(func.max(table.c.id))) or 0) + 1)
    return ids


def sync_sequences(conn: Connection) -> None:
    """PostgreSQL: explicit ids do not advance the serial sequences; move them past our rows."""
    if conn.dialect.name != "postgresql":
        return
    with conn.begin():
        for name in TABLES:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id))"  # noqa: S608
                    f" FROM {name} HAVING max(id) IS NOT NULL"
                )
            )
