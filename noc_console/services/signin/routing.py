"""The password step: which source owns the name, what it said, applied in one transaction.

The directory is asked outside any database transaction (a slow server must
not hold the SQLite write lock); the transaction after it re-reads the account.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from noc_console.errors import AuthenticationFailed
from noc_console.i18n import _
from noc_console.models import Operator, OperatorSource
from noc_console.services.auth import WRONG_CREDENTIALS, dummy_verify
from noc_console.services.context import ServiceContext
from noc_console.services.signin.identity import SOURCE_DIRECTORY, SOURCE_LOCAL, Identity
from noc_console.services.signin.lockout import Attempt, find_operator
from noc_console.services.signin.outcome import SignInOutcome

if TYPE_CHECKING:
    from noc_console.services.directory.client import BindResult


def _usable(value: str) -> bool:
    return len(value) <= 1024 and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def route(op: Operator | None, identity: Identity) -> str:
    """``local``, ``ldap``, or ``none`` (nobody may sign in with this name here)."""
    policy = identity.auth.local
    local = op is not None and op.source == OperatorSource.LOCAL.value
    if local and (
        policy == "all" or (policy == "break-glass" and op is not None and op.break_glass)
    ):
        return SOURCE_LOCAL
    if identity.directory is not None:
        return SOURCE_DIRECTORY
    if op is not None and op.source == OperatorSource.LOCAL.value:
        return "off"
    return "none"


def sign_in(ctx: ServiceContext, identity: Identity, username: str, password: str) -> SignInOutcome:
    """Check the password with the source that owns ``username``; AuthenticationFailed if wrong."""
    typed = username.strip()
    username = typed.lower()[:64]
    if not _usable(username) or not _usable(password):
        # NUL, escapes or a lone surrogate: no operator has such a name or password.
        with ctx.sessions.begin() as session:
            Attempt(ctx, identity, session, typed).fail(None, "unusable_input", "")
        raise AuthenticationFailed(_(WRONG_CREDENTIALS))
    with ctx.read_sessions() as session:
        found = find_operator(session, username)
        routed = route(found, identity)
        refused_early = found is not None and (
            not found.is_active
            or (found.locked_until is not None and found.locked_until > ctx.clock.now())
        )
    bind: BindResult | None = None
    unavailable: str | None = None
    if routed == SOURCE_DIRECTORY and not refused_early and identity.directory is not None:
        from noc_console.services.directory.client import DirectoryRefused, DirectoryUnavailable

        try:
            bind = identity.directory.authenticate(typed, password)
        except DirectoryUnavailable as err:
            unavailable = str(err)
        except DirectoryRefused as err:
            with ctx.sessions.begin() as session:
                Attempt(ctx, identity, session, typed).fail(found, "directory_refused", "")
            raise AuthenticationFailed(str(err)) from None
    failure: str
    with ctx.sessions.begin() as session:
        attempt = Attempt(ctx, identity, session, typed)
        op = find_operator(session, username)
        if op is not None and (blocked := attempt.blocked(op)) is not None:
            failure = blocked
        elif unavailable is not None:
            hint = (
                _("Break-glass local accounts can still sign in.")
                if identity.auth.local != "off"
                else _("No local account may sign in on this console.")
            )
            failure = attempt.fail(op, "directory_unavailable", f"{unavailable} {hint}")
        elif routed == SOURCE_LOCAL:
            assert op is not None
            if ctx.hasher.verify(op.password_hash, password):
                if ctx.hasher.needs_rehash(op.password_hash):
                    op.password_hash = ctx.hasher.hash(password)
                return attempt.password_ok(op, SOURCE_LOCAL)
            failure = attempt.count_failure(op, "wrong_password")
        elif routed == SOURCE_DIRECTORY and bind is not None:
            outcome = _directory_answer(attempt, op, bind)
            if not isinstance(outcome, str):
                return outcome
            failure = outcome
        elif routed == "off":
            assert op is not None
            dummy_verify(ctx, password)
            failure = attempt.fail(op, "local_sign_in_off", _(WRONG_CREDENTIALS))
        else:
            dummy_verify(ctx, password)
            failure = attempt.fail(None, "unknown_user", _(WRONG_CREDENTIALS))
    raise AuthenticationFailed(failure)


def _directory_answer(
    attempt: Attempt, op: Operator | None, bind: BindResult
) -> SignInOutcome | str:
    """What the directory said, applied: the outcome, or the failure message (already audited)."""
    from noc_console.services.directory import accounts

    identity = attempt.identity
    assert identity.directory is not None
    person = bind.person
    if person is None:
        if op is None:
            return attempt.fail(None, "unknown_user", _(WRONG_CREDENTIALS), source="ldap")
        if not bind.known and op.source == OperatorSource.LDAP.value:
            accounts.disable(attempt.session, op, accounts.Refusal.GONE, attempt.now)
            return attempt.fail(op, accounts.Refusal.GONE, _(WRONG_CREDENTIALS), source="ldap")
        return attempt.count_failure(op, "wrong_password")
    if op is None and person.username:
        op = find_operator(attempt.session, person.username)
        if op is not None and (blocked := attempt.blocked(op)) is not None:
            return blocked
    op, why = accounts.follow(attempt.session, op, person, identity.directory.settings, attempt.now)
    if why is not None or op is None:
        message = (
            _("the directory does not allow you to use this console; ask your supervisor")
            if why != accounts.Refusal.BAD_NAME
            else _(
                "your directory username cannot be used as an operator name; ask an administrator"
            )
        )
        return attempt.fail(op, why or "refused", message, source="ldap")
    return attempt.password_ok(op, SOURCE_DIRECTORY)
