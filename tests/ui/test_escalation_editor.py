"""The escalation editor with the pilot on a real SQLite database.

Each test opens the editor the way the customer screen does (``e`` pushes
``EscalationEditor``) on top of the logged-in main screen, drives it with
keys, and checks the database (chain, contacts, version, audit events) as
well as the screen. Strings of the editor itself are asserted in English
(the pt_BR catalog is updated in a separate pass); the service's messages
are asserted in pt_BR, where they are already translated.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rich.console import Console
from rich.text import Text
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from noc_console.app import NocApp
from noc_console.db import create_db_engine, session_factory
from noc_console.errors import DatabaseUnavailable, PermissionDenied
from noc_console.i18n import _
from noc_console.models import EscalationChain
from noc_console.screens.escalation.form import RowValues
from noc_console.screens.escalation.screen import VALIDATION_DELAY, EscalationEditor
from noc_console.screens.main import MainScreen
from noc_console.screens.session import DbConnected
from noc_console.widgets.confirm import ConfirmModal
from noc_console.widgets.escalation_conflict import ConflictPanel
from tests.support.factories import make_chain, make_customer
from tests.ui.helpers import (
    SIZE,
    add_operator,
    build_app,
    count_audit,
    log_in,
    settle,
)

SAVED = "escalation_chain_saved"
Levels = dict[int, tuple[str, str | None, str | None, int]]
Editing = tuple[NocApp, Pilot[Any], EscalationEditor, int]


# ----------------------------------------------------------------------------- helpers


def seed(url: str, levels: list[tuple[str, str | None, str | None, int]] | None = None) -> int:
    """One customer with the factory's three-level chain (or ``levels``); returns its id."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s)
            make_chain(s, customer, levels)
            return customer.id
    finally:
        engine.dispose()


def stored(url: str, customer_id: int) -> tuple[int, str | None, Levels]:
    """(version, updated_by, {level: (name, phone, email, delay)}) as committed."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine)() as s:
            chain = s.scalars(
                select(EscalationChain).where(EscalationChain.customer_id == customer_id)
            ).one()
            return (
                chain.version,
                chain.updated_by,
                {
                    c.level: (c.name, c.phone, c.email, c.delay_minutes)
                    for c in sorted(chain.contacts, key=lambda c: c.level)
                },
            )
    finally:
        engine.dispose()


async def open_editor(pilot: Pilot[Any], customer_id: int, **kwargs: Any) -> EscalationEditor:
    """What the customer screen's ``e`` does: push the editor; wait until the chain is loaded."""
    app = pilot.app
    assert isinstance(app, NocApp)
    state = app.db_state
    assert isinstance(state, DbConnected) and app.principal is not None
    editor = EscalationEditor(state.ctx, app.principal, customer_id, **kwargs)
    await app.push_screen(editor)
    await settle(pilot)
    return editor


async def start(
    url: str, pilot: Pilot[Any], customer_id: int, username: str = "alice", **kwargs: Any
) -> EscalationEditor:
    await log_in(pilot, username)
    assert isinstance(pilot.app.screen, MainScreen)
    return await open_editor(pilot, customer_id, **kwargs)


@asynccontextmanager
async def editing(
    url: str,
    *,
    lang: str,
    levels: list[tuple[str, str | None, str | None, int]] | None = None,
    username: str = "alice",
    display_name: str = "Alice Souza",
    role: str = "operator",
    read_only: bool = False,
) -> AsyncIterator[Editing]:
    """The usual set-up: an operator, a customer with a chain, the app, the editor open on it."""
    add_operator(url, username, display_name=display_name, role=role)
    cid = seed(url, levels)
    options: dict[str, Any] = {"read_only": True} if read_only else {}
    app = build_app(url, lang=lang, **options)
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot, await start(url, pilot, cid, username, **options), cid


async def pressed(pilot: Pilot[Any], key: str) -> None:
    """Press a key and wait for the workers it started (a load, a save) and their answers."""
    await pilot.press(key)
    await settle(pilot)


