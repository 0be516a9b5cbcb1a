"""Following a reset link in the wizard and the Users tab: in the customer's time zone, never
an answer older than a re-issue, and no reads once every link shown is final (sent, failed,
expired) until a new link is issued.

The reads are counted by wrapping ``mailer.link_statuses`` (both views read through it) and
the timers run at 0.1 s, so "no more reads" is ten intervals without one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from noc_console.app import NocApp
from noc_console.db import create_db_engine, session_factory
from noc_console.models import OutboxState
from noc_console.screens.customer import links as customer_links
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.reset import link_follow
from noc_console.screens.reset.link_calls import LinkPolled
from noc_console.screens.reset.link_follow import LinkFollow
from noc_console.screens.reset.screen import ResetWizard
from noc_console.services import mailer
from noc_console.widgets.reset_controls import WizardCheckbox, WizardRadioSet
from noc_console.widgets.user_table import UserTable
from tests.support.factories import make_customer, make_portal_user
from tests.support.smtp import SmtpServer, smtp_server
from tests.ui.helpers import SIZE, add_operator, build_app, log_in, screen_text, settle, table_rows
from tests.ui.test_reset_link_delivery import deliver, refresh

REFUSED = "550 5.2.1 mailbox unavailable"
FAST = 0.1  # the timers' interval in these tests


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


class Reads:
    """How many times a view asked for link states."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    counted = Reads()
    real = mailer.link_statuses

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted.count += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(mailer, "link_statuses", counting)
    monkeypatch.setattr(link_follow, "POLL_SECONDS", FAST)
    monkeypatch.setattr(customer_links, "POLL_SECONDS", FAST)
    return counted


def seed(url: str, timezone: str = "America/Sao_Paulo") -> int:
    add_operator(url, role="analyst", display_name="Alice Souza")
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda", cnpj="11222333000181")
            customer.timezone = timezone
            make_portal_user(s, customer, login="joao.silva", email="joao.silva@empresa.com.br")
            return customer.id
    finally:
        engine.dispose()


async def open_customer(pilot: Pilot[Any], customer_id: int) -> CustomerScreen:
    app = pilot.app
    assert isinstance(app, NocApp) and app.principal is not None
    app.push_screen(CustomerScreen(app.db_state.ctx, app.principal, customer_id))  # type: ignore[union-attr]
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


async def reset_by_link(pilot: Pilot[Any]) -> ResetWizard:
    """From the Users tab: r, the checks, ticket, reason, method link, ctrl+s."""
    await pilot.press("r")
    await settle(pilot)
    wizard = pilot.app.screen
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


async def until(pilot: Pilot[Any], ready: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "never happened"
        await pilot.pause(FAST / 2)
    await settle(pilot)


async def assert_no_reads_for_ten_intervals(pilot: Pilot[Any], reads: Reads) -> None:
    before = reads.count
    await pilot.pause(FAST * 10)
    assert reads.count == before


async def assert_reading(pilot: Pilot[Any], reads: Reads) -> None:
    before = reads.count
    await until(pilot, lambda: reads.count >= before + 3)


async def test_the_wizard_says_the_links_times_in_the_customers_zone_as_the_users_tab(
    portal_url: str,
) -> None:
    customer_id = seed(portal_url, timezone="America/Manaus")
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await open_customer(pilot, customer_id)
        wizard = await reset_by_link(pilot)
        await refresh(pilot, wizard)
        manaus = ZoneInfo("America/Manaus")
        now = app.clock.now()  # 13:10 UTC: 09:10 in Manaus, 10:10 in São Paulo
        queued = now.astimezone(manaus).strftime("%H:%M")
        assert queued == "09:10"
        preview = wizard.state.preview
        assert preview is not None and preview.timezone == "America/Manaus"
        until_at = now + timedelta(minutes=preview.reset_token_ttl_minutes)
        shown = screen_text(app)
        assert f"E-mail: ✉ queued at {queued}" in shown
        assert f"(until {until_at.astimezone(manaus):%H:%M})" in shown
        await pilot.press("ctrl+d")
        await settle(pilot)
        customer = app.screen
        assert isinstance(customer, CustomerScreen)
        (row,) = table_rows(customer.query_one(UserTable))
        assert f"✉ queued {queued}" in row
        assert f"Reset link: ✉ queued at {queued}" in screen_text(app)


async def test_a_read_that_left_before_the_reissue_never_shows_the_failed_link_again(
    portal_url: str, smtp: SmtpServer
) -> None:
    customer_id = seed(portal_url)
    smtp.handler.plan.append(REFUSED)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await open_customer(pilot, customer_id)
        wizard = await reset_by_link(pilot)
        await deliver(portal_url, smtp)
        await refresh(pilot, wizard)
        stale = wizard.state.link  # what a read that left just before ctrl+r answers
        assert stale is not None and stale.state is OutboxState.FAILED
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "E-mail: ✉ queued at" in screen_text(app)
        wizard.query_one(LinkFollow).post_message(LinkPolled(stale))  # it arrives late
        await settle(pilot)
        shown = screen_text(app)
        assert "E-mail: ✉ queued at" in shown and "✖ failed" not in shown
        assert wizard.check_action("reissue", ()) is False  # not offered again
        assert wizard.state.link is not None and wizard.state.link.outbox_id > stale.outbox_id


async def test_the_wizard_stops_reading_a_final_link_and_follows_a_reissued_one(
    portal_url: str, smtp: SmtpServer, reads: Reads
) -> None:
    customer_id = seed(portal_url)
    smtp.handler.plan.append(REFUSED)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await open_customer(pilot, customer_id)
        wizard = await reset_by_link(pilot)
        await assert_reading(pilot, reads)  # queued: it can still change
        await deliver(portal_url, smtp)
        link = lambda: wizard.state.link  # noqa: E731
        await until(pilot, lambda: link() is not None and link().state is OutboxState.FAILED)  # type: ignore[union-attr]
        await assert_no_reads_for_ten_intervals(pilot, reads)
        await pilot.press("ctrl+r")  # a new link: followed again
        await settle(pilot)
        await assert_reading(pilot, reads)
        await deliver(portal_url, smtp)
        await until(pilot, lambda: link() is not None and link().state is OutboxState.SENT)  # type: ignore[union-attr]
        await assert_no_reads_for_ten_intervals(pilot, reads)
        assert "E-mail: ✔ sent at" in screen_text(app)


async def test_the_users_tab_stops_reading_final_links_and_resumes_after_a_reset(
    portal_url: str, smtp: SmtpServer, reads: Reads
) -> None:
    customer_id = seed(portal_url)
    smtp.handler.plan.append(REFUSED)
    app = build_app(portal_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        customer = await open_customer(pilot, customer_id)
        await assert_no_reads_for_ten_intervals(pilot, reads)  # no link at all: nothing to read
        await reset_by_link(pilot)
        await deliver(portal_url, smtp)
        await pilot.press("ctrl+d")  # back in the Users tab, which loads and reads again
        await settle(pilot)
        assert app.screen is customer
        table = customer.query_one(UserTable)
        await until(pilot, lambda: "✖ failed" in table_rows(table)[0])
        await assert_no_reads_for_ten_intervals(pilot, reads)
        await reset_by_link(pilot)  # a new link from this view
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert "✉ queued" in table_rows(table)[0]
        await assert_reading(pilot, reads)  # followed until it is final
        await deliver(portal_url, smtp)
        await until(pilot, lambda: "✔ sent" in table_rows(table)[0])
        await assert_no_reads_for_ten_intervals(pilot, reads)
