"""Engine and session factory: the one place that knows how to reach the database.

SQLite gets the pragmas that make it behave like a server database (foreign
keys on, WAL, a busy timeout); PostgreSQL gets a connect timeout and a
statement timeout so a locked row can never freeze the console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from noc_console.errors import DatabaseUnavailable

DEFAULT_STATEMENT_TIMEOUT_MS = 5000
DEFAULT_CONNECT_TIMEOUT_S = 5


def mask_url(url: str | URL) -> str:
    """The URL as it may be shown or logged: password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (exc.ArgumentError, ValueError):  # ValueError: a non-numeric port
        return "<invalid database URL>"


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


@dataclass(frozen=True)
class EngineOptions:
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S
    application_name: str = "noc-console"
    pool_size: int = 5
    # Behind a pooler in transaction mode (PgBouncer): also ``?pooling=transaction`` in the URL.
    transaction_pooling: bool = False


# The URL's own switch for a transaction pooler: the URL is what names PgBouncer's host and
# port, so it says how to talk to it too (removed before psycopg sees the URL).
POOLING_PARAMETER = "pooling"
TRANSACTION_POOLING = "transaction"


def _transaction_pooling(url: URL, opts: EngineOptions) -> tuple[URL, bool]:
    """The URL without the pooling parameter, and whether a transaction pooler is in front.

    A pooler in transaction mode hands each transaction to any server
    connection: nothing may outlive a transaction. So psycopg's server-side
    prepared statements are off (``prepare_threshold=None``; PgBouncer 1.18
    does not carry them between connections), and the timeouts are set per
    transaction (``set_config(..., true)``, i.e. SET LOCAL) instead of as
    startup options, which a pooler refuses or applies to someone else's
    session.
    """
    value = url.query.get(POOLING_PARAMETER)
    if value is None:
        return url, opts.transaction_pooling
    if value != TRANSACTION_POOLING:
        raise DatabaseUnavailable(
            f"unknown {POOLING_PARAMETER}={value!s} in {mask_url(url)} (use"
            f" {POOLING_PARAMETER}={TRANSACTION_POOLING} behind PgBouncer)"
        )
    return url.difference_update_query([POOLING_PARAMETER]), True


def parse_url(url: str | URL) -> URL:
    """Parse a database URL or raise DatabaseUnavailable with a readable reason."""
    try:
        return make_url(url)
    except (exc.ArgumentError, ValueError) as err:  # ValueError: a non-numeric port
        raise DatabaseUnavailable(f"not a valid database URL: {mask_url(url)}") from err


def create_db_engine(
    url: str | URL,
    options: EngineOptions | None = None,
    password: str | None = None,
) -> Engine:
    """Build an engine; ``password`` fills a URL that has none (from the keyring or a prompt)."""
    opts = options or EngineOptions()
    parsed = parse_url(url)
    if password and not parsed.password:
        parsed = parsed.set(password=password)
    backend = parsed.get_backend_name()
    # hide_parameters: a bound parameter can be a hash or a reset URL; never in error text or logs.
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    try:
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
        elif backend == "postgresql":
            parsed, pooled = _transaction_pooling(parsed, opts)
            connect_args: dict[str, Any] = {
                "connect_timeout": opts.connect_timeout_s,
                "application_name": opts.application_name,
            }
            if pooled:
                connect_args["prepare_threshold"] = None
            else:
                connect_args["options"] = (
                    f"-c statement_timeout={opts.statement_timeout_ms}"
                    f" -c lock_timeout={opts.statement_timeout_ms}"
                )
            engine = create_engine(
                parsed,
                connect_args=connect_args,
                pool_size=opts.pool_size,
                max_overflow=opts.pool_size,
                **kwargs,
            )
            if pooled:
                event.listen(engine, "begin", _timeouts_per_transaction(opts.statement_timeout_ms))
        else:
            raise DatabaseUnavailable(
                f"unsupported database '{backend}' in {mask_url(parsed)} (use sqlite or postgresql)"
            )
        event.listen(engine, "handle_error", _as_domain_error)
    except (ImportError, exc.NoSuchModuleError) as err:
        raise DatabaseUnavailable(
            f"database driver not installed for {mask_url(parsed)}: {err.__class__.__name__}"
        ) from err
    except exc.ArgumentError as err:
        raise DatabaseUnavailable(f"invalid database URL {mask_url(parsed)}") from err
    return engine


