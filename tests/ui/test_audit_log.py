"""Audit log screen with the pilot on a real SQLite database: rows, filters, details, refusal.

Events are written with the audit service (the only writer) at known times
around the fixed clock (2026-11-25 13:10 UTC = 10:10 in São Paulo), then the
screen is opened straight over the login screen as the customer screen or
the palette would open it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Select

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.errors import DatabaseUnavailable
from noc_console.models import AuditEvent
from noc_console.screens.audit.details import AuditDetailsScreen
from noc_console.screens.audit.screen import AuditLogScreen
from noc_console.screens.audit.state import FilterInput, parse_filters
from noc_console.services import audit, audit_query
from noc_console.services.context import Principal
from noc_console.widgets.audit_table import AuditTable
from tests.support.factories import make_customer, make_operator
from tests.ui.helpers import SIZE, build_app, count_audit, screen_text
from tests.ui.list_screens import connected_as, opened, scalars, settle

NOW = FixedClock().now()
ACTIONS = ("password_reset", "escalation_saved", "contracts_exported")


@dataclass(frozen=True)
class Seeded:
    customer_id: int
    other_customer_id: int
    supervisor: Principal
    analyst: Principal
    otto: Principal
    events: int


def seed(url: str, events: int = 12) -> Seeded:
    """``events`` events an hour apart going back from now, by otto and sara, two customers."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda")
            other = make_customer(s, "Outra [bold]Empresa[/] SA")
            sara = make_operator(s, "supervisor", username="sara")
            ana = make_operator(s, "analyst", username="ana")
            otto = make_operator(s, "operator", username="otto")
            for i in range(events):
                audit.record(
                    s,
                    at=NOW - timedelta(hours=i),
                    action=ACTIONS[i % 3],
                    operator_id=(otto if i % 2 else sara).operator_id,
                    customer_id=(customer if i % 4 < 2 else other).id,
                    subject=f"joao.silva{i}",
                    ticket_ref=f"INC-{i:04d}",
                    reason="cliente ligou",
                    details={"method": "temporary_password", "seq": i, "checks": ["name", "cnpj"]},
                )
            seeded = Seeded(customer.id, other.id, sara, ana, otto, events)
    finally:
        engine.dispose()
    return seeded


def add_event(url: str, **fields: Any) -> None:
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            audit.record(s, **fields)
    finally:
        engine.dispose()


