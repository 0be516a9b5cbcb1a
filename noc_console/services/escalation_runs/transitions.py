"""Acknowledge, escalate now, resolve, cancel: each from the states that allow it, once.

Each reads the run under a row lock and checks its state before changing it,
so of two operators acknowledging at once one records the acknowledgement and
the other gets a ConflictError saying who was first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import EscalationRun
from noc_console.models.escalation_runs import NOTE_MAX, REASON_MAX
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import RunDetail, RunState, RunSummary
from noc_console.services.escalation_runs.guards import Action, allowed, conflict
from noc_console.services.escalation_runs.schedule import due_step, run_schedule
from noc_console.services.permissions import Permission

log = logging.getLogger(__name__)

ACTIONS = {
    Action.ACKNOWLEDGE: "escalation_run_acknowledged",
    Action.ESCALATE: "escalation_run_escalated",
    Action.RESOLVE: "escalation_run_resolved",
    Action.CANCEL: "escalation_run_cancelled",
}

Change = Callable[[EscalationRun, RunSummary], dict[str, object]]


def _apply(
    ctx: ServiceContext,
    actor: Principal,
    run_id: int,
    kind: Action,
    change: Change,
    reason: str | None = None,
) -> RunDetail:
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        run = records.load(session, run_id, lock=True)
        view = records.summaries(session, [run])[0]
        if not allowed(view.state, kind):
            raise conflict(view)
        details = change(run, view)
        run.updated_at = now
        records.record_action(
            session,
            actor,
            run,
            at=now,
            action=ACTIONS[kind],
            customer_name=view.customer_name,
            reason=reason,
            details=details,
        )
        session.flush()
        answer = records.detail(session, run)
    log.info("escalation run %s: %s by %s", run_id, kind, actor.label)
    return answer


def _require(ctx: ServiceContext, actor: Principal, run_id: int) -> None:
    permissions.require(ctx, actor, Permission.RUN_ESCALATION, subject=f"run:{run_id}")


def _due_level(view: RunSummary, ctx: ServiceContext) -> tuple[int, int | None]:
    schedule = run_schedule(view)
    if not schedule:
        return view.current_level, None
    index, following = due_step(schedule, ctx.clock.now())
    return schedule[index].level, None if following is None else schedule[following].level


def acknowledge(
    ctx: ServiceContext,
    actor: Principal,
    run_id: int,
    *,
    level: int | None = None,
    note: str | None = None,
) -> RunDetail:
    """The customer's contact took the incident: the countdown stops.

    ``level``: whose contact answered (default: the level due now).
    """
    _require(ctx, actor, run_id)
    text = records.text_field("note", note, NOTE_MAX)
    now = ctx.clock.now()

    def change(run: EscalationRun, view: RunSummary) -> dict[str, object]:
        answered = level if level is not None else _due_level(view, ctx)[0]
        contact = view.contact(answered)
        if contact is None:
            raise ValidationError({"level": [_("this run has no level {n}").format(n=answered)]})
        run.state = RunState.ACKNOWLEDGED.value
        run.acknowledged_at = now
        run.acknowledged_by = actor.operator_id
        run.acknowledged_level = answered
        run.working_by = None
        run.working_at = None
        seconds = int((now - view.started_at).total_seconds())
        return {"level": answered, "contact": contact.name[:200], "seconds_from_start": seconds}

    return _apply(ctx, actor, run_id, Action.ACKNOWLEDGE, change, reason=text)


def escalate_now(
    ctx: ServiceContext,
    actor: Principal,
    run_id: int,
    *,
    reason: str | None,
    from_level: int | None = None,
) -> RunDetail:
    """Go to the next level before its wait ends; the waits after it count from now.

    ``from_level``: the level the operator saw as due. If the run has moved on
    meanwhile (another console escalated, or the clock did), ConflictError: the
    operator looks again instead of skipping a level unseen.
    """
    _require(ctx, actor, run_id)
    why = records.text_field(
        "reason", reason, REASON_MAX, required=_("say why you escalate before the wait ends")
    )
    now = ctx.clock.now()

    def change(run: EscalationRun, view: RunSummary) -> dict[str, object]:
        due, following = _due_level(view, ctx)
        if from_level is not None and due != from_level:
            raise conflict(view)
        if following is None:
            raise ValidationError(
                {"level": [_("L{level} is the last level of this chain").format(level=due)]}
            )
        run.current_level = following
        run.current_level_at = now
        return {"level": {"old": due, "new": following}}

    return _apply(ctx, actor, run_id, Action.ESCALATE, change, reason=why)


def resolve(
    ctx: ServiceContext, actor: Principal, run_id: int, *, note: str | None = None
) -> RunDetail:
    """The incident is over: the run leaves the board."""
    _require(ctx, actor, run_id)
    text = records.text_field("note", note, NOTE_MAX)
    now = ctx.clock.now()

    def change(run: EscalationRun, view: RunSummary) -> dict[str, object]:
        run.state = RunState.RESOLVED.value
        run.closed_at = now
        run.closed_by = actor.operator_id
        run.close_reason = text or None
        run.working_by = None
        run.working_at = None
        return {"from_state": view.state.value}

    return _apply(ctx, actor, run_id, Action.RESOLVE, change, reason=text)


def cancel(ctx: ServiceContext, actor: Principal, run_id: int, *, reason: str | None) -> RunDetail:
    """Started by mistake (or a duplicate): the run leaves the board, with the reason."""
    _require(ctx, actor, run_id)
    why = records.text_field(
        "reason", reason, REASON_MAX, required=_("say why the escalation run is cancelled")
    )
    now = ctx.clock.now()

    def change(run: EscalationRun, view: RunSummary) -> dict[str, object]:
        run.state = RunState.CANCELLED.value
        run.closed_at = now
        run.closed_by = actor.operator_id
        run.close_reason = why
        run.working_by = None
        run.working_at = None
        return {"from_state": view.state.value}

    return _apply(ctx, actor, run_id, Action.CANCEL, change, reason=why)
