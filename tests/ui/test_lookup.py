"""The customer lookup with the pilot on a real SQLite database: typing, stale answers, keys."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import Input

from noc_console.i18n import _
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.lookup import state as lookup_module
from noc_console.screens.lookup.state import LookupState
from noc_console.screens.main import LookupScreen, MainScreen
from noc_console.services.search import lookup
from noc_console.services.search.dto import SearchPage
from noc_console.widgets.results import ResultsTable
from noc_console.widgets.user_table import UserTable
from tests.support.factories import make_customer, make_portal_user
from tests.ui.helpers import (
    KeyCounter,
    add_operator,
    count_audit,
    logged_in,
    screen_text,
    search_for,
    settle,
    settle_lookup,
    table_rows,
)


@pytest.fixture
def world(portal_url: str) -> dict[str, int]:
    from tests.ui.helpers import seed_world

    add_operator(portal_url)
    return seed_world(portal_url)


def _rows(app: Any) -> list[str]:
    return table_rows(app.screen.query_one(ResultsTable))


def _opened(app: Any, customer_id: int) -> CustomerScreen:
    """The customer screen is on top, showing ``customer_id``."""
    screen = app.screen
    assert isinstance(screen, CustomerScreen)
    assert screen.customer_id == customer_id
    return screen


def test_main_screen_is_the_lookup() -> None:
    assert MainScreen is LookupScreen


async def test_typing_updates_results_as_you_type(
    portal_url: str, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    running: list[int] = [0, 0]  # now, most at once
    lock = threading.Lock()
    real_search = lookup.search

    def counting(*args: Any, **kw: Any) -> SearchPage:
        with lock:
            calls.append(args[2])
            running[0] += 1
            running[1] = max(running)
        try:
            return real_search(*args, **kw)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(lookup, "search", counting)
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#search", Input).has_focus
        await pilot.press(*"silva")  # one key at a time
        await settle_lookup(pilot)
        # At most one query per key, one at a time, the last one for the whole term.
        assert calls and calls[-1] == "silva"
        assert len(calls) <= 5 and len(set(calls)) == len(calls)
        assert all("silva".startswith(term) for term in calls)
        assert running[1] == 1
        rows = _rows(app)
        assert len(rows) == 3
        # Ranked (issue 16): 'silva' is a whole word of a name in all three, so by name.
        assert rows[0].startswith("Padaria São João Ltda · Pão Quente")
        assert "11.222.333/0001-81" in rows[0]
        assert "● active" in rows[0]
        assert "user name: João da Silva" in rows[0]
        assert rows[1].startswith("Rede Fibra Sul S.A.")
        assert "○ closed" in rows[1]
        assert "escalation contact: Marcos Silva" in rows[1]
        assert rows[2].startswith("Silva & Filhos Transportes Ltda · Transportes Silva")
        assert "11.444.777/0001-61" in rows[2]
        assert "◐ suspended" in rows[2]
        assert "legal name: Silva & Filhos Transportes Ltda" in rows[2]
        assert "3 customers" in screen_text(app)
        # Narrowing the term runs one more query.
        before = len(calls)
        await pilot.press("backspace")
        await settle_lookup(pilot)
        assert calls[before:] == ["silv"]
    # Searches are not audited (one per keystroke would drown the log).
    assert count_audit(portal_url, "customer_search") == 0


async def test_keys_typed_while_a_query_runs_are_asked_together(
    portal_url: str, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys typed while a query runs wait for it; its stale answer is dropped unseen and the
    whole term is asked once."""
    monkeypatch.setattr(lookup_module, "PATIENCE_SECONDS", 30.0)  # a slow query, not a hung one
    release = threading.Event()
    real_search = lookup.search
    calls: list[str] = []

    def slow_first(*args: Any, **kw: Any) -> SearchPage:
        calls.append(args[2])
        if len(calls) == 1:
            release.wait(10)
        return real_search(*args, **kw)

    shown: list[str] = []
    real_show = LookupState.show_page

    def recording(self: LookupState, term: str, *args: Any, **kw: Any) -> None:
        shown.append(term)
        real_show(self, term, *args, **kw)

    monkeypatch.setattr(lookup, "search", slow_first)
    monkeypatch.setattr(LookupState, "show_page", recording)
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        await pilot.press("s")  # asked at once, and hangs
        await pilot.press(*"ilva")  # typed while it runs: nothing more asked yet
        assert calls == ["s"]
        assert screen.searching
        release.set()
        await settle_lookup(pilot)
        assert calls == ["s", "silva"]  # one query for the keys typed meanwhile
        assert "s" not in shown  # the stale answer was never put on screen
        assert len(_rows(app)) == 3
        assert not screen.searching


