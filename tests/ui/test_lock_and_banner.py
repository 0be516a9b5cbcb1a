"""Idle lock and the database-unavailable banner, with the pilot on a real SQLite database.

The idle lock is driven by a fake monotonic clock (``app.idle_clock.monotonic``) and a
short check interval, so no test waits minutes; the database outage by
monkeypatching ``db.check_connection`` and the service a screen calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from noc_console import db
from noc_console.app import NocApp
from noc_console.errors import DatabaseUnavailable
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.help import HelpScreen
from noc_console.screens.lock import LockScreen
from noc_console.screens.lock_state import MAX_UNLOCK_ATTEMPTS
from noc_console.screens.login import LoginScreen
from noc_console.screens.main import LookupScreen
from noc_console.screens.messages import DatabaseProblem
from noc_console.services.search import lookup
from noc_console.services.search.dto import SearchPage
from noc_console.widgets.banner import DbBanner
from tests.ui.helpers import (
    PASSWORD,
    SIZE,
    add_operator,
    build_console,
    count_audit,
    log_in,
    screen_text,
    search_for,
    seed_world,
    settle,
)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(portal_url: str) -> dict[str, int]:
    add_operator(portal_url)
    return seed_world(portal_url)


@pytest.fixture(autouse=True)
def fast_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NocApp, "IDLE_CHECK_SECONDS", 0.05)
    monkeypatch.setattr(NocApp, "DB_RETRY_SECONDS", 0.1)


class Peek(ModalScreen[None]):
    """A dialog some worker opens while the console is locked."""

    def compose(self) -> ComposeResult:
        yield Static("Padaria São João Ltda")


@dataclass(frozen=True)
class Console:
    app: NocApp
    pilot: Pilot[Any]
    clock: FakeMonotonic
    """The idle lock's clock: moved by hand, it never moves by itself."""


@asynccontextmanager
async def _console(
    portal_url: str, *, lang: str = "en", logged_in: bool = True, **settings: Any
) -> AsyncIterator[Console]:
    """The console running on ``portal_url``, its idle clock faked, alice logged in unless not."""
    app = build_console(portal_url, lang=lang, **settings)
    async with app.run_test(size=SIZE) as pilot:
        clock = FakeMonotonic()
        app.idle_clock.monotonic = clock
        app.note_activity()
        if logged_in:
            await log_in(pilot)
        yield Console(app, pilot, clock)


async def _lock(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+l")
    await settle(pilot)


async def _open_padaria(pilot: Any) -> CustomerScreen:
    await search_for(pilot, "padaria")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)
    return pilot.app.screen


async def _unlock(pilot: Any, password: str) -> None:
    field = pilot.app.screen.query_one("#lock-password", Input)
    field.value = password
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_idle_lock_hides_everything_and_returns_to_the_same_place(
    portal_url: str, world: dict[str, int]
) -> None:
    async with _console(portal_url, idle_lock_minutes=2) as console:
        app, pilot, clock = console.app, console.pilot, console.clock
        customer = await _open_padaria(pilot)
        customer.query_one("#users-table").focus()
        await pilot.press("down")  # input: the idle time starts again
        clock.now += 119
        await pilot.pause(0.2)
        assert not app.is_locked  # 1 second short
        clock.now += 2
        await pilot.pause(0.2)
        assert isinstance(app.screen, LockScreen)
        text = screen_text(app)
        for secret in ("Padaria", "Pão Quente", "11.222.333", "joao.silva", "Maria Souza"):
            assert secret not in text
        assert "Console locked" in text
        assert "Alice Souza (alice)" in text
        assert "after 2 minutes without input" in text
        # Opaque: the lock screen paints its own background, nothing shows through.
        assert app.screen.styles.background.a == 1
        assert not isinstance(app.screen, ModalScreen)
        # Wrong password: stays locked, says so, audited by the service.
        await _unlock(pilot, "not-my-password")
        assert isinstance(app.screen, LockScreen)
        assert "Wrong password" in screen_text(app)
        assert app.screen.query_one("#lock-password", Input).value == ""
        # Right password: back where the operator was, cursor and all.
        await _unlock(pilot, PASSWORD)
        assert app.screen is customer
        assert customer.selected_user() is not None
        assert customer.query_one("#users-table").has_focus
        assert customer.query_one("#users-table").cursor_row == 1
        # And the idle time starts again from the unlock.
        clock.now += 60
        await pilot.pause(0.2)
        assert not app.is_locked
    assert count_audit(portal_url, "console_unlock_failed") == 1
    assert count_audit(portal_url, "console_unlocked") == 1


