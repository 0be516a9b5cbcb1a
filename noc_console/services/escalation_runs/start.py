"""Starting a run: the chain is copied as it is now, level 1 is due at once.

A second run for a customer who already has one open is allowed (two
incidents can overlap) but never silent: the caller gets a warning, and the
start dialog shows the open runs before the operator confirms.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _, ngettext
from noc_console.models import Customer, EscalationChain, EscalationRun
from noc_console.models.escalation_runs import REASON_MAX, TICKET_MAX
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation.store import chain_view
from noc_console.services.escalation_runs import records
from noc_console.services.escalation_runs.dto import RunState, RunSummary, StartResult
from noc_console.services.escalation_runs.guards import ACTIVE_VALUES
from noc_console.services.permissions import Permission
from noc_console.services.validation import ticket_reference

log = logging.getLogger(__name__)

ACTION = "escalation_run_started"


def _ticket(value: str | None) -> str:
    try:
        return ticket_reference(
            value,
            TICKET_MAX,
            required=_("enter the incident or ticket reference (for example INC-2026-0042)"),
        )
    except ValueError as err:
        raise ValidationError({"ticket_ref": [str(err)]}) from None


def open_runs_for(
    ctx: ServiceContext, actor: Principal, customer_id: int
) -> tuple[RunSummary, ...]:
    """The customer's runs still on the board (the start dialog warns with them)."""
    permissions.require(ctx, actor, Permission.LOOKUP, customer_id=customer_id)
    with ctx.read_sessions() as session:
        if session.get(Customer, customer_id) is None:
            raise NotFound(_("customer not found"))
        runs = session.scalars(
            select(EscalationRun)
            .where(EscalationRun.customer_id == customer_id, EscalationRun.state.in_(ACTIVE_VALUES))
            .order_by(EscalationRun.started_at)
        )
        return tuple(records.summaries(session, runs))


def start_run(
    ctx: ServiceContext,
    actor: Principal,
    customer_id: int,
    *,
    ticket_ref: str | None,
    reason: str | None = None,
) -> StartResult:
    """Open a run on the customer's chain as it is now; level 1 is due at once."""
    permissions.require(ctx, actor, Permission.RUN_ESCALATION, customer_id=customer_id)
    ticket = _ticket(ticket_ref)
    why = records.text_field("reason", reason, REASON_MAX)
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("customer not found"))
        chain = session.scalars(
            select(EscalationChain).where(EscalationChain.customer_id == customer_id)
        ).one_or_none()
        view = chain_view(customer, chain)
        first = view.contact(1)
        if first is None:
            raise ValidationError(
                {"chain": [_("this customer has no level 1 contact: register the chain first")]}
            )
        open_count = int(
            session.scalar(
                select(func.count())
                .select_from(EscalationRun)
                .where(
                    EscalationRun.customer_id == customer_id,
                    EscalationRun.state.in_(ACTIVE_VALUES),
                )
            )
            or 0
        )
        run = EscalationRun(
            customer_id=customer_id,
            chain_version=view.version,
            snapshot=[
                {key: getattr(c, key) for key in records.CONTACT_KEYS} for c in view.contacts
            ],
            timezone=view.timezone,
            ticket_ref=ticket,
            reason=why or None,
            state=RunState.OPEN.value,
            started_at=now,
            started_by=actor.operator_id,
            current_level=1,
            current_level_at=now,
            attempts_count=0,
            updated_at=now,
        )
        session.add(run)
        session.flush()
        records.record_action(
            session,
            actor,
            run,
            at=now,
            action=ACTION,
            customer_name=customer.legal_name,
            reason=why,
            details={
                "chain_version": view.version,
                "levels": len(view.contacts),
                "other_open_runs": open_count,
            },
        )
        result = records.detail(session, run)
    warnings: tuple[str, ...] = ()
    if open_count:
        warnings = (
            ngettext(
                "this customer already had {n} escalation run open",
                "this customer already had {n} escalation runs open",
                open_count,
            ).format(n=open_count),
        )
    log.info(
        "escalation run %s started by %s for customer %s", result.run.id, actor.label, customer_id
    )
    return StartResult(detail=result, warnings=warnings)
