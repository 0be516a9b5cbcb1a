"""Changing a portal user's credentials: tokens, password history, reset links, sessions.

The console's assisted reset and the portal's own login, password change and
reset completion all write these rows, so the rules exist once, here. Tokens
are stored only as digests: the database never holds a usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import BindParameter, ColumnElement, CursorResult, delete, select, update
from sqlalchemy.orm import Session

from noc_console.models import PasswordHistory, PasswordResetToken, PortalSession, PortalUser
from noc_console.services.policy import PasswordPolicyDTO

# Passwords older than the policy's history are kept a little longer, so raising
# history_count later still finds some; older ones are deleted.
HISTORY_KEEP_EXTRA = 2
TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    """SHA-256 hex of a token: what the database holds instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_token(
    session: Session,
    model: type[PortalSession] | type[PasswordResetToken],
    user_id: int,
    now: datetime,
    lifetime: timedelta,
    **extra: Any,
) -> tuple[str, datetime]:
    """A new session or reset-link row for the user; the token (for its holder) and expiry.

    Only the token's digest is stored: whoever reads the database cannot use it.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + lifetime
    session.add(
        model(
            portal_user_id=user_id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=expires,
            **extra,
        )
    )
    return token, expires


def active_sessions(
    user_id: int | BindParameter[int], now: datetime | BindParameter[datetime]
) -> list[ColumnElement[bool]]:
    """The conditions of a user's sessions that still let someone in."""
    return [
        PortalSession.portal_user_id == user_id,
        PortalSession.revoked_at.is_(None),
        PortalSession.expires_at > now,
    ]


def push_history(
    session: Session,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    now: datetime,
    *,
    existing: int | None = None,
) -> None:
    """Move the current hash into password_history and trim what is no longer needed.

    Trimming is one DELETE of everything past the newest ones that stay beside
    the row being added; ``existing`` (the user's history rows, counted under
    the user's lock) lets a caller skip it when nothing is past them. The DELETE
    runs before the new row is added, so it never counts among the rows it trims.
    Needs no flush (callers keep autoflush off so the user row is updated once).
    """
    keep = max(policy.history_count, 0) + HISTORY_KEEP_EXTRA
    if user.password_hash:
        keep -= 1  # the row added below is one of them
    keep = max(keep, 0)
    if existing is None or existing > keep:
        stale = (
            select(PasswordHistory.id)
            .where(PasswordHistory.portal_user_id == user.id)
            .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
            .offset(keep)
        )
        # ids from a subquery (SQLAlchemy gives SQLite the LIMIT -1 its OFFSET needs); no
        # session objects to synchronise: history rows are never loaded as entities.
        session.execute(
            delete(PasswordHistory)
            .where(PasswordHistory.id.in_(stale.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
    if user.password_hash:
        session.add(
            PasswordHistory(
                portal_user_id=user.id, password_hash=user.password_hash, created_at=now
            )
        )


def _cursor(result: object) -> CursorResult[Any]:
    """DML results carry rowcount; the ORM's execute() is typed more loosely."""
    return cast(CursorResult[Any], result)


def invalidate_reset_links(session: Session, user_id: int, now: datetime) -> int:
    """Earlier unused links stop working (marked used) once a newer credential exists."""
    result = _cursor(
        session.execute(
            update(PasswordResetToken)
            .where(
                PasswordResetToken.portal_user_id == user_id, PasswordResetToken.used_at.is_(None)
            )
            .values(used_at=now)
        )
    )
    return int(result.rowcount or 0)


def revoke_sessions(
    session: Session, user_id: int, now: datetime, reason: str, *, keep_hash: str | None = None
) -> int:
    """End every active portal session of the user (but the one being kept); how many."""
    conditions = active_sessions(user_id, now)
    if keep_hash is not None:
        conditions.append(PortalSession.token_hash != keep_hash)
    result = _cursor(
        session.execute(
            update(PortalSession).where(*conditions).values(revoked_at=now, revoked_reason=reason)
        )
    )
    return int(result.rowcount or 0)
