from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow


class AuditEvent(Base):
    """Append-only: the migration installs triggers that make UPDATE and DELETE fail.

    ``details`` never holds a password, hash, token or contract value; the
    audit service is the only writer and enforces that.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_customer", "customer_id", "occurred_at"),
        Index("ix_audit_events_operator", "operator_id", "occurred_at"),
        Index("ix_audit_events_action", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    action: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    subject: Mapped[str | None] = mapped_column(String(200))
    ticket_ref: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
