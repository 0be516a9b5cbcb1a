"""Connecting for a command: the password rules every database command follows.

Order: the URL's own password; else the keyring's; else none at all (trust, peer
and ~/.pgpass must just work). Only when the server then demands a password is
one asked for, once, and only on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from noc_console.cli.common import CliError, Run
from noc_console.cli.prompts import ask_password, interactive

if TYPE_CHECKING:
    from sqlalchemy import Engine


def connect(run: Run) -> Engine:
    """An engine that has connected once, with the password rules above."""
    from noc_console import db, secrets
    from noc_console.errors import DatabaseUnavailable

    settings = run.settings()
    parsed = db.parse_url(settings.database_url)
    options = db.EngineOptions(statement_timeout_ms=settings.statement_timeout_ms)
    stored: str | None = None
    if parsed.get_backend_name() == "postgresql" and not parsed.password:
        stored = secrets.get_db_password(parsed)
        run.remember(stored)
    engine = db.create_db_engine(parsed, options, password=stored)
    try:
        db.check_connection(engine)
        return engine
    except DatabaseUnavailable as err:
        engine.dispose()
        if not err.needs_password or parsed.password:
            raise

    masked = db.mask_url(parsed)
    if not interactive():
        raise CliError(
            f"the server at {masked} asks for a password and there is no terminal to ask it on;"
            " store it with `noc-console db set-password URL` or in ~/.pgpass"
        )
    if stored:
        print(f"The password stored in the keyring for {masked} was refused.", file=sys.stderr)
    typed = ask_password(f"Password for {secrets.db_account(parsed)}: ")
    run.remember(typed)
    engine = db.create_db_engine(parsed, options, password=typed)
    try:
        db.check_connection(engine)
    except DatabaseUnavailable:
        engine.dispose()
        raise
    return engine


@contextmanager
def connected(run: Run) -> Iterator[Engine]:
    """``connect``, and the engine disposed of when the command is done with it."""
    engine = connect(run)
    try:
        yield engine
    finally:
        engine.dispose()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database that is not at this version's schema: say to upgrade."""
    from noc_console import db, migrate

    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current is None:
        raise CliError(
            f"{db.mask_url(engine.url)} has no schema yet: run `noc-console db upgrade` first"
        )
    if current != head:
        raise CliError(
            f"{db.mask_url(engine.url)} is at revision {current}, this version needs {head}:"
            " run `noc-console db upgrade` first"
        )
