"""The typed messages about the database, between the screens and the app's runtime.

They live below both: any screen posts ``DatabaseProblem`` when its worker
loses the database, and the runtime's workers (noc_console.runtime.database)
report back with the others. The database state they lead to is in
``noc_console.screens.session``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # imported lazily at runtime: SQLAlchemy is not loaded before the first paint
    from noc_console.services.context import ServiceContext
    from noc_console.services.system import DatabaseInfo


class DatabaseProblem(Message):
    """Posted by any screen whose worker lost the database; the app decides how to show it.

    It puts the "database unavailable — retrying" banner on every screen and
    retries until the database answers (noc_console.runtime.database).
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class DatabaseStillDown(DatabaseProblem):
    """The runtime's own connection check failed: handled as any screen's report."""


class DatabaseAnswered(Message):
    """The connection check after an outage succeeded."""


class DatabaseReady(Message):
    """The connect worker succeeded; ``attempt`` lets the app drop stale answers."""

    def __init__(self, attempt: int, ctx: ServiceContext, info: DatabaseInfo) -> None:
        super().__init__()
        self.attempt = attempt
        self.ctx = ctx
        self.info = info


class DatabaseFailed(Message):
    """The connect worker failed; ``message`` is one line with the password masked."""

    def __init__(self, attempt: int, message: str, *, needs_password: bool = False) -> None:
        super().__init__()
        self.attempt = attempt
        self.message = message
        self.needs_password = needs_password
