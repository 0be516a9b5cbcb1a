"""The assisted reset wizard with the pilot on a real SQLite database.

The wizard is opened with ``app.push_screen`` as the customer screen's ``r``
will open it (that screen is built separately); each test asserts the
database (user row, sessions, audit events, outbox) as well as what the
screen says. Texts are asserted in English (lang="en"): the pt_BR catalog
gains the wizard's strings in a later pass.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select, update
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, RadioButton, Static

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.errors import DatabaseUnavailable, NotFound, PermissionDenied
from noc_console.models import (
    AuditEvent,
    NotificationOutbox,
    PasswordPolicy,
    PortalSession,
    PortalUser,
)
from noc_console.screens.help import HelpScreen
from noc_console.screens.reset.screen import ResetWizard
from noc_console.screens.reset.state import ResetOutcome
from noc_console.screens.session import DbConnected
from noc_console.services import auth, password_reset, portal_auth
from noc_console.services.password_reset import ResetMethod
from noc_console.widgets.reset_controls import FieldError, WizardCheckbox, WizardRadioSet
from noc_console.widgets.secret_display import DIGIT_NAMES, NATO, SecretDisplay
from tests.support.factories import make_customer, make_portal_session, make_portal_user
from tests.ui.helpers import (
    PASSWORD,
    SIZE,
    add_operator,
    build_app,
    log_in,
    read_session,
    screen_text,
    settle,
)

OLD_PASSWORD = "senha-antiga-muito-longa-2024"
TICKET = "INC-2026-0042"
REASON = "cliente esqueceu a senha"
FIXED = "Kx7m-Pr9t-Tc4w-Hd3n"  # only characters of password_reset.ALPHABET; passes the policy
GROUPED = re.compile(rf"^[{password_reset.ALPHABET}]{{4}}(-[{password_reset.ALPHABET}]{{4}})+$")


def spoken(ch: str) -> str:
    """The spelling-helper word the display should show for a character."""
    if ch.isdigit():
        return DIGIT_NAMES[ch]
    word = NATO[ch.lower()]
    return word.upper() if ch.isupper() else word


@dataclass
class Seeded:
    customer_id: int
    user_id: int
    login: str


def seed(
    url: str,
    *,
    locked: bool = True,
    sessions: int = 2,
    email: str | None = "joao.silva@empresa.com.br",
    phone: str | None = "+5511987654321",
    full_name: str = "João da Silva",
) -> Seeded:
    """One analyst (alice) and a locked portal user with live sessions."""
    add_operator(url, role="analyst", display_name="Alice Souza")
    clock = FixedClock()
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(
                s, "Padaria São João Ltda", trade_name="São João", cnpj="11222333000181"
            )
            user = make_portal_user(
                s,
                customer,
                full_name=full_name,
                login="joao.silva",
                email=email,
                phone=phone,
                password=OLD_PASSWORD,
            )
            if email is None:
                user.email = ""  # NOT NULL: an empty address is how "none" is stored
            if locked:
                user.failed_login_count = 5
                user.locked_until = clock.now() + timedelta(minutes=10)
            for _ in range(sessions):
                make_portal_session(s, user)
            s.flush()
            return Seeded(customer.id, user.id, user.login)
    finally:
        engine.dispose()


def db_user(url: str, user_id: int) -> PortalUser:
    with read_session(url) as s:
        user = s.get(PortalUser, user_id)
        assert user is not None
        s.expunge(user)
        return user


def scalar(url: str, statement: Any) -> Any:
    with read_session(url) as s:
        return s.scalar(statement)


def reset_events(url: str) -> list[AuditEvent]:
    with read_session(url) as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == password_reset.ACTION)
            .order_by(AuditEvent.id)
        ).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def active_sessions(url: str, user_id: int) -> int:
    return int(
        scalar(
            url,
            select(func.count())
            .select_from(PortalSession)
            .where(PortalSession.portal_user_id == user_id, PortalSession.revoked_at.is_(None)),
        )
        or 0
    )


class Keys:
    """Presses keys through the pilot, counting them; typed text is not counted."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)


