"""The portal's side of the same credential rules: login, change password, complete a reset.

The console does not call these; the portal does, and the tests use them to
prove the assisted reset end to end (a temporary password answers "change
required", a reset link works once). Rules shared with the console (policy,
history, session revocation, link invalidation) come from policy.py and
portal_credentials.py so they exist once.

Decisions: a login with a temporary password (or any ``must_change_password``)
answers CHANGE_REQUIRED and opens **no** session: the portal sends the user to
the change form, which calls ``change_password`` with the same credentials and
then logs in again. A temporary password is not kept in password_history once
replaced: it was random, and it would only push a real password out of the
history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.errors import AuthenticationFailed, ValidationError
from noc_console.i18n import _, ngettext
from noc_console.models import Customer, PasswordResetToken, PortalSession, PortalUser
from noc_console.services import audit
from noc_console.services.context import PortalPrincipal, ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.services.policy import (
    PasswordPolicyDTO,
    check_password,
    encodable,
    load_policy,
    normalize_password,
    recent_hashes,
    user_context_words,
)
from noc_console.services.portal_credentials import (
    add_token,
    invalidate_reset_links,
    push_history,
    revoke_sessions,
    token_digest,
)

log = logging.getLogger(__name__)

SESSION_HOURS = 8
MAX_LOGIN_INPUT = 120  # the column's width: longer cannot be a login
MAX_PASSWORD_INPUT = 1024  # longer than any policy allows: refused without hashing
MAX_TOKEN_INPUT = 256


class LoginStatus(StrEnum):
    OK = "ok"
    CHANGE_REQUIRED = "change_required"


@dataclass(frozen=True)
class LoginResult:
    """OK carries a session token (shown once, hidden from repr); CHANGE_REQUIRED carries none."""

    status: LoginStatus
    principal: PortalPrincipal
    session_expires_at: datetime | None = None
    temp_password_expires_at: datetime | None = None
    session_token: str | None = field(default=None, repr=False, compare=False)


def wrong_credentials() -> str:
    return _("wrong login or password")


# Verified against when the login is unknown, so both answers cost one argon2 hash.
_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(hasher: Hasher) -> str:
    key = id(hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash("not-a-real-portal-password-for-timing")
    return _DUMMY_HASH[key]


def _verify(hasher: Hasher, stored: str | None, password: str) -> bool:
    """NFKC first (how we hash); the raw form for hashes written before normalisation."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_INPUT:
        return False
    if not encodable(password):
        return False
    normalized = normalize_password(password)
    if hasher.verify(stored, normalized):
        return True
    return normalized != password and hasher.verify(stored, password)


def _clean_login(login: object) -> str | None:
    """The login as stored (trimmed, lower-case), or None when it cannot be one."""
    if not isinstance(login, str):
        return None
    value = login.strip().lower()
    if not value or len(value) > MAX_LOGIN_INPUT:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        return None
    return value


