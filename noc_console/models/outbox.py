from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow

if TYPE_CHECKING:
    from noc_console.models.portal_users import PasswordResetToken


class OutboxState(StrEnum):
    """Where a message stands. ``sent``, ``failed`` and ``expired`` are final: the row's
    link is scrubbed when it reaches one of them."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    EXPIRED = "expired"


OUTBOX_STATES = tuple(state.value for state in OutboxState)
FINAL_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.EXPIRED)
OUTBOX_LANGUAGES = ("pt_BR", "en")


class NotificationOutbox(Base):
    """What the mailer must send. Written in the same transaction as the change that caused
    it, so a mail is queued if and only if the change committed; delivered by
    ``noc-console mailer``, which claims a row (``sending``, with a lease), sends it and
    records the outcome."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'expired')",
            name="state",
        ),
        CheckConstraint("language IN ('pt_BR', 'en')", name="language"),
        # The claim query: due rows by state, oldest due first.
        Index("ix_notification_outbox_due", "state", "next_attempt_at"),
        # The analyst's view: the newest message of each user.
        Index("ix_notification_outbox_portal_user_id", "portal_user_id", "id"),
        Index("ix_notification_outbox_reset_token_id", "reset_token_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id"))
    # For a reset link, the portal URL carrying the token: the one place it exists in clear,
    # and only until the row is sent, failed or expired (the mailer removes it then).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The server's reply or the transport's failure in words; never a secret.
    last_error: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(
        String(16), default=OutboxState.QUEUED.value, server_default="queued"
    )
    # When a queued/retrying row is due; NULL once nothing more will be tried.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A mailer's lease on a row it is sending: past it, another mailer may take the row over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    message_id: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="pt_BR", server_default="pt_BR")
    # The link's own expiry (kept after the link is scrubbed, to say "expired at ...").
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reset_token_id: Mapped[int | None] = mapped_column(ForeignKey("password_reset_tokens.id"))

    reset_token: Mapped[PasswordResetToken | None] = relationship(lazy="raise")
