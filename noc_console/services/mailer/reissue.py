"""Re-issuing a reset link whose mail failed for good: a new token, the old one revoked.

Not a new reset (the caller's identity was checked for the original one, whose
ticket it keeps, and it does not count against the hourly reset limit): only
the newest link of the user, and only once it is ``failed``. The old token is
marked used (``invalidate_reset_links``), a new one is queued for the mailer,
and one audit event says so, all in one transaction under the user's lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from noc_console.errors import ConflictError, NotFound
from noc_console.i18n import _
from noc_console.models import NotificationOutbox, OutboxState
from noc_console.services import audit, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset.counts import lock_user
from noc_console.services.password_reset.link import OUTBOX_KIND, issue_reset_link
from noc_console.services.password_reset.preview import mask_email
from noc_console.services.permissions import Permission

log = logging.getLogger(__name__)

ACTION = "password_reset_link_reissued"


@dataclass(frozen=True)
class Reissued:
    portal_user_id: int
    outbox_id: int
    expires_at: datetime
    email_masked: str


def reissue_link(ctx: ServiceContext, actor: Principal, outbox_id: int) -> Reissued:
    """Queue a new link in place of the failed one ``outbox_id``."""
    permissions.require(ctx, actor, Permission.RESET_PASSWORD, subject=f"outbox:{outbox_id}")
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        user_id = session.scalar(
            select(NotificationOutbox.portal_user_id).where(
                NotificationOutbox.id == outbox_id, NotificationOutbox.kind == OUTBOX_KIND
            )
        )
        if user_id is None:
            raise NotFound(_("reset link not found"))
        user, _customer, policy = lock_user(session, user_id)
        old = session.get_one(NotificationOutbox, outbox_id)
        newest = session.scalar(
            select(func.max(NotificationOutbox.id)).where(
                NotificationOutbox.portal_user_id == user.id,
                NotificationOutbox.kind == OUTBOX_KIND,
            )
        )
        if newest != outbox_id:
            raise ConflictError(_("a newer reset link exists for this user; nothing was changed"))
        if old.state != OutboxState.FAILED.value:
            raise ConflictError(
                _("only a link whose mail failed can be re-issued; nothing was changed")
            )
        if not user.is_active:
            raise ConflictError(_("this portal user is deactivated; nothing was changed"))
        ticket = str((old.payload or {}).get("ticket_ref") or "")
        expires, revoked = issue_reset_link(
            session, ctx, actor.operator_id, user, policy, now, 1, ticket_ref=ticket
        )
        session.flush()
        new_id = session.scalar(
            select(func.max(NotificationOutbox.id)).where(
                NotificationOutbox.portal_user_id == user.id,
                NotificationOutbox.kind == OUTBOX_KIND,  # another kind of mail is not the link
            )
        )
        masked = mask_email(user.email)
        audit.record(
            session,
            at=now,
            action=ACTION,
            operator_id=actor.operator_id,
            ticket_ref=ticket or None,
            reason="re-issue of a reset link whose mail failed",
            details={
                "failed_outbox_id": outbox_id,
                "outbox_id": new_id,
                "expires_at": expires.isoformat(),
                "earlier_links_invalidated": revoked,
                "email_masked": masked,
            },
            **audit.about_portal_user(user),
        )
    log.info(
        "reset link re-issued for %s by %s (was outbox #%d)", user.login, actor.label, outbox_id
    )
    return Reissued(user.id, int(new_id or 0), expires, masked)
