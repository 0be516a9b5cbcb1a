"""The outbox as a work queue: claim a due row, then record what became of it.

Claiming is one short transaction: the oldest due row is locked (PostgreSQL
``FOR UPDATE SKIP LOCKED``, so mailers running at once each take a different
row and never wait on each other; SQLite's ``BEGIN IMMEDIATE`` lets one writer
in at a time) and marked ``sending`` under this mailer's lease. A row whose
lease ran out (its mailer died mid-send) is due again. Nothing is sent inside
a transaction: the SMTP conversation happens between the claim and the outcome.

A row whose link expired, was replaced by a newer one or was already used is
never sent: it becomes ``expired``. Each final state (sent, failed, expired)
removes the link from the row in the same UPDATE: the token then exists only
as ``password_reset_tokens.token_hash``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from noc_console.models import NotificationOutbox, OutboxState, PasswordResetToken, PortalUser
from noc_console.services.context import ServiceContext
from noc_console.services.mailer.message import LinkMail
from noc_console.services.mailer.policy import RetryPolicy
from noc_console.services.password_reset.link import OUTBOX_KIND

log = logging.getLogger(__name__)

SECRET_KEYS = ("url",)
"""Payload keys that carry a token: removed when the row reaches a final state."""

LIMIT_KEY = "max_attempts"
"""Payload key: the attempt limit of the mailer that last took the row, kept once it is
final. The console shows "attempt 2 of N" from it, not from its own configuration: the
mailer may run elsewhere with another ``[mail] max_attempts``."""

SKIPS_PER_CLAIM = 50
"""Rows found unsendable (and closed) in one claim before it gives the turn back."""


@dataclass(frozen=True)
class Claim:
    """A row this mailer holds the lease on: what to send, and which attempt this is."""

    outbox_id: int
    attempt: int
    mail: LinkMail


def scrubbed(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload without the link: what stays in the row once it is final."""
    return {k: v for k, v in (payload or {}).items() if k not in SECRET_KEYS}


def _finish(row: NotificationOutbox, state: OutboxState, error: str | None = None) -> None:
    row.state = state.value
    row.payload = scrubbed(row.payload)
    row.next_attempt_at = None
    row.claimed_until = None
    row.claimed_by = None
    if error is not None:
        row.last_error = error


def _due(now: datetime) -> Any:
    waiting = (OutboxState.QUEUED.value, OutboxState.RETRYING.value)
    return or_(
        and_(NotificationOutbox.state.in_(waiting), NotificationOutbox.next_attempt_at <= now),
        and_(
            NotificationOutbox.state == OutboxState.SENDING.value,
            NotificationOutbox.claimed_until <= now,
        ),
    )


def _why_not_sendable(session: Session, row: NotificationOutbox, now: datetime) -> str | None:
    """Why this row must not leave (it becomes ``expired``), or None."""
    if row.expires_at is not None and row.expires_at <= now:
        return "the link expired before it could be sent"
    if row.reset_token_id is not None:
        token = session.get(PasswordResetToken, row.reset_token_id)
        if token is None or token.used_at is not None:
            return "the link was replaced by a newer one, or used, before it could be sent"
        if token.expires_at <= now:
            return "the link expired before it could be sent"
    if "url" not in (row.payload or {}):
        return "the message has no link"
    return None


def claim_next(
    ctx: ServiceContext, worker: str, policy: RetryPolicy, lease: timedelta
) -> Claim | None:
    """Take the oldest due row under this mailer's lease; None when nothing is due."""
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        for _ in range(SKIPS_PER_CLAIM):
            row = session.scalars(
                select(NotificationOutbox)
                .where(_due(now))
                .order_by(NotificationOutbox.next_attempt_at, NotificationOutbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            if row.kind != OUTBOX_KIND:
                _finish(row, OutboxState.FAILED, f"no mailer for messages of kind {row.kind!r}")
                continue
            if row.state == OutboxState.SENDING.value and policy.gives_up_after(row.attempts):
                # Its mailer died while sending the last allowed attempt.
                _finish(row, OutboxState.FAILED, row.last_error or "the mailer stopped mid-send")
                continue
            reason = _why_not_sendable(session, row, now)
            if reason is not None:
                log.info("outbox #%d expired: %s", row.id, reason)
                _finish(row, OutboxState.EXPIRED, reason)
                continue
            user = session.get(PortalUser, row.portal_user_id) if row.portal_user_id else None
            payload = row.payload or {}
            row.state = OutboxState.SENDING.value
            row.attempts += 1
            row.payload = {**payload, LIMIT_KEY: policy.max_attempts}
            row.claimed_by = worker[:120]
            row.claimed_until = now + lease
            expires = row.expires_at or now
            return Claim(
                outbox_id=row.id,
                attempt=row.attempts,
                mail=LinkMail(
                    outbox_id=row.id,
                    created_at=row.created_at,
                    recipient=row.recipient,
                    full_name=user.full_name if user else "",
                    login=str(payload.get("login") or (user.login if user else "")),
                    ticket_ref=str(payload.get("ticket_ref") or ""),
                    expires_at=expires,
                    language=row.language,
                    url=str(payload["url"]),
                ),
            )
    return None


def _held(session: Session, outbox_id: int, worker: str) -> NotificationOutbox | None:
    """The row if this mailer still holds it (its lease may have been taken over)."""
    row = session.scalars(
        select(NotificationOutbox).where(NotificationOutbox.id == outbox_id).with_for_update()
    ).one_or_none()
    if row is None or row.state != OutboxState.SENDING.value or row.claimed_by != worker[:120]:
        log.warning("outbox #%d: this mailer's lease was lost; outcome not recorded", outbox_id)
        return None
    return row


def record_sent(ctx: ServiceContext, outbox_id: int, worker: str, message_id: str) -> bool:
    """The server accepted it: ``sent``, the link removed. False if the lease was lost."""
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        row = _held(session, outbox_id, worker)
        if row is None:
            return False
        _finish(row, OutboxState.SENT)
        row.sent_at = now
        row.message_id = message_id
        row.last_error = None
        return True


def record_failure(
    ctx: ServiceContext,
    outbox_id: int,
    worker: str,
    reply: str,
    *,
    temporary: bool,
    policy: RetryPolicy,
) -> OutboxState | None:
    """The try failed: ``retrying`` later, or ``failed`` (permanent, or out of attempts),
    or ``expired`` (the link would expire before the next try). None if the lease was lost."""
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        row = _held(session, outbox_id, worker)
        if row is None:
            return None
        if not temporary or policy.gives_up_after(row.attempts):
            _finish(row, OutboxState.FAILED, reply)
            return OutboxState.FAILED
        next_at = now + policy.delay(row.attempts)
        if row.expires_at is not None and next_at >= row.expires_at:
            _finish(row, OutboxState.EXPIRED, reply)
            return OutboxState.EXPIRED
        row.state = OutboxState.RETRYING.value
        row.next_attempt_at = next_at
        row.claimed_until = None
        row.claimed_by = None
        row.last_error = reply
        return OutboxState.RETRYING
