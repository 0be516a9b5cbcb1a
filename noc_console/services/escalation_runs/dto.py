"""What a run looks like to its callers: frozen views, never live ORM rows.

The board, the run view, the history and the portal hold these; the due
times are not stored in them but computed from ``current_level`` /
``current_level_at`` by ``schedule`` against whatever clock the caller has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from noc_console.models.escalation_runs import Outcome, RunState
from noc_console.services.escalation.dto import Contact
from noc_console.services.escalation_runs.guards import is_active

__all__ = [
    "AttemptView",
    "BoardView",
    "Contact",
    "CustomerStats",
    "ExportResult",
    "HistoryRow",
    "Outcome",
    "RunDetail",
    "RunState",
    "RunSummary",
    "StartResult",
]


@dataclass(frozen=True)
class RunSummary:
    """One run as the board shows it (and the run view's header)."""

    id: int
    customer_id: int
    customer_name: str
    ticket_ref: str
    reason: str | None
    state: RunState
    timezone: str
    chain_version: int
    contacts: tuple[Contact, ...]
    started_at: datetime
    started_by: str
    current_level: int
    current_level_at: datetime
    attempts_count: int
    last_attempt_at: datetime | None
    last_attempt_level: int | None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_level: int | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    working_by: str | None = None
    working_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        """Still on the board: open, or acknowledged and not yet resolved."""
        return is_active(self.state)

    def contact(self, level: int) -> Contact | None:
        return next((c for c in self.contacts if c.level == level), None)


@dataclass(frozen=True)
class AttemptView:
    id: int
    level: int
    contact_name: str
    contact_address: str
    channel: str
    outcome: Outcome
    note: str | None
    at: datetime
    operator: str


@dataclass(frozen=True)
class RunDetail:
    run: RunSummary
    attempts: tuple[AttemptView, ...]


@dataclass(frozen=True)
class BoardView:
    """Every run still on the board, and the moment the database was read."""

    runs: tuple[RunSummary, ...]
    read_at: datetime


@dataclass(frozen=True)
class StartResult:
    detail: RunDetail
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class HistoryRow:
    """A past (or running) run of one customer, for the supervisors' history."""

    id: int
    customer_id: int
    customer_name: str
    ticket_ref: str
    state: RunState
    started_at: datetime
    started_by: str
    acknowledged_level: int | None
    seconds_to_acknowledge: int | None
    attempts_count: int
    closed_at: datetime | None


@dataclass(frozen=True)
class CustomerStats:
    """One customer over a period: "your level 1 answered 3 of 10 times"."""

    customer_id: int
    customer_name: str
    runs: int
    acknowledged: int
    acknowledged_at_l1: int
    median_seconds_to_acknowledge: int | None


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
