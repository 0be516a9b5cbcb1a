"""The second factor in the console: enrolment at first sign-in, a supervisor's code, the lock.

Pilot tests assert the screen and the database; the snapshot of the enrolment
screen (pt_BR, fixed secret) guards its look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input

from noc_console.app import NocApp
from noc_console.auth_settings import AuthSettings
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.models import Operator, OperatorRecoveryCode
from noc_console.screens.login import LoginScreen
from noc_console.services import signin
from noc_console.services.context import ServiceContext
from noc_console.services.totp import codes, factor
from tests.ui.helpers import (
    HASHER,
    PASSWORD,
    SIZE,
    add_operator,
    build_app,
    count_audit,
    log_in,
    read_session,
    screen_text,
    settle,
)

SnapCompare = Callable[..., bool]
FIXED_SECRET = "NOCCONSOLEEXAMPLESECRET234567ABC"


def _auth(tmp_path: Path, **changes: Any) -> AuthSettings:
    return replace(AuthSettings(key_file=tmp_path / "auth.key"), **changes)


def _enrol_before(
    url: str, auth: AuthSettings, username: str = "alice"
) -> tuple[str, tuple[str, ...]]:
    """Enrol ``username`` a minute before the app's fixed clock; the secret, the recovery codes."""
    engine = create_db_engine(url)
    try:
        clock = FixedClock()
        clock.advance(minutes=-1)
        ctx = ServiceContext(engine, clock=clock, hasher=HASHER)
        identity = signin.Identity(auth=auth, key_path=auth.key_file)
        pending = signin.sign_in(ctx, identity, username, PASSWORD)
        assert isinstance(pending, signin.SecondFactorNeeded)
        offer = factor.new_offer(username)
        _who, recovery = signin.finish_with_enrolment(
            ctx, identity, pending, offer, pyotp.TOTP(offer.secret).at(clock.now())
        )
        return offer.secret, recovery.codes
    finally:
        engine.dispose()


async def test_first_sign_in_of_a_supervisor_enrols_then_enters(
    portal_url: str, tmp_path: Path
) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        assert app.principal is None
        screen = app.screen
        assert type(screen).__name__ == "TotpEnrolScreen"
        offer = screen.enrol_state.offer  # type: ignore[attr-defined]
        assert offer.grouped_secret in screen_text(app)
        code_box = screen.query_one("#totp-code", Input)
        code_box.value = "000000"
        await pilot.press("enter")
        await settle(pilot)
        assert "does not match" in screen_text(app)
        code_box.value = pyotp.TOTP(offer.secret).at(FixedClock().now())
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        recovery = screen.enrol_state.recovery  # type: ignore[attr-defined]
        assert len(recovery) == 10 and all(c in shown for c in recovery)
        assert offer.secret not in shown.replace(" ", "")  # the secret is gone once enrolled
        await pilot.click("#enrol-continue")
        await settle(pilot)
        assert app.principal is not None and app.principal.username == "alice"
    with read_session(portal_url) as session:
        op = session.scalars(select(Operator).where(Operator.username == "alice")).one()
        assert op.totp_secret and offer.secret not in op.totp_secret
        assert session.scalar(select(func.count()).select_from(OperatorRecoveryCode)) == 10


async def test_cancelled_enrolment_does_not_sign_in(portal_url: str, tmp_path: Path) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.principal is None
        assert "not signed in" in screen_text(app)
    with read_session(portal_url) as session:
        op = session.scalars(select(Operator).where(Operator.username == "alice")).one()
        assert op.totp_secret is None


async def test_supervisor_signs_in_with_a_code(portal_url: str, tmp_path: Path) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    auth = _auth(tmp_path)
    secret, _recovery = _enrol_before(portal_url, auth)
    app = build_app(portal_url, lang="en", auth=auth)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        assert app.principal is None
        assert "authenticator app" in screen_text(app)
        code_box = app.screen.query_one("#code", Input)
        assert app.focused is code_box
        code_box.value = "123456"
        await pilot.press("enter")
        await settle(pilot)
        assert app.principal is None and "wrong code" in screen_text(app)
        code_box.value = pyotp.TOTP(secret).at(FixedClock().now())
        await pilot.press("enter")
        await settle(pilot)
        assert app.principal is not None and app.principal.username == "alice"


async def test_a_recovery_code_signs_in_once(portal_url: str, tmp_path: Path) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    auth = _auth(tmp_path)
    _secret, recovery = _enrol_before(portal_url, auth)
    for attempt in range(2):
        app = build_app(portal_url, lang="en", auth=auth)
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            app.screen.query_one("#code", Input).value = recovery[0]
            await pilot.press("enter")
            await settle(pilot)
            assert (app.principal is not None) is (attempt == 0)  # once only


async def test_break_glass_sign_in_is_shown_in_the_session_bar(
    portal_url: str, tmp_path: Path
) -> None:
    add_operator(portal_url, "alice", role="operator")
    with read_session(portal_url) as session:
        session.scalars(select(Operator)).one().break_glass = True
        session.commit()
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path, local="break-glass"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "break-glass" in screen_text(app)
        await log_in(pilot)
        assert app.principal is not None and app.principal.break_glass
        assert "BREAK-GLASS" in screen_text(app)


