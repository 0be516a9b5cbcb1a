"""Which action a run's state allows, and the message when another console got there first.

The services refuse an action the state does not allow and the run view greys
its key out by the same table, so the two can never disagree about, say,
whether a call may still be logged after the acknowledgement.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from noc_console.errors import ConflictError
from noc_console.i18n import _
from noc_console.models.escalation_runs import RunState

if TYPE_CHECKING:
    from noc_console.services.escalation_runs.dto import RunSummary


class Action(StrEnum):
    """What an operator does to a run (the value names it in the log)."""

    ATTEMPT = "attempt"
    ACKNOWLEDGE = "acknowledge"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    CANCEL = "cancel"


ACTIVE_STATES: tuple[RunState, ...] = (RunState.OPEN, RunState.ACKNOWLEDGED)
"""Still on the board: a call may be logged, the run may still be closed."""

ACTIVE_VALUES: tuple[str, ...] = tuple(state.value for state in ACTIVE_STATES)
"""``ACTIVE_STATES`` as stored, for the queries."""

ALLOWED: dict[Action, tuple[RunState, ...]] = {
    Action.ATTEMPT: ACTIVE_STATES,
    Action.ACKNOWLEDGE: (RunState.OPEN,),
    Action.ESCALATE: (RunState.OPEN,),
    Action.RESOLVE: ACTIVE_STATES,
    Action.CANCEL: ACTIVE_STATES,
}


def allowed(state: RunState | str, action: Action) -> bool:
    """Whether a run in ``state`` (the enum, or the value a row holds) allows ``action``."""
    return state in ALLOWED[action]


def is_active(state: RunState | str) -> bool:
    """Whether a run in ``state`` is still on the board (and someone may be calling for it)."""
    return state in ACTIVE_STATES


def conflict(run: RunSummary) -> ConflictError:
    """The run is no longer where the caller thought: say who moved it, and when."""
    zone_time = "%H:%M"
    if run.state is RunState.ACKNOWLEDGED:
        at = run.acknowledged_at.strftime(zone_time) if run.acknowledged_at else "?"
        message = _("{who} already recorded the acknowledgement (L{level}, {time} UTC)").format(
            who=run.acknowledged_by or _("someone else"),
            level=run.acknowledged_level or run.current_level,
            time=at,
        )
    elif run.state is RunState.RESOLVED:
        message = _("{who} already resolved this escalation run").format(
            who=run.closed_by or _("someone else")
        )
    elif run.state is RunState.CANCELLED:
        message = _("{who} already cancelled this escalation run").format(
            who=run.closed_by or _("someone else")
        )
    else:
        message = _("someone else changed this escalation run meanwhile; look again")
    return ConflictError(message, current=run)