async def open_wizard(
    pilot: Pilot[Any],
    user_id: int,
    *,
    read_only: bool = False,
    generate: Any = None,
) -> tuple[ResetWizard, list[ResetOutcome | None]]:
    """Open the wizard as the customer screen's `r` will (push_screen with a callback).

    The operator is the one logged in, or else alice authenticated through the
    service with the wizard pushed over the login screen: the wizard does not
    depend on what is under it, and skipping the logged-in screens keeps these
    tests fast.
    """
    app = pilot.app
    assert isinstance(app, NocApp)
    await settle(pilot)
    state = app.db_state
    assert isinstance(state, DbConnected)
    principal = app.principal or auth.login(state.ctx, "alice", PASSWORD)
    outcomes: list[ResetOutcome | None] = []
    wizard = ResetWizard(state.ctx, principal, user_id, read_only=read_only, generate=generate)
    app.push_screen(wizard, outcomes.append)
    await settle(pilot)
    assert app.screen is wizard
    return wizard, outcomes


def rendered(widget: Widget) -> str:
    """What a widget's render() draws at its current width, as plain text."""
    console = Console(width=max(widget.size.width, 1), record=True, file=io.StringIO())
    console.print(widget.render())
    return console.export_text()


def shown_password(wizard: ResetWizard) -> str:
    """The password as the tiles show it (their middle row, spaces removed)."""
    return rendered(wizard.query_one(SecretDisplay)).split("\n")[1].replace(" ", "")


def fill_identity(wizard: ResetWizard, *, ticket: str = TICKET, reason: str = REASON) -> None:
    wizard.query_one("#check-name", WizardCheckbox).value = True
    wizard.query_one("#check-cnpj", WizardCheckbox).value = True
    wizard.query_one("#ticket", Input).value = ticket
    wizard.query_one("#reason", Input).value = reason


async def to_confirmation(pilot: Pilot[Any], wizard: ResetWizard, method: int = 0) -> None:
    fill_identity(wizard)
    wizard.action_next()
    await settle(pilot)
    assert wizard.state.step == 1
    wizard.query_one(WizardRadioSet).choose(method)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert wizard.state.step == 2


def errors(wizard: ResetWizard) -> str:
    return "\n".join(e.plain for e in wizard.query(FieldError) if e.plain)


def message(wizard: ResetWizard) -> str:
    return str(wizard.query_one("#reset-message", Static).content)


# ---------------------------------------------------------------------- temporary password


