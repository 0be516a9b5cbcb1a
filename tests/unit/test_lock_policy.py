"""The idle lock's rules: what runs while locked, when it is due, what waits for the unlock."""

from __future__ import annotations

import pytest

from noc_console.runtime.lock_policy import (
    ALLOWED_WHILE_LOCKED,
    HeldScreens,
    IdleClock,
    action_allowed,
)


@pytest.mark.parametrize("action", sorted(ALLOWED_WHILE_LOCKED))
def test_help_quit_and_focus_run_while_locked(action: str) -> None:
    assert action_allowed(action, locked=True, logged_in=True)


@pytest.mark.parametrize(
    "action", ["command_palette", "change_theme", "find_customer", "logout", "set_language", "lock"]
)
def test_everything_else_is_refused_while_locked(action: str) -> None:
    assert not action_allowed(action, locked=True, logged_in=True)


@pytest.mark.parametrize("action", ["lock", "logout", "find_customer"])
def test_operator_actions_wait_for_a_login(action: str) -> None:
    assert not action_allowed(action, locked=False, logged_in=False)
    assert action_allowed(action, locked=False, logged_in=True)


def test_other_actions_run_before_a_login() -> None:
    assert action_allowed("help", locked=False, logged_in=False)
    assert action_allowed("set_language", locked=False, logged_in=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_time_counts_from_the_last_input() -> None:
    clock = Clock()
    idle = IdleClock(clock)
    clock.now += 50
    assert idle.idle_seconds() == 50
    idle.note_input()
    assert idle.idle_seconds() == 0


def test_the_lock_is_due_after_the_minutes_not_a_second_before() -> None:
    clock = Clock()
    idle = IdleClock(clock)
    clock.now += 119
    assert not idle.lock_due(minutes=2, logged_in=True, locked=False)
    clock.now += 1
    assert idle.lock_due(minutes=2, logged_in=True, locked=False)


def test_no_idle_lock_when_off_logged_out_or_locked_already() -> None:
    clock = Clock()
    idle = IdleClock(clock)
    clock.now += 10 * 3600
    assert not idle.lock_due(minutes=0, logged_in=True, locked=False)
    assert not idle.lock_due(minutes=1, logged_in=False, locked=False)
    assert not idle.lock_due(minutes=1, logged_in=True, locked=True)


def test_held_screens_come_back_once_closes_counted_opens_in_order() -> None:
    held = HeldScreens()
    opened: list[str] = []
    held.hold_push(lambda: opened.append("first"))
    held.hold_pop()
    held.hold_push(lambda: opened.append("second"))
    held.hold_pop()
    pops, pushes = held.take()
    assert pops == 2
    for push in pushes:
        push()
    assert opened == ["first", "second"]
    assert held.take() == (0, [])


def test_clearing_forgets_what_was_held() -> None:
    held = HeldScreens()
    held.hold_pop()
    held.hold_push(lambda: None)
    held.clear()
    assert held.take() == (0, [])


def test_the_rules_of_the_runtime_and_the_lock_screen_load_without_textual() -> None:
    """They are plain classes: a test, or a state class of a screen, needs no running app."""
    import subprocess
    import sys

    modules = (
        "noc_console.runtime.lock_policy",
        "noc_console.runtime.connection_watch",
        "noc_console.screens.lock_state",
        "noc_console.screens.session",
    )
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
