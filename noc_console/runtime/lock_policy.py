"""When the console locks and what works while it is locked: the idle lock's rules.

Plain data, no Textual: the session runtime (noc_console.runtime.session) holds
these and asks them, so the rules can be tested without a running app.
"""

from __future__ import annotations

import time
from collections.abc import Callable

ALLOWED_WHILE_LOCKED = frozenset(
    {"quit", "help", "help_quit", "focus_next", "focus_previous", "bell"}
)
"""While the lock screen is up, the only app actions that run (everything else is refused)."""

NEEDS_OPERATOR = frozenset({"lock", "logout", "find_customer", "board", "enrol_second_factor"})
"""App actions that mean nothing before an operator has logged in."""


def action_allowed(action: str, *, locked: bool, logged_in: bool) -> bool:
    """Whether the app runs ``action`` now (the palette and the keys both ask this)."""
    if locked:
        return action in ALLOWED_WHILE_LOCKED
    if action in NEEDS_OPERATOR:
        return logged_in
    return True


class IdleClock:
    """Time since the operator's last key, click or scroll.

    ``monotonic`` is a seam: tests move a fake clock instead of waiting minutes.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.last_input_at = monotonic()

    def note_input(self) -> None:
        self.last_input_at = self.monotonic()

    def idle_seconds(self) -> float:
        return self.monotonic() - self.last_input_at

    def lock_due(self, *, minutes: int, logged_in: bool, locked: bool) -> bool:
        """Whether the idle lock should close the console now (``minutes <= 0`` turns it off)."""
        if minutes <= 0 or not logged_in or locked:
            return False
        return self.idle_seconds() >= minutes * 60


class HeldScreens:
    """Screen opens and closes that workers asked for while the console was locked.

    Replayed on unlock, closes first (they were meant for screens already under
    the lock), then opens in the order they came.
    """

    def __init__(self) -> None:
        self.pops = 0
        self.pushes: list[Callable[[], object]] = []

    def hold_pop(self) -> None:
        self.pops += 1

    def hold_push(self, push: Callable[[], object]) -> None:
        self.pushes.append(push)

    def take(self) -> tuple[int, list[Callable[[], object]]]:
        """Everything held so far (and forget it): the count of closes, then the opens."""
        held = (self.pops, self.pushes)
        self.clear()
        return held

    def clear(self) -> None:
        self.pops = 0
        self.pushes = []
