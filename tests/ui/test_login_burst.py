"""Keys typed ahead never cross fields (issue 15, item 6).

The whole login arrives as one burst the moment the app starts, before the
login form is mounted or the database connected (a paste, or typing over a
slow SSH link): the operator must be signed in, and no part of the password
may land in the username box (nor, masked or not, in the audit log).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual import events
from textual.widgets import Input

from noc_console.models import AuditEvent
from tests.ui.helpers import SIZE, add_operator, build_app, read_session, settle

USERNAME = "otto.operador"
PASSWORD = "operador-senha-123"


def burst(app: Any, *parts: str) -> None:
    """Post every key at once, as a terminal driver would: nothing waits between them."""
    for part in parts:
        if part in ("tab", "enter"):
            app.post_message(events.Key(part, None))
        else:
            for ch in part:
                app.post_message(events.Key(ch, ch))


async def test_a_burst_at_start_signs_in_and_never_crosses_fields(portal_url: str) -> None:
    add_operator(portal_url, USERNAME, role="operator", password=PASSWORD)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, USERNAME, "tab", PASSWORD, "enter")
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.principal is not None, _login_state(app)
        assert app.principal.username == USERNAME
    with read_session(portal_url) as session:
        subjects = list(session.scalars(select(AuditEvent.subject)))
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "operator_login_failed" not in actions
    assert all("senha" not in (s or "") for s in subjects)


def _login_state(app: Any) -> str:
    try:
        username = app.screen.query_one("#username", Input).value
        message = app.screen.state.message
    except Exception:
        return type(app.screen).__name__
    return f"username box={username!r} message={message!r}"


async def test_a_burst_with_a_wrong_password_records_only_the_right_username(
    portal_url: str,
) -> None:
    add_operator(portal_url, USERNAME, role="operator", password=PASSWORD)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, USERNAME, "tab", "operad-wrong", "enter")
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.principal is None
        assert app.screen.query_one("#username", Input).value == USERNAME
    with read_session(portal_url) as session:
        subjects = list(session.scalars(select(AuditEvent.subject)))
    assert subjects == [f"op:{USERNAME}"]


async def test_keys_after_the_form_is_ready_go_to_the_focused_field(portal_url: str) -> None:
    add_operator(portal_url, USERNAME, role="operator", password=PASSWORD)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*USERNAME, "tab", *PASSWORD, "enter")
        await settle(pilot)
        assert app.principal is not None and app.principal.username == USERNAME
