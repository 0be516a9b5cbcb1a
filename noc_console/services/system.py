"""Opening the database for the console and describing it to the operator.

The console must say, in one line, why it cannot work (unreachable server,
wrong password, schema not migrated) instead of failing later on a query;
these checks live here so the CLI and the app apply the same rules.
Alembic is only imported by the functions that need it (start-up is benchmarked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from noc_console.clock import Clock, SystemClock
from noc_console.db import (
    EngineOptions,
    check_connection,
    classify_error,
    create_db_engine,
    mask_url,
    needs_password,
)
from noc_console.errors import DatabaseUnavailable
from noc_console.i18n import _
from noc_console.models import Operator
from noc_console.services import audit
from noc_console.services.context import DEFAULT_RESET_URL, Principal, ServiceContext
from noc_console.services.demo_marker import is_demo_database
from noc_console.services.hashing import Hasher

log = logging.getLogger(__name__)


class SchemaNotCurrent(DatabaseUnavailable):
    """The database answers but its schema is not the one this code was written for.

    Running on an older schema would fail later, on some query, in a confusing
    way; the operator is told once, with the command that fixes it.
    """

    def __init__(self, current: str | None, head: str) -> None:
        shown = current or _("none (empty database)")
        super().__init__(
            _(
                "database schema is at {current}, this console needs {head}: "
                "run `noc-console db upgrade`"
            ).format(current=shown, head=head)
        )
        self.current = current
        self.head = head


@dataclass(frozen=True)
class DatabaseInfo:
    """What the operator is told about the database they are connected to."""

    masked_url: str
    backend: str
    is_demo: bool
    revision: str | None
    has_operators: bool = True

    @property
    def label(self) -> str:
        """Short, password-free name for the screen: the file name for SQLite (a full path
        is noise, and a temp path would make snapshots random), user@host:port/name otherwise.
        """
        try:
            url = make_url(self.masked_url)
        except (ArgumentError, ValueError):
            return self.masked_url
        if self.backend == "sqlite":
            database = url.database or ":memory:"
            return PurePath(database).name or database
        user = f"{url.username}@" if url.username else ""
        port = f":{url.port}" if url.port else ""
        return f"{user}{url.host or 'localhost'}{port}/{url.database or ''}"

    @property
    def backend_label(self) -> str:
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(self.backend, self.backend)


def check_schema(engine: Engine) -> str:
    """Return the current revision, or raise SchemaNotCurrent when it is not the code's head."""
    from noc_console import migrate

    try:
        current = migrate.current_revision(engine)
    except SQLAlchemyError as err:
        raise DatabaseUnavailable(
            classify_error(err, engine.url), needs_password=needs_password(err)
        ) from None
    head = migrate.head_revision()
    if current != head:
        raise SchemaNotCurrent(current, head)
    return current


def open_database(
    url: str | URL,
    *,
    password: str | None = None,
    statement_timeout_ms: int = 5000,
    clock: Clock | None = None,
    hasher: Hasher | None = None,
    read_only: bool = False,
    portal_reset_url: str = DEFAULT_RESET_URL,
) -> ServiceContext:
    """Engine + connection check + schema check, or DatabaseUnavailable in one line.

    Blocks for up to the engine's connect timeout: call it from a worker thread.
    """
    engine = create_db_engine(
        url, EngineOptions(statement_timeout_ms=statement_timeout_ms), password=password
    )
    try:
        check_connection(engine)
        check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return ServiceContext(
        engine=engine,
        clock=clock or SystemClock(),
        hasher=hasher or Hasher(),
        read_only=read_only,
        portal_reset_url=portal_reset_url,
    )


def describe_database(ctx: ServiceContext) -> DatabaseInfo:
    """Which database this is, for the always-visible markers (DEMO) and the status line."""
    from noc_console import migrate

    url = ctx.engine.url
    try:
        with ctx.read_sessions() as session:
            is_demo = is_demo_database(session)
            operators = session.scalar(select(func.count()).select_from(Operator)) or 0
        revision = migrate.current_revision(ctx.engine)
    except SQLAlchemyError as err:
        raise DatabaseUnavailable(
            classify_error(err, url), needs_password=needs_password(err)
        ) from None
    return DatabaseInfo(
        masked_url=mask_url(url),
        backend=url.get_backend_name(),
        is_demo=is_demo,
        revision=revision,
        has_operators=operators > 0,
    )


def record_logout(ctx: ServiceContext, actor: Principal, *, reason: str = "logout") -> None:
    """Audit the end of a console session (logout, lock, quit) so sessions have both ends."""
    try:
        audit.record_now(
            ctx,
            action="operator_logout",
            operator_id=actor.operator_id,
            subject=actor.label,
            details={"why": reason},
        )
    except SQLAlchemyError as err:
        raise DatabaseUnavailable(classify_error(err, ctx.engine.url)) from None
    log.info("logout %s (%s)", actor.username, reason)
