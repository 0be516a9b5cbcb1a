"""Snapshots of each step of the reset wizard (pt_BR, 120x40); the pilot tests assert behaviour.

Deterministic: fixed clock, fast hasher, stable database file name, no cursor
blink, and a fixed "generated" password (``FIXED``: characters of the
service's alphabet only, accepted by the policy). The operator logs in through
the form; under the wizard a plain stand-in screen with the session bar plays
the customer screen (built in parallel, and whose own spinners or data must
not make these pictures change).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from noc_console.widgets.reset_controls import WizardRadioSet
from noc_console.widgets.session_bar import SessionBar
from tests.ui.helpers import SIZE, build_app, log_in, settle
from tests.ui.test_reset_wizard import FIXED, fill_identity, open_wizard, seed

SnapCompare = Callable[..., bool]
Step = Callable[[Pilot[Any]], Awaitable[None]]


class CustomerStandIn(Screen[None]):
    """What the wizard is opened over in these pictures: header, session bar, footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        yield Static("São João — Padaria São João Ltda")
        yield Footer()


def _fixed(_policy: object) -> str:
    return FIXED


def _steps(url: str, target: int, *, read_only: bool = False) -> Step:
    user_id = seed(url).user_id

    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        await pilot.app.push_screen(CustomerStandIn())
        wizard, _outcomes = await open_wizard(pilot, user_id, read_only=read_only, generate=_fixed)
        if target >= 1:
            fill_identity(wizard)
            await pilot.press("enter")
            await settle(pilot)
        if target >= 2:
            wizard.query_one(WizardRadioSet).focus()
            await pilot.press("enter")
            await settle(pilot)
        if target >= 3:
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert wizard.state.step == target

    return run_before


def _matches(snap_compare: SnapCompare, url: str, target: int) -> bool:
    """The wizard at step ``target`` looks as recorded."""
    run_before = _steps(url, target)
    return snap_compare(build_app(url, lang="pt_BR"), terminal_size=SIZE, run_before=run_before)


def test_reset_identity_step(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _matches(snap_compare, portal_url, 0)


def test_reset_method_step(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _matches(snap_compare, portal_url, 1)


def test_reset_confirmation_step(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _matches(snap_compare, portal_url, 2)


def test_reset_result_step(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _matches(snap_compare, portal_url, 3)
