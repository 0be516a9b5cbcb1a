"""Reading runs: the board (every run still on it), one run with its attempts."""

from __future__ import annotations

from sqlalchemy import select

from noc_console.models import EscalationRun
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import BoardView, RunDetail
from noc_console.services.escalation_runs.guards import ACTIVE_VALUES
from noc_console.services.permissions import Permission


def board(ctx: ServiceContext, actor: Principal) -> BoardView:
    """Every open or acknowledged run, across customers (the board sorts them by the clock)."""
    permissions.require(ctx, actor, Permission.LOOKUP)
    with ctx.read_sessions() as session:
        runs = session.scalars(
            select(EscalationRun)
            .where(EscalationRun.state.in_(ACTIVE_VALUES))
            .order_by(EscalationRun.current_level_at, EscalationRun.id)
        )
        return BoardView(runs=tuple(records.summaries(session, runs)), read_at=ctx.clock.now())


def run_detail(ctx: ServiceContext, actor: Principal, run_id: int) -> RunDetail:
    """One run, its snapshot and every attempt so far."""
    permissions.require(ctx, actor, Permission.LOOKUP, subject=f"run:{run_id}")
    with ctx.read_sessions() as session:
        return records.detail(session, records.load(session, run_id))
