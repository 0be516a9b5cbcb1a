"""UnlockState: the lock screen's check numbering, wrong-password count and messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from noc_console import i18n
from noc_console.screens.lock_state import MAX_UNLOCK_ATTEMPTS, UnlockState, Verdict


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def test_an_empty_password_is_not_checked() -> None:
    state = UnlockState()
    assert state.submit("") is None
    assert state.message == "Enter your password."
    assert not state.busy and state.attempt == 0


def test_a_password_starts_a_numbered_check() -> None:
    state = UnlockState()
    assert state.submit("pw") == 1
    assert state.busy and state.message == ""
    assert state.checked(1, ok=True) is Verdict.UNLOCKED
    assert not state.busy and state.message == ""


def test_an_answer_to_an_older_check_is_ignored() -> None:
    state = UnlockState()
    state.submit("first")
    state.submit("second")
    assert state.checked(1, ok=True) is Verdict.STALE
    assert state.busy


def test_wrong_passwords_count_down_then_give_up() -> None:
    state = UnlockState()
    for failure in range(1, MAX_UNLOCK_ATTEMPTS):
        attempt = state.submit(f"wrong-{failure}")
        assert attempt is not None
        assert state.checked(attempt, ok=False) is Verdict.AGAIN
        left = MAX_UNLOCK_ATTEMPTS - failure
        assert state.message == f"Wrong password. {left} attempts left before logging out."
    attempt = state.submit("wrong-last")
    assert attempt is not None
    assert state.checked(attempt, ok=False) is Verdict.GIVE_UP


def test_a_failed_check_is_said_and_not_counted() -> None:
    state = UnlockState(max_attempts=1)
    attempt = state.submit("pw")
    assert attempt is not None
    assert state.checked(attempt, ok=False, error="database unavailable") is Verdict.AGAIN
    assert state.message == "database unavailable"
    assert state.failures == 0 and not state.busy


def test_with_a_code_an_empty_one_is_not_sent_and_a_refusal_names_both() -> None:
    """The service does not say which was wrong; an empty code would count as a wrong one."""
    state = UnlockState(needs_code=True)
    assert state.submit("pw") is None and state.submit("pw", "  ") is None
    assert state.message == "Enter the code from your authenticator app."
    assert state.attempt == 0 and not state.busy
    attempt = state.submit("pw", "123456")
    assert attempt == 1
    assert state.checked(attempt, ok=False) is Verdict.AGAIN
    left = MAX_UNLOCK_ATTEMPTS - 1
    assert state.message == f"Wrong password or code. {left} attempts left before logging out."
