"""SQLite's fast paths: the bulk-load mode and the in-place wipe behind ``force``.

On SQLite the FTS5 trigram tables are normally kept in step row by row by
triggers; during the load those triggers are dropped and each FTS table is
rebuilt once at the end, which is much cheaper. The triggers are recreated from
the same DDL the migration uses, so ``migrate.differences`` stays empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from noc_console.demo.options import Progress
from noc_console.migrations import run_objects, search_objects
from noc_console.models import Base

SQLITE_LOAD_CACHE_KIB = 262_144  # page cache while loading; restored afterwards
# The tables the customer blocks fill; their secondary indexes are dropped
# during the load and rebuilt after it (see bulk_load_mode).
BULK_TABLES = (
    "customers",
    "portal_users",
    "portal_sessions",
    "escalation_chains",
    "escalation_contacts",
    "contracts",
    "name_words",
)


@contextmanager
def bulk_load_mode(conn: Connection, progress: Progress) -> Iterator[None]:
    """SQLite: FTS triggers and secondary indexes off and a big page cache during
    the load; indexes and FTS rebuilt after.

    Why the indexes go: a million random keys inserted into a dozen B-trees
    outgrow the page cache, and each insert then reads pages back; building an
    index once over the loaded table is a sort, several times cheaper (the figures
    are in benchmarks/RESULTS.md).
    The statements come from ``sqlite_master`` itself, so the indexes return
    exactly as the migrations made them (``migrate.differences`` stays empty).
    Indexes, triggers and FTS tables are restored even when the load fails
    half-way, so the database is never left without them.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    with conn.begin():
        previous_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
        indexes = _secondary_indexes(conn, BULK_TABLES)
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        for table in search_objects.SEARCH_COLUMNS:
            for stmt in _drop_trigger_statements(_fts_trigger_names(table)):
                conn.exec_driver_sql(stmt)
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        progress("indexes", 0, len(indexes))
        for done, (_name, sql) in enumerate(indexes, start=1):
            with conn.begin():
                conn.exec_driver_sql(sql)
            progress("indexes", done, len(indexes))
        with conn.begin():
            for table in search_objects.SEARCH_COLUMNS:
                for stmt in _fts_trigger_ddl(table):
                    conn.exec_driver_sql(stmt)
        tables = list(search_objects.SEARCH_COLUMNS)
        progress("search index", 0, len(tables))
        for done, table in enumerate(tables, start=1):
            # One transaction per table: a rebuild writes the whole index.
            with conn.begin():
                fts = search_objects.fts_table(table)
                conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
            progress("search index", done, len(tables))
        with conn.begin():
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous_cache)}")


# Dropped for the wipe and recreated in its transaction (audit_events: migration 0001's
# triggers; escalation_attempts: run_objects, migration 0006).
_APPEND_ONLY_TRIGGERS = (
    "audit_events_no_update",
    "audit_events_no_delete",
    "escalation_attempts_no_update",
    "escalation_attempts_no_delete",
    "escalation_attempts_no_replace",
)


def wipe_sqlite(engine: Engine) -> None:
    """Delete every row but the password policy, in one transaction.

    Chosen over deleting the file: the wipe is atomic (a failure leaves the data
    as it was), connections other code holds stay valid, and the append-only
    triggers are dropped and recreated inside that same transaction, so no other
    connection ever sees audit_events or escalation_attempts without them. The FTS
    triggers are dropped too and the FTS tables emptied by one 'delete-all' instead of
    row by row.

    Foreign keys are switched off on this one connection for the wipe (a pragma
    that only works outside a transaction): with no triggers and no foreign keys
    SQLite truncates a table instead of deleting row by row, several times faster
    on a million-user database. Every table is emptied, so no
    orphan can exist; the pragma is restored before the connection goes back.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                for stmt in _drop_trigger_statements([*_APPEND_ONLY_TRIGGERS]):
                    conn.exec_driver_sql(stmt)
                for table in search_objects.SEARCH_COLUMNS:
                    for stmt in _drop_trigger_statements(_fts_trigger_names(table)):
                        conn.exec_driver_sql(stmt)
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name != "password_policy":
                        conn.execute(table.delete())
                for table in search_objects.SEARCH_COLUMNS:
                    fts = search_objects.fts_table(table)
                    conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")  # noqa: S608
                    for stmt in _fts_trigger_ddl(table):
                        conn.exec_driver_sql(stmt)
                for stmt in [*search_objects.sqlite_audit_ddl(), *run_objects.sqlite_ddl()]:
                    conn.exec_driver_sql(stmt)
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def _secondary_indexes(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the explicitly created indexes on ``tables``.

    Indexes behind UNIQUE and PRIMARY KEY constraints have no statement
    (``sql IS NULL``) and cannot be dropped; they stay.
    """
    marks = ", ".join("?" for _ in tables)
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
        f" AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
        tuple(tables),
    ).all()
    return [(str(name), str(sql)) for name, sql in rows]


def _fts_trigger_names(table: str) -> list[str]:
    """The names of the three triggers that keep a table's FTS index in step."""
    return [f"{search_objects.fts_table(table)}_{s}" for s in ("ai", "ad", "au")]


def _fts_trigger_ddl(table: str) -> list[str]:
    """The three CREATE TRIGGER statements of the migration (not the table, not the rebuild)."""
    return [s for s in search_objects.sqlite_search_ddl(table) if s.startswith("CREATE TRIGGER")]


def _drop_trigger_statements(names: Sequence[str]) -> list[str]:
    """DROP statements that also work when a trigger is already gone."""
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
