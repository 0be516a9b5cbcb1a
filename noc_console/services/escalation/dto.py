"""What an escalation chain looks like to its callers: typed input, validated levels, views.

Frozen dataclasses only, so the editor, the portal and the coming escalation
runs can all hold them without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_MIN_DELAY = 1
DEFAULT_MAX_DELAY = 1440
CONTACT_FIELDS = ("name", "role_title", "phone", "email", "delay_minutes")


@dataclass(frozen=True)
class ContactInput:
    """One level as the operator typed it; every string may be messy."""

    level: int
    name: str
    role_title: str | None = None
    phone: str | None = None
    email: str | None = None
    delay_minutes: int | str | None = None


@dataclass(frozen=True)
class Contact:
    """One validated level: phone in E.164, e-mail normalised, delay in minutes."""

    level: int
    name: str
    role_title: str | None
    phone: str | None
    email: str | None
    delay_minutes: int


@dataclass(frozen=True)
class DelayBounds:
    """The wait before levels 2 and 3, from the password_policy row (the portal's rules)."""

    min_minutes: int = DEFAULT_MIN_DELAY
    max_minutes: int = DEFAULT_MAX_DELAY


DEFAULT_BOUNDS = DelayBounds()


@dataclass(frozen=True)
class ChainView:
    """A customer's chain as last committed; version 0 means no chain was ever saved.

    ``bounds`` travels with the chain so the editor validates live with the same
    limits a save will apply, without a second round trip.
    """

    customer_id: int
    customer_name: str
    timezone: str
    version: int
    updated_at: datetime | None
    updated_by: str | None
    contacts: tuple[Contact, ...]
    bounds: DelayBounds = field(default=DEFAULT_BOUNDS)

    def contact(self, level: int) -> Contact | None:
        return next((c for c in self.contacts if c.level == level), None)


@dataclass(frozen=True)
class SaveResult:
    chain: ChainView
    warnings: tuple[str, ...]
