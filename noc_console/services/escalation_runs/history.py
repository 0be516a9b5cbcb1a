"""The supervisors' history: past runs per customer, and how each customer's chain answers.

"Your level 1 answered 3 of 10 times" is the figure a supervisor takes to the
customer: the share of runs acknowledged at level 1 and the median time to
acknowledge, per customer over a period. Supervisors only: it compares
customers and names operators.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import Customer, EscalationRun
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import CustomerStats, HistoryRow, RunState
from noc_console.services.permissions import Permission

HISTORY_LIMIT = 50


def _row(run: EscalationRun, customer: str, started_by: str) -> HistoryRow:
    seconds = None
    if run.acknowledged_at is not None:
        seconds = max(int((run.acknowledged_at - run.started_at).total_seconds()), 0)
    return HistoryRow(
        id=run.id,
        customer_id=run.customer_id,
        customer_name=customer,
        ticket_ref=run.ticket_ref,
        state=RunState(run.state),
        started_at=run.started_at,
        started_by=started_by,
        acknowledged_level=run.acknowledged_level,
        seconds_to_acknowledge=seconds,
        attempts_count=run.attempts_count,
        closed_at=run.closed_at,
    )


def customer_history(
    ctx: ServiceContext, actor: Principal, customer_id: int, *, limit: int = HISTORY_LIMIT
) -> tuple[HistoryRow, ...]:
    """The customer's last runs, newest first, with time to acknowledge and the level that did."""
    permissions.require(ctx, actor, Permission.VIEW_RUN_HISTORY, customer_id=customer_id)
    with ctx.read_sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("customer not found"))
        runs = list(
            session.scalars(
                select(EscalationRun)
                .where(EscalationRun.customer_id == customer_id)
                .order_by(EscalationRun.started_at.desc(), EscalationRun.id.desc())
                .limit(max(1, min(limit, 500)))
            )
        )
        people = records.operator_names(session, (r.started_by for r in runs))
        return tuple(_row(r, customer.legal_name, people.get(r.started_by, "")) for r in runs)


def period_runs(
    ctx: ServiceContext,
    actor: Principal,
    start: datetime,
    end: datetime,
    *,
    customer_id: int | None = None,
) -> tuple[HistoryRow, ...]:
    """Every run started in [start, end), oldest first (the CSV export and the stats)."""
    permissions.require(ctx, actor, Permission.VIEW_RUN_HISTORY, customer_id=customer_id)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError({"period": [_("give the period with a time zone")]})
    if end <= start:
        raise ValidationError({"period": [_("the period ends before it starts")]})
    with ctx.read_sessions() as session:
        query = select(EscalationRun).where(
            EscalationRun.started_at >= start, EscalationRun.started_at < end
        )
        if customer_id is not None:
            query = query.where(EscalationRun.customer_id == customer_id)
        runs = list(session.scalars(query.order_by(EscalationRun.started_at, EscalationRun.id)))
        names = records.customer_names(session, (r.customer_id for r in runs))
        people = records.operator_names(session, (r.started_by for r in runs))
        return tuple(
            _row(r, names.get(r.customer_id, ""), people.get(r.started_by, "")) for r in runs
        )


def summarize(rows: tuple[HistoryRow, ...]) -> tuple[CustomerStats, ...]:
    """Per customer: runs, acknowledged, acknowledged at L1, median time to acknowledge.

    Cancelled runs are left out: a run started by mistake says nothing about the chain.
    """
    groups: dict[int, list[HistoryRow]] = defaultdict(list)
    for row in rows:
        if row.state is not RunState.CANCELLED:
            groups[row.customer_id].append(row)
    stats: list[CustomerStats] = []
    for customer_id, runs in groups.items():
        times = [r.seconds_to_acknowledge for r in runs if r.seconds_to_acknowledge is not None]
        stats.append(
            CustomerStats(
                customer_id=customer_id,
                customer_name=runs[0].customer_name,
                runs=len(runs),
                acknowledged=len(times),
                acknowledged_at_l1=sum(1 for r in runs if r.acknowledged_level == 1),
                median_seconds_to_acknowledge=int(statistics.median(times)) if times else None,
            )
        )
    return tuple(sorted(stats, key=lambda s: (s.customer_name.casefold(), s.customer_id)))


def period_stats(
    ctx: ServiceContext,
    actor: Principal,
    start: datetime,
    end: datetime,
    *,
    customer_id: int | None = None,
) -> tuple[CustomerStats, ...]:
    """``summarize`` over the runs started in [start, end)."""
    return summarize(period_runs(ctx, actor, start, end, customer_id=customer_id))