async def typed(pilot: Pilot[Any]) -> None:
    """Let the debounced live validation run (however slow the machine is)."""
    await pilot.pause()
    for _attempt in range(100):
        screen = pilot.app.screen
        if not isinstance(screen, EscalationEditor) or not screen.state.validation_pending:
            break
        await pilot.pause(VALIDATION_DELAY / 3)
    await pilot.pause()


def field(editor: EscalationEditor, level: int, name: str) -> Input:
    return editor.query_one(f"#level{level}-{name}", Input)


async def set_field(
    pilot: Pilot[Any], editor: EscalationEditor, level: int, name: str, value: str
) -> None:
    """Focus a field and replace its text (as if typed or pasted)."""
    widget = field(editor, level, name)
    widget.focus()
    widget.value = value
    await typed(pilot)


def text_of(editor: EscalationEditor, selector: str) -> str:
    """What a Static shows, as plain text (tables rendered as the terminal would)."""
    content = editor.query_one(selector, Static).content
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    console = Console(width=SIZE[0], file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def message(editor: EscalationEditor, level: int, name: str) -> str:
    """The service's messages the row shows now for one field."""
    return " ".join(editor.row(level).messages.get(name, []))


def row_text(editor: EscalationEditor, level: int) -> str:
    return text_of(editor, f"#level{level} .row-messages")


def timeline(editor: EscalationEditor) -> str:
    return text_of(editor, "#timeline-text")


def top(app: NocApp) -> object:
    """The active screen (a function, so a type checker does not narrow it between presses)."""
    return app.screen


def notifications(app: NocApp) -> list[str]:
    return [n.message for n in app._notifications]


class KeyCounter:
    """Presses keys through the pilot and counts them (typed text is not counted).

    Not tests.ui.helpers.KeyCounter: that one inserts typed text at the cursor,
    and here the typed wait must replace the selected one, as keys do.
    """

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            self.count += 1

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)


# ------------------------------------------------------------------------ edit and save


async def test_change_the_level_2_wait_and_save_in_at_most_6_keys(portal_url: str) -> None:
    add_operator(portal_url, role="operator")
    cid = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        keys = KeyCounter(pilot)
        keys.count += 1  # the customer screen's `e`, which pushes the editor
        editor = await open_editor(pilot, cid)
        assert app.focused is field(editor, 1, "name")  # lands on the first field
        await keys.press("down")  # level 2, same column
        await keys.press("shift+tab")  # level 2's wait, its text selected
        assert app.focused is field(editor, 2, "delay_minutes")
        await keys.type("30")  # replaces the selected 15
        await keys.press("ctrl+s")
        await settle(pilot)

        assert keys.count <= 6, keys.count
        assert keys.count == 4
        version, by, levels = stored(portal_url, cid)
        assert version == 2 and by == "op:alice"
        assert levels[2][3] == 30
        assert levels[1] == ("Maria Souza", "+5511912345678", "maria@empresa.com.br", 0)
        assert levels[3][3] == 60
        assert count_audit(portal_url, SAVED) == 1
        assert "escalation chain saved (version 2)" in notifications(app)
        assert editor.state.chain is not None and editor.state.chain.version == 2
        assert "version 2" in text_of(editor, "#escalation-meta")
        assert not editor.has_unsaved_changes()
        assert "unsaved" not in text_of(editor, "#escalation-title")


async def test_saved_values_come_back_normalised(portal_url: str) -> None:
    async with editing(portal_url, lang="en") as (app, pilot, editor, cid):
        assert field(editor, 1, "phone").value == "(11) 91234-5678"  # E.164 shown formatted
        await set_field(pilot, editor, 2, "phone", " 11 98765 4321 ")
        await set_field(pilot, editor, 2, "email", "Carlos@EMPRESA.com.br")
        await set_field(pilot, editor, 2, "name", "  Carlos   Lima Jr ")
        assert editor.has_unsaved_changes()
        assert "unsaved changes" in text_of(editor, "#escalation-title")
        await pressed(pilot, "ctrl+s")

        _version, _by, levels = stored(portal_url, cid)
        assert levels[2][1:3] == ("+5511987654321", "Carlos@empresa.com.br")
        assert field(editor, 2, "phone").value == "(11) 98765-4321"
        assert field(editor, 2, "email").value == "Carlos@empresa.com.br"
        assert field(editor, 2, "name").value == levels[2][0]
        assert not editor.has_unsaved_changes()

        await pressed(pilot, "ctrl+s")  # again, with nothing changed: nothing written
        assert any("Nothing to save" in n for n in notifications(app))
    assert stored(portal_url, cid)[0] == 2
    assert count_audit(portal_url, SAVED) == 1


