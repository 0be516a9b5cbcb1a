"""Backend-specific DDL that Alembic's autogenerate cannot see or compare.

One definition serves the migration that creates these objects and the
``db check`` that verifies they are present:

* search: SQLite FTS5 trigram tables kept in step by triggers; PostgreSQL
  pg_trgm GIN indexes. Both make ``LIKE '%term%'`` on the folded search
  columns an index lookup instead of a table scan.
* audit: triggers that make ``audit_events`` append-only in the database.
"""

from __future__ import annotations

from typing import Any

# table -> columns indexed for substring (trigram) search
SEARCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("name_norm", "trade_name_norm", "cnpj"),
    "portal_users": ("name_norm", "login", "email_norm"),
    "escalation_contacts": ("name_norm", "phone", "email_norm"),
    "contracts": ("number",),
}

# PostgreSQL-only prefix indexes (text_pattern_ops) on columns that already have a plain
# unique index: on SQLite that unique index serves prefixes itself, so no twin there.
POSTGRES_PREFIX_INDEXES: dict[str, tuple[str, str]] = {
    "pfx_portal_users_login": ("portal_users", "login"),
}

APPEND_ONLY_MESSAGE = "audit_events is append-only"

# Since migration 0004, PostgreSQL searches each table with ONE trigram index over all its
# searched columns (one GIN probe per table instead of one per column: the three probes on
# a million portal users were the slowest part of a lookup). chr(31), the unit separator,
# keeps a term from matching across two columns; it cannot be typed into a search.
# Single-column tables keep their column index (same name as before).
TRIGRAM_SEPARATOR = "chr(31)"

# The e-mail domain, a btree prefix range for terms like 'empresa.com.br' (migration 0004):
# as a trigram substring it matches every address of the company, 20+ ms on 1M users.
EMAIL_DOMAIN_INDEXES: dict[str, str] = {
    "portal_users": "pfx_portal_users_email_domain",
    "escalation_contacts": "pfx_escalation_contacts_email_domain",
}


def fts_table(table: str) -> str:
    return f"fts_{table}"


def trgm_index(table: str, column: str) -> str:
    return f"trgm_{table}_{column}"


def search_expression(table: str, alias: str | None = None) -> str:
    """The expression PostgreSQL's trigram index of ``table`` covers (and a query must repeat
    exactly, with its alias, for the planner to use that index)."""
    prefix = f"{alias}." if alias else ""
    columns = SEARCH_COLUMNS[table]
    if len(columns) == 1:
        return f"{prefix}{columns[0]}"
    joined = f" || {TRIGRAM_SEPARATOR} || ".join(f"coalesce({prefix}{c}, '')" for c in columns)
    return f"({joined})"


def search_index(table: str) -> str:
    columns = SEARCH_COLUMNS[table]
    return trgm_index(table, columns[0]) if len(columns) == 1 else f"trgm_{table}_search"


def email_domain_expression(dialect: str, alias: str | None = None) -> str:
    """What follows the '@' of ``email_norm``, in each backend's own words."""
    column = f"{alias}.email_norm" if alias else "email_norm"
    if dialect == "sqlite":
        return f"substr({column}, instr({column}, '@') + 1)"
    return f"split_part({column}, '@', 2)"


def email_domain_ddl(dialect: str) -> list[str]:
    ops = " text_pattern_ops" if dialect == "postgresql" else ""
    return [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({email_domain_expression(dialect)}{ops})"
        for table, name in EMAIL_DOMAIN_INDEXES.items()
    ]


def postgresql_table_search_ddl() -> list[str]:
    """Migration 0004: one trigram index per table over its searched columns."""
    return [
        f"CREATE INDEX IF NOT EXISTS {search_index(table)} ON {table}"
        f" USING gin ({search_expression(table)} gin_trgm_ops)"
        for table in SEARCH_COLUMNS
    ]


def postgresql_column_search_indexes() -> list[str]:
    """Migration 0001's per-column trigram indexes that 0004 replaces."""
    return [
        trgm_index(table, column)
        for table, columns in SEARCH_COLUMNS.items()
        if len(columns) > 1
        for column in columns
    ]


def sqlite_search_ddl(table: str) -> list[str]:
    cols = SEARCH_COLUMNS[table]
    fts = fts_table(table)
    col_list = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({col_list}, content='{table}',"
        f" content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN"
        f" INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new_vals}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN"
        f" INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old_vals}); END",
        # Only when a searched column changes: a failed login must not churn the index.
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {col_list} ON {table} BEGIN"
        f" INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old_vals});"
        f" INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new_vals}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def postgresql_search_ddl(table: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {trgm_index(table, c)} ON {table} USING gin ({c} gin_trgm_ops)"
        for c in SEARCH_COLUMNS[table]
    ]


def postgresql_prefix_ddl() -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} text_pattern_ops)"
        for name, (table, column) in POSTGRES_PREFIX_INDEXES.items()
    ]


def sqlite_audit_ddl() -> list[str]:
    return [
        f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events"
        f" BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events"
        f" BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ]


def sqlite_audit_replace_ddl() -> list[str]:
    """INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse it."""
    return [
        "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events"
        " WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)"
        f" BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ]


def postgresql_audit_ddl() -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger"
        f" LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'"
        " USING ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events"
        " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events"
        " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ]


def create_all(dialect: str) -> list[str]:
    """Every statement, in order, of migration 0001 (later migrations change some of them)."""
    if dialect == "sqlite":
        stmts = [s for t in SEARCH_COLUMNS for s in sqlite_search_ddl(t)]
        return stmts + sqlite_audit_ddl()
    if dialect == "postgresql":
        stmts = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
        stmts += [s for t in SEARCH_COLUMNS for s in postgresql_search_ddl(t)]
        stmts += postgresql_prefix_ddl()
        return stmts + postgresql_audit_ddl()
    raise ValueError(f"unsupported dialect {dialect}")


def expected_objects(dialect: str) -> set[tuple[str, str]]:
    if dialect == "sqlite":
        objs = {("table", fts_table(t)) for t in SEARCH_COLUMNS}
        objs |= {
            ("trigger", f"{fts_table(t)}_{s}") for t in SEARCH_COLUMNS for s in ("ai", "ad", "au")
        }
        objs.add(("trigger", "audit_events_no_replace"))  # migration 0003
    else:
        objs = {("extension", "pg_trgm")}
        objs |= {("index", search_index(t)) for t in SEARCH_COLUMNS}  # migration 0004
        objs |= {("index", name) for name in POSTGRES_PREFIX_INDEXES}
        objs.add(("trigger", "audit_events_no_truncate"))
    objs |= {("index", name) for name in EMAIL_DOMAIN_INDEXES.values()}  # migration 0004
    objs |= {("trigger", "audit_events_no_update"), ("trigger", "audit_events_no_delete")}
    from noc_console.migrations import run_objects  # migration 0006

    objs |= run_objects.expected_objects(dialect)
    return objs


def existing_objects(conn: Any) -> set[tuple[str, str]]:
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index')"
        )
        return {(r[0], r[1]) for r in rows}
    found: set[tuple[str, str]] = set()
    found |= {
        ("index", r[0])
        for r in conn.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
    }
    found |= {
        ("trigger", r[0])
        for r in conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    }
    found |= {("extension", r[0]) for r in conn.exec_driver_sql("SELECT extname FROM pg_extension")}
    return found
