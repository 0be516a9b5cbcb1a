"""Operator sign-in, whichever source vouches for the password, and the second factor after it.

Routing (``[auth] local`` and ``[auth.ldap]``; the username decides):

* a local account signs in locally when ``local = "all"``, or when it is flagged
  break-glass and ``local = "break-glass"``; otherwise the directory is asked
  (and, when it vouches, takes the account over);
* a directory account, or a name the console does not know, goes to the directory;
* with no directory configured, what is not local is an unknown name.

The directory is asked outside any database transaction (a slow server must
not hold the SQLite write lock), then one transaction applies what it said
(create / refresh / disable, audited), the lockout count and the audit row.

A role listed in ``[auth] require_totp``, and any operator who enrolled, gets
``SecondFactorNeeded`` instead of a principal: the same lockout counts wrong
codes, so the password alone cannot be used to try codes forever (the count is
reset only when the whole sign-in succeeds). An unknown username is recorded
masked (``vault.mask_username``): people type passwords into that box.
"""

from __future__ import annotations

import logging
import secrets as random_secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.auth_settings import AuthSettings
from noc_console.errors import AuthenticationFailed, ValidationError
from noc_console.i18n import _
from noc_console.models import Operator, OperatorSource, Role
from noc_console.services import audit
from noc_console.services.auth import (
    LOCKOUT_MINUTES,
    MAX_FAILED_LOGINS,
    WRONG_CREDENTIALS,
    dummy_verify,
)
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.totp import factor
from noc_console.services.vault import Vault, VaultError, mask_username

if TYPE_CHECKING:
    from noc_console.config import Settings
    from noc_console.services.directory.client import BindResult, DirectoryClient

log = logging.getLogger(__name__)


class StartAgain(AuthenticationFailed):
    """The second step cannot go on (locked, disabled, too slow): sign in from the password."""


PENDING_MINUTES = 5
"""How long a checked password waits for its code."""

SOURCE_LOCAL = "local"
SOURCE_DIRECTORY = "ldap"


@dataclass
class Identity:
    """How this console signs operators in: the ``[auth]`` settings, the key, the directory."""

    auth: AuthSettings = field(default_factory=AuthSettings)
    key_path: Path | None = None
    """None: a key made in memory for this process (masked names then match within a run)."""
    directory: DirectoryClient | None = None

    @cached_property
    def vault(self) -> Vault:
        if self.key_path is None:
            return Vault(random_secrets.token_bytes(32))
        return Vault.from_file(self.key_path)

    def requires_code(self, role: Role) -> bool:
        return role.value in self.auth.require_totp

    def describe(self) -> str:
        """One line for the login form: which sources sign people in here.

        Empty for the plain setup (local accounts, no directory): nothing to explain.
        """
        if self.directory is None and self.auth.local == "all":
            return ""
        local = {
            "all": _("local accounts"),
            "break-glass": _("local break-glass accounts only"),
            "off": "",
        }[self.auth.local]
        if self.directory is None:
            return _("Sign-in: {local}").format(local=local)
        directory = _("company directory ({servers})").format(servers=self.directory.settings.label)
        if not local:
            return _("Sign-in: {directory}").format(directory=directory)
        return _("Sign-in: {directory}; {local}").format(directory=directory, local=local)


def identity_for(settings: Settings) -> Identity:
    """The identity of a console run with ``settings`` (the directory client not yet connected)."""
    directory = None
    if settings.auth.ldap is not None:
        from noc_console.services.directory.client import DirectoryClient, service_password

        directory = DirectoryClient(settings.auth.ldap, service_password(settings.auth.ldap))
    return Identity(
        auth=settings.auth,
        key_path=settings.auth.key_path(settings.paths.data_dir),
        directory=directory,
    )


@dataclass(frozen=True)
class SecondFactorNeeded:
    """The password was right; a code (or, not yet enrolled, an enrolment) finishes the sign-in."""

    operator_id: int
    username: str
    display_name: str
    role: Role
    source: str
    break_glass: bool
    enrolled: bool
    checked_at: datetime


SignInOutcome = Principal | SecondFactorNeeded


def _usable(value: str) -> bool:
    return len(value) <= 1024 and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