async def test_lock_cannot_be_bypassed_by_keys_or_the_palette(
    portal_url: str, world: dict[str, int]
) -> None:
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        customer = await _open_padaria(pilot)
        await _lock(pilot)
        lock = app.screen
        assert isinstance(lock, LockScreen)
        for key in ("ctrl+p", "escape", "ctrl+l", "r", "e", "c", "a", "1", "slash", "tab"):
            await pilot.press(key)
            await settle(pilot)
            assert app.is_locked
            assert not any(isinstance(s, CommandPalette) for s in app.screen_stack)
        assert app.screen is lock
        # Actions run programmatically (a palette entry, a click) are refused too.
        for action in (
            "app.command_palette",
            "app.change_theme",
            "app.find_customer",
            "app.logout",
            "app.set_language('pt_BR')",
        ):
            await app.run_action(action)
            await settle(pilot)
            assert app.screen is lock, action
        # f1 shows the lock screen's own keys, and only quit/help from the rest.
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "Switch operator" in help_text
        assert "Reset password" not in help_text and "Commands" not in help_text
        await pilot.press("escape")
        assert app.screen is lock
        # A worker opening or closing a screen underneath waits for the unlock.
        customer.dismiss()
        app.push_screen(Peek())
        await settle(pilot)
        assert app.screen is lock
        assert not any(isinstance(s, Peek) for s in app.screen_stack)
        await _unlock(pilot, PASSWORD)
        assert not app.is_locked
        assert isinstance(app.screen, Peek)  # held back, now shown
        assert isinstance(app.screen_stack[-2], LookupScreen)  # the held-back close ran first


async def test_lock_over_a_dialog_keeps_the_stack(portal_url: str, world: dict[str, int]) -> None:
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        customer = await _open_padaria(pilot)
        await pilot.press("question_mark")
        dialog = app.screen
        assert isinstance(dialog, HelpScreen)
        await _lock(pilot)  # works inside a dialog too
        assert isinstance(app.screen, LockScreen)
        await _unlock(pilot, PASSWORD)
        stack: list[Screen[Any]] = app.screen_stack
        assert stack[-1] is dialog and stack[-2] is customer


