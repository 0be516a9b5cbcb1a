"""Queueing mail in notification_outbox: the only writer of outbox rows.

A message is added to the caller's transaction, so it is queued if and only if
the change that caused it commits. Delivering it (and scrubbing the link
afterwards) is the mailer's job, which belongs beside this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from noc_console.models import NotificationOutbox


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    portal_user_id: int | None = None,
) -> NotificationOutbox:
    """Add one message to the caller's transaction; nothing is sent here."""
    message = NotificationOutbox(
        created_at=now,
        kind=kind,
        recipient=recipient,
        portal_user_id=portal_user_id,
        payload=payload,
        attempts=0,
    )
    session.add(message)
    return message