async def test_a_customer_without_a_chain_gets_its_first_one(portal_url: str) -> None:
    add_operator(portal_url, role="operator")
    engine = create_db_engine(portal_url)
    with session_factory(engine).begin() as s:
        cid = make_customer(s).id
    engine.dispose()
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        editor = await start(portal_url, pilot, cid)
        assert "no chain saved yet" in text_of(editor, "#escalation-meta")
        assert app.focused is field(editor, 1, "name")
        assert field(editor, 2, "name").disabled  # level 1 first
        await pilot.press(*"Maria Souza")
        await pilot.press("tab", "tab")  # role (optional), then phone
        await pilot.press(*"11 91234-5678")
        await typed(pilot)
        assert not field(editor, 2, "name").disabled
        await pressed(pilot, "ctrl+s")
        assert "escalation chain saved (version 1)" in notifications(app)
    version, by, levels = stored(portal_url, cid)
    assert (version, by) == (1, "op:alice")
    assert levels == {1: ("Maria Souza", "+5511912345678", None, 0)}


# ------------------------------------------------------------------------ live validation


async def test_bad_phone_and_bad_wait_show_the_service_messages_and_block_the_save(
    portal_url: str,
) -> None:
    async with editing(portal_url, lang="pt_BR") as (app, pilot, editor, cid):
        await set_field(pilot, editor, 2, "phone", "123")
        assert "não é um número de telefone válido" in message(editor, 2, "phone")
        assert field(editor, 2, "phone").has_class("-problem")
        assert f"✖ {_('Phone')}: não é um número de telefone válido" in row_text(editor, 2)
        await set_field(pilot, editor, 3, "delay_minutes", "abc")
        assert "número inteiro de minutos" in message(editor, 3, "delay_minutes")
        await set_field(pilot, editor, 2, "delay_minutes", "5000")
        assert "entre 1 e 1440 minutos" in message(editor, 2, "delay_minutes")
        assert message(editor, 1, "phone") == ""  # only the fields concerned

        await pressed(pilot, "ctrl+s")
        problems = text_of(editor, "#escalation-problems")
        assert "3" in problems and "não é um número de telefone válido" in problems
        assert app.focused is field(editor, 2, "delay_minutes")  # first field in error
        assert editor.has_unsaved_changes()

        await set_field(pilot, editor, 2, "phone", "(11) 92345-6789")
        await set_field(pilot, editor, 2, "delay_minutes", "20")
        await set_field(pilot, editor, 3, "delay_minutes", "45")
        assert message(editor, 2, "phone") == "" and message(editor, 3, "delay_minutes") == ""
        assert not field(editor, 2, "phone").has_class("-problem")
        assert not editor.query_one("#level2 .row-messages").display
        assert not editor.query_one("#escalation-problems").display
    assert stored(portal_url, cid)[0] == 1
    assert count_audit(portal_url, SAVED) == 0


async def test_a_level_needs_a_name_and_a_phone_or_an_email(portal_url: str) -> None:
    async with editing(
        portal_url, lang="pt_BR", levels=[("Maria Souza", "+5511912345678", None, 0)]
    ) as (_app, pilot, editor, cid):
        await set_field(pilot, editor, 2, "delay_minutes", "10")  # adding level 2
        assert "informe um telefone ou um e-mail" in message(editor, 2, "phone")
        both = f"{_('Phone')} / {_('E-mail')}: informe um telefone ou um e-mail"
        assert both in row_text(editor, 2)  # one message naming both fields
        assert message(editor, 2, "name") != ""
        await set_field(pilot, editor, 2, "name", "Carlos Lima")
        await set_field(pilot, editor, 2, "email", "carlos@empresa.com.br")
        assert message(editor, 2, "phone") == ""
        await pressed(pilot, "ctrl+s")
    _version, _by, levels = stored(portal_url, cid)
    assert levels[2] == ("Carlos Lima", None, "carlos@empresa.com.br", 10)


