"""The login flow without a terminal: when a login may start, which rows show, stale answers."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import cast

import pytest

from noc_console.screens.login_state import LoginState, login_error_line
from noc_console.screens.session import DbConnected, DbConnecting, DbUnavailable
from noc_console.services.context import ServiceContext
from noc_console.services.system import DatabaseInfo

URL = "sqlite:///noc.db"
CONNECTED = DbConnected(
    ctx=cast(ServiceContext, object()),
    info=DatabaseInfo(masked_url=URL, backend="sqlite", is_demo=False, revision="0005"),
)


def test_the_login_state_imports_neither_textual_nor_widgets() -> None:
    module = importlib.import_module("noc_console.screens.login_state")
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    for name in names:
        assert not name.startswith(("textual", "noc_console.widgets")), name
        # screens.session holds plain values (no Textual): the one screens module allowed
        assert not name.startswith("noc_console.screens") or name.endswith(".session"), name


@pytest.mark.parametrize(
    ("db_state", "username", "password", "expected"),
    [
        (DbConnecting(), "alice", "pw", ("Still connecting", None)),
        (DbUnavailable("refused"), "alice", "pw", ("The database is unavailable", None)),
        (CONNECTED, "", "pw", ("Enter your username.", "#username")),
        (CONNECTED, "alice", "", ("Enter your password.", "#password")),
    ],
)
def test_a_login_is_refused_with_words_and_the_field_to_fix(
    db_state: DbConnecting | DbConnected | DbUnavailable,
    username: str,
    password: str,
    expected: tuple[str, str | None],
) -> None:
    refusal = LoginState(db_state).refusal(username, password)
    assert refusal is not None
    message, focus = refusal
    assert message.startswith(expected[0])
    assert focus == expected[1]


def test_attempts_are_numbered_and_stale_answers_dropped() -> None:
    state = LoginState(CONNECTED)
    assert state.refusal("alice", "pw") is None
    first = state.start()
    second = state.start()
    assert state.busy and second == first + 1
    assert not state.finish(first, succeeded=False, error="wrong")
    assert state.busy and state.message == ""
    assert state.finish(second, succeeded=False, error=None)
    assert not state.busy
    assert state.message == "Login failed."
    third = state.start()
    assert state.message == ""  # a new attempt clears the old message
    assert state.finish(third, succeeded=True, error=None)
    assert state.message == ""


def test_the_database_rows_follow_the_connection() -> None:
    state = LoginState(DbConnecting())
    assert state.connecting and not state.unavailable and state.problem_line() == ""
    state.db_state = DbUnavailable("connection refused", needs_password=True)
    assert state.unavailable and state.needs_db_password()
    assert state.problem_line() == "Database unavailable: connection refused"
    state.db_state = DbUnavailable("connection refused")
    assert not state.needs_db_password()
    state.db_state = CONNECTED
    assert not state.unavailable and not state.connecting


def test_remember_me_needs_a_keyring_and_an_idle_form() -> None:
    state = LoginState(CONNECTED)
    assert not state.remember_enabled()  # unknown until the keyring worker answers
    assert state.remember_note() == ""
    state.keyring = False
    assert not state.remember_enabled()
    assert "no system keyring" in state.remember_note()
    state.keyring = True
    assert state.remember_enabled()
    state.start()
    assert not state.remember_enabled()


def test_the_remembered_password_is_looked_up_and_filled_only_when_wanted() -> None:
    state = LoginState(CONNECTED)
    assert state.lookup_database("alice", "") is None  # no keyring known yet
    state.keyring = True
    assert state.lookup_database("alice", "") == URL
    assert state.lookup_database("", "") is None
    assert state.lookup_database("alice", "typed") is None
    state.db_state = DbConnecting()
    assert state.lookup_database("alice", "") is None
    assert not state.fill_remembered("alice", "bob", "")
    assert not state.fill_remembered("alice", "alice", "typed")
    assert state.note == ""
    assert state.fill_remembered("alice", "alice", "")
    assert state.note == "password filled from the system keyring"


def test_an_unexpected_login_error_is_one_line() -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    url = make_url("postgresql+psycopg://noc:secret@db.example:5432/noc")
    line = login_error_line(OperationalError("SELECT 1", {}, Exception("boom")), url)
    assert line.startswith("Database unavailable: ")
    assert "secret" not in line
    assert "see the log file" in login_error_line(RuntimeError("x"), url)


def test_the_form_is_ready_once_painted_and_the_database_answered() -> None:
    state = LoginState(DbConnecting())
    assert not state.form_ready()  # neither painted nor answered
    state.painted = True
    assert not state.form_ready()  # typed-ahead keys wait for the connection
    state.db_state = CONNECTED
    assert state.form_ready()
    state.db_state = DbUnavailable("connection refused")
    assert state.form_ready()  # a problem the operator must see: the form takes over
    assert not LoginState(CONNECTED).form_ready()  # not painted yet


def test_a_wrong_code_keeps_the_code_step_and_anything_that_ends_it_starts_again() -> None:
    """Issue 15: a step the service says cannot go on (``StartAgain``: locked, too slow, the
    factor reset meanwhile) must not leave the code box up, refusing every code for good."""
    from datetime import UTC, datetime

    from noc_console.models import Role
    from noc_console.services.signin import SecondFactorNeeded

    pending = SecondFactorNeeded(
        operator_id=1,
        username="sara",
        display_name="Sara",
        role=Role.SUPERVISOR,
        source="local",
        break_glass=False,
        enrolled=True,
        checked_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    state = LoginState(CONNECTED)
    state.password_checked(pending)
    assert state.finish(state.start(), succeeded=False, error="wrong code")
    assert state.refused() and state.wants_code and state.message == "wrong code"
    assert state.finish(state.start(), succeeded=False, error="factor reset")
    assert not state.refused(start_again=True)
    assert (state.wants_code, state.pending, state.message) == (False, None, "factor reset")
    assert state.finish(state.start(), succeeded=False, error="wrong username or password")
    assert not state.refused() and state.message == "wrong username or password"