async def test_switch_operator_logs_out(portal_url: str, world: dict[str, int]) -> None:
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        await _open_padaria(pilot)
        await _lock(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert len(app.screen_stack) == 2
        assert app.principal is None and not app.is_locked
        assert app.screen.query_one("#username", Input).value == "alice"
        await log_in(pilot)
        assert isinstance(app.screen, LookupScreen)
    assert count_audit(portal_url, "operator_logout") == 1


async def test_too_many_wrong_passwords_log_out(portal_url: str, world: dict[str, int]) -> None:
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        await _lock(pilot)
        for attempt in range(1, MAX_UNLOCK_ATTEMPTS):
            await _unlock(pilot, f"wrong-{attempt}")
            assert isinstance(app.screen, LockScreen)
            assert f"{MAX_UNLOCK_ATTEMPTS - attempt} attempts left" in screen_text(app)
        await _unlock(pilot, "wrong-last")
        assert isinstance(app.screen, LoginScreen)
        assert app.principal is None
    assert count_audit(portal_url, "console_unlock_failed") == MAX_UNLOCK_ATTEMPTS
    assert count_audit(portal_url, "console_unlocked") == 0


async def test_idle_lock_zero_disables_it(portal_url: str, world: dict[str, int]) -> None:
    async with _console(portal_url, idle_lock_minutes=0) as console:
        console.clock.now += 10 * 3600
        await console.pilot.pause(0.2)
        assert not console.app.is_locked
    # ... and nobody is locked out before logging in.
    async with _console(portal_url, idle_lock_minutes=1, logged_in=False) as console:
        await settle(console.pilot)
        console.clock.now += 3600
        await console.pilot.pause(0.2)
        assert isinstance(console.app.screen, LoginScreen)


def _banner(app: NocApp) -> str | None:
    banners = list(app.screen.query(DbBanner))
    if not banners:
        return None
    return str(banners[0].render())


async def test_banner_appears_on_every_screen_and_goes_away_by_itself(
    portal_url: str,
    world: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = {"value": True}
    real_check = db.check_connection

    def flaky_check(engine: Any) -> None:
        if down["value"]:
            raise DatabaseUnavailable("cannot reach the database server at postgresql://noc:***@db")
        real_check(engine)

    monkeypatch.setattr(db, "check_connection", flaky_check)
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        await search_for(pilot, "padaria")
        lookup = app.screen
        lookup.post_message(
            DatabaseProblem("could not connect to postgresql://noc:s3cret@db:5432/portal\nline 2")
        )
        await settle(pilot)
        banner = _banner(app)
        assert banner is not None
        assert "database unavailable — retrying…" in banner
        assert "s3cret" not in banner and "\n" not in banner
        # The banner is the first line of the screen, above the header.
        assert lookup.query_one(DbBanner).region.y == 0
        # The console keeps working with what it has: open the customer (the file is there).
        down["value"] = True
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await pilot.pause(0.2)
        assert _banner(app) is not None  # the new screen gets the banner too
        down["value"] = False
        await pilot.pause(0.4)
        await settle(pilot)
        assert _banner(app) is None
        assert not list(lookup.query(DbBanner))
        assert app.db_problem is None
        toasts = [str(n.message) for n in app._notifications]
        assert "Database available again" in toasts


async def test_search_failure_keeps_the_results_and_shows_the_banner(
    portal_url: str,
    world: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with _console(portal_url) as console:
        app, pilot = console.app, console.pilot
        await search_for(pilot, "silva")
        real_search = lookup.search
        real_check = db.check_connection

        def broken(*args: Any, **kw: Any) -> SearchPage:
            raise DatabaseUnavailable("cannot reach the database server")

        monkeypatch.setattr(lookup, "search", broken)
        monkeypatch.setattr(db, "check_connection", lambda engine: broken())
        await search_for(pilot, "silvx")
        assert _banner(app) is not None
        text = screen_text(app)
        assert "results below may be out of date" in text
        assert "3 customers" in text  # what was on screen stays
        assert "Traceback" not in text
        monkeypatch.setattr(lookup, "search", real_search)
        monkeypatch.setattr(db, "check_connection", real_check)
        await pilot.pause(0.4)
        await settle(pilot)
        assert _banner(app) is None


async def test_periodic_check_finds_an_outage_without_any_action(
    portal_url: str,
    world: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(NocApp, "HEALTH_CHECK_SECONDS", 0.1)

    def down(engine: Any) -> None:
        raise DatabaseUnavailable("cannot open the SQLite file of sqlite:///portal.sqlite3")

    async with _console(portal_url, lang="pt_BR") as console:
        app, pilot = console.app, console.pilot
        assert _banner(app) is None
        monkeypatch.setattr(db, "check_connection", down)
        await pilot.pause(0.4)
        await settle(pilot)
        banner = _banner(app)
        assert banner is not None and "cannot open the SQLite file" in banner
        # A language switch re-composes the screens: the banner stays, translated.
        await app.run_action("app.set_language('en')")
        await settle(pilot)
        banner = _banner(app)
        assert banner is not None and "database unavailable — retrying…" in banner
        assert isinstance(app.screen.query_one("#db-banner"), Static)
