"""The idle lock: the same operator's password (by its source), and a code if configured."""

from __future__ import annotations

from noc_console.models import Operator, OperatorSource
from noc_console.services import audit
from noc_console.services.auth import LOCKOUT_MINUTES
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.signin.identity import Identity
from noc_console.services.signin.lockout import count_wrong
from noc_console.services.signin.outcome import log
from noc_console.services.totp import factor


def unlock_needs_code(identity: Identity, ctx: ServiceContext, actor: Principal) -> bool:
    """Whether the idle lock asks for a code too (``lock_requires_totp`` and a factor enrolled)."""
    if not identity.auth.lock_requires_totp:
        return False
    with ctx.read_sessions() as session:
        op = session.get(Operator, actor.operator_id)
        return bool(op and factor.is_enrolled(op))


def unlock(
    ctx: ServiceContext,
    identity: Identity,
    actor: Principal,
    password: str,
    code: str | None = None,
) -> bool:
    """The idle lock: the same operator's password (by its source), and a code if configured.

    A wrong code after the right password counts toward the account's lockout, as
    at the login's code step (the lock screen also logs out after its own few tries).
    """
    from noc_console.services.directory.client import DirectoryUnavailable

    ok = False
    with ctx.read_sessions() as session:
        op = session.get(Operator, actor.operator_id)
        source = op.source if op else None
        dn = op.directory_dn if op else None
        hashed = op.password_hash if op else None
        active = bool(op and op.is_active)
    if active and source == OperatorSource.LOCAL.value:
        ok = ctx.hasher.verify(hashed, password)
    elif active and source == OperatorSource.LDAP.value and identity.directory and dn:
        try:
            bind = identity.directory.authenticate(actor.username, password)
        except DirectoryUnavailable:
            log.warning("unlock of %s: directory unavailable", actor.username)
            bind = None
        ok = bool(bind and bind.person and bind.person.dn.lower() == dn.lower())
    details: dict[str, object] = {}
    with ctx.sessions.begin() as session:
        now = ctx.clock.now()
        if ok and identity.auth.lock_requires_totp:
            op = session.get_one(Operator, actor.operator_id)
            if factor.is_enrolled(op):
                kind = factor.check_code(session, op, identity.vault, ctx.hasher, code or "", now)
                ok = kind is not None
                if not ok:
                    details["why"] = "wrong_code"
                    if count_wrong(op, now):
                        details["locked_minutes"] = LOCKOUT_MINUTES
        audit.record(
            session,
            at=now,
            action="console_unlocked" if ok else "console_unlock_failed",
            operator_id=actor.operator_id,
            subject=actor.label,
            details=details,
        )
    return ok
