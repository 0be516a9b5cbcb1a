"""The whole loop with the pilot: a reset by link in the console, the mailer delivers it to a
real SMTP server, the wizard and the Users tab say "sent", the portal completes the reset with
the link from the received mail, and the portal login works with the new password.

Then the failure path: the server refuses the mail for good, the wizard says why in words,
and ctrl+r re-issues a new link (the failed one stops working) that is delivered in turn.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.errors import AuthenticationFailed
from noc_console.models import NotificationOutbox, OutboxState, PasswordResetToken
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.reset.link_follow import LinkFollow
from noc_console.screens.reset.screen import ResetWizard
from noc_console.services import portal_auth
from noc_console.services.context import ServiceContext
from noc_console.services.mailer import Relay, SmtpTransport
from noc_console.services.portal_auth import LoginStatus
from noc_console.widgets.reset_controls import WizardCheckbox, WizardRadioSet
from noc_console.widgets.user_table import UserTable
from tests.mailer.conftest import settings_for as mail_settings_for
from tests.support.factories import FAST_HASHER, make_customer, make_portal_user
from tests.support.smtp import PASSWORD as SMTP_PASSWORD
from tests.support.smtp import SmtpServer, smtp_server
from tests.ui.helpers import SIZE, add_operator, build_app, log_in, screen_text, settle, table_rows

NEW_PASSWORD = "nova-senha-escolhida-no-portal-2026"
URL = re.compile(r"https://\S+token=[A-Za-z0-9_-]+")


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


def seed(url: str) -> tuple[int, int]:
    add_operator(url, role="analyst", display_name="Alice Souza")
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda", cnpj="11222333000181")
            user = make_portal_user(
                s, customer, login="joao.silva", email="joao.silva@empresa.com.br"
            )
            return customer.id, user.id
    finally:
        engine.dispose()


async def reset_by_link(pilot: Pilot[Any], customer_id: int) -> ResetWizard:
    """From the customer's Users tab: r, the checks, ticket, reason, method link, ctrl+s."""
    app = pilot.app
    assert isinstance(app, NocApp) and app.principal is not None
    ctx = app.db_state.ctx  # type: ignore[union-attr]
    app.push_screen(CustomerScreen(ctx, app.principal, customer_id))
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    wizard = app.screen
    assert isinstance(wizard, ResetWizard)
    wizard.query_one("#check-name", WizardCheckbox).value = True
    wizard.query_one("#check-cnpj", WizardCheckbox).value = True
    wizard.query_one("#ticket", Input).value = "INC-2026-0042"
    wizard.query_one("#reason", Input).value = "cliente sem acesso ao portal"
    wizard.action_next()
    await settle(pilot)
    wizard.query_one(WizardRadioSet).choose(1)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert wizard.state.step == 3
    return wizard


async def deliver(url: str, smtp: SmtpServer) -> None:
    """One run of the mailer, in a thread as the real one is another process."""
    settings = mail_settings_for(smtp)
    engine = create_db_engine(url)
    ctx = ServiceContext(engine, clock=FixedClock(), hasher=FAST_HASHER)
    relay = Relay(ctx, settings, SmtpTransport(settings, SMTP_PASSWORD))
    try:
        await asyncio.to_thread(relay.run_once)
        relay.transport.close()
    finally:
        engine.dispose()


async def refresh(pilot: Pilot[Any], wizard: ResetWizard) -> None:
    """What the timer does every few seconds, without waiting for it."""
    wizard.query_one(LinkFollow).poll()
    await settle(pilot)


async def test_reset_by_link_is_delivered_and_completed_on_the_portal(
    portal_url: str, smtp: SmtpServer
) -> None:
    customer_id, _user_id = seed(portal_url)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        wizard = await reset_by_link(pilot, customer_id)
        assert "E-mail: ✉ queued at" in screen_text(app)
        await deliver(portal_url, smtp)
        await refresh(pilot, wizard)
        assert "E-mail: ✔ sent at" in screen_text(app)
        assert wizard.check_action("reissue", ()) is False  # only a failed link
        await pilot.press("ctrl+d")
        await settle(pilot)
        customer = app.screen
        assert isinstance(customer, CustomerScreen)
        customer._poll_links()
        await settle(pilot)
        (row,) = table_rows(customer.query_one(UserTable))
        assert "joao.silva" in row and "✔ sent " in row  # a few words in the column
        assert "Reset link: ✔ sent at" in screen_text(app)  # the sentence under the table
        table = customer.query_one(UserTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels.index("Reset link") == 4  # beside the state
        assert table.max_scroll_x == 0  # every column within 120 (test_reset_link_columns.py)

    (mail,) = smtp.received
    body = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = URL.search(body)
    assert link is not None and "INC-2026-0042" in body
    token = link.group(0).rsplit("token=", 1)[1]
    engine = create_db_engine(portal_url)
    ctx = ServiceContext(engine, clock=FixedClock(), hasher=FAST_HASHER)
    try:
        portal_auth.complete_reset(ctx, token, NEW_PASSWORD)
        result = portal_auth.login(ctx, "joao.silva", NEW_PASSWORD)
        assert result.status is LoginStatus.OK
        with pytest.raises(AuthenticationFailed):  # a link works once
            portal_auth.complete_reset(ctx, token, NEW_PASSWORD + "x")
    finally:
        engine.dispose()


async def test_a_failed_link_says_why_and_is_reissued(portal_url: str, smtp: SmtpServer) -> None:
    customer_id, _user_id = seed(portal_url)
    app = build_app(portal_url, lang="en")
    smtp.handler.plan.append("550 5.2.1 mailbox unavailable")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        wizard = await reset_by_link(pilot, customer_id)
        await deliver(portal_url, smtp)
        await refresh(pilot, wizard)
        shown = screen_text(app)
        assert 'E-mail: ✖ failed: "550 5.2.1 mailbox unavailable"' in shown
        assert "re-issues the link" in shown
        assert wizard.check_action("reissue", ()) is True
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "E-mail: ✉ queued at" in screen_text(app)
        await deliver(portal_url, smtp)
        await refresh(pilot, wizard)
        assert "E-mail: ✔ sent at" in screen_text(app)

    engine = create_db_engine(portal_url)
    try:
        with session_factory(engine)() as s:
            rows = s.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id)).all()
            assert [r.state for r in rows] == [OutboxState.FAILED, OutboxState.SENT]
            assert all("url" not in r.payload for r in rows)
            tokens = s.scalars(select(PasswordResetToken).order_by(PasswordResetToken.id)).all()
            assert tokens[0].used_at is not None and tokens[1].used_at is None  # old revoked
    finally:
        engine.dispose()
    assert len(smtp.received) == 1