async def test_temporary_password_end_to_end(
    portal_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seeded = seed(portal_url)
    before = db_user(portal_url, seeded.user_id)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        text = screen_text(app)
        assert "João da Silva" in text and "joao.silva" in text
        assert "11.222.333/0001-81" in text  # the CNPJ, formatted
        assert "(11) 98765-4321" in text
        assert "🔒 locked until" in text
        assert wizard.focused is wizard.query_one("#check-name")
        await to_confirmation(pilot, wizard)
        summary = screen_text(app)
        assert "João da Silva" in summary and "São João" in summary
        assert "2 active portal sessions are ended" in summary
        assert "Nothing has been changed yet" in summary
        assert reset_events(portal_url) == []  # nothing written before the confirmation
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 3
        password = shown_password(wizard)
        assert GROUPED.match(password), "four-character groups joined by dashes"
        spelled = rendered(wizard.query_one(SecretDisplay))
        first = password[0]
        assert f"{first} {spoken(first)}" in spelled  # the spelling helper
        assert password not in message(wizard)
        # The database, now: must change, audited with ticket, reason and checks, sessions ended.
        after = db_user(portal_url, seeded.user_id)
        assert after.must_change_password is True
        assert after.password_hash != before.password_hash
        assert after.locked_until is None and after.failed_login_count == 0
        assert active_sessions(portal_url, seeded.user_id) == 0
        (event,) = reset_events(portal_url)
        assert event.ticket_ref == TICKET
        assert event.reason == REASON
        assert event.details["checks"] == {
            "name_matches": True,
            "cnpj_confirmed": True,
            "callback_done": False,
        }
        assert event.details["method"] == "temporary_password"
        assert event.details["sessions_ended"] == 2
        # The portal accepts the password read on screen, and asks for a new one.
        ctx = app.db_state.ctx  # type: ignore[union-attr]
        login = portal_auth.login(ctx, seeded.login, password)
        assert login.status is portal_auth.LoginStatus.CHANGE_REQUIRED
        # Copy, then "I have read it": gone from the screen, the clipboard and the outcome.
        display = wizard.query_one(SecretDisplay)
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == password
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert not isinstance(app.screen, ResetWizard)
        assert app.clipboard == ""
        assert not display.has_secret and rendered(display).strip() == ""
        assert password not in screen_text(app)
        assert outcomes == [
            ResetOutcome(
                user_id=seeded.user_id,
                login="joao.silva",
                method=ResetMethod.TEMPORARY_PASSWORD,
                sessions_ended=2,
                unlocked=True,
            )
        ]
        outcome = outcomes[0]
        assert outcome is not None
        assert all(password not in str(getattr(outcome, f.name)) for f in fields(outcome))
        assert password not in repr(outcome)
        assert all(password not in str(n.message) for n in app._notifications)
    assert password not in caplog.text


# ---------------------------------------------------------------------- other methods


async def test_reset_link_queues_mail_and_shows_no_token(portal_url: str) -> None:
    seeded = seed(portal_url)
    before = db_user(portal_url, seeded.user_id)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        assert "j***@empresa.com.br" in screen_text(app)
        assert "joao.silva@empresa.com.br" not in screen_text(app)
        await to_confirmation(pilot, wizard, method=1)
        assert "e-mailed to j***@empresa.com.br" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 3
        shown = screen_text(app)
        assert "A reset link was queued to j***@empresa.com.br" in shown
        assert "valid for 30 min" in shown
        assert not wizard.query_one(SecretDisplay).has_secret
        assert not wizard.query_one("#btn-copy").display
        engine = create_db_engine(portal_url)
        with session_factory(engine)() as s:
            (row,) = s.scalars(select(NotificationOutbox)).all()
            url = row.payload["url"]
            assert row.recipient == "joao.silva@empresa.com.br"
        engine.dispose()
        token = url.rsplit("=", 1)[-1]
        assert token not in shown and url not in shown
        await pilot.press("enter")  # the focused "Close" button
        await settle(pilot)
        assert not isinstance(app.screen, ResetWizard)
    after = db_user(portal_url, seeded.user_id)
    assert after.password_hash == before.password_hash  # the customer chooses it on the portal
    assert active_sessions(portal_url, seeded.user_id) == 0
    (event,) = reset_events(portal_url)
    assert event.details["method"] == "reset_link"
    assert outcomes == [ResetOutcome(seeded.user_id, "joao.silva", ResetMethod.RESET_LINK, 2, True)]


async def test_unlock_only_keeps_the_password(portal_url: str) -> None:
    seeded = seed(portal_url)
    before = db_user(portal_url, seeded.user_id)
    assert before.locked_until is not None
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        fill_identity(wizard)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down")  # the arrows choose: unlock only
        await settle(pilot)
        unlock = wizard.query_one("#opt-unlock", WizardCheckbox)
        assert unlock.value and unlock.disabled  # unlock-only always unlocks
        sessions = wizard.query_one("#opt-sessions", WizardCheckbox)
        sessions.value = False  # keep the sessions this time
        await pilot.press("enter")
        await settle(pilot)
        summary = screen_text(app)
        assert "the password is not changed" in summary
        assert "the user's portal sessions are kept" in summary
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "The account of João da Silva (joao.silva) was unlocked." in screen_text(app)
        await pilot.press("ctrl+d")
        await settle(pilot)
    after = db_user(portal_url, seeded.user_id)
    assert after.locked_until is None and after.failed_login_count == 0
    assert after.password_hash == before.password_hash
    assert after.must_change_password is False
    assert active_sessions(portal_url, seeded.user_id) == 2
    assert outcomes == [
        ResetOutcome(seeded.user_id, "joao.silva", ResetMethod.UNLOCK_ONLY, 0, True)
    ]


async def test_no_email_or_phone_disables_those_options(portal_url: str) -> None:
    seeded = seed(portal_url, email=None, phone=None)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        assert wizard.query_one("#check-callback").disabled
        assert "no phone number on record" in screen_text(app)
        fill_identity(wizard)
        await pilot.press("enter")
        await settle(pilot)
        link = wizard.query_one("#method-link", RadioButton)
        assert link.disabled
        assert "not possible, no e-mail address on record" in str(link.label)
        await pilot.press("down")  # skips the disabled link option
        await settle(pilot)
        assert wizard.query_one(WizardRadioSet).pressed_index == 2


# ---------------------------------------------------------------------- refusals


async def test_missing_ticket_and_checks_are_refused_in_words(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        await pilot.press("enter")  # nothing ticked, nothing typed
        await settle(pilot)
        assert wizard.state.step == 0
        shown = errors(wizard)
        assert "confirm that the caller's name matches the user" in shown
        assert "confirm that the caller gave the company's CNPJ" in shown
        assert "enter the ticket reference" in shown
        assert "say why the password is being reset" in shown
        assert wizard.focused is wizard.query_one("#check-name")  # the first thing to fix
        fill_identity(wizard, ticket="AB")
        await pilot.press("enter")
        await settle(pilot)
        assert wizard.state.step == 0
        assert "at least 3 characters" in errors(wizard)
        assert wizard.focused is wizard.query_one("#ticket")
        await pilot.press("escape")
        await settle(pilot)
    assert outcomes == [None]
    assert reset_events(portal_url) == []
    assert db_user(portal_url, seeded.user_id).locked_until is not None


async def test_service_refusal_goes_back_to_its_step(portal_url: str) -> None:
    """A generator the policy never accepts: reset() refuses (field "method"), nothing written."""
    seeded = seed(portal_url)
    before = db_user(portal_url, seeded.user_id)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id, generate=lambda policy: "senha123")
        await to_confirmation(pilot, wizard)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 1
        assert "send a reset link instead" in errors(wizard)
        assert "senha123" not in screen_text(app)
    assert reset_events(portal_url) == []
    assert db_user(portal_url, seeded.user_id).password_hash == before.password_hash


async def test_deactivated_user_is_refused_at_the_identity_step(portal_url: str) -> None:
    seeded = seed(portal_url)
    engine = create_db_engine(portal_url)
    with session_factory(engine).begin() as s:
        s.execute(update(PortalUser).values(is_active=False))
    engine.dispose()
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        assert "✖ deactivated" in screen_text(app)
        await to_confirmation(pilot, wizard)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 0
        assert "deactivated" in message(wizard)
    assert reset_events(portal_url) == []


async def test_rate_limit_says_when_the_next_reset_is_possible(portal_url: str) -> None:
    seeded = seed(portal_url, locked=False, sessions=0)
    engine = create_db_engine(portal_url)
    with session_factory(engine).begin() as s:
        s.execute(update(PasswordPolicy).values(max_resets_per_hour=1))
    engine.dispose()
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        await to_confirmation(pilot, wizard)
        # Another analyst uses the last reset of the hour meanwhile (no change to the row).
        ctx = app.db_state.ctx  # type: ignore[union-attr]
        other = auth.login(ctx, "alice", PASSWORD)
        password_reset.reset(
            ctx,
            other,
            seeded.user_id,
            ticket_ref="INC-1",
            reason="outro atendimento",
            identity_checks=password_reset.IdentityChecks(True, True),
            method=ResetMethod.UNLOCK_ONLY,
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 2
        said = message(wizard)
        assert "already reset 1 time in the last hour" in said
        assert "in local time: 11:10" in said  # 13:10 UTC + 1 h, in São Paulo time
        assert "No resets left for this user this hour" in screen_text(app)
        assert wizard.query_one("#btn-confirm").disabled
        await pilot.press("ctrl+s")  # refused by the screen now: confirmation is greyed
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # step (b) blocks too, and says why
        await settle(pilot)
        assert wizard.state.step == 1
        assert "the next is possible at 11:10" in errors(wizard)
    assert len(reset_events(portal_url)) == 1  # only the other analyst's


async def test_conflict_reloads_and_a_second_confirmation_works(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id, generate=lambda p: FIXED)
        await to_confirmation(pilot, wizard)
        version = wizard.state.preview.version if wizard.state.preview else 0
        engine = create_db_engine(portal_url)
        with session_factory(engine).begin() as s:  # the customer logs in on the portal meanwhile
            user = s.get(PortalUser, seeded.user_id)
            assert user is not None
            user.full_name = "João da Silva Jr."
        engine.dispose()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 2
        assert "changed by someone else" in message(wizard)
        assert "João da Silva Jr." in screen_text(app)  # the preview was reloaded
        assert wizard.state.preview is not None and wizard.state.preview.version > version
        assert reset_events(portal_url) == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 3
        assert shown_password(wizard) == FIXED
        await pilot.press("ctrl+d")
        await settle(pilot)
    assert len(reset_events(portal_url)) == 1
    assert outcomes and outcomes[0] is not None


async def test_read_only_says_so_and_cannot_confirm(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        assert wizard.state.read_only
        assert "Read-only mode" in screen_text(app)
        await to_confirmation(pilot, wizard)
        assert "this reset cannot be confirmed" in screen_text(app)
        assert wizard.query_one("#btn-confirm").disabled
        footer = {b.binding.id: b.enabled for b in wizard.active_bindings.values()}
        assert footer.get("reset.confirm") is False  # shown, greyed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.state.step == 2
        await pilot.press("escape", "escape", "escape")
        await settle(pilot)
    assert outcomes == [None]
    assert reset_events(portal_url) == []


async def test_database_unavailable_is_said_inline_and_reported(
    portal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        reported: list[str] = []
        monkeypatch.setattr(app, "notify_db_unavailable", reported.append)
        wizard, _ = await open_wizard(pilot, seeded.user_id, generate=lambda p: FIXED)
        await to_confirmation(pilot, wizard)

        def down(*args: object, **kwargs: object) -> None:
            raise DatabaseUnavailable("the database server at db:5432 does not answer")

        with monkeypatch.context() as patch:
            patch.setattr(password_reset, "reset", down)
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert wizard.state.step == 2
        assert "does not answer" in message(wizard)
        assert reported == ["the database server at db:5432 does not answer"]  # the app's banner
        assert "Traceback" not in screen_text(app)
        await pilot.press("ctrl+s")  # the database is back: the same confirmation works
        await settle(pilot)
        assert wizard.state.step == 3
    assert len(reset_events(portal_url)) == 1


async def test_other_refusals_are_words_in_the_flow(
    portal_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """PermissionDenied, NotFound and an unexpected error: a line of words, never a traceback."""
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    refusals: list[tuple[Exception, str]] = [
        (PermissionDenied("the analyst role may not do this"), "may not do this"),
        (NotFound("portal user not found"), "portal user not found"),
        (RuntimeError("secret internals"), "unexpected error (RuntimeError)"),
    ]
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        await to_confirmation(pilot, wizard)
        for error, words in refusals:

            def refuse(*args: object, error: Exception = error, **kwargs: object) -> None:
                raise error

            with monkeypatch.context() as patch:
                patch.setattr(password_reset, "reset", refuse)
                await pilot.press("ctrl+s")
                await settle(pilot)
            assert wizard.state.step == 2 and app.screen is wizard
            assert words in message(wizard)
            shown = screen_text(app)
            assert "Traceback" not in shown and "secret internals" not in shown
    assert "secret internals" not in caplog.text
    assert reset_events(portal_url) == []


async def test_escape_at_each_step_cancels_without_writing(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        for depth in range(3):
            wizard, outcomes = await open_wizard(pilot, seeded.user_id)
            if depth >= 1:
                fill_identity(wizard)
                await pilot.press("enter")
                await settle(pilot)
            if depth >= 2:
                await pilot.press("enter")
                await settle(pilot)
            assert wizard.state.step == depth
            for expected in range(depth, -1, -1):
                assert app.screen is wizard and wizard.state.step == expected
                await pilot.press("escape")
                await settle(pilot)
            assert app.screen is not wizard
            assert outcomes == [None]
    assert reset_events(portal_url) == []
    after = db_user(portal_url, seeded.user_id)
    assert after.locked_until is not None and after.must_change_password is False


async def test_hostile_names_are_shown_literally(portal_url: str) -> None:
    seeded = seed(portal_url, full_name="[bold red]Evil[/] \x1b[2J João")
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        shown = screen_text(app)
        assert "[bold red]Evil[/] ␛[2J João" in shown
        assert "\x1b" not in shown
        assert "The caller's name matches [bold red]Evil[/] ␛[2J João" in str(
            wizard.query_one("#check-name", WizardCheckbox).label
        )
        fill_identity(wizard, ticket="[b]INC-1[/b]", reason="[link=x]motivo[/link]")
        await pilot.press("enter", "enter")
        await settle(pilot)
        summary = screen_text(app)
        assert "Ticket: [b]INC-1[/b]" in summary
        assert "Reason: [link=x]motivo[/link]" in summary


async def test_help_lists_the_wizard_keys(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "Password reset" in shown and "Next" in shown and "Cancel" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen_stack[-1] is wizard


# ---------------------------------------------------------------------- keys to finish


async def test_temporary_password_reset_takes_at_most_12_keys(portal_url: str) -> None:
    """From the `r` on the customer screen to "I have read it", typed text not counted."""
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        keys = Keys(pilot)
        keys.count += 1  # the `r` on the customer screen that opens the wizard
        wizard, outcomes = await open_wizard(pilot, seeded.user_id)
        await keys.press("space")  # the caller's name matches
        await keys.press("tab", "space")  # the CNPJ was confirmed
        await keys.press("tab", "tab")  # past the optional call-back, to the ticket
        await keys.type(TICKET)
        await keys.press("tab")
        await keys.type(REASON)
        await keys.press("enter")  # → method: temporary password, unlock, end sessions
        assert wizard.state.step == 1
        await keys.press("enter")  # → confirmation
        assert wizard.state.step == 2
        await keys.press("ctrl+s")  # confirm (a key different from `r`)
        assert wizard.state.step == 3
        assert wizard.query_one(SecretDisplay).has_secret
        await keys.press("ctrl+d")  # I have read it to the customer
        assert outcomes and outcomes[0] is not None
        assert outcomes[0].method is ResetMethod.TEMPORARY_PASSWORD
    assert keys.count <= 12, keys.count
    (event,) = reset_events(portal_url)
    assert event.ticket_ref == TICKET and event.reason == REASON


async def test_locking_the_console_clears_a_copied_password(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        wizard, _ = await open_wizard(pilot, seeded.user_id, generate=lambda p: FIXED)
        await to_confirmation(pilot, wizard)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == FIXED
        await pilot.press("ctrl+l")  # the wizard offers the app's lock key too
        await settle(pilot)
        assert app.screen is not wizard  # hidden behind the lock (or closed by a logout)
        assert app.clipboard == ""


async def test_unknown_user_says_so_and_only_cancels(portal_url: str) -> None:
    seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, outcomes = await open_wizard(pilot, 999_999)
        assert "portal user not found" in message(wizard)
        assert not wizard.query_one("#reset-body").display
        await pilot.press("enter")  # the focused Cancel button
        await settle(pilot)
    assert outcomes == [None]


async def test_confirming_twice_quickly_resets_once(portal_url: str) -> None:
    seeded = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await open_wizard(pilot, seeded.user_id)
        await to_confirmation(pilot, wizard)
        await pilot.press("ctrl+s", "ctrl+s", "enter")  # a slip: the extra keys do nothing harmful
        await settle(pilot)
        assert wizard.state.step == 3
        assert app.screen is wizard  # the result is still there to be read
    assert len(reset_events(portal_url)) == 1