class _Attempt:
    """One sign-in's transaction: the audit rows, the lockout and the answer, all together."""

    def __init__(self, ctx: ServiceContext, identity: Identity, session: Session, typed: str):
        self.ctx = ctx
        self.identity = identity
        self.session = session
        self.typed = typed
        self.now = ctx.clock.now()

    def subject(self, op: Operator | None) -> str:
        if op is not None:
            return f"op:{op.username}"
        return f"op?:{mask_username(self.identity.vault, self.typed)}"

    def fail(self, op: Operator | None, why: str, message: str, **extra: object) -> str:
        audit.record(
            self.session,
            at=self.now,
            action="operator_login_failed",
            operator_id=op.id if op else None,
            subject=self.subject(op),
            details={"why": why, **extra},
        )
        log.info("login failed for %s: %s", self.subject(op), why)
        return message

    def count_failure(self, op: Operator, why: str) -> str:
        """A wrong password or code: counted toward the lockout."""
        op.failed_login_count += 1
        if op.failed_login_count >= MAX_FAILED_LOGINS:
            op.locked_until = self.now + timedelta(minutes=LOCKOUT_MINUTES)
            op.failed_login_count = 0
            return self.fail(
                op,
                why,
                _("too many failed attempts; locked for {minutes} minutes").format(
                    minutes=LOCKOUT_MINUTES
                ),
                locked_minutes=LOCKOUT_MINUTES,
            )
        wrong = _("wrong code") if why == "wrong_code" else _(WRONG_CREDENTIALS)
        return self.fail(op, why, wrong)

    def blocked(self, op: Operator) -> str | None:
        if not op.is_active:
            return self.fail(
                op, "inactive", _("this operator account is disabled; ask a supervisor")
            )
        if op.locked_until is not None and op.locked_until > self.now:
            return self.fail(
                op,
                "locked",
                _("too many failed attempts; locked until {time} UTC").format(
                    time=f"{op.locked_until:%H:%M}"
                ),
            )
        return None

    def succeed(self, op: Operator, source: str, *, second_factor: str | None = None) -> Principal:
        op.failed_login_count = 0
        op.locked_until = None
        op.last_login_at = self.now
        break_glass = source == SOURCE_LOCAL and self.identity.auth.local == "break-glass"
        details: dict[str, object] = {"source": source}
        if break_glass:
            details["break_glass"] = True
        if second_factor:
            details["second_factor"] = second_factor
        audit.record(
            self.session,
            at=self.now,
            action="operator_login",
            operator_id=op.id,
            subject=f"op:{op.username}",
            details=details,
        )
        if break_glass:
            log.warning("break-glass login %s", op.username)
        log.info("login %s (%s, %s)", op.username, op.role, source)
        return Principal(
            operator_id=op.id,
            username=op.username,
            display_name=op.display_name,
            role=Role(op.role),
            source=source,
            break_glass=break_glass,
        )

    def password_ok(self, op: Operator, source: str) -> SignInOutcome:
        """After the password: a principal now, or the second factor first."""
        role = Role(op.role)
        if factor.is_enrolled(op) or self.identity.requires_code(role):
            return SecondFactorNeeded(
                operator_id=op.id,
                username=op.username,
                display_name=op.display_name,
                role=role,
                source=source,
                break_glass=source == SOURCE_LOCAL and self.identity.auth.local == "break-glass",
                enrolled=factor.is_enrolled(op),
                checked_at=self.now,
            )
        return self.succeed(op, source)


def _find(session: Session, username: str) -> Operator | None:
    return session.scalars(select(Operator).where(Operator.username == username)).one_or_none()


def _route(op: Operator | None, identity: Identity) -> str:
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
            _Attempt(ctx, identity, session, typed).fail(None, "unusable_input", "")
        raise AuthenticationFailed(_(WRONG_CREDENTIALS))
    with ctx.read_sessions() as session:
        found = _find(session, username)
        route = _route(found, identity)
        refused_early = found is not None and (
            not found.is_active
            or (found.locked_until is not None and found.locked_until > ctx.clock.now())
        )
    bind: BindResult | None = None
    unavailable: str | None = None
    if route == SOURCE_DIRECTORY and not refused_early and identity.directory is not None:
        from noc_console.services.directory.client import DirectoryRefused, DirectoryUnavailable

        try:
            bind = identity.directory.authenticate(typed, password)
        except DirectoryUnavailable as err:
            unavailable = str(err)
        except DirectoryRefused as err:
            with ctx.sessions.begin() as session:
                _Attempt(ctx, identity, session, typed).fail(found, "directory_refused", "")
            raise AuthenticationFailed(str(err)) from None
    failure: str
    with ctx.sessions.begin() as session:
        attempt = _Attempt(ctx, identity, session, typed)
        op = _find(session, username)
        if op is not None and (blocked := attempt.blocked(op)) is not None:
            failure = blocked
        elif unavailable is not None:
            hint = (
                _("Break-glass local accounts can still sign in.")
                if identity.auth.local != "off"
                else _("No local account may sign in on this console.")
            )
            failure = attempt.fail(op, "directory_unavailable", f"{unavailable} {hint}")
        elif route == SOURCE_LOCAL:
            assert op is not None
            if ctx.hasher.verify(op.password_hash, password):
                if ctx.hasher.needs_rehash(op.password_hash):
                    op.password_hash = ctx.hasher.hash(password)
                return attempt.password_ok(op, SOURCE_LOCAL)
            failure = attempt.count_failure(op, "wrong_password")
        elif route == SOURCE_DIRECTORY and bind is not None:
            outcome = _directory_answer(attempt, op, bind)
            if not isinstance(outcome, str):
                return outcome
            failure = outcome
        elif route == "off":
            assert op is not None
            dummy_verify(ctx, password)
            failure = attempt.fail(op, "local_sign_in_off", _(WRONG_CREDENTIALS))
        else:
            dummy_verify(ctx, password)
            failure = attempt.fail(None, "unknown_user", _(WRONG_CREDENTIALS))
    raise AuthenticationFailed(failure)


