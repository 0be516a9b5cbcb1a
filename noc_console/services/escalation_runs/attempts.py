"""Logging a call (or e-mail) to a level's contact: append-only, never lost under a race.

The run row is locked while the attempt is added, so its counter and its
"last attempt" columns move in step with the attempts table; twenty consoles
logging at once are served one after the other.
"""

from __future__ import annotations

import logging

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import Channel, EscalationAttempt
from noc_console.models.escalation_runs import NOTE_MAX
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import Outcome, RunDetail, RunState
from noc_console.services.escalation_runs.guards import Action, allowed, conflict
from noc_console.services.escalation_runs.schedule import due_step, run_schedule
from noc_console.services.permissions import Permission

log = logging.getLogger(__name__)

ACTION = "escalation_attempt_recorded"


def _outcome(value: Outcome | str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise ValidationError({"outcome": [_("unknown call outcome")]}) from None


def record_attempt(
    ctx: ServiceContext,
    actor: Principal,
    run_id: int,
    *,
    outcome: Outcome | str,
    level: int | None = None,
    note: str | None = None,
) -> RunDetail:
    """Log one attempt to ``level``'s contact (default: the level due now)."""
    permissions.require(ctx, actor, Permission.RUN_ESCALATION, subject=f"run:{run_id}")
    result = _outcome(outcome)
    text = records.text_field("note", note, NOTE_MAX)
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        run = records.load(session, run_id, lock=True)
        view = records.summaries(session, [run])[0]
        if not allowed(view.state, Action.ATTEMPT):
            raise conflict(view)
        schedule = run_schedule(view)
        target = level
        if target is None:
            target = schedule[due_step(schedule, now)[0]].level if schedule else view.current_level
        contact = view.contact(target)
        if contact is None:
            raise ValidationError({"level": [_("this run has no level {n}").format(n=target)]})
        channel = Channel.EMAIL if result is Outcome.EMAIL_SENT else Channel.PHONE
        address = contact.email if channel is Channel.EMAIL else contact.phone
        if not address:
            message = (
                _("this contact has no e-mail address")
                if channel is Channel.EMAIL
                else _("this contact has no phone number")
            )
            raise ValidationError({"outcome": [message]})
        session.add(
            EscalationAttempt(
                run_id=run.id,
                level=target,
                contact_name=contact.name,
                contact_address=address,
                channel=channel.value,
                outcome=result.value,
                note=text or None,
                at=now,
                operator_id=actor.operator_id,
            )
        )
        if view.state is RunState.OPEN and schedule:
            # The anchor follows the clock: same due times, and "the level due" stays true.
            due = schedule[due_step(schedule, now)[0]]
            run.current_level, run.current_level_at = due.level, due.at
        run.attempts_count += 1
        run.last_attempt_at = now
        run.last_attempt_level = target
        run.updated_at = now
        records.record_action(
            session,
            actor,
            run,
            at=now,
            action=ACTION,
            customer_name=view.customer_name,
            details={"level": target, "outcome": result.value, "channel": channel.value},
        )
        session.flush()
        answer = records.detail(session, run)
    log.info("attempt on run %s by %s: L%s %s", run_id, actor.label, target, result.value)
    return answer
