"""Operator login: argon2id verification, lockout after repeated failures, audit.

The answer to a wrong username and to a wrong password is the same sentence,
so the login form does not reveal which operators exist.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from noc_console.errors import AuthenticationFailed
from noc_console.i18n import N_, _
from noc_console.models import Operator, Role
from noc_console.services import audit
from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
WRONG_CREDENTIALS = N_("wrong username or password")

# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(ctx: ServiceContext) -> str:
    key = id(ctx.hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = ctx.hasher.hash("not-a-real-password-for-timing")
    return _DUMMY_HASH[key]


def _usable(value: str) -> bool:
    return len(value) <= 1024 and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def login(ctx: ServiceContext, username: str, password: str) -> Principal:
    """Return the principal or raise AuthenticationFailed with a message for the form."""
    username = username.strip().lower()[:64]
    now = ctx.clock.now()
    if not _usable(username) or not _usable(password):
        # NUL, escapes or a lone surrogate: no operator has such a name or password, and
        # the database / argon2 would refuse them with errors of their own. Still audited.
        shown = "".join(ch for ch in username if _usable(ch))[:60]
        with ctx.sessions.begin() as session:
            audit.record(
                session,
                at=now,
                action="operator_login_failed",
                subject=f"op:{shown}",
                details={"why": "unusable_input"},
            )
        log.info("login failed: unusable input")
        raise AuthenticationFailed(_(WRONG_CREDENTIALS))
    with ctx.sessions.begin() as session:
        op = session.scalars(select(Operator).where(Operator.username == username)).one_or_none()

        def failed(why: str, message: str, **extra: object) -> str:
            audit.record(
                session,
                at=now,
                action="operator_login_failed",
                operator_id=op.id if op else None,
                subject=f"op:{username}",
                details={"why": why, **extra},
            )
            log.info("login failed for %s: %s", username, why)
            return message

        if op is None:
            ctx.hasher.verify(_dummy_hash(ctx), password)
            failure = failed("unknown_user", _(WRONG_CREDENTIALS))
        elif not op.is_active:
            failure = failed("inactive", _("this operator account is disabled; ask a supervisor"))
        elif op.locked_until is not None and op.locked_until > now:
            failure = failed(
                "locked",
                _("too many failed attempts; locked until {time} UTC").format(
                    time=f"{op.locked_until:%H:%M}"
                ),
            )
        elif not ctx.hasher.verify(op.password_hash, password):
            op.failed_login_count += 1
            if op.failed_login_count >= MAX_FAILED_LOGINS:
                op.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
                op.failed_login_count = 0
                failure = failed(
                    "wrong_password",
                    _("too many failed attempts; locked for {minutes} minutes").format(
                        minutes=LOCKOUT_MINUTES
                    ),
                    locked_minutes=LOCKOUT_MINUTES,
                )
            else:
                failure = failed("wrong_password", _(WRONG_CREDENTIALS))
        else:
            op.failed_login_count = 0
            op.locked_until = None
            op.last_login_at = now
            if ctx.hasher.needs_rehash(op.password_hash):
                op.password_hash = ctx.hasher.hash(password)
            audit.record(
                session,
                at=now,
                action="operator_login",
                operator_id=op.id,
                subject=f"op:{op.username}",
            )
            log.info("login %s (%s)", op.username, op.role)
            return Principal(
                operator_id=op.id,
                username=op.username,
                display_name=op.display_name,
                role=Role(op.role),
            )
    raise AuthenticationFailed(failure)


def verify_password(ctx: ServiceContext, actor: Principal, password: str) -> bool:
    """Unlocking the idle lock: the same operator's password, checked again."""
    with ctx.read_sessions() as session:
        op = session.get(Operator, actor.operator_id)
        ok = bool(op and op.is_active and ctx.hasher.verify(op.password_hash, password))
    audit.record_now(
        ctx,
        action="console_unlocked" if ok else "console_unlock_failed",
        operator_id=actor.operator_id,
        subject=actor.label,
    )
    return ok