def _principal(user: PortalUser) -> PortalPrincipal:
    return PortalPrincipal(
        portal_user_id=user.id,
        customer_id=user.customer_id,
        login=user.login,
        preposto_level=user.preposto_level,
    )


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(int((moment - now).total_seconds() + 59) // 60, 1)


@dataclass
class _Outcome:
    """Result of checking credentials inside a transaction; failures are committed, then raised."""

    user: PortalUser | None = None
    failure: str | None = None


def _authenticate(
    session: Session,
    ctx: ServiceContext,
    policy: PasswordPolicyDTO,
    login: object,
    password: str,
    now: datetime,
    *,
    action_failed: str,
) -> _Outcome:
    """The one credential check login and change_password share (lockout included)."""
    clean = _clean_login(login)
    user = None
    if clean is not None:
        user = session.scalars(
            select(PortalUser).where(PortalUser.login == clean).with_for_update()
        ).one_or_none()

    def failed(why: str, message: str, **extra: object) -> _Outcome:
        audit.record(
            session,
            at=now,
            action=action_failed,
            customer_id=user.customer_id if user else None,
            portal_user_id=user.id if user else None,
            subject=f"portal:{clean}" if clean else None,
            details={"why": why, **extra},
        )
        log.info("portal %s failed for %s: %s", action_failed, clean or "<malformed>", why)
        return _Outcome(failure=message)

    if user is None:
        _verify(ctx.hasher, _dummy_hash(ctx.hasher), password)
        return failed("unknown_login" if clean else "malformed_login", wrong_credentials())
    if user.locked_until is not None and user.locked_until > now:
        left = _minutes_until(user.locked_until, now)
        return failed(
            "locked",
            ngettext(
                "too many failed attempts: this account is locked for {m} more minute;"
                " try again later or call the NOC",
                "too many failed attempts: this account is locked for {m} more minutes;"
                " try again later or call the NOC",
                left,
            ).format(m=left),
        )
    if not _verify(ctx.hasher, user.password_hash, password):
        if not user.is_active:
            return failed("inactive", wrong_credentials())
        user.failed_login_count += 1
        if user.failed_login_count >= policy.max_failed_logins:
            user.failed_login_count = 0
            user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
            return failed(
                "wrong_password",
                ngettext(
                    "too many failed attempts: this account is locked for {m} minute;"
                    " try again later or call the NOC",
                    "too many failed attempts: this account is locked for {m} minutes;"
                    " try again later or call the NOC",
                    policy.lockout_minutes,
                ).format(m=policy.lockout_minutes),
                locked_minutes=policy.lockout_minutes,
            )
        return failed("wrong_password", wrong_credentials(), failed_count=user.failed_login_count)
    if not user.is_active:
        return failed(
            "inactive",
            _("this account is deactivated; ask your company's portal administrator"),
        )
    if (
        user.must_change_password
        and user.temp_password_expires_at is not None
        and user.temp_password_expires_at <= now
    ):
        return failed(
            "temporary_expired",
            _("the temporary password expired; ask the NOC for a new one"),
        )
    user.failed_login_count = 0
    user.locked_until = None
    if user.password_hash and ctx.hasher.needs_rehash(user.password_hash):
        user.password_hash = ctx.hasher.hash(normalize_password(password))
    return _Outcome(user=user)


def _new_session(session: Session, user: PortalUser, now: datetime) -> tuple[str, datetime]:
    lifetime = timedelta(hours=SESSION_HOURS)
    return add_token(session, PortalSession, user.id, now, lifetime, last_seen_at=now)


def login(ctx: ServiceContext, login: str, password: str) -> LoginResult:
    """Check a portal login; raise AuthenticationFailed with a message for the form."""
    now = ctx.clock.now()
    with ctx.sessions.begin() as session, session.no_autoflush:
        policy = load_policy(session)
        outcome = _authenticate(
            session, ctx, policy, login, password, now, action_failed="portal_login_failed"
        )
        user = outcome.user
        if user is not None:
            token: str | None = None
            expires: datetime | None = None
            if user.must_change_password:
                status = LoginStatus.CHANGE_REQUIRED
            else:
                status = LoginStatus.OK
                token, expires = _new_session(session, user, now)
            audit.record(
                session,
                at=now,
                action="portal_login",
                details={"status": status.value},
                **audit.about_portal_user(user),
            )
            log.info("portal login %s: %s", user.login, status.value)
            return LoginResult(
                status=status,
                principal=_principal(user),
                session_expires_at=expires,
                temp_password_expires_at=user.temp_password_expires_at,
                session_token=token,
            )
    raise AuthenticationFailed(outcome.failure or wrong_credentials())


def resolve_session(ctx: ServiceContext, session_token: str) -> PortalPrincipal:
    """Who holds this portal session token; AuthenticationFailed once revoked or expired."""
    message = _("your session ended; log in again")
    if not isinstance(session_token, str) or not 0 < len(session_token) <= MAX_TOKEN_INPUT:
        raise AuthenticationFailed(message)
    now = ctx.clock.now()
    with ctx.read_sessions() as session:
        row = session.execute(
            select(PortalSession, PortalUser)
            .join(PortalUser, PortalUser.id == PortalSession.portal_user_id)
            .where(PortalSession.token_hash == token_digest(session_token))
        ).one_or_none()
        if row is None:
            raise AuthenticationFailed(message)
        sess, user = row
        if sess.revoked_at is not None or sess.expires_at <= now or not user.is_active:
            raise AuthenticationFailed(message)
        return _principal(user)


def _policy_violations(
    session: Session,
    ctx: ServiceContext,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    new_password: str,
) -> None:
    customer = session.get(Customer, user.customer_id)
    violations = check_password(
        policy,
        new_password,
        context_words=user_context_words(user, customer),
        history_hashes=recent_hashes(session, user, policy),
        hasher=ctx.hasher,
    )
    if violations:
        raise ValidationError({"new_password": [v.message for v in violations]})


def _store_new_password(
    session: Session,
    ctx: ServiceContext,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    new_password: str,
    now: datetime,
) -> bool:
    """Replace the hash; the old one goes to the history unless it was a temporary one."""
    was_temporary = user.temp_password_expires_at is not None
    if not was_temporary:
        push_history(session, user, policy, now)
    invalidate_reset_links(session, user.id, now)
    user.password_hash = ctx.hasher.hash(normalize_password(new_password))
    user.password_changed_at = now
    user.must_change_password = False
    user.temp_password_expires_at = None
    user.failed_login_count = 0
    user.locked_until = None
    return was_temporary


def change_password(
    ctx: ServiceContext,
    login: str,
    old_password: str,
    new_password: str,
    *,
    keep_session_token: str | None = None,
) -> None:
    """The user changes their own password (a temporary one counts while not expired).

    A wrong old password counts toward the lockout like a failed login. Policy
    violations raise ValidationError with every message under 'new_password'
    and write nothing. Other sessions are ended; ``keep_session_token`` names the
    one the user is changing it from, if any.
    """
    now = ctx.clock.now()
    with ctx.sessions.begin() as session, session.no_autoflush:
        policy = load_policy(session)
        outcome = _authenticate(
            session,
            ctx,
            policy,
            login,
            old_password,
            now,
            action_failed="portal_password_change_failed",
        )
        user = outcome.user
        if user is not None:
            _policy_violations(session, ctx, user, policy, new_password)
            keep = (
                token_digest(keep_session_token)
                if isinstance(keep_session_token, str) and keep_session_token
                else None
            )
            # Autoflush is off for the whole call: the user row is updated once, at commit.
            ended = revoke_sessions(session, user.id, now, "password_changed", keep_hash=keep)
            was_temporary = _store_new_password(session, ctx, user, policy, new_password, now)
            audit.record(
                session,
                at=now,
                action="portal_password_changed",
                details={"was_temporary": was_temporary, "sessions_ended": ended},
                **audit.about_portal_user(user),
            )
            log.info("portal password changed by %s (%d sessions ended)", user.login, ended)
            return
    raise AuthenticationFailed(outcome.failure or wrong_credentials())


def _usable_link(
    session: Session, token: str, now: datetime, *, lock: bool
) -> tuple[PasswordResetToken, PortalUser]:
    """The link's row and its user, or AuthenticationFailed saying why it cannot be used."""
    invalid = _("this reset link is not valid; ask for a new one")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_INPUT:
        raise AuthenticationFailed(invalid)
    link_query = select(PasswordResetToken).where(
        PasswordResetToken.token_hash == token_digest(token)
    )
    row = session.scalars(link_query.with_for_update() if lock else link_query).one_or_none()
    if row is None:
        raise AuthenticationFailed(invalid)
    if row.used_at is not None:
        raise AuthenticationFailed(
            _("this reset link was already used or replaced by a newer one; ask for a new one")
        )
    if row.expires_at <= now:
        raise AuthenticationFailed(_("this reset link expired; ask for a new one"))
    user_query = select(PortalUser).where(PortalUser.id == row.portal_user_id)
    user = session.scalars(user_query.with_for_update() if lock else user_query).one()
    if not user.is_active:
        raise AuthenticationFailed(
            _("this account is deactivated; ask your company's portal administrator")
        )
    return row, user


def check_reset_link(ctx: ServiceContext, token: str) -> None:
    """Refuse a bad, used or expired link before anyone types a new password; uses nothing.

    ``complete_reset`` checks again (the link may be used in between).
    """
    with ctx.read_sessions() as session:
        _usable_link(session, token, ctx.clock.now(), lock=False)


def complete_reset(ctx: ServiceContext, token: str, new_password: str) -> None:
    """Set a new password through a reset link: once, before it expires.

    A bad, used or expired link raises AuthenticationFailed and writes nothing;
    a policy violation raises ValidationError and leaves the link usable.
    """
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        row, user = _usable_link(session, token, now, lock=True)
        policy = load_policy(session)
        _policy_violations(session, ctx, user, policy, new_password)
        with session.no_autoflush:  # one UPDATE of the user row, at commit
            ended = revoke_sessions(session, user.id, now, "password_reset")
            _store_new_password(session, ctx, user, policy, new_password, now)
            row.used_at = now  # after _store_new_password, which marks the other links used
        audit.record(
            session,
            at=now,
            action="portal_password_reset_completed",
            details={"sessions_ended": ended},
            **audit.about_portal_user(user),
        )
    log.info("portal password reset completed for %s (%d sessions ended)", user.login, ended)