async def test_other_reasons_contract_phone_and_cnpj(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "CT-2024-000123")
        assert _rows(app) and "contract: CT-2024-000123" in _rows(app)[0]
        await search_for(pilot, "(51) 98765-4321")
        rows = _rows(app)
        assert rows[0].startswith("Rede Fibra Sul S.A.")
        assert "contact phone: (51) 98765-4321" in rows[0]
        await search_for(pilot, "11222333000181")
        assert "CNPJ: 11.222.333/0001-81" in _rows(app)[0]


async def test_stale_answer_never_replaces_newer_results(
    portal_url: str, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first (older) query answers after the second: the second's results stay."""
    release = threading.Event()
    finished = threading.Event()
    real_search = lookup.search
    calls: list[str] = []

    def slow_first(*args: Any, **kw: Any) -> SearchPage:
        calls.append(args[2])
        page = real_search(*args, **kw)
        if len(calls) == 1:
            release.wait(10)
            finished.set()
        return page

    monkeypatch.setattr(lookup, "search", slow_first)
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        box = screen.query_one("#search", Input)
        box.value = "padaria"
        await pilot.pause(0.4)  # query 1 runs at once (and hangs)
        assert calls == ["padaria"]
        box.value = "rede"  # query 1 is past its patience: query 2 is not held back by it
        await pilot.pause(0.4)
        for _ in range(40):  # query 2 answers while query 1 still hangs
            if _rows(app):
                break
            await pilot.pause(0.05)
        assert calls == ["padaria", "rede"]
        assert [r.split(" | ")[0] for r in _rows(app)] == ["Rede Fibra Sul S.A."]
        release.set()
        assert finished.wait(5)
        await settle(pilot)
        await pilot.pause(0.2)
        assert [r.split(" | ")[0] for r in _rows(app)] == ["Rede Fibra Sul S.A."]
        assert box.value == "rede"


async def test_slash_focuses_the_box_and_down_enter_opens(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "silva")
        await pilot.press("down")  # from the box to the results
        table = app.screen.query_one(ResultsTable)
        assert table.has_focus
        await pilot.press("down")
        assert table.cursor_row == 1
        await pilot.press("slash")  # back to the box from anywhere, term selected
        box = app.screen.query_one("#search", Input)
        assert box.has_focus
        await pilot.press(*"rede")  # typing replaces the selected term
        assert box.value == "rede"
        await settle_lookup(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        _opened(app, world["rede"])


async def test_enter_right_after_typing_opens_the_first_result(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url) as pilot:
        await pilot.press(*"padaria", "enter")  # before the debounce fired
        await settle_lookup(pilot)
        _opened(pilot.app, world["padaria"])


async def test_find_by_cnpj_and_open_its_users_in_at_most_3_keys(
    portal_url: str, world: dict[str, int]
) -> None:
    """Acceptance: every key pressed after login is counted; typing the CNPJ is not."""
    async with logged_in(portal_url, lang="pt_BR") as pilot:
        keys = KeyCounter(pilot)
        await keys.type("11.222.333/0001-81")
        await keys.press("enter")
        await settle_lookup(pilot)
        users = _opened(pilot.app, world["padaria"]).query_one(UserTable)
        assert users.display and users.has_focus
        rows = table_rows(users)
        assert any("joao.silva" in row for row in rows)
        assert len(rows) == 6
        assert keys.count <= 3
        assert keys.count == 1


async def test_nothing_found_says_so_and_what_can_be_searched(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "zzzzzz")
        empty = app.screen.query_one("#empty-message")
        assert empty.display
        assert not app.screen.query_one(ResultsTable).display
        text = screen_text(app)
        assert "No customer matches “zzzzzz”" in text
        assert "You can search by:" in text
        assert "contract number" in text and "CNPJ" in text
        await pilot.press("enter")  # nothing to open: stays
        assert isinstance(app.screen, LookupScreen)
        await search_for(pilot, "zz")
        assert "Terms shorter than 3 characters" in screen_text(app)
        await search_for(pilot, "")  # an empty box: the guide, without "no match"
        assert app.screen.query_one("#empty-message").display
        text = screen_text(app)
        assert "Type to search" in text and "You can search by:" in text
        assert "No customer matches" not in text


async def test_pages_load_at_the_end_and_with_a_key(
    portal_url: str, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from noc_console.db import create_db_engine, session_factory

    monkeypatch.setattr(lookup_module, "PAGE_SIZE", 2)
    engine = create_db_engine(portal_url)
    with session_factory(engine).begin() as s:
        for i, cnpj in enumerate(("33000167000101", "60701190000104", "00000000000191")):
            make_customer(s, f"Padaria Filial {i + 1} Ltda", trade_name=None, cnpj=cnpj)
    engine.dispose()
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "padaria")  # 4 customers, 2 per page
        assert len(_rows(app)) == 2
        assert "more below" in screen_text(app)
        await pilot.press("ctrl+n")  # the key
        await settle_lookup(pilot)
        assert len(_rows(app)) == 4
        assert "more below" not in screen_text(app)
        names = [row.split(" | ")[0] for row in _rows(app)]
        assert len(set(names)) == 4
        # Now with the cursor: reaching the last row loads the next page.
        monkeypatch.setattr(lookup_module, "PAGE_SIZE", 1)
        await search_for(pilot, "filial")
        assert len(_rows(app)) == 1
        await pilot.press("down")  # focus the results: the cursor is on the last row
        await settle_lookup(pilot)
        assert len(_rows(app)) == 2
        await pilot.press("down")  # the new last row
        await settle_lookup(pilot)
        assert len(_rows(app)) == 3
        assert app.screen.query_one(ResultsTable).cursor_row == 1
        assert {row.split(" | ")[0] for row in _rows(app)} == {
            "Padaria Filial 1 Ltda",
            "Padaria Filial 2 Ltda",
            "Padaria Filial 3 Ltda",
        }


async def test_validation_errors_shown_under_the_box(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "silva")
        await search_for(pilot, "x" * 201)
        error = app.screen.query_one("#search-error")
        assert error.display
        assert "too long (at most 200 characters)" in screen_text(app)
        assert not app.screen.query_one(ResultsTable).display
        await search_for(pilot, "evil\x1b[2J")
        assert "contains control characters" in screen_text(app)
        assert "Traceback" not in screen_text(app)
        await search_for(pilot, "silva")
        assert not app.screen.query_one("#search-error").display
        assert len(_rows(app)) == 3


async def test_hostile_names_are_shown_literally(portal_url: str) -> None:
    from noc_console.db import create_db_engine, session_factory

    add_operator(portal_url)
    engine = create_db_engine(portal_url)
    with session_factory(engine).begin() as s:
        evil = make_customer(
            s,
            "[bold red]Evil[/] Ltda \x1b[2J",
            trade_name="[link=x]T[/link]",
            cnpj="07526557000100",
        )
        make_portal_user(s, evil, full_name="[b]Eve[/b]", login="eve.evil")
    engine.dispose()
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "evil")
        rows = _rows(app)
        assert rows[0].startswith("[bold red]Evil[/] Ltda ␛[2J · [link=x]T[/link]")
        assert "\x1b" not in "".join(rows)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        header = screen_text(app)
        assert "[bold red]Evil[/] Ltda ␛[2J" in header
        assert "[b]Eve[/b]" in table_rows(app.screen.query_one(UserTable))[0]


async def test_language_switch_keeps_term_results_and_cursor(
    portal_url: str, world: dict[str, int]
) -> None:
    async with logged_in(portal_url, lang="pt_BR") as pilot:
        app = pilot.app
        await search_for(pilot, "silva")
        await pilot.press("down", "down")
        assert "◐ " + _("suspended") in _rows(app)[2]
        await app.run_action("app.set_language('en')")
        await settle_lookup(pilot)
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        assert screen.query_one("#search", Input).value == "silva"
        rows = _rows(app)
        assert len(rows) == 3 and "◐ suspended" in rows[2]
        assert "user name: João da Silva" in rows[0]
        assert screen.query_one(ResultsTable).cursor_row == 1
        assert screen.query_one(ResultsTable).has_focus
        labels = [str(c.label) for c in screen.query_one(ResultsTable).columns.values()]
        assert "Why it matched" in labels
        assert "Find customer" in screen_text(app)
