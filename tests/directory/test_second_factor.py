"""The second factor through the sign-in service, fixed clock, both backends.

Enrolment (a code before it takes effect), the window, replay refused, recovery
codes single-use, wrong codes counted by the lockout, a supervisor's reset,
break-glass, and the masked unknown username.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from noc_console.clock import FixedClock
from noc_console.errors import AuthenticationFailed, PermissionDenied, ValidationError
from noc_console.models import AuditEvent, Operator, OperatorRecoveryCode, Role
from noc_console.services import signin
from noc_console.services.auth import LOCKOUT_MINUTES, MAX_FAILED_LOGINS
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.totp import factor
from tests.support.factories import make_operator

PW = "operator-password-123"


def _events(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _enrolled(
    ctx: ServiceContext, identity: signin.Identity, username: str, clock: FixedClock
) -> tuple[str, tuple[str, ...]]:
    """Sign ``username`` in for the first time, enrolling; the secret and the recovery codes."""
    pending = signin.sign_in(ctx, identity, username, PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and not pending.enrolled
    offer = factor.new_offer(username)
    code = pyotp.TOTP(offer.secret).at(clock.now())
    who, recovery = signin.finish_with_enrolment(ctx, identity, pending, offer, code)
    assert who.username == username
    return offer.secret, recovery.codes


def test_supervisor_must_enrol_and_the_code_takes_effect_only_when_right(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and not pending.enrolled
    offer = factor.new_offer("sara")
    assert offer.secret not in repr(offer)
    with pytest.raises(ValidationError):
        signin.finish_with_enrolment(ctx, identity, pending, offer, "000000")
    with ctx.sessions() as s:
        op = s.scalars(select(Operator).where(Operator.username == "sara")).one()
        assert op.totp_secret is None and op.failed_login_count == 1
    code = pyotp.TOTP(offer.secret).at(clock.now())
    who, recovery = signin.finish_with_enrolment(ctx, identity, pending, offer, code)
    assert who.role is Role.SUPERVISOR and len(recovery.codes) == 10
    with ctx.sessions() as s:
        op = s.scalars(select(Operator).where(Operator.username == "sara")).one()
        assert op.totp_secret and offer.secret not in op.totp_secret  # encrypted at rest
        assert op.failed_login_count == 0
        stored = list(s.scalars(select(OperatorRecoveryCode.code_hash)))
        assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert len(_events(ctx, "operator_totp_enrolled")) == 1


def test_analyst_signs_in_without_code_unless_enrolled(
    ctx: ServiceContext, identity: signin.Identity
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.ANALYST, username="ana")
    assert isinstance(signin.sign_in(ctx, identity, "ana", PW), Principal)


def test_window_and_replay(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    secret, _codes = _enrolled(ctx, identity, "sara", clock)
    clock.advance(minutes=2)
    totp = pyotp.TOTP(secret)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and pending.enrolled
    late = totp.at(clock.now() - timedelta(seconds=30))  # the step before: inside the window
    assert signin.finish_with_code(ctx, identity, pending, late).username == "sara"
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded)
    with pytest.raises(AuthenticationFailed, match="wrong code"):
        signin.finish_with_code(ctx, identity, pending, late)  # replay
    too_old = totp.at(clock.now() - timedelta(seconds=90))
    with pytest.raises(AuthenticationFailed):
        signin.finish_with_code(ctx, identity, pending, too_old)
    assert signin.finish_with_code(ctx, identity, pending, totp.at(clock.now())).username == "sara"


def test_recovery_codes_are_single_use(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    _secret, codes = _enrolled(ctx, identity, "sara", clock)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded)
    assert signin.finish_with_code(ctx, identity, pending, codes[3].upper()).username == "sara"
    with pytest.raises(AuthenticationFailed):
        signin.finish_with_code(ctx, identity, pending, codes[3])
    with ctx.sessions() as s:
        assert factor.recovery_codes_left(s, pending.operator_id) == 9
    logins = _events(ctx, "operator_login")
    assert logins[-1].details.get("second_factor") == "recovery"


def test_wrong_codes_lock_the_account(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    secret, _codes = _enrolled(ctx, identity, "sara", clock)
    clock.advance(minutes=1)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed, match="wrong code"):
            signin.finish_with_code(ctx, identity, pending, "000000")
    # StartAgain (not just any refusal): it is what sends the form back to the password.
    with pytest.raises(signin.StartAgain, match="locked"):
        signin.finish_with_code(ctx, identity, pending, "000000")
    with pytest.raises(signin.StartAgain, match="locked"):
        signin.finish_with_code(ctx, identity, pending, pyotp.TOTP(secret).at(clock.now()))
    with pytest.raises(AuthenticationFailed, match="locked"):
        signin.sign_in(ctx, identity, "sara", PW)


def test_password_success_does_not_reset_the_code_count(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    _enrolled(ctx, identity, "sara", clock)
    for _ in range(MAX_FAILED_LOGINS):
        pending = signin.sign_in(ctx, identity, "sara", PW)
        assert isinstance(pending, signin.SecondFactorNeeded)
        with pytest.raises(AuthenticationFailed):
            signin.finish_with_code(ctx, identity, pending, "000000")
    with pytest.raises(AuthenticationFailed, match="locked"):
        signin.sign_in(ctx, identity, "sara", PW)


def test_a_checked_password_waits_five_minutes_for_its_code(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    secret, _codes = _enrolled(ctx, identity, "sara", clock)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    clock.advance(minutes=6)
    assert isinstance(pending, signin.SecondFactorNeeded)
    with pytest.raises(signin.StartAgain, match="too slow"):
        signin.finish_with_code(ctx, identity, pending, pyotp.TOTP(secret).at(clock.now()))


def test_supervisor_resets_another_operators_factor(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR, username="boss")
        analyst = make_operator(s, Role.ANALYST, username="ana")
        make_operator(s, Role.SUPERVISOR, username="sara")
    _enrolled(ctx, identity, "sara", clock)
    with pytest.raises(PermissionDenied):
        factor.reset_factor(ctx, analyst, "sara")
    with pytest.raises(ValidationError):
        factor.reset_factor(ctx, boss, "boss")
    assert factor.reset_factor(ctx, boss, "sara") is True
    with ctx.sessions() as s:
        op = s.scalars(select(Operator).where(Operator.username == "sara")).one()
        assert op.totp_secret is None and op.totp_enrolled_at is None
        assert s.scalar(select(func.count()).select_from(OperatorRecoveryCode)) == 0
    [event] = _events(ctx, "operator_totp_reset")
    assert event.operator_id == boss.operator_id and event.subject == "op:sara"
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and not pending.enrolled


def test_break_glass_policy(ctx: ServiceContext, identity: signin.Identity) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.ANALYST, username="ana")
        make_operator(s, Role.ANALYST, username="glass")
        s.scalars(select(Operator).where(Operator.username == "glass")).one().break_glass = True
    glass_only = replace(identity, auth=replace(identity.auth, local="break-glass"))
    with pytest.raises(AuthenticationFailed):
        signin.sign_in(ctx, glass_only, "ana", PW)
    who = signin.sign_in(ctx, glass_only, "glass", PW)
    assert isinstance(who, Principal) and who.break_glass
    assert _events(ctx, "operator_login")[-1].details == {"source": "local", "break_glass": True}


def test_unknown_username_is_recorded_masked(
    ctx: ServiceContext, identity: signin.Identity, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    typed = "otto.operadoroperad"
    with pytest.raises(AuthenticationFailed):
        signin.sign_in(ctx, identity, typed, PW)
    [event] = _events(ctx, "operator_login_failed")
    assert event.subject is not None and typed not in event.subject
    assert event.subject.startswith("op?:ot…[19]#") and "operad" not in event.subject
    assert typed not in caplog.text and "operad" not in caplog.text
    with pytest.raises(AuthenticationFailed):
        signin.sign_in(ctx, identity, typed, PW)
    assert {e.subject for e in _events(ctx, "operator_login_failed")} == {event.subject}


def test_enrolment_starts_again_when_too_slow_or_locked_as_the_code_step_does(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and not pending.enrolled
    offer = factor.new_offer("sara")
    clock.advance(minutes=signin.PENDING_MINUTES + 1)
    with pytest.raises(signin.StartAgain, match="too slow"):
        signin.finish_with_enrolment(
            ctx, identity, pending, offer, pyotp.TOTP(offer.secret).at(clock.now())
        )
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded)
    for _ in range(MAX_FAILED_LOGINS - 1):  # a wrong code: try the next one on the same step
        with pytest.raises(ValidationError) as wrong:
            signin.finish_with_enrolment(ctx, identity, pending, offer, "000000")
        assert not isinstance(wrong.value, signin.StartAgain)
    with pytest.raises(signin.StartAgain, match="locked"):
        signin.finish_with_enrolment(ctx, identity, pending, offer, "000000")
    with pytest.raises(signin.StartAgain, match="locked"):  # the right code does not open it
        signin.finish_with_enrolment(
            ctx, identity, pending, offer, pyotp.TOTP(offer.secret).at(clock.now())
        )
    with ctx.sessions() as s:
        assert s.scalars(select(Operator.totp_secret)).one() is None


def test_a_factor_reset_during_the_code_step_starts_the_sign_in_again(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR, username="boss")
        make_operator(s, Role.SUPERVISOR, username="sara")
    secret, _codes = _enrolled(ctx, identity, "sara", clock)
    clock.advance(minutes=1)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded) and pending.enrolled
    factor.reset_factor(ctx, boss, "sara")  # her phone was lost: between password and code
    with pytest.raises(signin.StartAgain, match="second factor was reset"):
        signin.finish_with_code(ctx, identity, pending, pyotp.TOTP(secret).at(clock.now()))
    with ctx.sessions() as s:
        op = s.scalars(select(Operator).where(Operator.username == "sara")).one()
        assert op.failed_login_count == 0  # not a wrong code: nothing to count
    assert _events(ctx, "operator_login_failed")[-1].details == {"why": "not_enrolled"}
    again = signin.sign_in(ctx, identity, "sara", PW)  # the password again: enrol anew
    assert isinstance(again, signin.SecondFactorNeeded) and not again.enrolled


def test_wrong_codes_at_the_idle_lock_count_toward_the_same_lockout(
    ctx: ServiceContext, identity: signin.Identity, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="sara")
    secret, _codes = _enrolled(ctx, identity, "sara", clock)
    clock.advance(minutes=1)
    pending = signin.sign_in(ctx, identity, "sara", PW)
    assert isinstance(pending, signin.SecondFactorNeeded)
    sara = signin.finish_with_code(ctx, identity, pending, pyotp.TOTP(secret).at(clock.now()))
    with_code = replace(identity, auth=replace(identity.auth, lock_requires_totp=True))
    clock.advance(minutes=1)
    assert not signin.unlock(ctx, with_code, sara, "not-her-password", "000000")  # not counted
    for _ in range(MAX_FAILED_LOGINS):
        assert not signin.unlock(ctx, with_code, sara, PW, "000000")
    failed = _events(ctx, "console_unlock_failed")
    assert [e.details for e in failed] == [
        {},
        *[{"why": "wrong_code"}] * (MAX_FAILED_LOGINS - 1),
        {"why": "wrong_code", "locked_minutes": LOCKOUT_MINUTES},
    ]
    with pytest.raises(AuthenticationFailed, match="locked"):  # the login's lockout, now
        signin.sign_in(ctx, identity, "sara", PW)
    with ctx.sessions() as s:
        assert s.scalars(select(Operator.failed_login_count)).one() == 0  # reset as it locked
