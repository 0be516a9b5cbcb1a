"""Snapshot tests of the shell's screens (pilot tests assert the behaviour; these guard the look).

Deterministic by construction: fixed terminal size, fixed clock, fast hasher,
a database file with a fixed name (the screen shows only the file name of a
SQLite database), and no cursor blink (``Field`` stops it in headless runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.ui.helpers import SIZE, add_audit, add_operator, build_app, log_in, settle

SnapCompare = Callable[..., bool]


def _demo_db(url: str) -> None:
    add_operator(url)
    add_audit(url, "demo_seeded")


def test_login_screen_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    _demo_db(portal_url)

    async def ready(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=ready)


def test_main_screen_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    _demo_db(portal_url)
    assert snap_compare(build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=log_in)


def test_main_screen_en_read_only(snap_compare: SnapCompare, portal_url: str) -> None:
    _demo_db(portal_url)
    app = build_app(portal_url, lang="en", read_only=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=log_in)


def test_help_screen_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    _demo_db(portal_url)

    async def help_on_main(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        await pilot.press("f1")  # the lookup's search box has focus: ? would be typed
        await settle(pilot)

    assert snap_compare(
        build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=help_on_main
    )
