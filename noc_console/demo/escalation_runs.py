"""Escalation runs for the demo: a live board (due now, overdue, calling, acknowledged) and history.

Times are relative to the demo clock, so the board opened right after
seeding shows every stage. Written through the ORM on the seeding
connection after the bulk load (the tables are small).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from noc_console.models import (
    Customer,
    EscalationAttempt,
    EscalationChain,
    EscalationContact,
    EscalationRun,
    Operator,
)

CONTACT_KEYS = ("level", "name", "role_title", "phone", "email", "delay_minutes")
HISTORY_RUNS = 24


def _full_chains(session: Session, limit: int) -> list[tuple[Customer, list[EscalationContact]]]:
    """Customers whose chain has three levels (the demo walks through all of them)."""
    chain_ids = session.scalars(
        select(EscalationContact.chain_id)
        .group_by(EscalationContact.chain_id)
        .having(func.count() == 3)
        .order_by(EscalationContact.chain_id)
        .limit(limit)
    ).all()
    found: list[tuple[Customer, list[EscalationContact]]] = []
    for chain_id in chain_ids:
        chain = session.get_one(EscalationChain, chain_id)
        customer = session.get_one(Customer, chain.customer_id)
        found.append((customer, sorted(chain.contacts, key=lambda c: c.level)))
    return found


def _run(
    customer: Customer,
    contacts: list[EscalationContact],
    started: datetime,
    by: int,
    ticket: str,
) -> EscalationRun:
    return EscalationRun(
        customer_id=customer.id,
        chain_version=1,
        snapshot=[{k: getattr(c, k) for k in CONTACT_KEYS} for c in contacts],
        timezone=customer.timezone,
        ticket_ref=ticket,
        reason="Link fora do ar (demo)",
        state="open",
        started_at=started,
        started_by=by,
        current_level=1,
        current_level_at=started,
        attempts_count=0,
        updated_at=started,
    )


def _attempt(
    session: Session,
    run: EscalationRun,
    contact: EscalationContact,
    outcome: str,
    at: datetime,
    by: int,
) -> None:
    by_phone = contact.phone is not None
    session.add(
        EscalationAttempt(
            run_id=run.id,
            level=contact.level,
            contact_name=contact.name,
            contact_address=contact.phone if by_phone else contact.email,
            channel="phone" if by_phone else "email",
            outcome=outcome if by_phone else "email_sent",
            at=at,
            operator_id=by,
        )
    )
    run.attempts_count += 1
    run.last_attempt_at, run.last_attempt_level = at, contact.level


def _acknowledge(run: EscalationRun, level: int, at: datetime, by: int) -> None:
    run.state, run.acknowledged_at, run.acknowledged_by, run.acknowledged_level = (
        "acknowledged",
        at,
        by,
        level,
    )


def seed_runs(conn: Connection, now: datetime, seed: int = 13) -> int:
    """Open runs at every stage plus resolved history; returns how many runs were written."""
    rng = random.Random(seed)
    with conn.begin():
        session = Session(bind=conn)
        try:
            ops: dict[str, int] = {o.username: o.id for o in session.scalars(select(Operator))}
            first = ops.get("otto.operador") or next(iter(ops.values()), None)
            if first is None:
                return 0
            otto: int = first
            ana: int = ops.get("ana.analista", otto)
            chains = _full_chains(session, 10)
            if len(chains) < 4:
                return 0
            written = 0
            # Live board: due now, overdue, calling (L2 coming), acknowledged.
            (c1, k1), (c2, k2), (c3, k3), (c4, k4) = chains[:4]
            due = _run(c1, k1, now - timedelta(seconds=20), otto, "INC-2026-1301")
            late_start = now - timedelta(minutes=k2[1].delay_minutes + 3)
            late = _run(c2, k2, late_start, otto, "INC-2026-1302")
            calling = _run(c3, k3, now - timedelta(minutes=2), ana, "INC-2026-1303")
            acked = _run(c4, k4, now - timedelta(minutes=40), otto, "INC-2026-1304")
            session.add_all([due, late, calling, acked])
            session.flush()
            _attempt(session, late, k2[0], "no_answer", late_start + timedelta(minutes=1), otto)
            _attempt(session, calling, k3[0], "voicemail", now - timedelta(minutes=1), ana)
            calling.working_by, calling.working_at = ana, now - timedelta(minutes=1)
            _attempt(session, acked, k4[0], "answered", now - timedelta(minutes=36), otto)
            _acknowledge(acked, 1, now - timedelta(minutes=36), otto)
            written += 4
            # History: resolved (and a few cancelled) runs over the last 60 days.
            for i in range(HISTORY_RUNS):
                customer, contacts = chains[i % min(len(chains), 5)]
                started = now - timedelta(days=rng.uniform(1, 60))
                run = _run(customer, contacts, started, otto, f"INC-2026-{1000 + i:04d}")
                session.add(run)
                session.flush()
                if i % 8 == 7:
                    run.state, run.closed_at, run.closed_by = "cancelled", started, otto
                    run.close_reason = "aberto por engano (demo)"
                else:
                    level = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
                    at = started
                    for contact in contacts[:level]:
                        at += timedelta(minutes=contact.delay_minutes or rng.randint(1, 4))
                        answered = contact.level == level
                        outcome = "answered" if answered else "no_answer"
                        _attempt(session, run, contact, outcome, at, otto)
                    _acknowledge(run, level, at, otto)
                    run.state = "resolved"
                    run.closed_at, run.closed_by = at + timedelta(hours=1), otto
                written += 1
            session.flush()
            session.commit()
            return written
        finally:
            session.close()