def db_events(url: str) -> list[AuditEvent]:
    return scalars(
        url, select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


async def open_log(
    pilot: Pilot[Any], principal: Principal, customer_id: int | None = None
) -> AuditLogScreen:
    state = await connected_as(pilot, principal)
    screen = AuditLogScreen(state.ctx, principal, customer_id=customer_id)
    await opened(pilot, screen)
    return screen


@contextlib.asynccontextmanager
async def reading_log(
    url: str, principal: Principal, customer_id: int | None = None, *, lang: str = "en"
) -> AsyncIterator[tuple[NocApp, Pilot[Any], AuditLogScreen]]:
    """The console on ``url`` in ``lang``, the audit log open as ``principal``."""
    app = build_app(url, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot, await open_log(pilot, principal, customer_id)


def ids(screen: AuditLogScreen) -> list[int]:
    table = screen.query_one(AuditTable)
    return [int(str(row.key.value)) for row in table.ordered_rows]


def cells(screen: AuditLogScreen, key: str) -> list[str]:
    return [cell.plain for cell in screen.query_one(AuditTable).get_column(key)]


async def set_field(pilot: Pilot[Any], screen: AuditLogScreen, widget_id: str, value: str) -> None:
    screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.pause(0.5)  # the debounce
    await settle(pilot)


# --------------------------------------------------------------------------- supervisor


async def test_supervisor_sees_events_newest_first(portal_url: str) -> None:
    seeded = seed(portal_url)
    async with reading_log(portal_url, seeded.supervisor, lang="pt_BR") as (app, _pilot, screen):
        expected = [e.id for e in db_events(portal_url)]
        assert ids(screen) == expected
        assert cells(screen, "when")[0] == "25/11/2026 10:10"  # São Paulo time
        assert cells(screen, "when")[1] == "25/11/2026 09:10"
        assert cells(screen, "operator")[:2] == ["sara", "otto"]
        assert cells(screen, "action")[:3] == list(ACTIONS)
        assert cells(screen, "customer")[0].startswith(f"#{seeded.customer_id} Padaria São")
        # A name with markup is shown as typed (and cut with an ellipsis when long).
        assert any(
            c.startswith(f"#{seeded.other_customer_id} Outra [bold]")
            for c in cells(screen, "customer")
        )
        assert cells(screen, "ticket")[0] == "INC-0000"
        assert cells(screen, "details")[0].startswith("method=temporary_password, seq=0")
        # The highlighted event's whole summary is spelled out under the list.
        preview = str(screen.query_one("#audit-preview").content)
        assert "method=temporary_password, seq=0, checks=name+cnpj" in preview
        assert "Traceback" not in screen_text(app)
    # Reading the log is not itself audited (it would flood the list being read).
    assert count_audit(portal_url, "permission_denied") == 0


async def test_filters_by_action_operator_customer_and_period(portal_url: str) -> None:
    seeded = seed(portal_url)
    events = db_events(portal_url)
    async with reading_log(portal_url, seeded.supervisor) as (_app, pilot, screen):
        action = screen.query_one("#audit-action", Select)
        # The action choices come from the log itself.
        assert sorted(str(v) for _label, v in action._options if isinstance(v, str)) == sorted(
            ACTIONS
        )

        action.value = "escalation_saved"
        await settle(pilot)
        assert ids(screen) == [e.id for e in events if e.action == "escalation_saved"]

        await set_field(pilot, screen, "audit-operator", "OTTO")  # usernames are lower-case
        assert ids(screen) == [
            e.id
            for e in events
            if e.action == "escalation_saved" and e.operator_id == seeded.otto.operator_id
        ]
        assert set(cells(screen, "operator")) == {"otto"}

        action.clear()
        await settle(pilot)
        await set_field(pilot, screen, "audit-customer", str(seeded.other_customer_id))
        assert ids(screen) == [
            e.id
            for e in events
            if e.operator_id == seeded.otto.operator_id
            and e.customer_id == seeded.other_customer_id
        ]

        await set_field(pilot, screen, "audit-operator", "")
        await set_field(pilot, screen, "audit-customer", "")
        assert ids(screen) == [e.id for e in events]

        # Period presets fill the dates: "today" is 2026-11-25 in São Paulo (from 03:00 UTC).
        screen.query_one("#audit-period", Select).value = "today"
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.query_one("#audit-since", Input).value == "2026-11-25"
        start = NOW.replace(hour=3, minute=0)
        assert ids(screen) == [e.id for e in events if e.occurred_at >= start]
        # Typed dates: one past day, inclusive; the preset shows "chosen dates".
        await set_field(pilot, screen, "audit-since", "2026-11-24")
        await set_field(pilot, screen, "audit-until", "2026-11-24")
        assert screen.query_one("#audit-period", Select).value == "custom"
        day_start, day_end = start - timedelta(days=1), start
        assert ids(screen) == [e.id for e in events if day_start <= e.occurred_at < day_end]
        assert ids(screen)  # the seed spans that day


async def test_filter_errors_are_said_next_to_the_filters(portal_url: str) -> None:
    seeded = seed(portal_url)
    async with reading_log(portal_url, seeded.supervisor) as (app, pilot, screen):
        shown = ids(screen)
        await set_field(pilot, screen, "audit-since", "25/11/2026")
        error = str(screen.query_one("#audit-filter-error").content)
        assert "From: a date as YYYY-MM-DD" in error
        assert screen.query_one("#audit-since").has_class("-invalid")
        assert ids(screen) == shown  # nothing queried with a filter that cannot be read
        # The service's own rule (end after start) comes back in its words.
        await set_field(pilot, screen, "audit-since", "2026-11-25")
        await set_field(pilot, screen, "audit-until", "2026-11-20")
        error = str(screen.query_one("#audit-filter-error").content)
        assert "Until: the end of the period must be after its start" in error
        await set_field(pilot, screen, "audit-customer", "12a")
        assert "Customer: a customer number, digits only" in str(
            screen.query_one("#audit-filter-error").content
        )
        # Hostile text: refused by the service in words, shown literally, nothing crashes.
        await set_field(pilot, screen, "audit-customer", "")
        await set_field(pilot, screen, "audit-until", "")
        await set_field(pilot, screen, "audit-operator", "[bold]x\x00\x1b[2J")
        error = str(screen.query_one("#audit-filter-error").content)
        assert "Operator: contains control characters" in error
        await set_field(pilot, screen, "audit-operator", "[bold]" * 20)
        assert "Operator: too long" in str(screen.query_one("#audit-filter-error").content)
        assert "Traceback" not in screen_text(app)


def test_parse_filters_reads_local_days() -> None:
    filters, errors = parse_filters(
        FilterInput(customer="#7", operator=" Otto ", since="2026-11-01", until="2026-11-30")
    )
    assert not errors and filters is not None
    assert filters.customer_id == 7
    assert filters.operator_username == "Otto"
    assert filters.since is not None and filters.since.isoformat() == "2026-11-01T00:00:00-03:00"
    assert filters.until is not None and filters.until.isoformat() == "2026-12-01T00:00:00-03:00"
    _none, errors = parse_filters(FilterInput(customer="١٢"))  # Arabic-Indic digits
    assert "audit-customer" in errors


async def test_opened_for_a_customer_then_for_everyone(portal_url: str) -> None:
    seeded = seed(portal_url)
    events = db_events(portal_url)
    async with reading_log(portal_url, seeded.supervisor, customer_id=seeded.customer_id) as (
        app,
        pilot,
        screen,
    ):
        assert screen.query_one("#audit-customer", Input).value == str(seeded.customer_id)
        assert f"customer #{seeded.customer_id}" in screen_text(app)
        assert ids(screen) == [e.id for e in events if e.customer_id == seeded.customer_id]
        await set_field(pilot, screen, "audit-customer", "")
        assert ids(screen) == [e.id for e in events]
        assert "all customers" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen


async def test_details_dialog_shows_every_field(portal_url: str) -> None:
    seeded = seed(portal_url)
    add_event(
        portal_url,
        at=NOW + timedelta(minutes=1),
        action="escalation_saved",
        operator_id=seeded.otto.operator_id,
        customer_id=seeded.customer_id,
        subject="[red]chain[/] \x1b[2J",
        ticket_ref="INC-9999",
        reason="cliente pediu [bold]troca[/]",
        details={"levels": {"2": {"delay_minutes": 15}}, "changed": ["phone", "email"], "ok": True},
    )
    async with reading_log(portal_url, seeded.supervisor) as (app, pilot, screen):
        assert screen.query_one(AuditTable).has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditDetailsScreen)
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#audit-details-sheet").content)
        sheet = console.export_text()
        for line in (
            "Operator:",
            "otto",
            "Action:",
            "escalation_saved",
            "Ticket:",
            "INC-9999",
            "cliente pediu [bold]troca[/]",
            "[red]chain[/] ␛[2J",  # markup literal, the escape shown, not sent
            "levels.2.delay_minutes:",
            "15",
            "changed:",
            "phone, email",
            "ok:",
            "yes",
            "11/25/26, 10:11\u202fAM (America/Sao_Paulo)",  # Babel en_US: narrow space
        ):
            assert line in sheet, line
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditDetailsScreen)
        await pilot.press("enter")  # enter closes as well
        await settle(pilot)
        assert app.screen is screen


