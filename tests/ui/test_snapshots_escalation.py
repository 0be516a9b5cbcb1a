"""Snapshots of the escalation editor (test_escalation_editor.py asserts the behaviour).

Deterministic: 120x40, pt_BR, FixedClock (13:10 UTC = 10:10 in São Paulo,
so the timeline's times are fixed), the factory's chain, a database file
with a fixed name and no cursor blink.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from noc_console.app import NocApp
from noc_console.screens.escalation.screen import EscalationEditor
from noc_console.screens.session import DbConnected
from tests.ui.helpers import SIZE, add_operator, build_app, log_in, settle
from tests.ui.test_escalation_editor import seed, typed

SnapCompare = Callable[..., bool]


async def _open(pilot: Pilot[Any], customer_id: int) -> EscalationEditor:
    await log_in(pilot)
    app = pilot.app
    assert isinstance(app, NocApp) and isinstance(app.db_state, DbConnected)
    assert app.principal is not None
    editor = EscalationEditor(app.db_state.ctx, app.principal, customer_id)
    await app.push_screen(editor)
    await settle(pilot)
    return editor


def test_escalation_editor_with_timeline_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    add_operator(portal_url, role="operator")
    customer_id = seed(portal_url)

    async def editing_the_wait(pilot: Pilot[Any]) -> None:
        editor = await _open(pilot, customer_id)
        field = editor.query_one("#level2-delay_minutes", Input)
        field.focus()
        field.value = "30"
        await typed(pilot)

    assert snap_compare(
        build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=editing_the_wait
    )


def test_escalation_editor_with_a_validation_error_pt_br(
    snap_compare: SnapCompare, portal_url: str
) -> None:
    add_operator(portal_url, role="operator")
    customer_id = seed(portal_url)

    async def bad_phone_then_save(pilot: Pilot[Any]) -> None:
        editor = await _open(pilot, customer_id)
        editor.query_one("#level2-phone", Input).value = "123"
        editor.query_one("#level3-delay_minutes", Input).value = "abc"
        await typed(pilot)
        await pilot.press("ctrl+s")  # refused: the summary and the first bad field
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(
        build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=bad_phone_then_save
    )
