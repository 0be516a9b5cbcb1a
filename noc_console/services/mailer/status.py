"""What became of each user's newest reset link, for the analyst (a read model).

The analyst on the phone needs one sentence per user: queued, sent, retrying
(which attempt, when next), failed (the server's reply) or expired. A queued
or retrying row whose link's time has passed reads as expired even if no mailer
ran to close it. One query for any number of users, served by the
``(portal_user_id, id)`` index; never the link itself (of the payload only the
attempt limit the mailer recorded when it took the row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from noc_console.models import NotificationOutbox, OutboxState
from noc_console.models.outbox import FINAL_STATES
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.mailer.queue import LIMIT_KEY
from noc_console.services.password_reset.link import OUTBOX_KIND
from noc_console.services.permissions import Permission

MAX_USERS = 1000


@dataclass(frozen=True)
class LinkStatus:
    outbox_id: int
    portal_user_id: int
    state: OutboxState
    created_at: datetime
    attempts: int
    sent_at: datetime | None
    next_attempt_at: datetime | None
    expires_at: datetime | None
    last_error: str | None
    max_attempts: int | None = None
    """The limit of the mailer that took the row; None until one did."""

    @property
    def reissuable(self) -> bool:
        """Only a link that failed for good can be re-issued from the wizard."""
        return self.state is OutboxState.FAILED

    @property
    def final(self) -> bool:
        """Nothing will happen to this link any more: reading it again is wasted."""
        return self.state in FINAL_STATES


def settled(statuses: Iterable[LinkStatus]) -> bool:
    """Every link shown is final (or none is shown): a view may stop reading them until it
    issues a new one. A link another console issues meanwhile shows at the view's next load."""
    return all(status.final for status in statuses)


def effective_state(row_state: str, expires_at: datetime | None, now: datetime) -> OutboxState:
    state = OutboxState(row_state)
    waiting = (OutboxState.QUEUED, OutboxState.RETRYING)
    if state in waiting and expires_at is not None and expires_at <= now:
        return OutboxState.EXPIRED
    return state


def link_statuses(
    ctx: ServiceContext, actor: Principal, user_ids: Iterable[int]
) -> dict[int, LinkStatus]:
    """The newest reset link of each of ``user_ids`` that has one (at most ``MAX_USERS``)."""
    permissions.require(ctx, actor, Permission.LOOKUP)
    ids = sorted(set(user_ids))[:MAX_USERS]
    if not ids:
        return {}
    now = ctx.clock.now()
    newest = (
        select(func.max(NotificationOutbox.id))
        .where(
            NotificationOutbox.portal_user_id.in_(ids),
            NotificationOutbox.kind == OUTBOX_KIND,
        )
        .group_by(NotificationOutbox.portal_user_id)
    )
    o = NotificationOutbox
    with ctx.read_sessions() as session:
        rows = session.execute(
            select(
                o.id,
                o.portal_user_id,
                o.state,
                o.created_at,
                o.attempts,
                o.sent_at,
                o.next_attempt_at,
                o.expires_at,
                o.last_error,
                o.payload[LIMIT_KEY].as_integer().label("max_attempts"),
            ).where(o.id.in_(newest))
        ).all()
    return {
        row.portal_user_id: LinkStatus(
            outbox_id=row.id,
            portal_user_id=row.portal_user_id,
            state=effective_state(row.state, row.expires_at, now),
            created_at=row.created_at,
            attempts=row.attempts,
            sent_at=row.sent_at,
            next_attempt_at=row.next_attempt_at,
            expires_at=row.expires_at,
            last_error=row.last_error,
            max_attempts=row.max_attempts,
        )
        for row in rows
    }