@pytest.mark.parametrize("requires", [False, True])
async def test_idle_lock_asks_a_code_only_when_configured(
    portal_url: str, tmp_path: Path, requires: bool
) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    auth = _auth(tmp_path, lock_requires_totp=requires)
    secret, _recovery = _enrol_before(portal_url, auth)
    app = build_app(portal_url, lang="en", auth=auth)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        app.screen.query_one("#code", Input).value = pyotp.TOTP(secret).at(FixedClock().now())
        await pilot.press("enter")
        await settle(pilot)
        assert app.principal is not None
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.is_locked
        has_code = bool(app.screen.query("#lock-code"))
        assert has_code is requires
        if requires:
            await _wrong_codes_at_the_lock(pilot, app, portal_url)
        app.screen.query_one("#lock-password", Input).value = PASSWORD
        if requires:
            next_code = pyotp.TOTP(secret).at(FixedClock().now() + timedelta(seconds=30))
            app.screen.query_one("#lock-code", Input).value = next_code
        await pilot.click("#unlock")
        await settle(pilot)
        assert not app.is_locked


async def _wrong_codes_at_the_lock(pilot: Pilot[Any], app: NocApp, url: str) -> None:
    """The right password with a wrong code: refused, still locked, the code's step not spent,
    and one more failure toward the account's lockout, as a wrong code at the login counts."""
    screen = app.screen
    with read_session(url) as session:
        step_before = session.scalars(select(Operator.totp_last_step)).one()
    screen.query_one("#lock-password", Input).value = PASSWORD
    screen.query_one("#lock-code", Input).value = "000000"
    await pilot.click("#unlock")
    await settle(pilot)
    assert app.is_locked
    assert "Wrong password or code. 4 attempts left before logging out." in screen_text(app)
    with read_session(url) as session:
        op = session.scalars(select(Operator)).one()
        assert (op.totp_last_step, op.failed_login_count) == (step_before, 1)
    assert count_audit(url, "console_unlock_failed") == 1
    # No code at all is not sent (the service would count it): the code box asks for it.
    screen.query_one("#lock-password", Input).value = PASSWORD
    await pilot.click("#unlock")
    await settle(pilot)
    assert "Enter the code from your authenticator app." in screen_text(app)
    assert app.focused is screen.query_one("#lock-code", Input)
    assert count_audit(url, "console_unlock_failed") == 1


def _reset_factor(url: str, username: str) -> None:
    """A supervisor resets ``username``'s factor (a lost phone), from another console."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as session:
            assert factor.reset_in_session(session, username, now=FixedClock().now(), by=None)
    finally:
        engine.dispose()


async def test_a_factor_reset_between_password_and_code_starts_again_from_the_password(
    portal_url: str, tmp_path: Path
) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    auth = _auth(tmp_path)
    secret, _recovery = _enrol_before(portal_url, auth)
    app = build_app(portal_url, lang="en", auth=auth)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen) and screen.query_one("#code-row").display
        _reset_factor(portal_url, "alice")
        screen.query_one("#code", Input).value = pyotp.TOTP(secret).at(FixedClock().now())
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and app.principal is None
        assert not screen.query_one("#code-row").display  # not stuck on the code step
        assert "second factor was reset; sign in with your password again" in screen_text(app)
        password = screen.query_one("#password", Input)
        assert app.focused is password and not password.disabled
        await log_in(pilot)  # the password again: the role needs a factor, so enrol one
        assert type(app.screen).__name__ == "TotpEnrolScreen"


async def test_an_enrolment_that_can_no_longer_finish_starts_again_from_the_password(
    portal_url: str, tmp_path: Path
) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path))
    clock = app.clock
    assert isinstance(clock, FixedClock)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        enrolment = app.screen
        assert type(enrolment).__name__ == "TotpEnrolScreen"
        offer = enrolment.enrol_state.offer  # type: ignore[attr-defined]
        clock.advance(minutes=signin.PENDING_MINUTES + 1)  # the operator went for coffee
        enrolment.query_one("#totp-code", Input).value = pyotp.TOTP(offer.secret).at(clock.now())
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen) and app.principal is None
        assert "too slow: sign in with your password again" in screen_text(app)
        assert app.focused is screen.query_one("#password", Input)
        assert not screen.query_one("#code-row").display
    with read_session(portal_url) as session:
        assert session.scalars(select(Operator.totp_secret)).one() is None


async def test_the_login_form_signs_in_the_apps_one_way(portal_url: str, tmp_path: Path) -> None:
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert screen.identity() is app.identity()  # the lock's and the enrolment's too


async def test_the_palette_opens_ones_own_enrolment(portal_url: str, tmp_path: Path) -> None:
    """An operator (no code required) moves to a factor from the palette; the next sign-in
    asks for a code."""
    add_operator(portal_url, "otto", role="operator")
    app = build_app(portal_url, lang="en", auth=_auth(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "otto")
        assert app.principal is not None
        main = app.screen
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"second")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        enrolment = app.screen
        assert type(enrolment).__name__ == "TotpEnrolScreen"
        offer = enrolment.enrol_state.offer  # type: ignore[attr-defined]
        assert offer.username == "otto"
        enrolment.query_one("#totp-code", Input).value = pyotp.TOTP(offer.secret).at(
            FixedClock().now()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert len(enrolment.enrol_state.recovery) == 10  # type: ignore[attr-defined]
        await pilot.click("#enrol-continue")
        await settle(pilot)
        assert app.screen is main and app.principal is not None
    with read_session(portal_url) as session:
        assert session.scalars(select(Operator.totp_secret)).one() is not None
    assert count_audit(portal_url, "operator_totp_enrolled") == 1


def test_enrolment_screen_pt_br(
    snap_compare: SnapCompare, portal_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_operator(portal_url, "alice", role="supervisor")
    monkeypatch.setattr(codes, "new_secret", lambda: FIXED_SECRET)
    app = build_app(portal_url, lang="pt_BR", auth=_auth(tmp_path))

    async def enrolment(pilot: Pilot[Any]) -> None:
        await log_in(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=enrolment)
