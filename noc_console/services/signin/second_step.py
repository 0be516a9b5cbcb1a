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


def _locked(op: Operator, attempt: Attempt) -> bool:
    """Whether the wrong code just counted locked the account: no code can finish this step."""
    return op.locked_until is not None and op.locked_until > attempt.now


def finish_with_code(
    ctx: ServiceContext, identity: Identity, pending: SecondFactorNeeded, code: str
) -> Principal:
    """The second step: a TOTP or unused recovery code; wrong ones count toward the lockout.

    StartAgain when the step cannot go on: locked (by this code or before), disabled,
    too slow, or the factor was reset (a lost phone) since the password was checked:
    there is nothing to check the code against, and the password step, done again,
    offers the enrolment or signs in, as the role requires.
    """
    failure: str
    restart = False
    with ctx.sessions.begin() as session:
        attempt = Attempt(ctx, identity, session, pending.username)
        op, failure_or_none = _pending_operator(attempt, pending)
        if failure_or_none is not None or op is None:
            failure = failure_or_none or _("Login failed.")
            restart = True
        elif not factor.is_enrolled(op):
            failure = attempt.fail(
                op,
                "not_enrolled",
                _("your second factor was reset; sign in with your password again to set it up"),
            )
            restart = True
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
                restart = _locked(op, attempt)
    raise StartAgain(failure) if restart else AuthenticationFailed(failure)


def finish_with_enrolment(
    ctx: ServiceContext,
    identity: Identity,
    pending: SecondFactorNeeded,
    offer: factor.EnrolmentOffer,
    code: str,
) -> tuple[Principal, factor.RecoveryCodes]:
    """First sign-in of a role that needs a code: enrol, and the first code signs in.

    A wrong code is a ValidationError (nothing stored; counted toward the lockout),
    so the operator can read the app again; as with ``finish_with_code``, a step
    that cannot go on (locked, disabled, too slow) is StartAgain.
    """
    refused: ValidationError | None = None
    failure: str
    with ctx.sessions.begin() as session:
        attempt = Attempt(ctx, identity, session, pending.username)
        op, blocked = _pending_operator(attempt, pending)
        if blocked is not None or op is None:
            failure = blocked or _("Login failed.")
        else:
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
                failure = attempt.count_failure(op, "wrong_code")
                if not _locked(op, attempt):
                    refused = err
            else:
                return attempt.succeed(op, pending.source, second_factor="enrolled"), recovery
    if refused is not None:
        raise refused
    raise StartAgain(failure)


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
