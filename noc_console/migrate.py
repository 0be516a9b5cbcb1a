"""Schema migrations, shipped inside the package: the only way a real database gets its schema.

Alembic is imported lazily so that the console's start-up never pays for it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect

if TYPE_CHECKING:
    from alembic.config import Config

from noc_console.migrations.filters import include_object

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: Any = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # The console's statement timeout (seconds) guards interactive queries; building
            # an index over a million rows takes a minute. Only for this transaction; the
            # lock timeout stays, so a busy table fails the upgrade instead of queueing
            # every console behind it.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        command.upgrade(_config(conn), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_migrated(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def differences(engine: Engine) -> list[str]:
    """What autogenerate sees between the models and the database, one line each.

    Also checks the backend-specific search objects it cannot see, so a database
    missing its trigram indexes or append-only triggers is reported too.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from noc_console.models import Base

    lines: list[str] = []
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        head = head_revision()
        if rev != head:
            lines.append(f"database is at revision {rev or 'none'}, code expects {head}")
        ctx = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        with warnings.catch_warnings():
            # SQLite cannot reflect the e-mail domain expression indexes (pfx_*); they are
            # excluded by include_object and verified by _missing_backend_objects instead.
            warnings.filterwarnings(
                "ignore", r"Skipped unsupported reflection of expression-based index pfx_"
            )
            diffs = compare_metadata(ctx, Base.metadata)
        for diff in diffs:
            lines.append(_describe(diff))
        lines.extend(_missing_backend_objects(conn))
    return lines


def _describe(diff: Any) -> str:
    if isinstance(diff, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in diff)
    kind, *rest = diff
    names = []
    for item in rest:
        name = getattr(item, "name", None)
        table = getattr(item, "table", None)
        if name and table is not None and getattr(table, "name", None):
            names.append(f"{table.name}.{name}")
        elif name:
            names.append(str(name))
        elif isinstance(item, str):
            names.append(item)
    return f"{kind}: {', '.join(names) if names else rest!r}"


def _missing_backend_objects(conn: Any) -> list[str]:
    from noc_console.migrations.search_objects import existing_objects, expected_objects

    expected = expected_objects(conn.dialect.name)
    present = existing_objects(conn)
    return [f"missing {kind}: {name}" for kind, name in sorted(expected - present)]
