"""Issuing the reset: temporary password, reset link or unlock, in one audited transaction.

Everything happens under the user's row lock with one audit event. The
temporary password exists in clear only in the ``ResetResult`` handed back
once (its repr hides it); the link's token only in the outbox row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from noc_console.errors import ConflictError, RateLimited, ValidationError
from noc_console.i18n import _, ngettext
from noc_console.models import PortalUser
from noc_console.services import audit, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset.counts import (
    ACTION,
    RATE_WINDOW,
    ResetCounts,
    lock_user,
    reset_counts,
)
from noc_console.services.password_reset.link import issue_reset_link
from noc_console.services.password_reset.preview import build_preview, mask_email
from noc_console.services.password_reset.request import (
    IdentityChecks,
    ResetMethod,
    validate_request,
)
from noc_console.services.password_reset.temporary_password import (
    PasswordGenerator,
    checked_temporary_password,
)
from noc_console.services.permissions import Permission
from noc_console.services.policy import PasswordPolicyDTO, normalize_password
from noc_console.services.portal_credentials import (
    invalidate_reset_links,
    push_history,
    revoke_sessions,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResetResult:
    """What the wizard shows once. ``temporary_password`` is left out of repr and str."""

    user_id: int
    login: str
    full_name: str
    customer_id: int
    method: ResetMethod
    unlocked: bool
    sessions_ended: int
    version: int
    audit_event_id: int
    temp_password_expires_at: datetime | None = None
    email_masked: str | None = None
    link_expires_at: datetime | None = None
    temporary_password: str | None = field(default=None, repr=False, compare=False)


class ResetRateLimited(RateLimited):
    """Too many resets of one user within the hour; ``retry_at`` says when the next is allowed."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


def _check_resettable(
    session: Session,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    now: datetime,
    expected_version: int | None,
) -> None:
    """The locked row is still the one the analyst reviewed, and may be reset at all."""
    if expected_version is not None and user.version != expected_version:
        raise ConflictError(
            _(
                "this user was changed by someone else since you opened it;"
                " review the current state and try again"
            ),
            current=build_preview(session, user, policy, now),
        )
    if not user.is_active:
        raise ValidationError(
            {
                "user": [
                    _(
                        "this portal user is deactivated: a password reset is not"
                        " possible; the customer must reactivate the account first"
                    )
                ]
            }
        )


def _check_rate(counts: ResetCounts, policy: PasswordPolicyDTO, now: datetime) -> None:
    used = counts.resets_in_window
    if used < policy.max_resets_per_hour:
        return
    retry_at = (counts.oldest_reset or now) + RATE_WINDOW
    minutes = max(int((retry_at - now).total_seconds() // 60) + 1, 1)
    raise ResetRateLimited(
        ngettext(
            "this user's access was already reset {n} time in the last hour;"
            " the next reset is possible in {minutes} min (at {time} UTC)",
            "this user's access was already reset {n} times in the last hour;"
            " the next reset is possible in {minutes} min (at {time} UTC)",
            used,
        ).format(n=used, minutes=minutes, time=f"{retry_at:%H:%M}"),
        retry_at=retry_at,
    )


def reset(
    ctx: ServiceContext,
    operator: Principal,
    user_id: int,
    *,
    ticket_ref: str,
    reason: str,
    identity_checks: IdentityChecks,
    method: ResetMethod,
    unlock: bool = True,
    end_sessions: bool = True,
    expected_version: int | None = None,
    generate: PasswordGenerator | None = None,
) -> ResetResult:
    """Reset a portal user's access after the caller's identity was checked.

    ``generate`` replaces the temporary-password generator (tests and snapshots
    fix the password with it); the result is still checked against the policy.
    """
    permissions.require(
        ctx, operator, Permission.RESET_PASSWORD, subject=f"portal_user_id:{user_id}"
    )
    ticket, why, chosen = validate_request(ticket_ref, reason, identity_checks, method)
    if chosen is ResetMethod.UNLOCK_ONLY:
        unlock = True  # unlocking is the whole point of this method
    now = ctx.clock.now()
    password: str | None = None
    temp_expires: datetime | None = None
    link_expires: datetime | None = None
    email_masked: str | None = None
    try:
        with ctx.sessions.begin() as session:
            user, customer, policy = lock_user(session, user_id)
            _check_resettable(session, user, policy, now, expected_version)
            counts = reset_counts(session, user.id, now)
            _check_rate(counts, policy, now)
            was_locked = bool(user.locked_until and user.locked_until > now)
            details: dict[str, object] = {"method": chosen.value}
            new_hash: str | None = None
            if chosen is ResetMethod.TEMPORARY_PASSWORD:
                # Checked against this (locked) row's context words and the policy, so it is
                # generated and hashed here, before the writes; the hash precedes the commit.
                password = checked_temporary_password(user, customer, policy, generate)
                temp_expires = now + timedelta(hours=policy.temp_password_ttl_hours)
                new_hash = ctx.hasher.hash(normalize_password(password))
                details["expires_at"] = temp_expires.isoformat()
            with session.no_autoflush:  # the user row is written once, at the flush below
                if chosen is ResetMethod.TEMPORARY_PASSWORD:
                    push_history(session, user, policy, now, existing=counts.history_rows)
                    if counts.unused_links:
                        invalidate_reset_links(session, user.id, now)
                    user.password_hash = new_hash
                    user.password_changed_at = now
                    user.must_change_password = True
                    user.temp_password_expires_at = temp_expires
                elif chosen is ResetMethod.RESET_LINK:
                    link_expires, invalidated = issue_reset_link(
                        session,
                        ctx,
                        operator.operator_id,
                        user,
                        policy,
                        now,
                        counts.unused_links,
                        ticket_ref=ticket,
                    )
                    email_masked = mask_email(user.email)
                    details["expires_at"] = link_expires.isoformat()
                    details["earlier_links_invalidated"] = invalidated
                    details["email_masked"] = email_masked
                ended = (
                    revoke_sessions(session, user.id, now, "assisted_reset")
                    if end_sessions and counts.active_sessions
                    else 0
                )
                if unlock:
                    user.failed_login_count = 0
                    user.locked_until = None
            event = audit.record(
                session,
                at=now,
                action=ACTION,
                operator_id=operator.operator_id,
                ticket_ref=ticket,
                reason=why,
                details={
                    **details,
                    "checks": identity_checks.as_details(),
                    "unlock": unlock,
                    "was_locked": was_locked,
                    "end_sessions": end_sessions,
                    "sessions_ended": ended,
                },
                **audit.about_portal_user(user),
            )
            # One flush writes the user row (its version checked and bumped: a concurrent
            # writer raises StaleDataError here), the history row and the audit event (its id).
            session.flush()
            result = ResetResult(
                user_id=user.id,
                login=user.login,
                full_name=user.full_name,
                customer_id=user.customer_id,
                method=chosen,
                unlocked=unlock,
                sessions_ended=ended,
                version=user.version,
                audit_event_id=event.id,
                temp_password_expires_at=temp_expires,
                email_masked=email_masked,
                link_expires_at=link_expires,
                temporary_password=password,
            )
    except StaleDataError:
        raise ConflictError(
            _("this user was changed by someone else at the same time; review and try again")
        ) from None
    log.info(
        "password reset of %s by %s: method=%s unlock=%s sessions_ended=%d ticket=%s",
        result.login,
        operator.label,
        chosen.value,
        unlock,
        result.sessions_ended,
        ticket,
    )
    return result