def _directory_answer(
    attempt: _Attempt, op: Operator | None, bind: BindResult
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
        op = _find(attempt.session, person.username)
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


def _pending_operator(
    attempt: _Attempt, pending: SecondFactorNeeded
) -> tuple[Operator | None, str | None]:
    op = attempt.session.get(Operator, pending.operator_id)
    if op is None:
        return None, _("Login failed.")
    if (blocked := attempt.blocked(op)) is not None:
        return op, blocked
    if attempt.now - pending.checked_at > timedelta(minutes=PENDING_MINUTES):
        return op, attempt.fail(
            op, "code_too_late", _("too slow: sign in with your password again")
        )
    return op, None


def finish_with_code(
    ctx: ServiceContext, identity: Identity, pending: SecondFactorNeeded, code: str
) -> Principal:
    """The second step: a TOTP or unused recovery code; wrong ones count toward the lockout."""
    failure: str
    restart = False
    with ctx.sessions.begin() as session:
        attempt = _Attempt(ctx, identity, session, pending.username)
        op, failure_or_none = _pending_operator(attempt, pending)
        if failure_or_none is not None or op is None:
            failure = failure_or_none or _("Login failed.")
            restart = True
        elif not factor.is_enrolled(op):
            failure = attempt.fail(op, "not_enrolled", _("no second factor is set up"))
        else:
            try:
                kind = factor.check_code(session, op, identity.vault, ctx.hasher, code, attempt.now)
            except VaultError as err:
                log.error("second factor of %s unreadable: %s", op.username, err)
                failure = attempt.fail(op, "key_mismatch", str(err))
            else:
                if kind is not None:
                    return attempt.succeed(op, pending.source, second_factor=kind.value)
                failure = attempt.count_failure(op, "wrong_code")
                restart = op.locked_until is not None and op.locked_until > attempt.now
    raise StartAgain(failure) if restart else AuthenticationFailed(failure)


def finish_with_enrolment(
    ctx: ServiceContext,
    identity: Identity,
    pending: SecondFactorNeeded,
    offer: factor.EnrolmentOffer,
    code: str,
) -> tuple[Principal, factor.RecoveryCodes]:
    """First sign-in of a role that needs a code: enrol, and the first code signs in.

    A wrong code is a ValidationError (nothing stored; counted toward the lockout).
    """
    error: ValidationError | None = None
    failure: str | None = None
    with ctx.sessions.begin() as session:
        attempt = _Attempt(ctx, identity, session, pending.username)
        op, failure = _pending_operator(attempt, pending)
        if failure is None and op is not None:
            try:  # the code is checked before anything is written
                recovery = factor.enrol(
                    session,
                    op,
                    vault=identity.vault,
                    hasher=ctx.hasher,
                    offer=offer,
                    code=code,
                    now=attempt.now,
                )
            except ValidationError as err:
                error = err
                failure = attempt.count_failure(op, "wrong_code")
            else:
                return attempt.succeed(op, pending.source, second_factor="enrolled"), recovery
    if error is not None and failure == _("wrong code"):
        raise error
    raise AuthenticationFailed(failure or _("Login failed."))


def enrol_self(
    ctx: ServiceContext,
    identity: Identity,
    actor: Principal,
    offer: factor.EnrolmentOffer,
    code: str,
) -> factor.RecoveryCodes:
    """An operator already signed in sets up (or replaces) their own factor."""
    with ctx.sessions.begin() as session:
        op = session.get_one(Operator, actor.operator_id)
        return factor.enrol(
            session,
            op,
            vault=identity.vault,
            hasher=ctx.hasher,
            offer=offer,
            code=code,
            now=ctx.clock.now(),
        )


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
    """The idle lock: the same operator's password (by its source), and a code if configured."""
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
    with ctx.sessions.begin() as session:
        if ok and identity.auth.lock_requires_totp:
            op = session.get_one(Operator, actor.operator_id)
            if factor.is_enrolled(op):
                kind = factor.check_code(
                    session, op, identity.vault, ctx.hasher, code or "", ctx.clock.now()
                )
                ok = kind is not None
        audit.record(
            session,
            at=ctx.clock.now(),
            action="console_unlocked" if ok else "console_unlock_failed",
            operator_id=actor.operator_id,
            subject=actor.label,
        )
    return ok
