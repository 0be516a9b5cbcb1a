"""Which action a run's state allows, and the message when another console got there first."""

from __future__ import annotations

from noc_console.errors import ConflictError
from noc_console.i18n import _
from noc_console.services.escalation_runs.dto import RunState, RunSummary


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
