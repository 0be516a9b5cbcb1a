"""Escalation runs ("acionamentos") and their call attempts.

A run copies the customer's chain when it starts (``snapshot``): an edit of
the chain during an incident must never move a level someone is about to
call. The schedule is kept as one anchor, ``current_level`` reached at
``current_level_at``; every later level's due time is the shared timeline
counted from that anchor, so "escalate now" re-bases the later levels by
moving the anchor, and nothing else has to be stored or kept in step.

``escalation_attempts`` is append-only (triggers in migration 0006, like
``audit_events``): a call that was logged stays logged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow

TICKET_MAX = 64
NOTE_MAX = 2000
REASON_MAX = 2000


class RunState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


class Outcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    EMAIL_SENT = "email_sent"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class EscalationRun(Base):
    __tablename__ = "escalation_runs"
    __table_args__ = (
        CheckConstraint(_in("state", RunState), name="state"),
        CheckConstraint("current_level BETWEEN 1 AND 3", name="current_level"),
        CheckConstraint("length(trim(ticket_ref)) > 0", name="ticket_ref"),
        CheckConstraint(
            "acknowledged_level IS NULL OR acknowledged_level BETWEEN 1 AND 3",
            name="acknowledged_level",
        ),
        CheckConstraint(
            "(state = 'open' AND acknowledged_at IS NULL)"
            " OR (state = 'acknowledged' AND acknowledged_at IS NOT NULL"
            " AND acknowledged_level IS NOT NULL AND closed_at IS NULL)"
            " OR (state IN ('resolved', 'cancelled') AND closed_at IS NOT NULL)",
            name="state_fields",
        ),
        Index("ix_escalation_runs_state", "state", "current_level_at"),
        Index("ix_escalation_runs_customer", "customer_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    chain_version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The chain's contacts as they were at the start: level, name, role_title, phone,
    email, delay_minutes (the same fields as ``escalation_contacts``)."""
    timezone: Mapped[str] = mapped_column(String(64))
    ticket_ref: Mapped[str] = mapped_column(String(TICKET_MAX))
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=RunState.OPEN.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    current_level: Mapped[int] = mapped_column(Integer, default=1)
    current_level_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_level: Mapped[int | None] = mapped_column(Integer)
    attempts_count: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    acknowledged_level: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    working_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    working_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EscalationAttempt(Base):
    """One call or e-mail to a level's contact. Never updated, never deleted."""

    __tablename__ = "escalation_attempts"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint(_in("channel", Channel), name="channel"),
        CheckConstraint(_in("outcome", Outcome), name="outcome"),
        CheckConstraint("(channel = 'email') = (outcome = 'email_sent')", name="channel_outcome"),
        Index("ix_escalation_attempts_run", "run_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("escalation_runs.id"))
    level: Mapped[int] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_address: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
