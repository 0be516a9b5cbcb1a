"""When each level of a run is due, and where a run stands now: pure, no database, no clock.

A run's due times are the editor's ``timeline`` counted from the run's anchor
(the level last reached and when), over the chain snapshot taken at the
start. Escalating early moves the anchor, so later waits count from that
moment; reaching a level by the clock does not need to move it, because the
timeline from the old anchor already says when that level came due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from noc_console.services.escalation.timeline import TimelineStep, timeline
from noc_console.services.escalation_runs.dto import RunState, RunSummary


class Stage(StrEnum):
    """Where a run stands, in the order the board wants to see them."""

    DUE = "due"  # a level came due and nobody has called it yet
    CALLING = "calling"  # the due level was called; the next level waits for its time
    LAST = "last"  # the last level was called; nothing more comes by the clock
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True)
class Position:
    stage: Stage
    level: int
    """The level the countdown is about: the due one, the next one, or the one that answered."""
    since: datetime
    """DUE: when that level came due; CALLING: when the next level will be due;
    LAST: when the last level came due; ACKNOWLEDGED/CLOSED: when that happened."""
    due_level: int
    """The level currently due by the clock (the one an attempt goes to by default)."""

    def seconds(self, now: datetime) -> int:
        """How far ``since`` is from now, in whole seconds, never negative."""
        return max(int(abs((now - self.since).total_seconds())), 0)


@lru_cache(maxsize=4096)
def run_schedule(run: RunSummary) -> tuple[TimelineStep, ...]:
    """Due time of every level from the anchor on (earlier levels are behind the run).

    Cached: a run view is frozen, and the board asks for each run's schedule
    every second.
    """
    later = [c for c in run.contacts if c.level >= run.current_level]
    return timeline(later, run.current_level_at, run.timezone)


def due_step(schedule: tuple[TimelineStep, ...], now: datetime) -> tuple[int, int | None]:
    """(index of the level due now, index of the next one or None)."""
    index = 0
    for i, step in enumerate(schedule):
        if step.at <= now:
            index = i
    following = index + 1 if index + 1 < len(schedule) else None
    return index, following


def position(run: RunSummary, now: datetime) -> Position:
    if run.state is RunState.ACKNOWLEDGED:
        level = run.acknowledged_level or run.current_level
        return Position(Stage.ACKNOWLEDGED, level, run.acknowledged_at or now, level)
    if run.state is not RunState.OPEN:
        return Position(Stage.CLOSED, run.current_level, run.closed_at or now, run.current_level)
    schedule = run_schedule(run)
    if not schedule:  # a snapshot without the anchor's level cannot happen; stay readable
        return Position(Stage.DUE, run.current_level, run.current_level_at, run.current_level)
    index, following = due_step(schedule, now)
    due = schedule[index]
    called = (
        run.last_attempt_at is not None
        and run.last_attempt_at >= due.at
        and (run.last_attempt_level or 0) >= due.level
    )
    if not called:
        return Position(Stage.DUE, due.level, due.at, due.level)
    if following is None:
        return Position(Stage.LAST, due.level, due.at, due.level)
    nxt = schedule[following]
    return Position(Stage.CALLING, nxt.level, nxt.at, due.level)


def sort_key(
    run: RunSummary, now: datetime, where: Position | None = None
) -> tuple[int, float, int]:
    """What is due next first: levels waiting for a call (oldest first), then the next
    levels to come due (soonest first), then runs on their last level, then acknowledged."""
    where = where or position(run, now)
    order = {Stage.DUE: 0, Stage.CALLING: 1, Stage.LAST: 2, Stage.ACKNOWLEDGED: 3, Stage.CLOSED: 4}
    return (order[where.stage], where.since.timestamp(), run.id)
