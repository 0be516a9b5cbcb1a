from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow


class NotificationOutbox(Base):
    """What the portal's mailer must send. Written in the same transaction as the change
    that caused it, so a mail is queued if and only if the change committed."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_notification_outbox_pending", "sent_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    # For a reset link, the portal URL carrying the token: the one place it exists in clear.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
