"""Queueing mail in notification_outbox: the only writer of new outbox rows.

A message is added to the caller's transaction, so it is queued if and only if
the change that caused it commits. Delivering it (and scrubbing the link
afterwards) is the mailer's job: ``services.mailer``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from noc_console.models import NotificationOutbox, OutboxState

if TYPE_CHECKING:
    from noc_console.models import PasswordResetToken

LANGUAGES = ("pt_BR", "en")
DEFAULT_LANGUAGE = "pt_BR"


def mail_language(preferred: str | None) -> str:
    """The language a mail is written in: the recipient's, pt_BR when unknown."""
    return preferred if preferred in LANGUAGES else DEFAULT_LANGUAGE


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    portal_user_id: int | None = None,
    language: str | None = None,
    expires_at: datetime | None = None,
    reset_token: PasswordResetToken | None = None,
) -> NotificationOutbox:
    """Add one message to the caller's transaction, due at once; nothing is sent here.

    ``expires_at``: after it the mailer never sends the message. ``reset_token``: the
    link's token row, so a link replaced or used before it left is not sent either.
    """
    message = NotificationOutbox(
        created_at=now,
        kind=kind,
        recipient=recipient,
        portal_user_id=portal_user_id,
        payload=payload,
        attempts=0,
        state=OutboxState.QUEUED.value,
        next_attempt_at=now,
        language=mail_language(language),
        expires_at=expires_at,
    )
    if reset_token is not None:
        message.reset_token = reset_token
    session.add(message)
    return message
