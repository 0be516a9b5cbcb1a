"""The app shell with the pilot on a real SQLite database: login, markers, help, palette, keys."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from noc_console import i18n, secrets
from noc_console.app import NocApp, make_app
from noc_console.errors import DatabaseUnavailable
from noc_console.gc_policy import FULL_THRESHOLD
from noc_console.i18n import _
from noc_console.screens.help import HelpScreen
from noc_console.screens.login import LoginScreen
from noc_console.screens.main import MainScreen
from noc_console.screens.session import DbConnected, DbUnavailable
from noc_console.services.auth import MAX_FAILED_LOGINS
from noc_console.widgets.session_bar import SessionBar
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import (
    HASHER,
    PASSWORD,
    SIZE,
    add_audit,
    add_operator,
    build_app,
    count_audit,
    log_in,
    screen_text,
    settings_for,
    settle,
    stable_copy,
)

UNREACHABLE = "postgresql+psycopg://nobody:pw@127.0.0.1:1/x"


@asynccontextmanager
async def _login_screen(
    portal_url: str, lang: str = "en"
) -> AsyncIterator[tuple[NocApp, Pilot[Any]]]:
    """The console on a database with alice, its login screen shown and connected."""
    add_operator(portal_url)
    app = build_app(portal_url, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        yield app, pilot


async def test_login_shows_operator_role_and_database(portal_url: str) -> None:
    add_operator(portal_url)
    app = build_app(portal_url, lang="pt_BR")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, typed=True)
        assert isinstance(app.screen, MainScreen)
        bar = app.screen.query_one(SessionBar).plain
        assert "Alice Souza" in bar
        assert "(supervisor)" in bar
        assert "portal.sqlite3 (SQLite)" in bar
        assert "DEMO" not in bar
        assert "SOMENTE LEITURA" not in bar
        # The home screen is the customer lookup, its search box ready for typing.
        assert app.screen.query_one("#search", Input).has_focus
        assert _("Find customer") in screen_text(app)
    assert count_audit(portal_url, "operator_login") == 1


async def test_demo_and_read_only_markers_always_visible(portal_url: str) -> None:
    add_operator(portal_url, role="analyst", display_name="Bruno Lima", username="bruno")
    add_audit(portal_url, "demo_seeded")
    app = build_app(portal_url, lang="en", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        login_status = str(app.screen.query_one("#db-status").content)
        assert "DEMO" in login_status
        assert "READ-ONLY" in login_status
        await log_in(pilot, "bruno")
        assert isinstance(app.screen, MainScreen)
        bar = app.screen.query_one(SessionBar).plain
        assert "Bruno Lima (analyst)" in bar
        assert "DEMO" in bar
        assert "READ-ONLY" in bar
        text = screen_text(app)
        assert "Read-only mode" in text
        assert "reset portal passwords" not in text  # a write: refused in read-only
        assert "see contract values" not in text  # not for analysts


async def test_wrong_password_stays_on_login_then_locks(portal_url: str) -> None:
    add_operator(portal_url)
    app = build_app(portal_url, lang="pt_BR")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, password="wrong-password-1")
        assert isinstance(app.screen, LoginScreen)
        message = str(app.screen.query_one("#login-message").content)
        assert message == "usuário ou senha incorretos"
        assert app.screen.query_one("#password", Input).value == ""
        for _ in range(MAX_FAILED_LOGINS - 1):
            await log_in(pilot, password="wrong-password-1")
        message = str(app.screen.query_one("#login-message").content)
        assert "bloqueada por 15 minutos" in message
        # Even the right password is refused while locked, and says until when.
        await log_in(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "bloqueada até" in str(app.screen.query_one("#login-message").content)
    assert count_audit(portal_url, "operator_login_failed") == MAX_FAILED_LOGINS + 1
    assert count_audit(portal_url, "operator_login") == 0


async def test_inactive_operator_is_refused(portal_url: str) -> None:
    add_operator(portal_url, active=False)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "disabled" in str(app.screen.query_one("#login-message").content)
    assert count_audit(portal_url, "operator_login") == 0


async def test_empty_fields_are_explained_without_a_query(portal_url: str) -> None:
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#login")
        await settle(pilot)
        assert str(app.screen.query_one("#login-message").content) == "Enter your username."
    assert count_audit(portal_url, "operator_login_failed") == 0


async def test_unreachable_database_one_line_masked_and_retry(tmp_path: Path) -> None:
    app = build_app(UNREACHABLE, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.db_state, DbUnavailable)
        line = str(app.screen.query_one("#db-error").content)
        assert line.startswith("Database unavailable:")
        assert "127.0.0.1:1" in line
        assert "pw" not in line
        assert "\n" not in line
        assert "Traceback" not in screen_text(app)
        assert app.screen.query_one("#retry").display
        await pilot.press("ctrl+r")  # the key ...
        await settle(pilot)
        assert isinstance(app.db_state, DbUnavailable)
        await pilot.click("#retry")  # ... and the button
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert isinstance(app.db_state, DbUnavailable)
        assert app.connection.attempt == 3
        # Logging in is refused in words while the database is down.
        await log_in(pilot)
        assert "unavailable" in str(app.screen.query_one("#login-message").content)


async def test_schema_not_migrated_names_the_upgrade_command(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'empty.sqlite3'}"
    app = build_app(url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = str(app.screen.query_one("#db-error").content)
        assert "noc-console db upgrade" in line
        assert "none (empty database)" in line


async def test_database_password_asked_and_used_once(
    portal_url: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    """When the server wants a password we lack, the login screen asks for it and retries."""
    from noc_console.services import system

    add_operator(portal_url)
    real_open = system.open_database
    seen: list[str | None] = []

    def picky_open(url: str, *, password: str | None = None, **kw: object) -> object:
        seen.append(password)
        if password != "db-secret":
            raise DatabaseUnavailable("the server refused the password", needs_password=True)
        return real_open(url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(system, "open_database", picky_open)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#db-password", Input)
        assert field.display and field.password and field.has_focus
        field.value = "db-secret"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.db_state, DbConnected)
        assert not app.screen.query_one("#db-password-row").display
        await log_in(pilot)
        assert isinstance(app.screen, MainScreen)
    assert seen == [None, "db-secret"]
    assert "db-secret" not in memory_keyring.store.values()


async def test_help_lists_the_keys_of_the_current_screen(portal_url: str) -> None:
    async with _login_screen(portal_url, lang="pt_BR") as (app, pilot):
        await pilot.press("f1")  # the username field has focus: ? would be typed
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Tela de login" in text
        assert "Próximo campo" in text and "Ajuda" in text and "Sair" in text
        assert "Bloquear" not in text  # not logged in: lock is not available
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)
        await log_in(pilot)
        await pilot.press("f1")  # the search box has focus: ? would be typed into it
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert _("Customer lookup") in text
        assert "Bloquear" in text and "^l" in text
        assert "? / f1" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keymap_from_settings_remaps_help(portal_url: str) -> None:
    add_operator(portal_url)
    app = build_app(portal_url, lang="en", keymap={"app.help": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)
        assert "f2" in screen_text(app)


async def _palette_prompts(pilot: object, app: object) -> list[str]:
    command_list = app.screen.query_one(CommandList)  # type: ignore[attr-defined]
    return [
        str(command_list.get_option_at_index(i).prompt) for i in range(command_list.option_count)
    ]


async def test_palette_lists_commands_and_switches_language(portal_url: str) -> None:
    add_operator(portal_url)
    app = build_app(portal_url, lang="pt_BR")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        assert _("Find customer") in screen_text(app)
        assert "f1 Ajuda" in screen_text(app)  # ? types into the focused search box
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        prompts = "\n".join(await _palette_prompts(pilot, app))
        for title in ("Ajuda", "Idioma: English", "Mudar tema", "Bloquear", "Sair"):
            assert title in prompts
        await pilot.press(*"English")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert i18n.current_language() == "en"
        assert isinstance(app.screen, MainScreen)
        text = screen_text(app)
        assert "Find customer" in text
        assert "f1 Help" in text and "^l Lock" in text
        assert "(supervisor)" in app.screen.query_one(SessionBar).plain
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Portugu")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert i18n.current_language() == "pt_BR"
        assert _("Find customer") in screen_text(app)
        assert "f1 Ajuda" in screen_text(app)


async def test_language_switch_on_login_keeps_what_was_typed(portal_url: str) -> None:
    async with _login_screen(portal_url) as (app, pilot):
        await pilot.press(*"alice")
        await app.run_action("app.set_language('pt_BR')")
        await settle(pilot)
        assert "Entrar" in screen_text(app)
        assert app.screen.query_one("#username", Input).value == "alice"
        assert app.screen.query_one("#username", Input).has_focus
        await pilot.press("enter")
        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_logout_goes_back_to_login_and_audits(portal_url: str) -> None:
    """Log out (a palette command; ctrl+l now locks, see test_lock_and_banner.py)."""
    add_operator(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await app.run_action("app.logout")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.principal is None
        assert app.screen.query_one("#username", Input).value == "alice"
        assert app.screen.query_one("#password", Input).has_focus
        await log_in(pilot)
        assert isinstance(app.screen, MainScreen)
    assert count_audit(portal_url, "operator_logout") == 1
    assert count_audit(portal_url, "operator_login") == 2


async def test_remember_me_stores_and_fills_the_password(
    portal_url: str, memory_keyring: MemoryKeyring
) -> None:
    async with _login_screen(portal_url) as (app, pilot):
        checkbox = app.screen.query_one("#remember", Checkbox)
        assert not checkbox.disabled
        checkbox.value = True
        await log_in(pilot)
        assert isinstance(app.screen, MainScreen)
        state = app.db_state
        assert isinstance(state, DbConnected)
        account = secrets.operator_account("alice", state.info.masked_url)
        assert memory_keyring.store == {(secrets.SERVICE, account): PASSWORD}
        # Next time: the username is enough, the keyring fills the password.
        await app.run_action("app.logout")
        await settle(pilot)
        app.screen.query_one("#username", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#password", Input).value == PASSWORD
        assert app.screen.query_one("#remember", Checkbox).value
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_remember_me_disabled_without_keyring(
    portal_url: str, no_keyring: None, memory_keyring: MemoryKeyring
) -> None:
    async with _login_screen(portal_url) as (app, pilot):
        checkbox = app.screen.query_one("#remember", Checkbox)
        assert checkbox.disabled
        assert "no system keyring" in str(app.screen.query_one("#remember-note").content)
        await pilot.click("#remember")
        assert not checkbox.value
        await log_in(pilot)
        assert isinstance(app.screen, MainScreen)
    assert memory_keyring.store == {}


async def test_logs_operator_actions_never_the_password(
    portal_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_operator(portal_url)
    app = build_app(portal_url, lang="en")
    with caplog.at_level(logging.INFO):
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot)
            await app.run_action("app.set_language('pt_BR')")
            await app.run_action("app.logout")
            await settle(pilot)
    messages = [record.getMessage() for record in caplog.records]
    assert any("login operator=alice" in m for m in messages)
    assert any("language operator=alice lang=pt_BR" in m for m in messages)
    assert any("logout operator=alice" in m for m in messages)
    assert not any(PASSWORD in m for m in messages)


def test_first_paint_does_not_import_the_database_stack() -> None:
    """Start-up is benchmarked: SQLAlchemy, Alembic and the driver load in the connect worker."""
    code = (
        "import sys, noc_console.app\n"
        "print(' '.join(m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_app_import_leaves_the_other_screens_for_later() -> None:
    """Start-up is benchmarked: only the login screen is imported with the app."""
    later = (
        "noc_console.runtime.palette",
        "noc_console.screens.help",
        "noc_console.screens.lock",
        "noc_console.screens.commands",
        "noc_console.screens.main",
        "noc_console.widgets.banner",
        "noc_console.widgets.session_bar",
    )
    code = (
        "import sys, noc_console.cli, noc_console.app\n"
        f"print(' '.join(m for m in {later!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


async def test_gc_policy_applied_while_the_console_runs_and_undone_at_exit(
    portal_url: str,
) -> None:
    add_operator(portal_url)
    before = gc.get_threshold()
    app = build_app(portal_url, lang="en")  # the policy is on unless the app is told otherwise
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.db_state, DbConnected)
        assert gc.get_threshold() == (before[0], before[1], max(before[2], FULL_THRESHOLD))
        assert gc.get_freeze_count() > 0  # frozen once the database was ready
        await log_in(pilot)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert gc.get_freeze_count() > 0  # collected and frozen again after login
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


async def test_gc_policy_off_leaves_the_collector_alone(portal_url: str) -> None:
    add_operator(portal_url)
    before = gc.get_threshold()
    app = make_app(settings_for(portal_url, lang="en"), hasher=HASHER, gc_policy=False)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        assert isinstance(app.screen, MainScreen)
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


async def test_markers_stay_visible_with_a_long_database_name(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The DEMO / READ-ONLY markers are never cut off by a long database name."""
    url = stable_copy(sqlite_url, tmp_path, name="portal-" + "x" * 150 + ".sqlite3")
    add_operator(url)
    add_audit(url, "demo_seeded")
    app = build_app(url, lang="en", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        marks = app.screen.query_one("#session-markers")
        assert "DEMO" in str(marks.content) and "READ-ONLY" in str(marks.content)
        assert marks.region.width >= len("  DEMO    READ-ONLY ")
        assert marks.region.right <= SIZE[0]
        who = app.screen.query_one("#session-who")
        assert "Alice Souza" in who.render_line(0).text
        assert who.render_line(0).text.rstrip().endswith("…")


async def test_ui_answers_while_the_database_is_slow(
    portal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection runs in a worker: the screen shows it is connecting and keys still work."""
    import threading

    from noc_console.services import system

    release = threading.Event()
    real_open = system.open_database

    def slow_open(url: str, **kw: object) -> object:
        release.wait(10)
        return real_open(url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(system, "open_database", slow_open)
    add_operator(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#db-spinner").display
        assert "Connecting" in str(app.screen.query_one("#db-status").content)
        await pilot.click("#login")
        assert "Still connecting" in str(app.screen.query_one("#login-message").content)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert isinstance(app.db_state, DbConnected)
        assert not app.screen.query_one("#db-spinner").display
