"""Snapshots of the lookup, the customer's Users tab and the lock screen (pilot tests assert
the behaviour: test_lookup.py, test_customer.py, test_lock_and_banner.py).

Deterministic: 120x40, FixedClock, fast hasher, seeded data, a database file
with a fixed name, no cursor blink, and the lookup's debounce waited out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from tests.ui.helpers import (
    SIZE,
    add_audit,
    add_operator,
    build_console,
    log_in,
    search_for,
    seed_world,
    settle,
)

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def _world(url: str) -> None:
    add_operator(url)
    add_audit(url, "demo_seeded")
    seed_world(url)


async def _lookup(pilot: Pilot[Any]) -> None:
    await log_in(pilot)
    await search_for(pilot, "silva")


async def _customer(pilot: Pilot[Any]) -> None:
    await log_in(pilot)
    await search_for(pilot, "padaria")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.pause(0.5)  # the tab underline's animation
    await settle(pilot)


async def _locked(pilot: Pilot[Any]) -> None:
    await _customer(pilot)
    await pilot.press("ctrl+l")
    await settle(pilot)


def _snapshot(snap_compare: SnapCompare, url: str, lang: str, run_before: Steps) -> bool:
    """The seeded world in ``lang`` after ``run_before``, compared with the stored snapshot."""
    _world(url)
    app = build_console(url, lang=lang)
    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_lookup_with_results_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _snapshot(snap_compare, portal_url, "pt_BR", _lookup)


def test_lookup_with_results_en(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _snapshot(snap_compare, portal_url, "en", _lookup)


def test_customer_users_tab_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _snapshot(snap_compare, portal_url, "pt_BR", _customer)


def test_customer_users_tab_en(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _snapshot(snap_compare, portal_url, "en", _customer)


def test_lock_screen_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    assert _snapshot(snap_compare, portal_url, "pt_BR", _locked)
