"""UI-side state shared by the app and its screens: where the database connection stands.

The app owns the engine; screens only see these values. ``ServiceContext`` is
the handle screens pass to services inside their workers (it holds no ORM
object); ``DatabaseInfo`` is a frozen DTO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # imported lazily at runtime: SQLAlchemy is not loaded before the first paint
    from noc_console.services.context import ServiceContext
    from noc_console.services.system import DatabaseInfo


@dataclass(frozen=True)
class DbConnecting:
    """A connection attempt is running in a worker."""


@dataclass(frozen=True)
class DbConnected:
    ctx: ServiceContext
    info: DatabaseInfo


@dataclass(frozen=True)
class DbUnavailable:
    """The last attempt failed; ``message`` is one line, password masked."""

    message: str
    needs_password: bool = False


DbState = DbConnecting | DbConnected | DbUnavailable


class DatabaseProblem(Message):
    """Posted by any screen whose worker lost the database; the app decides how to show it.

    Issue 4's "database unavailable — retrying" banner hangs off this message
    (see NocApp.notify_db_unavailable).
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message