async def test_same_person_on_two_levels_is_a_warning_and_the_save_goes_through(
    portal_url: str,
) -> None:
    async with editing(portal_url, lang="pt_BR") as (_app, pilot, editor, cid):
        await set_field(pilot, editor, 2, "phone", "(11) 91234-5678")  # level 1's phone
        problems = text_of(editor, "#escalation-problems")
        assert "⚠" in problems and "os níveis 1 e 2 parecem ser a mesma pessoa" in problems
        assert "✖" not in problems
        assert not editor.query_one("#escalation-problems").has_class("-error")
        assert message(editor, 2, "phone") == ""
        await pressed(pilot, "ctrl+s")
    assert stored(portal_url, cid)[2][2][1] == "+5511912345678"
    assert count_audit(portal_url, SAVED) == 1


# ------------------------------------------------------------------------------ gap rule


async def test_clearing_level_2_under_level_3_asks_to_clear_both(portal_url: str) -> None:
    async with editing(portal_url, lang="pt_BR") as (app, pilot, editor, cid):
        field(editor, 2, "name").focus()
        await pressed(pilot, "ctrl+delete")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        question = str(modal.query_one("#confirm-message", Static).content)
        assert "precisa antes de um contato no nível 2" in question  # the service's message
        await pilot.press("escape")  # no: nothing cleared
        await pilot.pause()
        assert app.screen is editor
        assert field(editor, 2, "name").value == "Carlos Lima"

        field(editor, 2, "name").focus()
        await pilot.press("f8")  # the other key for the same action
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")
        await typed(pilot)
        assert app.screen is editor
        for level in (2, 3):
            assert all(f.value == "" for _n, f in editor.row(level).inputs())
        assert field(editor, 3, "name").disabled  # nothing may be added behind a gap
        assert stored(portal_url, cid)[0] == 1  # not saved yet
        await pressed(pilot, "ctrl+s")
    version, _by, levels = stored(portal_url, cid)
    assert version == 2 and list(levels) == [1]


async def test_level_3_cannot_be_added_while_level_2_is_empty(portal_url: str) -> None:
    async with editing(
        portal_url, lang="pt_BR", levels=[("Maria Souza", "+5511912345678", None, 0)]
    ) as (app, pilot, editor, _cid):
        assert not field(editor, 2, "name").disabled
        assert field(editor, 3, "name").disabled and field(editor, 3, "delay_minutes").disabled
        assert "2" in text_of(editor, "#level3 .row-hint")
        field(editor, 2, "name").focus()
        await pilot.press("down")
        await pilot.pause()
        assert app.focused is field(editor, 2, "name")  # refused, with the service's reason
        assert any("precisa antes de um contato no nível 2" in n for n in notifications(app))
        await set_field(pilot, editor, 2, "name", "Carlos")  # level 2 started: 3 opens
        assert not field(editor, 3, "name").disabled
        assert "● " + _("set") in text_of(editor, "#level2 .level-state")

        await pilot.press("ctrl+delete")  # the last level set: cleared without a question
        await typed(pilot)
        assert app.screen is editor
        assert RowValues(**editor.row(2).values()).is_blank(2)
        assert field(editor, 3, "name").disabled  # and level 3 closes again
        assert not editor.has_unsaved_changes()


# ------------------------------------------------------------------------------ timeline