def _as_domain_error(context: Any) -> BaseException | None:
    """Turn "the database is not answering" into DatabaseUnavailable, everywhere.

    Every service call then fails with one typed, readable error (password
    masked) instead of a driver exception, so the console can show its
    "database unavailable" banner and the CLI its one line. Constraint
    violations and programming errors pass through untouched. Pre-ping
    failures are left alone: the pool handles them by reconnecting.
    """
    if getattr(context, "is_pre_ping", False):
        return None
    err = context.sqlalchemy_exception
    if isinstance(err, exc.OperationalError | exc.InterfaceError) or context.is_disconnect:
        url = context.engine.url if context.engine is not None else "database"
        return DatabaseUnavailable(classify_error(err, url), needs_password=needs_password(err))
    return None


def _timeouts_per_transaction(timeout_ms: int) -> Callable[[Any], None]:
    """Behind a transaction pooler: the console's timeouts, for this transaction only."""

    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql(
            "SELECT set_config('statement_timeout', %(t)s, true),"
            " set_config('lock_timeout', %(t)s, true)",
            {"t": f"{timeout_ms}ms"},
        )

    return on_begin


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin) so transactions are real.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    # Writers use IMMEDIATE: the write lock is taken up front, so two writers queue
    # (busy_timeout) instead of one failing half-way with "database is locked".
    # Read-only work asks for DEFERRED through read_session_factory().
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions hand out data that stays readable after commit (DTOs are built from it)."""
    return sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """For queries only: on SQLite it does not take the write lock."""
    return sessionmaker(engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)


def classify_error(err: BaseException, url: str | URL) -> str:
    """One line saying what went wrong with the database, password masked."""
    masked = mask_url(url)
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    first = text[0] if text else err.__class__.__name__
    lower = first.lower()
    if "password authentication failed" in lower or "no password supplied" in lower:
        return f"the server refused the password for {masked}"
    if "does not exist" in lower and "database" in lower:
        return f"database does not exist: {masked}"
    if "statement timeout" in lower or "lock timeout" in lower or "canceling statement" in lower:
        return f"the database did not answer in time ({masked}); try again"
    if "database is locked" in lower:
        return f"the database is busy ({masked}); try again"
    if "connection refused" in lower or "could not connect" in lower or "timeout" in lower:
        return f"cannot reach the database server at {masked}"
    if "unable to open database file" in lower:
        return f"cannot open the SQLite file of {masked}"
    first = first.replace(make_url(url).password or "\0", "***") if _has_password(url) else first
    return f"database error on {masked}: {first[:200]}"


def needs_password(err: BaseException) -> bool:
    """True when the server asked for a password we did not have."""
    text = str(getattr(err, "orig", None) or err).lower()
    return "no password supplied" in text or "password authentication failed" in text


def _has_password(url: str | URL) -> bool:
    try:
        return bool(make_url(url).password)
    except (exc.ArgumentError, ValueError):
        return False


def check_connection(engine: Engine) -> None:
    """Open one connection or raise DatabaseUnavailable with a readable line."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DatabaseUnavailable:
        raise
    except (exc.OperationalError, exc.InterfaceError, exc.DBAPIError) as err:
        raise DatabaseUnavailable(
            classify_error(err, engine.url), needs_password=needs_password(err)
        ) from None


@contextmanager
def unit_of_work(factory: Callable[[], Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
