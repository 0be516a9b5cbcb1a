"""Where the database connection stands: the values the app hands its screens.

The app owns the engine; screens only see these values. ``ServiceContext`` is
the handle screens pass to services inside their workers (it holds no ORM
object); ``DatabaseInfo`` is a frozen DTO. Nothing here imports Textual, so a
screen's plain state class can read these values too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