async def test_timeline_follows_the_level_2_wait_and_the_incident_time(portal_url: str) -> None:
    # FixedClock: 13:10 UTC = 10:10 in São Paulo
    async with editing(portal_url, lang="pt_BR") as (app, pilot, editor, _cid):
        assert timeline(editor) == (
            "incidente às 10:10 → N1 10:10, N2 10:25, N3 11:25 (America/Sao_Paulo)"
        )
        await set_field(pilot, editor, 2, "delay_minutes", "30")
        assert timeline(editor) == (
            "incidente às 10:10 → N1 10:10, N2 10:40, N3 11:40 (America/Sao_Paulo)"
        )
        steps = text_of(editor, "#timeline-steps")
        assert "Carlos Lima" in steps and "+90 min" in steps

        await pilot.press("ctrl+t")
        assert app.focused is editor.query_one("#incident-time", Input)
        await pilot.press(*"03:10")  # the selected time is replaced
        await pilot.pause()
        assert timeline(editor).startswith("incidente às 03:10 → N1 03:10, N2 03:40, N3 04:40")
        editor.query_one("#incident-time", Input).value = "23:50"
        await pilot.pause()
        assert "N2 00:20 +1d, N3 01:20 +1d" in timeline(editor)  # after midnight: says so

        await set_field(pilot, editor, 2, "delay_minutes", "x")  # refused by the service
        assert "N1 23:50" in timeline(editor) and "N2" not in timeline(editor)
        assert "2" in text_of(editor, "#timeline-note")


# ------------------------------------------------------------------------ leaving


async def test_leaving_with_unsaved_changes_asks_first(portal_url: str) -> None:
    async with editing(portal_url, lang="en") as (app, pilot, editor, cid):
        await set_field(pilot, editor, 2, "delay_minutes", "45")
        await set_field(pilot, editor, 2, "delay_minutes", " 15 ")  # back to the stored value
        assert not editor.has_unsaved_changes()
        await set_field(pilot, editor, 2, "delay_minutes", "45")
        assert editor.has_unsaved_changes()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # keep editing: esc never discards
        await pilot.pause()
        assert top(app) is editor and field(editor, 2, "delay_minutes").value == "45"

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pressed(pilot, "enter")  # discard
        assert isinstance(app.screen, MainScreen)
    assert stored(portal_url, cid)[0] == 1
    assert count_audit(portal_url, SAVED) == 0


# ------------------------------------------------------------------------------ conflict


@asynccontextmanager
async def conflicting(url: str, bob_role: str) -> AsyncIterator[Editing]:
    """Alice saves level 2's wait = 30 first; Bob, who loaded version 1, edits level 3's wait.

    Yields Bob's app, pilot and editor (his save refused) and the customer id.
    """
    add_operator(url, "alice", display_name="Alice Souza", role="operator")
    add_operator(url, "bob", display_name="Bob Lima", role=bob_role)
    cid = seed(url)
    app_a = build_app(url, lang="en")
    app_b = build_app(url, lang="en")
    async with app_a.run_test(size=SIZE) as pilot_a, app_b.run_test(size=SIZE) as pilot_b:
        editor_a = await start(url, pilot_a, cid, "alice")
        editor_b = await start(url, pilot_b, cid, "bob")
        await set_field(pilot_a, editor_a, 2, "delay_minutes", "30")
        await pressed(pilot_a, "ctrl+s")
        assert stored(url, cid)[0] == 2

        await set_field(pilot_b, editor_b, 3, "delay_minutes", "90")
        await pressed(pilot_b, "ctrl+s")
        yield app_b, pilot_b, editor_b, cid


async def test_conflict_between_two_apps_then_re_apply_mine_on_top(portal_url: str) -> None:
    async with conflicting(portal_url, "supervisor") as (app_b, pilot_b, editor, cid):
        panel = editor.query_one(ConflictPanel)
        assert panel.display
        title = text_of(editor, "#conflict-title")
        assert "op:alice" in title  # who
        assert "11/25/26" in title and "10:10" in title  # when, in the customer's zone (UTC 13:10)
        assert "America/Sao_Paulo" in title and "version 2" in title
        diffs = text_of(editor, "#conflict-table")
        # level 2: theirs 30, mine 15 (untouched: theirs kept); level 3: theirs 60, mine 90
        assert "30 min" in diffs and "15 min" in diffs and "90 min" in diffs
        assert stored(portal_url, cid)[0] == 2  # nothing of Bob's written
        assert count_audit(portal_url, SAVED) == 1

        await pressed(pilot_b, "ctrl+y")  # re-apply mine on top of Alice's
        assert not panel.display
        version, by, levels = stored(portal_url, cid)
        assert (version, by) == (3, "op:bob")
        assert levels[2][3] == 30  # Alice's change survives
        assert levels[3][3] == 90  # Bob's change is on top
        assert count_audit(portal_url, SAVED) == 2
        assert field(editor, 2, "delay_minutes").value == "30"
        assert "escalation chain saved (version 3)" in notifications(app_b)


