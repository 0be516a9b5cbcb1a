"""The customer view's rules without a pilot: loads, keys by role, notes, failures, toasts."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from noc_console.errors import DatabaseUnavailable, NotFound, PermissionDenied
from noc_console.models import Role
from noc_console.screens.customer import state as customer_state
from noc_console.screens.customer.state import (
    ACTION_RULES,
    CustomerState,
    LoadFailure,
    describe_failure,
    reset_toast,
)
from noc_console.services.customers import ContractCounts, CustomerDetail, PortalUserInfo, UserState

NOW = datetime(2026, 11, 25, 13, 10, tzinfo=UTC)


def _user(n: int) -> PortalUserInfo:
    return PortalUserInfo(n, f"User {n}", f"user{n}", f"u{n}@x.com", None, 1, True, None, False,
                          None, None, 0, 1, UserState.ACTIVE)  # fmt: skip


def _detail(*users: PortalUserInfo) -> CustomerDetail:
    return CustomerDetail(1, "Padaria Ltda", None, "11222333000181", "11.222.333/0001-81",
                          "active", "America/Sao_Paulo", NOW, users, None,
                          ContractCounts(1, 1))  # fmt: skip


def _loaded(role: Role = Role.SUPERVISOR, *, read_only: bool = False) -> CustomerState:
    state = CustomerState(role, read_only=read_only)
    state.loaded(state.start_load(), _detail(_user(1)), NOW)
    return state


def test_state_module_never_imports_textual() -> None:
    tree = ast.parse(Path(customer_state.__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith(("textual", "noc_console.widgets"))]
    assert not [n for n in names if n.startswith("noc_console.screens")]


def test_only_the_newest_load_is_shown() -> None:
    state = CustomerState(Role.ANALYST, read_only=False, select_user=5)
    old = state.start_load()
    assert state.loading
    new = state.start_load()
    assert state.loaded(old, _detail(), NOW) is None and state.detail is None
    assert state.loaded(new, _detail(_user(5)), NOW) is True  # first: select the matched user
    assert not state.loading and state.select_user == 5 and state.now == NOW
    again = state.start_load()
    assert not state.loading  # a reload keeps what is shown
    assert state.loaded(again, _detail(), NOW) is False


def test_failures_are_shown_and_a_customer_gone_is_dropped() -> None:
    state = _loaded()
    request = state.start_load()
    assert not state.failed(request - 1, LoadFailure("old"))
    assert state.failed(request, LoadFailure("db down")) and state.detail is not None
    assert state.error == "db down" and state.error_hint() == ""
    request = state.start_load()
    assert state.failed(request, LoadFailure("customer not found", not_found=True))
    assert state.detail is None and state.error_hint() == "esc goes back to the lookup"
    assert state.loaded(state.start_load(), _detail(), NOW) is True and state.error == ""


def test_failures_are_described_in_one_line() -> None:
    assert describe_failure(NotFound("customer not found")) == LoadFailure(
        "customer not found", not_found=True
    )
    down = describe_failure(DatabaseUnavailable("timeout"))
    assert down == LoadFailure("Database unavailable: timeout", database_down=True)
    assert describe_failure(PermissionDenied("no")) == LoadFailure("no")
    assert describe_failure(ValueError()).message == (
        "unexpected error (ValueError); see the log file"
    )


@pytest.mark.parametrize(
    ("role", "read_only", "expected"),
    [
        # reset, escalation, contracts, audit, start a run (issue 13):
        # True offered, None greyed, False hidden
        (Role.SUPERVISOR, False, (True, True, True, True, True)),
        (Role.OPERATOR, False, (True, True, True, False, True)),
        (Role.ANALYST, False, (True, None, True, False, True)),
        (Role.SUPERVISOR, True, (None, None, True, True, None)),
    ],
)
def test_keys_follow_the_role_and_the_mode(
    role: Role, read_only: bool, expected: tuple[bool | None, ...]
) -> None:
    state = _loaded(role, read_only=read_only)
    actions = ("reset_password", "edit_escalation", "contracts", "audit_log", "start_run")
    assert tuple(state.allows(a, user_selected=True) for a in actions) == expected
    assert state.allows("back", user_selected=False) is True
    assert set(ACTION_RULES) == set(actions)


def test_nothing_loaded_or_no_user_greys_the_keys() -> None:
    state = CustomerState(Role.SUPERVISOR, read_only=False)
    assert state.allows("reset_password", user_selected=True) is True  # the table's cursor
    for action in ("edit_escalation", "contracts", "audit_log"):
        assert state.allows(action, user_selected=True) is None  # nothing loaded yet
    assert _loaded().allows("reset_password", user_selected=False) is None


def test_mode_note_says_why_a_key_is_off() -> None:
    assert _loaded().mode_note() == ""
    assert _loaded(Role.OPERATOR).mode_note() == ""
    assert _loaded(Role.ANALYST).mode_note() == (
        "Your role (analyst) may not edit escalation chains: e is disabled."
    )
    assert _loaded(read_only=True).mode_note() == (
        "Read-only mode: password resets (r) and escalation edits (e) are disabled."
    )


def test_tab_notes_follow_the_permissions() -> None:
    supervisor, analyst = _loaded(), _loaded(Role.ANALYST)
    detail = _detail(_user(1))
    assert supervisor.users_note(detail) == (
        "Times in America/Sao_Paulo. r resets the password of the selected user."
    )
    assert supervisor.users_note(_detail()) == "This customer has no portal users."
    assert _loaded(read_only=True).users_note(detail) == "Times in America/Sao_Paulo."
    assert supervisor.escalation_note() == "e edits the chain." and analyst.escalation_note() == ""
    assert "with values and totals" in supervisor.contracts_note()
    assert "restricted to supervisors" in analyst.contracts_note()


def test_reset_toast_by_method() -> None:
    assert reset_toast("temporary_password", "ana") == "Temporary password issued for ana"
    assert reset_toast("reset_link", "ana") == (
        "Reset link for ana queued for their e-mail; the Users tab shows when it leaves"
    )  # queued, not sent: the mailer may not have run (issue 14)
    assert reset_toast("unlock_only", "ana") == "ana unlocked"
    assert reset_toast("something_new", "ana") == "Password reset for ana"


def test_the_reset_links_followed_are_those_of_the_loaded_users() -> None:
    state = CustomerState(Role.ANALYST, read_only=True)
    assert state.link_users() == ()  # nothing loaded yet: nothing to read
    state.loaded(state.start_load(), _detail(), NOW)
    assert state.link_users() == ()  # no portal users
    state.loaded(state.start_load(), _detail(_user(1), _user(7)), NOW)
    assert state.link_users() == (1, 7)
