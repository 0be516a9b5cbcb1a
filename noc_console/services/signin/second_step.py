"""After the password: the code, or the first enrolment, that finishes the sign-in.

A checked password waits ``PENDING_MINUTES`` for its code; wrong codes count
toward the same lockout as wrong passwords.
"""

from __future__ import annotations

from datetime import timedelta

from noc_console.errors import AuthenticationFailed, ValidationError
from noc_console.i18n import _
from noc_console.models import Operator
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.signin.identity import Identity
from noc_console.services.signin.lockout import Attempt
from noc_console.services.signin.outcome import SecondFactorNeeded, StartAgain, log
from noc_console.services.totp import factor
from noc_console.services.vault import VaultError

PENDING_MINUTES = 5
"""How long a checked password waits for its code."""


def _pending_operator(
    attempt: Attempt, pending: SecondFactorNeeded
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
        attempt = Attempt(ctx, identity, session, pending.username)
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
        attempt = Attempt(ctx, identity, session, pending.username)
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
