"""PostgreSQL fault injection: kill the console's connections, hold row locks.

The admin side is a separate superuser connection to the same database, as a
DBA (or a failover) would act: the console's engine does not know about it.
``kill_on_statement`` kills from inside the console's own call, just before a
chosen statement is sent, so a test can cut a transaction at an exact point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

# pg_terminate_backend(pid, timeout) (PostgreSQL 14+) returns once the backend is gone,
# so the console's next packet meets a dead socket, not a race with the signal.
_TERMINATE_OTHERS = text(
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
    " FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    " AND backend_type = 'client backend'"
)


class PgAdmin:
    """One AUTOCOMMIT superuser connection to the test database, kept open."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.conn = self.engine.connect()

    def terminate_console_connections(self) -> int:
        """Kill every other client connection of this database; how many were killed."""
        return int(self.conn.execute(_TERMINATE_OTHERS).scalar_one())

    def scalar(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(text(sql), params).scalar()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@dataclass
class KillSwitch:
    """Records where the kill happened, so a test can prove its hook really fired."""

    pattern: str
    fired_on: list[str] = field(default_factory=list)
    killed: int = 0


@contextmanager
def kill_on_statement(
    engine: Engine, admin: PgAdmin, pattern: str, *, flags: int = re.IGNORECASE | re.DOTALL
) -> Iterator[KillSwitch]:
    """Kill the console's connections right before the first statement matching ``pattern``.

    ``pattern`` "COMMIT" is special: the kill happens in the engine's commit
    event, i.e. after every statement of the transaction ran and just before
    the commit is sent.
    """
    switch = KillSwitch(pattern)
    regex = re.compile(pattern, flags)

    def fire(statement: str) -> None:
        if not switch.fired_on:
            switch.fired_on.append(statement)
            switch.killed = admin.terminate_console_connections()

    def before_cursor_execute(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if regex.search(statement):
            fire(statement)

    def before_commit(conn: Connection) -> None:
        fire("COMMIT")

    commit_point = pattern == "COMMIT"
    if commit_point:
        event.listen(engine, "commit", before_commit)
    else:
        event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield switch
    finally:
        if commit_point:
            event.remove(engine, "commit", before_commit)
        else:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)


@contextmanager
def row_lock(url: str, sql: str, **params: Any) -> Iterator[Callable[[], None]]:
    """Hold the row locks of ``sql`` (a SELECT ... FOR UPDATE) in an open transaction.

    Yields ``release``; the lock is released at the end in any case.
    """
    engine = create_engine(url, poolclass=NullPool)
    conn = engine.connect()
    trans = conn.begin()
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            trans.rollback()

    try:
        rows = conn.execute(text(sql), params).all()
        assert rows, f"nothing to lock: {sql}"
        yield release
    finally:
        release()
        conn.close()
        engine.dispose()