async def test_keyset_paging_loads_more_at_the_end(portal_url: str) -> None:
    seeded = seed(portal_url, events=230)
    async with reading_log(portal_url, seeded.supervisor) as (_app, pilot, screen):
        table = screen.query_one(AuditTable)
        assert table.row_count == 100
        assert "(more below)" in str(screen.query_one("#audit-info").content)
        for _ in range(4):
            await pilot.press("ctrl+end")
            await settle(pilot)
        assert table.row_count == 230
        assert ids(screen) == [e.id for e in db_events(portal_url)]
        assert screen.state.paging.next_cursor is None


# --------------------------------------------------------------------------- refusal


async def test_analyst_is_refused_in_words_and_the_refusal_is_audited(portal_url: str) -> None:
    seeded = seed(portal_url)
    async with reading_log(portal_url, seeded.analyst) as (app, pilot, screen):
        text = screen_text(app)
        assert "The audit log is for supervisors." in text
        assert "may not do this (read the audit log)" in text
        assert "Traceback" not in text
        assert not screen.query_one("#audit-table").display
        assert not screen.query_one("#audit-filters").display
        assert screen.query_one(AuditTable).row_count == 0
        # Nothing else to do but leave: the other keys are not offered.
        await pilot.press("slash", "ctrl+r", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(AuditTable).row_count == 0
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
    denied = [e for e in db_events(portal_url) if e.action == "permission_denied"]
    assert len(denied) == 1
    assert denied[0].operator_id == seeded.analyst.operator_id
    assert denied[0].details["permission"] == "view_audit"


async def test_language_switch_keeps_filters_and_rows(portal_url: str) -> None:
    seeded = seed(portal_url)
    async with reading_log(portal_url, seeded.supervisor) as (app, pilot, screen):
        screen.query_one("#audit-action", Select).value = "password_reset"
        await settle(pilot)
        await set_field(pilot, screen, "audit-operator", "otto")
        shown = ids(screen)
        assert shown
        await app.action_set_language("pt_BR")
        await settle(pilot)
        assert ids(screen) == shown
        assert screen.query_one("#audit-action", Select).value == "password_reset"
        assert screen.query_one("#audit-operator", Input).value == "otto"
        assert cells(screen, "when")[0].startswith("25/11/2026")  # now in pt_BR


async def test_database_unavailable_is_said_and_reported(
    portal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(portal_url)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseUnavailable("database unavailable: connection refused")

    monkeypatch.setattr(audit_query, "query", down)
    async with reading_log(portal_url, seeded.supervisor) as (app, pilot, screen):
        text = screen_text(app)
        assert "connection refused" in text and "ctrl+r" in text
        assert "connection refused" in (app.db_problem or "")  # the app's banner
        monkeypatch.undo()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(ids(screen)) == seeded.events
        assert not screen.query_one("#audit-message").display
