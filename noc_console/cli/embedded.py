"""The embedded demo database: created and seeded on first use, migrated when behind.

It runs on every start of ``noc-console`` without a database URL, so it reads
the database with the standard sqlite3 module and leaves SQLAlchemy, Alembic
and the generator out of the normal start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from noc_console.cli.common import CliError
from noc_console.cli.seeding import print_logins, progress_bar
from noc_console.config import Settings

# Written by demo.seed_demo as its very last act (services.demo_marker.DEMO_SEEDED_ACTION;
# a test keeps the two equal): importing either here would cost every start SQLAlchemy.
DEMO_SEEDED_ACTION = "demo_seeded"

EmbeddedState = Literal["new", "ready", "incomplete"]


def embedded_state(path: Path) -> EmbeddedState:
    """Whether the embedded demo database must be created, is ready, or was left half-made.

    "new": no file, no schema or no customers yet (first run). "incomplete":
    customers but no end-of-seeding marker, i.e. an earlier first run was
    interrupted; opening it would show partial data. Uses the standard sqlite3
    module on purpose: this runs on every start and must not pay for SQLAlchemy
    or Alembic when the demo database is ready.
    """
    import sqlite3

    if not path.exists():
        return "new"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
        try:
            marker = conn.execute(
                "SELECT 1 FROM audit_events WHERE action = ? LIMIT 1", (DEMO_SEEDED_ACTION,)
            ).fetchone()
            customer = conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "new"  # no schema yet; a file that is no database fails in the migration
    if marker is not None:
        return "ready"
    return "new" if customer is None else "incomplete"


def upgrade_embedded_if_behind(settings: Settings) -> None:
    """The embedded demo database is ours: bring it to the code's schema by itself.

    Revisions are numbered (0001_, 0002_, ...), so the newest file name is the head;
    reading it and the database's revision with sqlite3 keeps Alembic out of the
    normal start. A database given by URL is never migrated without `db upgrade`.
    """
    import sqlite3

    from noc_console.migrate import MIGRATIONS_DIR

    files = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    head = files[-1].split("_", 1)[0] if files else None
    conn = sqlite3.connect(f"{settings.paths.embedded_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    if head is None or (row is not None and row[0] == head):
        return
    from noc_console import db, migrate

    print("Updating the demo database to the new schema", file=sys.stderr)
    engine = db.create_db_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def incomplete_demo(path: Path) -> str:
    """The refusal for a half-made demo database, with the command that rebuilds it."""
    return (
        f"the demo database at {path} is incomplete (an earlier first run stopped half-way):"
        " rebuild it with `noc-console --demo demo --force`"
    )


def create_embedded_demo(settings: Settings) -> None:
    """First run: migrate and seed the embedded database, then show the demo logins."""
    from noc_console import db, demo, migrate

    path = settings.paths.embedded_db
    print(f"First run: creating the demo database at {path}", file=sys.stderr)
    engine = db.create_db_engine(
        settings.database_url, db.EngineOptions(statement_timeout_ms=settings.statement_timeout_ms)
    )
    try:
        migrate.upgrade(engine)
        with progress_bar() as progress:
            report = demo.seed_demo(engine, demo.DemoOptions(), progress=progress)
    except demo.DatabaseNotEmpty:
        raise CliError(incomplete_demo(path)) from None
    finally:
        engine.dispose()
    print(f"Demo database ready ({report.customers} customers). Demo logins:", file=sys.stderr)
    print_logins(report, file=sys.stderr)
