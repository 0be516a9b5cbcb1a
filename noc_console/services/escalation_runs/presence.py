"""Who is working a run ("Otto ligando…"), so two operators do not call the same person.

A hint, not an action: it is not audited, it expires by itself after
``PRESENCE_MINUTES`` (a console that crashed does not claim a run forever),
and the run view renews it while it is open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import RunSummary
from noc_console.services.escalation_runs.guards import is_active
from noc_console.services.permissions import Permission


def working_now(run: RunSummary, now: datetime) -> str | None:
    """The name of whoever is working the run now, if their claim has not expired."""
    if run.working_by is None or run.working_at is None or not run.is_active:
        return None
    if now - run.working_at > timedelta(minutes=records.PRESENCE_MINUTES):
        return None
    return run.working_by


def set_working(ctx: ServiceContext, actor: Principal, run_id: int, *, working: bool) -> None:
    """Claim the run for this operator (working) or drop the claim, if it is theirs."""
    permissions.require(ctx, actor, Permission.RUN_ESCALATION, subject=f"run:{run_id}")
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        run = records.load(session, run_id, lock=True)
        if not is_active(run.state):
            return
        if working:
            run.working_by, run.working_at = actor.operator_id, now
        elif run.working_by == actor.operator_id:
            run.working_by, run.working_at = None, None
        else:
            return
        run.updated_at = now
