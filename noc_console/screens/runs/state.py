"""The board's rules as plain data: order, countdown texts, the bell, who is calling.

One clock tick recomputes the visible rows from the stored timestamps (no
state is kept per row between ticks except which levels already rang), so a
console restarted mid-run shows exactly what the others show. Countdowns say
what is happening in words and symbols, never by colour alone.

Where each run stands (and so the order) only changes when the database says
so or when the clock reaches a level's due time, so it is computed once per
such moment, not once a second: an idle board with hundreds of runs costs the
few rows on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from noc_console.i18n import _
from noc_console.services.escalation_runs.dto import BoardView, RunState, RunSummary
from noc_console.services.escalation_runs.presence import working_now
from noc_console.services.escalation_runs.schedule import (
    Position,
    Stage,
    position,
    run_schedule,
    sort_key,
)
from noc_console.services.validation import format_phone

_phone = lru_cache(maxsize=4096)(format_phone)
"""Formatting a number parses it (phonenumbers): once per number, not once per second."""


def clock_text(seconds: int) -> str:
    """'04:12', or '1:02:10' past an hour."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


# Seconds are shown while a level is this close, either side of its due time: what the
# operator acts on next. Farther out, minutes say as much and change once a minute, so a
# board of long-overdue or far-off runs is not redrawn every second (nor flickers).
PRECISE_SECONDS = 600


def countdown_text(seconds: int) -> str:
    """'04:12' within ten minutes; '47 min', '1h05' beyond."""
    seconds = max(seconds, 0)
    if seconds < PRECISE_SECONDS:
        return clock_text(seconds)
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return _("{hours}h{minutes:02d}").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


def countdown(where: Position, now: datetime) -> str:
    """'⏳ L2 em 04:12', '⚠ L2 ATRASADO há 02:10', '⚠ L1 ATRASADO há 47 min' ..."""
    time = countdown_text(where.seconds(now))
    if where.stage is Stage.DUE:
        if where.seconds(now) < 60:
            return _("🔔 L{level} NOW, call").format(level=where.level)
        return _("⚠ L{level} OVERDUE for {time}").format(level=where.level, time=time)
    if where.stage is Stage.CALLING:
        return _("⏳ L{level} in {time}").format(level=where.level, time=time)
    if where.stage is Stage.LAST:
        return _("☎ L{level} (last level) for {time}").format(level=where.level, time=time)
    if where.stage is Stage.ACKNOWLEDGED:
        return _("✓ acknowledged by L{level}").format(level=where.level)
    return _("■ closed")


@dataclass(frozen=True)
class BoardRow:
    run_id: int
    marked: bool
    """A level came due and nobody has acted on it yet (shown with ▶ and in words)."""
    customer: str
    ticket: str
    level: str
    contact: str
    phone: str
    countdown: str
    working: str


class BoardState:
    def __init__(self) -> None:
        self.view: BoardView | None = None
        self.error = ""
        self.request = 0
        self._rung: set[tuple[int, int, datetime]] = set()
        self._first = True
        self._placed: list[tuple[RunSummary, Position]] | None = None
        self._placed_at: datetime | None = None
        self._placed_until: datetime | None = None
        """The positions computed at ``_placed_at`` hold until this instant (None: forever)."""
        self._rung_for: list[tuple[RunSummary, Position]] | None = None

    def start_load(self) -> int:
        self.request += 1
        return self.request

    def loaded(self, request: int, view: BoardView) -> bool:
        if request != self.request:
            return False
        self.view = view
        self.error = ""
        self._placed = None
        return True

    def failed(self, request: int, message: str) -> bool:
        if request != self.request:
            return False
        self.error = message
        return True

    @property
    def runs(self) -> tuple[RunSummary, ...]:
        return self.view.runs if self.view else ()

    def row(self, run: RunSummary, now: datetime, where: Position | None = None) -> BoardRow:
        where = where or position(run, now)
        contact = run.contact(where.due_level if where.stage is not Stage.CALLING else where.level)
        who = working_now(run, now)
        return BoardRow(
            run_id=run.id,
            marked=where.stage is Stage.DUE,
            customer=run.customer_name,
            ticket=run.ticket_ref,
            level=f"L{where.due_level}",
            contact=contact.name if contact else "",
            phone=_phone(contact.phone) if contact and contact.phone else "",
            countdown=countdown(where, now),
            working=_("{name} calling…").format(name=who) if who else "",
        )

    def placed(self, now: datetime) -> list[tuple[RunSummary, Position]]:
        """Every run with where it stands, what is due next first (one position per run).

        The same list object is returned until the view changes or the clock
        reaches the next due time of any run (or goes back): callers may
        compare by identity to know that nothing moved.
        """
        cached = self._placed
        if (
            cached is not None
            and self._placed_at is not None
            and self._placed_at <= now
            and (self._placed_until is None or now < self._placed_until)
        ):
            return cached
        where = {run.id: position(run, now) for run in self.runs}
        ordered = sorted(self.runs, key=lambda r: sort_key(r, now, where[r.id]))
        self._placed = [(run, where[run.id]) for run in ordered]
        self._placed_at = now
        self._placed_until = _next_change(self.runs, now)
        return self._placed

    def rows(self, now: datetime) -> list[BoardRow]:
        return [self.row(run, now, where) for run, where in self.placed(now)]

    def to_ring(
        self, now: datetime, placed: list[tuple[RunSummary, Position]] | None = None
    ) -> list[int]:
        """Runs whose level has just come due (each due level rings once per console).

        What is already due when the board first loads does not ring: the bell is
        for news, and the marked rows say the rest.
        """
        if self.view is None:
            return []  # a tick before the first load must not use up the "first look"
        placed = placed if placed is not None else self.placed(now)
        if placed is self._rung_for:
            return []  # nothing moved since the last look
        self._rung_for = placed
        fresh: list[int] = []
        for run, where in placed:
            if where.stage is not Stage.DUE:
                continue
            key = (run.id, where.level, where.since)
            if key not in self._rung:
                self._rung.add(key)
                if not self._first:
                    fresh.append(run.id)
        self._first = False
        return fresh

    def summary(
        self, now: datetime, placed: list[tuple[RunSummary, Position]] | None = None
    ) -> str:
        placed = placed if placed is not None else self.placed(now)
        due = sum(1 for _run, where in placed if where.stage is Stage.DUE)
        if not self.runs:
            return _("No escalation run open.")
        return _("{runs} runs on the board, {due} waiting for a call.").format(
            runs=len(self.runs), due=due
        )


def _next_change(runs: tuple[RunSummary, ...], now: datetime) -> datetime | None:
    """The first instant after ``now`` at which some open run reaches a level's due time."""
    upcoming = (
        step.at
        for run in runs
        if run.state is RunState.OPEN
        for step in run_schedule(run)
        if step.at > now
    )
    return min(upcoming, default=None)
