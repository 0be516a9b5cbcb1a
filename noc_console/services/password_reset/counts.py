"""The user's row lock, and what a reset is about to change, counted under it.

Concurrent resets of one user queue on the lock; the counts (the rate window,
the links, sessions and history rows the reset would touch) are then read in
one round trip, so a reset that has nothing to end skips the statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from noc_console.errors import NotFound
from noc_console.i18n import _
from noc_console.models import (
    AuditEvent,
    Customer,
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
)
from noc_console.services.policy import PasswordPolicyDTO, load_policy
from noc_console.services.portal_credentials import active_sessions

ACTION = "password_reset"  # the audit action of a reset: recorded by each, counted here
RATE_WINDOW = timedelta(hours=1)
POLICY_ROW_ID = 1  # the one password_policy row (load_policy reads the same)

# Built once, like _COUNTS below.
_LOCK_USER = (
    select(PortalUser, Customer, PasswordPolicy)
    .join(Customer, Customer.id == PortalUser.customer_id)
    .outerjoin(PasswordPolicy, PasswordPolicy.id == POLICY_ROW_ID)
    .where(PortalUser.id == bindparam("user_id"))
    .with_for_update(of=PortalUser)
)


def lock_user(session: Session, user_id: int) -> tuple[PortalUser, Customer, PasswordPolicyDTO]:
    """Take the user's row lock before anything is counted: concurrent resets queue here
    (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).

    The customer and the policy come in the same round trip. Only the user row is
    locked (the other two are not written here); the locked row is the latest
    version even after a wait, but anything else that must include what the lock
    waited for is counted by a later statement (``reset_counts``).
    """
    row = session.execute(_LOCK_USER, {"user_id": user_id}).one_or_none()
    if row is None:
        raise NotFound(_("portal user not found"))
    user, customer, _policy_row = row
    # While the policy row is referenced here it is in the session's identity map, so
    # load_policy reads it without SQL (and still gives the defaults when it is missing).
    policy = load_policy(session)
    return user, customer, policy


@dataclass(frozen=True)
class ResetCounts:
    """What the reset is about to change, counted under the user's row lock."""

    resets_in_window: int
    oldest_reset: datetime | None
    unused_links: int
    active_sessions: int
    history_rows: int


def _how_many(model: type[Any], *where: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _counts_statement() -> Select[Any]:
    """Built once: composing it took longer than running it (SQLite) on every reset."""
    # Untyped parameters take each compared column's type (UTCDateTime for the times).
    user_id: BindParameter[int] = bindparam("user_id")
    now: BindParameter[datetime] = bindparam("now")
    # The rate window is the statement's own aggregate (one row whatever matches), the
    # other counts ride along as scalar subqueries.
    return select(
        func.count(),
        func.min(AuditEvent.occurred_at),  # keeps UTCDateTime: an aware datetime on both
        _how_many(
            PasswordResetToken,
            PasswordResetToken.portal_user_id == user_id,
            PasswordResetToken.used_at.is_(None),
        ),
        _how_many(PortalSession, *active_sessions(user_id, now)),
        _how_many(PasswordHistory, PasswordHistory.portal_user_id == user_id),
    ).where(
        AuditEvent.action == ACTION,
        AuditEvent.portal_user_id == user_id,
        AuditEvent.occurred_at > bindparam("since"),
    )


_COUNTS = _counts_statement()


def reset_counts(session: Session, user_id: int, now: datetime) -> ResetCounts:
    """The rate window and the rows the reset would touch, in one round trip (the
    wizard's preview shows the same counts, without the lock).

    In ``reset`` it runs as its own statement after ``lock_user`` so that its snapshot includes
    whatever the previous holder of the lock committed. Everything that adds a
    session, a reset link or a history row of this user (portal login, password
    change, reset, completed reset) holds that same lock, so a zero here stays
    zero until we commit and the matching UPDATE/DELETE can be skipped.
    """
    used, oldest, links, sessions, history = session.execute(
        _COUNTS, {"user_id": user_id, "now": now, "since": now - RATE_WINDOW}
    ).one()
    return ResetCounts(
        int(used or 0), oldest, int(links or 0), int(sessions or 0), int(history or 0)
    )
