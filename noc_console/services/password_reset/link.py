"""A reset link: a single-use token (stored as its digest) and the mail that carries it.

The link's URL exists in clear only in the outbox row the mailer reads; the
newest link replaces every earlier unused one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import PasswordResetToken, PortalUser
from noc_console.services import outbox
from noc_console.services.context import ServiceContext
from noc_console.services.policy import PasswordPolicyDTO
from noc_console.services.portal_credentials import (
    add_token,
    invalidate_reset_links,
    token_digest,
)

OUTBOX_KIND = "password_reset_link"


def issue_reset_link(
    session: Session,
    ctx: ServiceContext,
    operator_id: int,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    now: datetime,
    unused_links: int,
    *,
    ticket_ref: str = "",
) -> tuple[datetime, int]:
    """A new link (outbox row) replacing the earlier ones; ``unused_links`` was counted
    under the user's lock, so none means there is nothing to mark used. ``ticket_ref``
    goes into the mail: the customer learns who asked for it."""
    if not user.email or "@" not in user.email:
        raise ValidationError(
            {"method": [_("this user has no registered e-mail address: use a temporary password")]}
        )
    invalidated = invalidate_reset_links(session, user.id, now) if unused_links else 0
    lifetime = timedelta(minutes=policy.reset_token_ttl_minutes)
    token, expires = add_token(
        session, PasswordResetToken, user.id, now, lifetime, created_by_operator_id=operator_id
    )
    digest = token_digest(token)
    row = next(
        o for o in session.new if isinstance(o, PasswordResetToken) and o.token_hash == digest
    )
    outbox.enqueue(
        session,
        kind=OUTBOX_KIND,
        recipient=user.email,
        portal_user_id=user.id,
        payload={
            "url": ctx.portal_reset_url.format(token=token),
            "expires_at": expires.isoformat(),
            "login": user.login,
            "ticket_ref": ticket_ref,
        },
        now=now,
        language=user.language,
        expires_at=expires,
        reset_token=row,
    )
    return expires, invalidated
