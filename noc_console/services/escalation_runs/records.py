"""Rows to views, the locked read every change starts with, and the audit line of each action.

Every change to a run reads it under a row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's writers already hold the database write lock from
``BEGIN IMMEDIATE``), so two consoles acting at once are served one after the
other and the second sees what the first did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import Customer, EscalationAttempt, EscalationRun, Operator
from noc_console.services import audit
from noc_console.services.context import Principal
from noc_console.services.escalation.dto import Contact
from noc_console.services.escalation_runs.dto import (
    AttemptView,
    Outcome,
    RunDetail,
    RunState,
    RunSummary,
)
from noc_console.services.validation import clean_text

PRESENCE_MINUTES = 5
"""How long "Otto is calling…" stays on the board without being renewed."""

CONTACT_KEYS = ("level", "name", "role_title", "phone", "email", "delay_minutes")


def snapshot_contacts(snapshot: Iterable[Mapping[str, Any]]) -> tuple[Contact, ...]:
    contacts = (
        Contact(
            level=int(item["level"]),
            name=str(item["name"]),
            role_title=item.get("role_title"),
            phone=item.get("phone"),
            email=item.get("email"),
            delay_minutes=int(item.get("delay_minutes") or 0),
        )
        for item in snapshot
    )
    return tuple(sorted(contacts, key=lambda c: c.level))


def operator_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(Operator.id, Operator.display_name).where(Operator.id.in_(wanted))
    )
    return {row.id: row.display_name for row in rows}


def customer_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Customer.id, Customer.legal_name).where(Customer.id.in_(wanted)))
    return {row.id: row.legal_name for row in rows}


def summaries(session: Session, runs: Iterable[EscalationRun]) -> list[RunSummary]:
    """Views of many runs with two extra queries in all (names of customers and operators)."""
    rows = list(runs)
    customers = customer_names(session, (r.customer_id for r in rows))
    people = operator_names(
        session,
        (i for r in rows for i in (r.started_by, r.acknowledged_by, r.closed_by, r.working_by)),
    )
    return [_summary(r, customers.get(r.customer_id, ""), people) for r in rows]


def _summary(run: EscalationRun, customer: str, people: Mapping[int, str]) -> RunSummary:
    def who(operator_id: int | None) -> str | None:
        return None if operator_id is None else people.get(operator_id, f"#{operator_id}")

    return RunSummary(
        id=run.id,
        customer_id=run.customer_id,
        customer_name=customer,
        ticket_ref=run.ticket_ref,
        reason=run.reason,
        state=RunState(run.state),
        timezone=run.timezone,
        chain_version=run.chain_version,
        contacts=snapshot_contacts(run.snapshot),
        started_at=run.started_at,
        started_by=who(run.started_by) or "",
        current_level=run.current_level,
        current_level_at=run.current_level_at,
        attempts_count=run.attempts_count,
        last_attempt_at=run.last_attempt_at,
        last_attempt_level=run.last_attempt_level,
        acknowledged_at=run.acknowledged_at,
        acknowledged_by=who(run.acknowledged_by),
        acknowledged_level=run.acknowledged_level,
        closed_at=run.closed_at,
        closed_by=who(run.closed_by),
        close_reason=run.close_reason,
        working_by=who(run.working_by),
        working_at=run.working_at,
        updated_at=run.updated_at,
    )


def detail(session: Session, run: EscalationRun) -> RunDetail:
    attempts = list(
        session.scalars(
            select(EscalationAttempt)
            .where(EscalationAttempt.run_id == run.id)
            .order_by(EscalationAttempt.at, EscalationAttempt.id)
        )
    )
    people = operator_names(session, (a.operator_id for a in attempts))
    return RunDetail(
        run=summaries(session, [run])[0],
        attempts=tuple(
            AttemptView(
                id=a.id,
                level=a.level,
                contact_name=a.contact_name,
                contact_address=a.contact_address,
                channel=a.channel,
                outcome=Outcome(a.outcome),
                note=a.note,
                at=a.at,
                operator=people.get(a.operator_id, f"#{a.operator_id}"),
            )
            for a in attempts
        ),
    )


def load(session: Session, run_id: int, *, lock: bool = False) -> EscalationRun:
    query = select(EscalationRun).where(EscalationRun.id == run_id)
    if lock:
        query = query.with_for_update()
    run = session.scalars(query).one_or_none()
    if run is None:
        raise NotFound(_("escalation run not found"))
    return run


def text_field(name: str, value: str | None, max_length: int, *, required: str = "") -> str:
    """Cleaned free text (no control characters, bounded), or ValidationError on ``name``."""
    try:
        text = clean_text(value if isinstance(value, str) else None, max_length)
    except ValueError as err:
        raise ValidationError({name: [str(err)]}) from None
    if required and not text:
        raise ValidationError({name: [required]})
    return text


def record_action(
    session: Session,
    actor: Principal,
    run: EscalationRun,
    *,
    at: datetime,
    action: str,
    customer_name: str | None = None,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """The audit event of one action on a run, in the action's transaction, with its ticket."""
    if customer_name is None:
        customer = session.get(Customer, run.customer_id)
        customer_name = customer.legal_name if customer else None
    audit.record(
        session,
        at=at,
        action=action,
        operator_id=actor.operator_id,
        customer_id=run.customer_id,
        subject=(customer_name or f"run:{run.id}")[:200],
        ticket_ref=run.ticket_ref,
        reason=reason or None,
        details={"run_id": run.id, **(details or {})},
    )
