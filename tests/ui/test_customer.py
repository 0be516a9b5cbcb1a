"""The customer view with the pilot on a real SQLite database: header, tabs, keys per role."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from sqlalchemy import select
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, TabbedContent

from noc_console.db import create_db_engine, session_factory
from noc_console.i18n import _
from noc_console.models import AuditEvent, PortalUser
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.main import LookupScreen
from noc_console.widgets.results import ResultsTable
from noc_console.widgets.user_table import UserTable
from tests.ui.helpers import (
    add_operator,
    logged_in,
    screen_text,
    search_for,
    seed_world,
    settle,
    table_rows,
)


@pytest.fixture
def world(portal_url: str) -> dict[str, int]:
    add_operator(portal_url)  # alice, supervisor
    add_operator(portal_url, "bruno", display_name="Bruno Lima", role="analyst")
    add_operator(portal_url, "olga", display_name="Olga Reis", role="operator")
    return seed_world(portal_url)


async def open_customer(pilot: Any, term: str = "padaria") -> CustomerScreen:
    await search_for(pilot, term)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


def _users(screen: CustomerScreen) -> dict[str, str]:
    """Rows of the Users tab by login."""
    return {row.split(" | ")[1].strip(): row for row in table_rows(screen.query_one(UserTable))}


def _enabled(app: Any, key: str) -> bool | None:
    """True: offered; None: shown greyed out; False: not shown at all."""
    binding = app.screen.active_bindings.get(key)
    if binding is None:
        return False
    return True if binding.enabled else None


def _audit_actions(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        with session_factory(engine)() as s:
            return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


async def test_header_and_tabs_show_the_customer(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        screen = await open_customer(pilot)
        header = str(screen.query_one("#customer-header").content)
        assert "Padaria São João Ltda" in header
        assert "Trade name: Pão Quente" in header
        assert "CNPJ: 11.222.333/0001-81" in header
        assert "● active" in header
        # Users: one row each, state in words (times in São Paulo: the clock is 10:10 there).
        users = _users(screen)
        assert len(users) == 6
        assert "João da Silva" in users["joao.silva"]
        assert "level 1" in users["joao.silva"]
        assert "● active" in users["joao.silva"]
        assert "🔒 locked until 10:30" in users["maria.souza"]
        assert "⏳ temporary password expires 26/11 10:10" in users["pedro.alves"]
        assert "⚠ must change password" in users["ana.costa"]
        assert "✖ temporary password expired" in users["carla.dias"]
        assert "○ inactive" in users["jose.inativo"]
        assert "11/25/26, 10:10" in users["joao.silva"]  # last password change (Babel)
        assert "Times in America/Sao_Paulo." in screen_text(app)
        # Escalation: the chain, phones formatted, the waits, and when each level is reached.
        await pilot.press("2")
        assert screen.query_one(TabbedContent).active == "escalation"
        text = screen_text(app)
        assert "Maria Souza" in text and "Carlos Lima" in text and "Beatriz Rocha" in text
        assert "(11) 91234-5678" in text
        assert "maria@empresa.com.br" in text
        assert "immediately" in text
        assert "15 min after level 1" in text and "60 min after level 2" in text
        assert (
            "If an incident started now: incident at 10:10 → L1 10:10, L2 10:25, L3 11:25"
            " (America/Sao_Paulo)" in text
        )
        assert "e edits the chain." in text
        # Contracts: counts only; the supervisor is pointed at the browser for values.
        await pilot.press("3")
        text = screen_text(app)
        assert "Active contracts: 1" in text and "Inactive contracts: 1" in text
        assert "with values and totals" in text
        assert "R$" not in text
        await pilot.press("1")
        assert screen.query_one(TabbedContent).active == "users"
        assert screen.query_one(UserTable).has_focus


async def test_found_by_a_user_starts_on_that_user(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        screen = await open_customer(pilot, "carla.dias")
        user = screen.selected_user()
        assert user is not None and user.login == "carla.dias"


async def test_esc_goes_back_with_the_search_kept(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "silva")
        lookup = app.screen
        second = lookup.query_one(ResultsTable).records[1]  # all three hold "silva" as a word
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer_id == second.customer_id
        assert second.customer_id in (world["padaria"], world["silva"], world["rede"])
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is lookup
        assert lookup.query_one("#search", Input).value == "silva"
        table = lookup.query_one(ResultsTable)
        assert len(table_rows(table)) == 3
        assert table.cursor_row == 1 and table.has_focus


async def test_unknown_customer_says_so(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        lookup = app.screen
        assert isinstance(lookup, LookupScreen)
        app.push_screen(CustomerScreen(lookup.ctx, lookup.principal, 987654))
        await settle(pilot)
        text = screen_text(app)
        assert "customer not found" in text and "esc goes back to the lookup" in text
        assert not app.screen.query_one(TabbedContent).display
        assert _enabled(app, "r") is None and _enabled(app, "e") is None
        await pilot.press("escape")
        assert app.screen is lookup


async def test_read_only_greys_out_reset_and_escalation(
    portal_url: str, world: dict[str, int]
) -> None:
    before = _audit_actions(portal_url)
    async with logged_in(portal_url, read_only=True) as pilot:
        app = pilot.app
        screen = await open_customer(pilot)
        assert _enabled(app, "r") is None  # shown, greyed out
        assert _enabled(app, "e") is None
        assert _enabled(app, "c") is True
        assert _enabled(app, "a") is True  # reading the audit log is not a write
        text = screen_text(app)
        assert "Read-only mode: password resets (r) and escalation edits (e) are disabled." in text
        assert "READ-ONLY" in text
        await pilot.press("r", "e")
        await settle(pilot)
        assert app.screen is screen  # nothing opened
        await pilot.press("ctrl+p")
        await settle(pilot)
        prompts = "\n".join(_palette_prompts(app))
        assert "Reset password" not in prompts and "Edit escalation" not in prompts
        await pilot.press("escape")
    # Nothing written: the only new audit rows are the login's.
    assert _audit_actions(portal_url)[len(before) :] == ["operator_login"]
    engine = create_db_engine(portal_url)
    with session_factory(engine)() as s:
        joao = s.get_one(PortalUser, world["joao.silva"])
        assert joao.version == 1 and not joao.must_change_password
    engine.dispose()


async def test_analyst_keys_and_restricted_values(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url, "bruno") as pilot:
        app = pilot.app
        await open_customer(pilot)
        assert _enabled(app, "r") is True
        assert _enabled(app, "e") is None  # the role lacks it: greyed, with the reason
        assert _enabled(app, "c") is True
        assert _enabled(app, "a") is False  # supervisors only: not offered at all
        text = screen_text(app)
        assert "Your role (analyst) may not edit escalation chains: e is disabled." in text
        await pilot.press("3")
        text = screen_text(app)
        assert "Contract values are restricted to supervisors" in text
        assert "R$" not in text
        await pilot.press("ctrl+p")
        await settle(pilot)
        prompts = "\n".join(_palette_prompts(app))
        assert "Reset password of the selected user" in prompts
        assert "Contracts" in prompts
        assert "Edit escalation" not in prompts and "Audit log" not in prompts


async def test_operator_may_edit_but_not_audit(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url, "olga") as pilot:
        app = pilot.app
        await open_customer(pilot)
        assert _enabled(app, "r") is True and _enabled(app, "e") is True
        assert _enabled(app, "a") is False
        assert not app.screen.query_one("#mode-note").display


def _palette_prompts(app: Any) -> list[str]:
    assert isinstance(app.screen, CommandPalette)
    command_list = app.screen.query_one(CommandList)
    return [
        str(command_list.get_option_at_index(i).prompt) for i in range(command_list.option_count)
    ]


async def test_palette_on_the_customer_screen(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "padaria")
        lookup = app.screen
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        prompts = "\n".join(_palette_prompts(app))
        for title in (
            "Find customer",
            "Reset password of the selected user",
            "Edit escalation",
            "Contracts",
            "Audit log of this customer",
            "Switch theme",
            "Language: Português (Brasil)",
            "Lock",
            "Log out",
        ):
            assert title in prompts, title
        await pilot.press(*"Find customer")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is lookup
        box = lookup.query_one("#search", Input)
        assert box.has_focus and box.value == "padaria"


async def test_language_switch_on_the_customer_screen(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url, lang="pt_BR") as pilot:
        app = pilot.app
        screen = await open_customer(pilot)
        await pilot.press("down", "down", "2")
        assert _("immediately") in screen_text(app)
        await app.run_action("app.set_language('en')")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(TabbedContent).active == "escalation"
        text = screen_text(app)
        assert "immediately" in text and "If an incident started now" in text
        await pilot.press("1")
        selected = screen.selected_user()
        assert (
            selected is not None
            and selected.login == table_rows(screen.query_one(UserTable))[2].split(" | ")[1].strip()
        )
        assert "● active" in _users(screen)["joao.silva"]
        assert "Back" in screen_text(app)


@pytest.mark.skipif(
    importlib.util.find_spec("noc_console.screens.reset") is None,
    reason="the reset wizard is another engineer's part",
)
async def test_reset_key_opens_the_wizard_and_toasts_the_outcome(
    portal_url: str, world: dict[str, int]
) -> None:
    from noc_console.screens.reset.screen import ResetWizard
    from noc_console.screens.reset.state import ResetOutcome
    from noc_console.services.password_reset import ResetMethod

    def fixed(policy: object) -> str:
        return "Fixa-Senha-Teste-2026-Longa"

    async with logged_in(portal_url, password_generator=fixed) as pilot:
        app = pilot.app
        screen = await open_customer(pilot, "joao.silva")
        await pilot.press("r")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, ResetWizard)
        assert getattr(wizard, "user_id", world["joao.silva"]) == world["joao.silva"]
        wizard.dismiss(
            ResetOutcome(
                user_id=world["joao.silva"],
                login="joao.silva",
                method=ResetMethod.TEMPORARY_PASSWORD,
                sessions_ended=0,
                unlocked=False,
            )
        )
        await settle(pilot)
        assert app.screen is screen
        toasts = [str(n.message) for n in app._notifications]
        assert "Temporary password issued for joao.silva" in toasts
        # Back on the customer, the users were reloaded and the cursor kept.
        selected = screen.selected_user()
        assert selected is not None and selected.login == "joao.silva"