async def test_conflict_then_reload_takes_theirs(portal_url: str) -> None:
    async with conflicting(portal_url, "operator") as (app_b, pilot_b, editor, cid):
        assert editor.query_one(ConflictPanel).display
        assert editor.check_action("reapply", ()) is True

        await pressed(pilot_b, "ctrl+r")
        assert not editor.query_one(ConflictPanel).display
        assert editor.check_action("reapply", ()) is False
        assert field(editor, 2, "delay_minutes").value == "30"
        assert field(editor, 3, "delay_minutes").value == "60"  # mine discarded
        assert editor.state.chain is not None and editor.state.chain.version == 2
        assert not editor.has_unsaved_changes()
        await pressed(pilot_b, "escape")  # nothing to lose: leaves without asking
        assert isinstance(app_b.screen, MainScreen)
    assert stored(portal_url, cid)[0] == 2
    assert count_audit(portal_url, SAVED) == 1


# ------------------------------------------------------------------------ read-only


async def test_analyst_gets_a_read_only_editor(portal_url: str) -> None:
    async with editing(
        portal_url, lang="en", username="ana", display_name="Ana", role="analyst"
    ) as (app, pilot, editor, cid):
        assert "analyst role may not edit escalation chains" in text_of(
            editor, "#escalation-notice"
        )
        assert all(f.disabled for level in (1, 2, 3) for _n, f in editor.row(level).inputs())
        assert editor.check_action("save", ()) is None  # shown greyed in the footer
        assert field(editor, 2, "delay_minutes").value == "15"  # the chain is still shown
        assert "N2" in timeline(editor) or "L2" in timeline(editor)
        await pressed(pilot, "ctrl+s")
        await pressed(pilot, "escape")
        assert isinstance(app.screen, MainScreen)
    assert stored(portal_url, cid)[0] == 1
    assert count_audit(portal_url, SAVED) == 0
    assert count_audit(portal_url, "permission_denied") == 0  # nothing was even attempted


async def test_read_only_session_disables_saving(portal_url: str) -> None:
    async with editing(portal_url, lang="en", read_only=True) as (_app, pilot, editor, cid):
        assert "read-only mode" in text_of(editor, "#escalation-notice")
        assert field(editor, 2, "delay_minutes").disabled
        # Even if a value got in (it cannot be typed), ctrl+s writes nothing.
        field(editor, 2, "delay_minutes").value = "45"
        await typed(pilot)
        await pressed(pilot, "ctrl+s")
        assert editor.check_action("save", ()) is None
    assert stored(portal_url, cid)[0] == 1
    assert count_audit(portal_url, SAVED) == 0


