"""The Users tab with reset links fits the analyst's 120-column terminal: no column past the edge.

An analyst on the phone must not scroll sideways for "Password changed": the link
column says each state in a few words, and the line under the table says the
selected user's link in a full sentence (the server's whole reply).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.screens.customer.links import LinkDetail
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.services.context import ServiceContext
from noc_console.services.mailer import Relay, SmtpTransport
from noc_console.widgets.user_table import UserTable
from tests.mailer.conftest import settings_for as mail_settings_for
from tests.mailer.links import queue_link
from tests.support.factories import FAST_HASHER, make_customer, make_portal_user
from tests.support.smtp import PASSWORD as SMTP_PASSWORD
from tests.support.smtp import SmtpServer, smtp_server
from tests.ui.helpers import SIZE, add_operator, build_app, log_in, screen_text, settle, table_rows

LONG_NAME = "Maria Fernanda de Albuquerque Cavalcanti"
LONG_LOGIN = "maria.fernanda.albuquerque"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


def seed_links(url: str, smtp: SmtpServer) -> int:
    """Three users of one customer: a link refused for good, a link to retry, no link."""
    add_operator(url, role="analyst", display_name="Alice Souza")
    engine = create_db_engine(url)
    ctx = ServiceContext(engine, clock=FixedClock(), hasher=FAST_HASHER)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda", cnpj="11222333000181")
            ids = [
                make_portal_user(s, customer, full_name=name, login=login, email=email).id
                for name, login, email in (
                    (LONG_NAME, LONG_LOGIN, "maria@empresa.com.br"),
                    ("João da Silva", "joao.silva", "joao@empresa.com.br"),
                    ("Ana Paula Lima", "ana.lima", "ana@empresa.com.br"),
                )
            ]
            customer_id = customer.id
        first = queue_link(ctx, user_id=ids[0])
        queue_link(ctx, user_id=ids[1], analyst=first.analyst)
        smtp.handler.plan.extend(["550 5.2.1 mailbox unavailable", "421 4.3.2 try again later"])
        settings = mail_settings_for(smtp)
        relay = Relay(ctx, settings, SmtpTransport(settings, SMTP_PASSWORD))
        relay.run_once()
        relay.transport.close()
        return customer_id
    finally:
        engine.dispose()


async def open_customer(pilot: Pilot[Any], customer_id: int) -> CustomerScreen:
    app = pilot.app
    assert isinstance(app, NocApp) and app.principal is not None
    app.push_screen(CustomerScreen(app.db_state.ctx, app.principal, customer_id))  # type: ignore[union-attr]
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CustomerScreen)
    screen._poll_links()  # what the timer does every few seconds
    await settle(pilot)
    return screen


def shown_on_screen(app: NocApp) -> str:
    """The text the terminal shows (only what is inside the 120 columns)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


@pytest.mark.parametrize("lang", ["en", "pt_BR"])
async def test_every_column_is_on_screen_at_120_columns_with_links(
    portal_url: str, smtp: SmtpServer, lang: str
) -> None:
    customer_id = await asyncio.to_thread(seed_links, portal_url, smtp)
    app = build_app(portal_url, lang=lang)
    assert SIZE == (120, 40)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        screen = await open_customer(pilot, customer_id)
        table = screen.query_one(UserTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert len(labels) == 6  # the link column is there
        assert table.max_scroll_x == 0  # nothing to scroll to
        # and still no sideways scroll beside a vertical scrollbar (a customer with many users)
        assert table.virtual_size.width <= table.scrollable_content_region.width - 2
        shown = shown_on_screen(app)
        for label in labels:
            assert label in shown, label


async def test_the_column_is_short_and_the_line_under_it_says_it_all(
    portal_url: str, smtp: SmtpServer
) -> None:
    customer_id = await asyncio.to_thread(seed_links, portal_url, smtp)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        screen = await open_customer(pilot, customer_id)
        table = screen.query_one(UserTable)
        rows = table_rows(table)
        failed = next(row for row in rows if "maria.fernanda" in row)
        retrying = next(row for row in rows if "joao.silva" in row)
        assert "✖ failed: mailbox unavailable" in failed
        # of the mailer's [mail] max_attempts (3), recorded with the row; the console's is 5
        assert "↻ retry 2/3 " in retrying
        assert "Password changed" in shown_on_screen(app)

        logins = [user.login for user in table.records]
        table.focus()
        for _ in range(logins.index(LONG_LOGIN)):  # the cursor down to Maria
            await pilot.press("down")
        await settle(pilot)
        assert screen.selected_user() is not None
        assert screen.selected_user().login == LONG_LOGIN  # type: ignore[union-attr]
        line = screen.query_one(LinkDetail)
        assert line.display  # the whole reply, her full name and login under the table
        shown = screen_text(app)
        assert 'Reset link: ✖ failed: "550 5.2.1 mailbox unavailable"' in shown
        assert f"{LONG_NAME} ({LONG_LOGIN})" in shown

        table.move_cursor(row=logins.index("ana.lima"))
        await settle(pilot)
        assert not line.display  # no link, no line
        assert "Reset link:" not in screen_text(app)