async def test_permission_denied_on_save_turns_the_editor_read_only(
    portal_url: str, monkeypatch: Any
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise PermissionDenied("the operator role may not do this (edit escalation chains)")

    monkeypatch.setattr("noc_console.services.escalation.save_chain", refuse)
    async with editing(portal_url, lang="en") as (app, pilot, editor, _cid):
        await set_field(pilot, editor, 2, "delay_minutes", "45")
        await pressed(pilot, "ctrl+s")
        assert editor.state.read_only
        assert "may not do this" in text_of(editor, "#escalation-notice")
        assert field(editor, 2, "delay_minutes").disabled
        await pressed(pilot, "escape")  # read-only: nothing to keep, leaves at once
        assert isinstance(app.screen, MainScreen)


# ------------------------------------------------------------------------ database down


async def test_database_unavailable_on_load_and_on_save_then_recovery(
    portal_url: str, monkeypatch: Any
) -> None:
    add_operator(portal_url, role="operator")
    cid = seed(portal_url)

    def down(*_args: Any, **_kwargs: Any) -> None:
        raise DatabaseUnavailable("connection refused (portal.sqlite3)")

    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        monkeypatch.setattr("noc_console.services.escalation.get_chain", down)
        editor = await open_editor(pilot, cid)
        assert "Could not load" in text_of(editor, "#escalation-notice")
        assert "connection refused" in text_of(editor, "#escalation-notice")
        assert app.db_problem == "connection refused (portal.sqlite3)"  # the app's banner
        assert editor.check_action("save", ()) is None
        monkeypatch.undo()
        await pressed(pilot, "ctrl+r")  # the database is back: reload
        assert field(editor, 2, "delay_minutes").value == "15"
        assert not editor.query_one("#escalation-notice").display

        await set_field(pilot, editor, 2, "delay_minutes", "45")
        monkeypatch.setattr("noc_console.services.escalation.save_chain", down)
        await pressed(pilot, "ctrl+s")
        assert "connection refused" in text_of(editor, "#escalation-notice")
        assert field(editor, 2, "delay_minutes").value == "45" and editor.has_unsaved_changes()
        assert not editor.query_one("#escalation-form").loading
        assert stored(portal_url, cid)[0] == 1

        monkeypatch.undo()  # back again: the same form saves
        await pressed(pilot, "ctrl+s")
    assert stored(portal_url, cid)[2][2][3] == 45
    assert count_audit(portal_url, SAVED) == 1


# ------------------------------------------------------------------------ hostile input


async def test_markup_in_a_name_is_saved_and_shown_literally(portal_url: str) -> None:
    async with editing(portal_url, lang="en") as (app, pilot, editor, cid):
        await set_field(pilot, editor, 1, "name", "[bold]x[/bold]")
        await pressed(pilot, "ctrl+s")
        assert "[bold]x[/bold]" in text_of(editor, "#timeline-steps")
        assert field(editor, 1, "name").value == "[bold]x[/bold]"
        assert "[bold]x[/bold]" in app.export_screenshot()
    assert stored(portal_url, cid)[2][1][0] == "[bold]x[/bold]"


async def test_escape_sequence_in_a_name_is_refused_and_never_reaches_the_terminal(
    portal_url: str,
) -> None:
    async with editing(portal_url, lang="pt_BR") as (app, pilot, editor, cid):
        await set_field(pilot, editor, 2, "name", "\x1b[2J\x1b]0;pwned\x07")  # a paste
        assert "caracteres de controle" in message(editor, 2, "name")
        shot = app.export_screenshot()
        assert "\x1b" not in shot and "␛[2J" in shot  # shown as a symbol, not obeyed
        steps = text_of(editor, "#timeline-steps")
        assert "␛[2J" in steps and "\x1b" not in steps  # literal in the preview too
        await pressed(pilot, "ctrl+s")
    assert stored(portal_url, cid)[0] == 1
    assert count_audit(portal_url, SAVED) == 0


async def test_huge_rtl_and_nul_input_gets_a_message_not_a_crash(portal_url: str) -> None:
    async with editing(portal_url, lang="pt_BR") as (app, pilot, editor, cid):
        await set_field(pilot, editor, 3, "name", "\u202e" + "x" * 100_000 + "\x00")
        await set_field(pilot, editor, 3, "email", "'; DROP TABLE customers; --@%_")
        assert message(editor, 3, "name") != "" and message(editor, 3, "email") != ""
        assert "\u202e" not in app.export_screenshot()  # no bidi override reaches the screen
        await pressed(pilot, "ctrl+s")
        assert app.screen is editor
    assert stored(portal_url, cid)[0] == 1


# ------------------------------------------------------------------------ language, help


async def test_language_switch_keeps_the_typed_values(portal_url: str) -> None:
    async with editing(portal_url, lang="en") as (app, pilot, editor, _cid):
        await set_field(pilot, editor, 2, "delay_minutes", "33")
        await app.action_set_language("pt_BR")
        await typed(pilot)
        assert field(editor, 2, "delay_minutes").value == "33"
        assert "N2 10:43" in timeline(editor)
        assert editor.has_unsaved_changes()
