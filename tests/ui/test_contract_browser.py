"""Contract browser with the pilot on a real SQLite database: values, filters, sorts, pages, CSV.

Each test seeds its own contracts, opens the browser straight over the login
screen (the customer screen that normally pushes it is tested on its own),
then asserts both what the screen shows and what the database holds
(rows, totals, audit events). For non-supervisors the key assertion is
negative: no amount of the database appears anywhere on screen or in the CSV.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input

from noc_console import i18n
from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.errors import DatabaseUnavailable
from noc_console.models import AuditEvent, Contract
from noc_console.screens.contracts import screen as contracts_screen
from noc_console.screens.contracts.screen import ContractBrowser
from noc_console.screens.contracts.state import WINDOW_PAGES, ContractQuery
from noc_console.services import contracts as contracts_service
from noc_console.services.context import Principal
from noc_console.services.contracts import ContractSort
from noc_console.widgets.contract_table import ContractTable, ContractTotalsPanel, page_cells
from tests.support.factories import make_contract, make_customer, make_operator
from tests.ui.helpers import SIZE, build_app, count_audit, screen_text
from tests.ui.list_screens import connected_as, opened, scalars, settle

TODAY = FixedClock().now().date()  # 2026-11-25
NBSP = "\xa0"


# --------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Seeded:
    customer_id: int
    customer_name: str
    supervisor: Principal
    analyst: Principal
    operator: Principal


CONTRACTS: list[dict[str, Any]] = [
    # number, service, status, start, end, value, currency
    dict(number="CT-A-001", service_name="Link Dedicado 500 Mbps", value="1234.56",
         start=date(2025, 1, 10), end=TODAY + timedelta(days=10)),
    dict(number="CT-A-002", service_name="Fibra Apagada", value="4321.00",
         start=date(2024, 3, 1), end=TODAY + timedelta(days=45)),
    dict(number="CT-A-003", service_name="Cloud Backup", value="99.90", currency="USD",
         start=date(2025, 6, 1), end=TODAY + timedelta(days=80)),
    dict(number="CT-A-004", service_name="Anti-DDoS", value="870.10",
         start=date(2023, 2, 1), end=None),
    dict(number="CT-I-005", service_name="Fibra Legada", value="555.55", status="inactive",
         start=date(2022, 1, 1), end=TODAY + timedelta(days=5)),
    dict(number="CT-I-006", service_name="Colocation [bold]rack[/]", value="10000.00",
         status="inactive", start=date(2021, 5, 5), end=date(2024, 12, 31)),
]  # fmt: skip


def seed(url: str, contracts: list[dict[str, Any]] | None = None, *, many: int = 0) -> Seeded:
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda")
            other = make_customer(s, "Outra Empresa SA")
            make_contract(s, other, number="CT-OTHER-1", value="777.77")  # never shown
            for spec in CONTRACTS if contracts is None else contracts:
                make_contract(s, customer, **spec)
            for n in range(many):
                make_contract(
                    s,
                    customer,
                    number=f"CT-M-{n:05d}",
                    service_name=f"Serviço {n % 7}",
                    status="active" if n % 3 else "inactive",
                    start=date(2024, 1, 1) + timedelta(days=n % 300),
                    value=f"{100 + n}.{n % 100:02d}",
                )
            seeded = Seeded(
                customer_id=customer.id,
                customer_name=customer.legal_name,
                supervisor=make_operator(s, "supervisor", username="sara"),
                analyst=make_operator(s, "analyst", username="ana"),
                operator=make_operator(s, "operator", username="otto"),
            )
    finally:
        engine.dispose()
    return seeded


def db_contracts(url: str, customer_id: int) -> list[Contract]:
    return scalars(url, select(Contract).where(Contract.customer_id == customer_id))


def all_amounts(url: str) -> set[Decimal]:
    """Every monthly value in the database and its annual value."""
    values = set(scalars(url, select(Contract.monthly_value)))
    return values | {v * 12 for v in values}


def amount_spellings(amount: Decimal) -> set[str]:
    """Every way an amount could appear: raw, pt_BR and en grouping, with or without cents."""
    raw = f"{amount:.2f}"
    whole, cents = raw.split(".")
    grouped = f"{int(whole):,}"
    return {
        raw,  # 1234.56
        f"{grouped.replace(',', '.')},{cents}",  # 1.234,56
        f"{grouped}.{cents}",  # 1,234.56
        f"{whole},{cents}",  # 1234,56
    }


def audit_events(url: str, action: str) -> list[AuditEvent]:
    return scalars(url, select(AuditEvent).where(AuditEvent.action == action))


# --------------------------------------------------------------------------- driving the screen


async def open_browser(
    pilot: Pilot[Any], seeded: Seeded, principal: Principal, export_dir: Path
) -> ContractBrowser:
    """Wait for the connection, then open the browser as ``principal`` would from a customer."""
    state = await connected_as(pilot, principal)
    screen = ContractBrowser(
        state.ctx, principal, seeded.customer_id, seeded.customer_name, export_dir=export_dir
    )
    await opened(pilot, screen)
    return screen


@contextlib.asynccontextmanager
async def browsing(
    url: str, seeded: Seeded, export_dir: Path, *, as_: Principal | None = None, lang: str = "en"
) -> AsyncIterator[tuple[NocApp, Pilot[Any], ContractBrowser]]:
    """The console on ``url`` in ``lang``, the browser open as ``as_`` (the supervisor)."""
    principal = seeded.supervisor if as_ is None else as_
    app = build_app(url, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot, await open_browser(pilot, seeded, principal, export_dir)


def table_of(screen: ContractBrowser) -> ContractTable:
    return screen.query_one(ContractTable)


def numbers(screen: ContractBrowser) -> list[str]:
    table = table_of(screen)
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


def column(screen: ContractBrowser, key: str) -> list[str]:
    table = table_of(screen)
    return [cell.plain for cell in table.get_column(key)]


def rendered(app: NocApp) -> str:
    """The screen exactly as drawn (what a person sees), as plain text."""
    console = Console(
        width=SIZE[0], height=SIZE[1], file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def everything_on_screen(app: NocApp, screen: ContractBrowser) -> str:
    """Widgets' words, every loaded row (visible or not), headers, totals, toasts, drawing."""
    table = table_of(screen)
    parts = [screen_text(app), rendered(app)]
    parts += [col.label.plain for col in table.columns.values()]
    for i in range(table.row_count):
        parts += [cell.plain for cell in table.get_row_at(i)]
    parts.append(str(screen.query_one(ContractTotalsPanel).content))
    totals = ContractTotalsPanel.render_totals(screen.state.totals)
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(totals)
    parts.append(console.export_text())
    parts += [f"{n.title} {n.message}" for n in app._notifications]
    return "\n".join(parts).replace(NBSP, " ")


async def wait_debounce(pilot: Pilot[Any]) -> None:
    await pilot.pause(0.45)
    await settle(pilot)


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


# --------------------------------------------------------------------------- supervisor


async def test_supervisor_sees_rows_values_and_totals_in_pt_br(
    portal_url: str, export_dir: Path
) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir, lang="pt_BR") as (app, _pilot, screen):
        expected = sorted(c.number for c in db_contracts(portal_url, seeded.customer_id))
        assert numbers(screen) == expected  # default: all statuses, by number ascending
        assert "CT-OTHER-1" not in numbers(screen)
        monthly = dict(zip(numbers(screen), column(screen, "monthly"), strict=True))
        annual = dict(zip(numbers(screen), column(screen, "annual"), strict=True))
        assert monthly["CT-A-001"] == f"R${NBSP}1.234,56"
        assert annual["CT-A-001"] == f"R${NBSP}14.814,72"
        assert monthly["CT-A-003"] == f"US${NBSP}99,90"
        assert monthly["CT-I-006"] == f"R${NBSP}10.000,00"
        status = dict(zip(numbers(screen), column(screen, "status"), strict=True))
        assert status["CT-A-001"] == "● " + i18n._("active")
        assert status["CT-I-005"] == "○ " + i18n._("inactive")
        ends = dict(zip(numbers(screen), column(screen, "end"), strict=True))
        assert ends["CT-A-004"] == i18n._("open-ended")
        assert ends["CT-I-006"] == "31/12/2024"
        # Markup in a stored name is shown as typed.
        assert "Colocation [bold]rack[/]" in column(screen, "service")

        # Totals = SQL sums of the database, per status and currency.
        db = db_contracts(portal_url, seeded.customer_id)
        sums: dict[tuple[str, str], Decimal] = {}
        for c in db:
            sums[(c.status, c.currency)] = sums.get((c.status, c.currency), Decimal(0)) + (
                c.monthly_value
            )
        assert screen.state.totals is not None and screen.state.totals.values_visible
        shown = {
            (line.status.value, line.currency): line.monthly for line in screen.state.totals.lines
        }
        assert shown == sums
        text = everything_on_screen(app, screen)
        assert "R$ 6.425,66" in text  # active BRL monthly: 1234.56 + 4321.00 + 870.10
        assert "R$ 77.107,92" in text  # ... and annual
        assert "US$ 99,90" in text and "US$ 1.198,80" in text
        assert "R$ 10.555,55" in text  # inactive BRL
        assert i18n._("Contract values are restricted to supervisors") not in text
        assert "Padaria São João Ltda" in text

    viewed = audit_events(portal_url, "contract_values_viewed")
    assert {e.details["view"] for e in viewed} == {"list", "totals"}
    assert all(e.operator_id == seeded.supervisor.operator_id for e in viewed)
    amounts = {s for a in all_amounts(portal_url) for s in amount_spellings(a)}
    for event in viewed:
        dumped = repr(event.details) + (event.subject or "") + (event.reason or "")
        assert not any(spelling in dumped for spelling in amounts)


async def test_money_in_english_uses_babel_en(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, _pilot, screen):
        monthly = dict(zip(numbers(screen), column(screen, "monthly"), strict=True))
        assert monthly["CT-A-001"] == "R$1,234.56"
        assert monthly["CT-A-003"] == "$99.90"
        ends = dict(zip(numbers(screen), column(screen, "end"), strict=True))
        assert ends["CT-A-004"] == "open-ended"
        text = everything_on_screen(app, screen)
        assert "R$6,425.66" in text and "$1,198.80" in text
        assert "Sorted by: number ▲ ascending" in text


async def test_status_filter_changes_rows_and_totals(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        db = db_contracts(portal_url, seeded.customer_id)
        for key, status in (("1", "active"), ("2", "inactive"), ("3", "all")):
            await pilot.press(key)
            await settle(pilot)
            wanted = sorted(c.number for c in db if status in ("all", c.status))
            assert numbers(screen) == wanted, status
            assert screen.state.totals is not None
            assert sum(line.count for line in screen.state.totals.lines) == len(wanted)
            statuses = {line.status.value for line in screen.state.totals.lines}
            assert statuses == ({"active", "inactive"} if status == "all" else {status})
            chooser = str(screen.query_one("#contracts-status").content)
            label = {"active": "Active", "inactive": "Inactive", "all": "All"}[status]
            assert f"◉ {label} ({key})" in chooser  # the chosen filter, marked
            assert chooser.count("◉") == 1
        # A click on a choice works too (mouse users).
        chooser = str(screen.query_one("#contracts-status").content)
        # (padding: one cell left, one line top)
        await pilot.click("#contracts-status", offset=(chooser.index("Inactive") + 2, 1))
        await settle(pilot)
        assert screen.state.query.status == "inactive"
        assert numbers(screen) == ["CT-I-005", "CT-I-006"]
        text = everything_on_screen(app, screen)
        assert "contract 1 of 2" in text
        assert "R$10,555.55" in text and "R$6,425.66" not in text


def _sort_key(sort: ContractSort, c: Contract) -> Any:
    if sort is ContractSort.NUMBER:
        return (c.number,)
    if sort is ContractSort.SERVICE:
        return (c.service_name, c.id)
    if sort is ContractSort.START_DATE:
        return (c.start_date, c.id)
    if sort is ContractSort.END_DATE:  # open-ended last when ascending
        return (c.end_date is None, c.end_date or date.min, c.id)
    return (c.monthly_value, c.id)


async def test_sort_by_each_key_and_reverse(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        db = db_contracts(portal_url, seeded.customer_id)
        assert screen.state.sorts_offered() == tuple(ContractSort)  # value offered: values visible
        seen = []
        for _ in range(len(ContractSort)):
            sort = screen.state.query.sort
            seen.append(sort)
            expected = [c.number for c in sorted(db, key=lambda c: _sort_key(sort, c))]
            assert numbers(screen) == expected, sort
            await pilot.press("r")
            await settle(pilot)
            assert screen.state.query.descending
            assert numbers(screen) == expected[::-1], sort
            info = everything_on_screen(app, screen)
            assert "▼ descending" in info
            header = next(
                col.label.plain for col in table_of(screen).columns.values() if "▼" in col.label
            )
            assert header  # the sorted column carries the arrow
            await pilot.press("r", "s")
            await settle(pilot)
        assert seen == list(ContractSort)
        assert screen.state.query.sort is ContractSort.NUMBER  # the cycle wraps


async def test_text_filter_is_debounced_and_literal(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        await pilot.press("slash")
        field = screen.query_one("#contracts-text", Input)
        assert field.has_focus
        await pilot.press(*"fibra")
        await wait_debounce(pilot)
        assert numbers(screen) == ["CT-A-002", "CT-I-005"]
        assert screen.state.totals is not None
        assert sum(line.count for line in screen.state.totals.lines) == 2
        # Markup characters are searched and shown literally.
        field.value = "[bold]"
        await wait_debounce(pilot)
        assert column(screen, "service") == ["Colocation [bold]rack[/]"]
        # A control character is refused by the service, in words, next to the field.
        field.value = "x\x1b[2J"
        await wait_debounce(pilot)
        error = str(screen.query_one("#contracts-filter-error").content)
        assert "control characters" in error
        assert table_of(screen).row_count == 0
        field.value = "x" * 100_000  # a pasted 100 KB line: refused in words
        await wait_debounce(pilot)
        assert "too long" in str(screen.query_one("#contracts-filter-error").content)
        # enter applies at once and goes back to the list; esc there leaves the screen.
        field.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert table_of(screen).has_focus
        assert len(numbers(screen)) == len(CONTRACTS)
        assert not screen.query_one("#contracts-filter-error").display
        await pilot.press("slash", "escape")
        assert table_of(screen).has_focus and app.screen is screen  # esc: field -> list
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen  # esc: list -> back


async def test_lazy_paging_loads_pages_only_as_needed(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url, [], many=450)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        table = table_of(screen)
        assert table.row_count == 100  # one page, not the list
        assert screen.state.paging.next_cursor is not None
        text = everything_on_screen(app, screen)
        assert "contract 1 of 450" in text and "(more below)" in text
        # Moving a few rows does not load anything.
        await pilot.press("down", "down", "pagedown")
        await settle(pilot)
        assert table.row_count == 100
        counts, offsets = [], []
        for _ in range(6):
            await pilot.press("ctrl+end")
            await settle(pilot)
            counts.append(table.row_count)
            offsets.append(table.row_offset)
        # A window of three pages: the pages left behind are evicted from the table.
        assert counts == [200, 300, 300, 250, 250, 250]
        assert offsets == [0, 0, 100, 200, 200, 200]
        assert screen.state.paging.next_cursor is None and table.absolute_row == 449
        expected = sorted(c.number for c in db_contracts(portal_url, seeded.customer_id))
        assert numbers(screen) == expected[200:]
        assert "contract 450 of 450" in everything_on_screen(app, screen)


# --------------------------------------------------------------------------- the window of pages

SMALL_PAGE = 50  # 1,000 contracts: 20 pages, of which the table holds WINDOW_PAGES


class PageGate:
    """Wraps the service's list_contracts: counts the cursors asked for; can hold a page on
    its way (to press keys meanwhile) or make it fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = contracts_service.list_contracts
        self.cursors: list[str | None] = []
        self.hold = threading.Event()
        self.hold.set()
        self.fail: Exception | None = None
        monkeypatch.setattr(contracts_service, "list_contracts", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.cursors.append(kwargs.get("cursor"))
        assert self.hold.wait(10), "a page was held for too long"
        if self.fail is not None:
            raise self.fail
        return self.real(*args, **kwargs)


def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contracts_screen, "PAGE_SIZE", SMALL_PAGE)


@dataclass(frozen=True)
class Windowed:
    seeded: Seeded
    gate: PageGate
    expected: list[str]  # every contract number, in the list's order


@pytest.fixture
def windowed(portal_url: str, monkeypatch: pytest.MonkeyPatch) -> Windowed:
    """1,000 contracts in pages of SMALL_PAGE, so the window fills and evicts; every
    page fetch is seen (and can be held) by the gate."""
    seeded = seed(portal_url, [], many=1000)
    small_pages(monkeypatch)
    gate = PageGate(monkeypatch)
    expected = sorted(c.number for c in db_contracts(portal_url, seeded.customer_id))
    return Windowed(seeded, gate, expected)


def window_rows(screen: ContractBrowser) -> dict[int, str]:
    """The contracts the table holds, by their row in the whole list."""
    table = table_of(screen)
    return {table.row_offset + i: n for i, n in enumerate(numbers(screen))}


def under_cursor(screen: ContractBrowser) -> tuple[str, int, int]:
    """The cursor's contract, its row in the whole list and its line in the view."""
    table = table_of(screen)
    number = table.get_row_at(table.cursor_row)[0].plain
    return number, table.absolute_row, table.cursor_row - round(table.scroll_y)


def check_window(screen: ContractBrowser) -> None:
    table = table_of(screen)
    assert table.pages_shown <= WINDOW_PAGES
    assert table.row_count <= WINDOW_PAGES * SMALL_PAGE
    assert len(screen.state.paging.pages) == table.pages_shown
    assert numbers(screen) == [r.number for page in screen.state.paging.pages for r in page.rows]


async def scroll_to(pilot: Pilot[Any], screen: ContractBrowser, row: int) -> None:
    """Page down/up (real keys) until the cursor is at least/at most ``row`` of the list."""
    table = table_of(screen)
    key = "pagedown" if table.absolute_row < row else "pageup"
    for _ in range(200):
        if (table.absolute_row >= row) if key == "pagedown" else (table.absolute_row <= row):
            return
        await pilot.press(key)
        await settle(pilot)
    raise AssertionError(f"row {row} not reached (at {table.absolute_row})")


async def test_window_scrolls_the_whole_list_down_and_back_up(
    portal_url: str, export_dir: Path, windowed: Windowed
) -> None:
    gate, expected = windowed.gate, windowed.expected
    async with browsing(portal_url, windowed.seeded, export_dir) as (app, pilot, screen):
        table = table_of(screen)
        audited = count_audit(portal_url, "contract_values_viewed")
        trips: dict[str, tuple[dict[int, str], list[str]]] = {}
        for key, last in (("pagedown", 999), ("pageup", 0)):
            rows: dict[int, str] = {}
            cursor_path: list[str] = []
            for _ in range(200):
                await pilot.press(key)
                await settle(pilot)
                check_window(screen)
                for at, number in window_rows(screen).items():
                    assert rows.setdefault(at, number) == number  # a row is one contract
                cursor_path.append(under_cursor(screen)[0])
                if table.absolute_row == last:
                    break
            trips[key] = (rows, cursor_path)
            if key == "pagedown":
                assert screen.state.paging.next_cursor is None
                assert numbers(screen)[-1] == expected[-1]
                assert "contract 1,000 of 1,000" in everything_on_screen(app, screen)
            else:
                assert table.row_offset == 0 and numbers(screen)[0] == expected[0]
                assert "contract 1 of 1,000" in everything_on_screen(app, screen)
        down_rows, down_path = trips["pagedown"]
        up_rows, up_path = trips["pageup"]
        # Every contract passed through the window at its own row, once, both ways ...
        assert [down_rows[i] for i in range(1000)] == expected == [up_rows[i] for i in range(1000)]
        # ... and the cursor went through the list in order, without a jump back.
        assert down_path == sorted(set(down_path)) and down_path[-1] == expected[-1]
        assert up_path == sorted(set(up_path), reverse=True) and up_path[-1] == expected[0]
        # Pages: each fetched once going down; going up only the evicted ones again (the
        # first page is kept: no query for it and no second "values viewed" audit event).
        assert gate.cursors.count(None) == 1
        pages = 1000 // SMALL_PAGE
        again = pages - WINDOW_PAGES - 1  # the evicted ones, less the first
        assert len(gate.cursors) == pages + again
        assert count_audit(portal_url, "contract_values_viewed") == audited


async def test_cursor_keeps_its_contract_and_line_when_a_page_comes_or_goes(
    portal_url: str, export_dir: Path, windowed: Windowed
) -> None:
    gate = windowed.gate
    async with browsing(portal_url, windowed.seeded, export_dir) as (_app, pilot, screen):
        table = table_of(screen)
        await scroll_to(pilot, screen, 400)
        for key in ("down", "up"):  # a page below, then (after going up) a page above
            before_offset = table.row_offset
            gate.hold.clear()  # the next page stays on its way while keys are pressed
            asked = len(gate.cursors)
            for _ in range(200):
                await pilot.press(key)
                if len(gate.cursors) > asked:
                    break
            else:
                raise AssertionError("no page was asked for")
            assert screen.state.paging.loading_more
            # Keys keep working while the page is on its way.
            step = "up" if key == "down" else "down"
            moved_from = table.absolute_row
            await pilot.press(step, step)
            assert table.absolute_row == moved_from + (-2 if step == "up" else 2)
            held = under_cursor(screen)
            window_before = window_rows(screen)
            gate.hold.set()
            await settle(pilot)
            check_window(screen)
            assert not screen.state.paging.loading_more
            shift = SMALL_PAGE if key == "down" else -SMALL_PAGE
            assert table.row_offset == before_offset + shift
            assert under_cursor(screen) == held  # same contract, same row, same line on screen
            after = window_rows(screen)
            assert all(after[at] == n for at, n in window_before.items() if at in after)
            if key == "down":
                await scroll_to(pilot, screen, table.absolute_row - 150)


async def test_language_switch_keeps_the_window_and_the_position(
    portal_url: str, export_dir: Path, windowed: Windowed
) -> None:
    gate, expected = windowed.gate, windowed.expected
    async with browsing(portal_url, windowed.seeded, export_dir) as (app, pilot, screen):
        await scroll_to(pilot, screen, 430)
        await pilot.press("up", "up", "up")
        await settle(pilot)
        table = table_of(screen)
        assert table.row_offset > 0
        held, rows, asked = under_cursor(screen), window_rows(screen), len(gate.cursors)
        position = held[1] + 1
        assert f"contract {position} of 1,000" in everything_on_screen(app, screen)
        await app.action_set_language("pt_BR")
        await settle(pilot)
        table = table_of(screen)  # a new table: the screen was composed again
        assert under_cursor(screen) == held
        assert window_rows(screen) == rows
        check_window(screen)
        assert len(gate.cursors) == asked  # no query: the window's pages were kept
        assert column(screen, "monthly")[0].startswith(f"R${NBSP}")
        assert "," in column(screen, "monthly")[0]  # pt_BR decimals
        assert f"contrato {position} de 1.000" in everything_on_screen(app, screen)
        # And the list goes on from there, in order.
        await scroll_to(pilot, screen, held[1] + 120)
        check_window(screen)
        assert window_rows(screen) == {at: expected[at] for at in window_rows(screen)}


async def test_failure_fetching_an_evicted_page_again_keeps_the_rows(
    portal_url: str, export_dir: Path, windowed: Windowed
) -> None:
    gate = windowed.gate
    async with browsing(portal_url, windowed.seeded, export_dir) as (app, pilot, screen):
        table = table_of(screen)
        await scroll_to(pilot, screen, 600)
        first_shown = table.row_offset
        assert first_shown >= 2 * SMALL_PAGE  # pages above were evicted (the first is kept)
        gate.fail = DatabaseUnavailable("database unavailable: connection refused")
        asked = len(gate.cursors)
        for _ in range(200):
            await pilot.press("pageup")
            await settle(pilot)
            if len(gate.cursors) > asked:
                break
        rows, held = window_rows(screen), under_cursor(screen)
        text = screen_text(app)
        assert "connection refused" in text and "Traceback" not in text
        assert window_rows(screen) == rows and under_cursor(screen) == held
        assert table.row_offset == first_shown and not screen.state.paging.loading_more
        # The database is back: moving on up brings the page, the screen's problem line
        # goes away (the app's own banner leaves on its next retry, tested elsewhere).
        gate.fail = None
        for _ in range(SMALL_PAGE):
            await pilot.press("up")
            await settle(pilot)
            if table.row_offset != first_shown:
                break
        assert table.row_offset == first_shown - SMALL_PAGE
        assert screen.state.problem is None
        assert not screen.query_one("#contracts-message").display
        check_window(screen)


async def test_ctrl_home_far_down_goes_to_the_first_contract_without_a_query(
    portal_url: str, export_dir: Path, windowed: Windowed
) -> None:
    gate, expected = windowed.gate, windowed.expected
    async with browsing(portal_url, windowed.seeded, export_dir) as (_app, pilot, screen):
        table = table_of(screen)
        await scroll_to(pilot, screen, 700)
        audited = count_audit(portal_url, "contract_values_viewed")
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert table.row_offset == 0 and table.absolute_row == 0
        assert under_cursor(screen)[0] == expected[0]
        check_window(screen)
        assert gate.cursors.count(None) == 1  # the first page was kept, not fetched again
        assert count_audit(portal_url, "contract_values_viewed") == audited
        await scroll_to(pilot, screen, 120)  # and down again from there
        assert under_cursor(screen)[0] == expected[table.absolute_row]


async def test_page_loads_never_overlap_and_stale_answers_are_dropped(
    portal_url: str, export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(portal_url, [], many=250)
    calls: list[str | None] = []
    real = contracts_service.list_contracts

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("cursor"))
        return real(*args, **kwargs)

    monkeypatch.setattr(contracts_service, "list_contracts", counting)
    async with browsing(portal_url, seeded, export_dir) as (_app, pilot, screen):
        calls.clear()
        screen.load_more()
        screen.load_more()  # already loading: ignored
        screen.load_more()
        await settle(pilot)
        assert len(calls) == 1
        assert table_of(screen).row_count == 200
        # An answer for an older list (another filter/sort) is ignored.
        old_generation = screen.state.paging.generation
        page = real(
            screen.ctx, seeded.supervisor, seeded.customer_id, status="inactive", page_size=5
        )
        await pilot.press("1")  # a new list starts
        await settle(pilot)
        before = numbers(screen)
        screen.post_message(ContractBrowser.PageLoaded(old_generation, 0, page))
        await settle(pilot)
        assert numbers(screen) == before
        assert all(n not in before for n in (r.number for r in page.rows))
        # Keys pressed faster than the database answers: the last list wins.
        await pilot.press("2", "3", "1")
        await settle(pilot)
        assert screen.state.query == ContractQuery(status="active")
        # ... even when the radio buttons' own messages arrive after the next key.
        screen.action_status("inactive")
        screen.action_status("all")
        screen.action_status("active")
        await settle(pilot)
        assert screen.state.query == ContractQuery(status="active")
        active = {
            c.number for c in db_contracts(portal_url, seeded.customer_id) if c.status == "active"
        }
        assert set(numbers(screen)) <= active


async def test_ending_soon_markers_in_words_and_symbol(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (_app, _pilot, screen):
        marks = dict(zip(numbers(screen), column(screen, "ending"), strict=True))
        assert marks == {
            "CT-A-001": "⚠ 30 d",  # 10 days
            "CT-A-002": "⚠ 60 d",  # 45 days
            "CT-A-003": "⚠ 90 d",  # 80 days
            "CT-A-004": "",  # open-ended
            "CT-I-005": "",  # inactive: nothing to warn about
            "CT-I-006": "",
        }
        headers = [col.label.plain for col in table_of(screen).columns.values()]
        assert "Ends in" in headers


async def test_csv_export_as_supervisor(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        await pilot.press("1")  # the export follows the list on screen
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert screen.state.last_export is not None
        path = screen.state.last_export.path
        assert path == export_dir / f"contracts-{seeded.customer_id}-20261125-101000.csv"
        messages = [str(n.message) for n in app._notifications]
        assert any(str(path) in m and "4 contracts exported" in m for m in messages)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.DictReader(handle))
        assert [r["number"] for r in records] == ["CT-A-001", "CT-A-002", "CT-A-003", "CT-A-004"]
        assert records[0]["monthly_value"] == "1234.56"
        assert records[0]["annual_value"] == "14814.72"
        # Same second, same name: refused in words, nothing overwritten, no crash.
        await pilot.press("x")
        await settle(pilot)
        assert any("already exists" in str(n.message) for n in app._notifications)
    exported = audit_events(portal_url, "contracts_exported")
    assert len(exported) == 1
    assert exported[0].subject == path.name
    assert exported[0].details["values_included"] is True
    assert exported[0].details["rows"] == 4


# --------------------------------------------------------------------------- non-supervisors


@pytest.mark.parametrize("role", ["analyst", "operator"])
async def test_non_supervisors_never_see_an_amount(
    portal_url: str, export_dir: Path, role: str
) -> None:
    seeded = seed(portal_url)
    principal = seeded.analyst if role == "analyst" else seeded.operator
    amounts = {s for a in all_amounts(portal_url) for s in amount_spellings(a)}
    async with browsing(portal_url, seeded, export_dir, as_=principal, lang="pt_BR") as (
        app,
        pilot,
        screen,
    ):
        table = table_of(screen)
        assert set(table.columns) == {"number", "service", "status", "start", "end", "ending"}
        assert len(numbers(screen)) == len(CONTRACTS)  # contracts yes, values no

        def check_no_amount() -> None:
            text = everything_on_screen(app, screen)
            leaked = sorted(s for s in amounts if s in text)
            assert not leaked, leaked
            assert i18n._("Contract values are restricted to supervisors") in text
            assert "R$" not in text and "US$" not in text

        check_no_amount()
        # The value sort is not offered: the cycle goes number → service → start → end → number.
        assert ContractSort.VALUE not in screen.state.sorts_offered()
        seen = []
        for _ in range(4):
            await pilot.press("s")
            await settle(pilot)
            seen.append(screen.state.query.sort)
        assert seen == [
            ContractSort.SERVICE,
            ContractSort.START_DATE,
            ContractSort.END_DATE,
            ContractSort.NUMBER,
        ]
        await pilot.press("2", "r")  # inactive, reversed: other rows, other totals
        await settle(pilot)
        check_no_amount()
        await pilot.press("x")
        await settle(pilot)
        assert screen.state.last_export is not None
        content = screen.state.last_export.path.read_text(encoding="utf-8-sig")
        assert "monthly_value" not in content and "annual_value" not in content
        assert not any(s in content for s in amounts)
        assert any(i18n._("(values omitted)") in str(n.message) for n in app._notifications)
        assert not any(s in everything_on_screen(app, screen) for s in amounts)
    assert count_audit(portal_url, "contract_values_viewed") == 0
    exported = audit_events(portal_url, "contracts_exported")
    assert [e.details["values_included"] for e in exported] == [False]


async def test_restriction_line_in_english(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir, as_=seeded.analyst) as (
        app,
        _pilot,
        screen,
    ):
        assert "Contract values are restricted to supervisors" in screen_text(app)
        totals_text = everything_on_screen(app, screen)
        assert "Monthly" not in totals_text and "Annual" not in totals_text


# --------------------------------------------------------------------------- failures, language


async def test_database_unavailable_is_said_and_recovers(
    portal_url: str, export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(portal_url)
    real = contracts_service.list_contracts

    def down(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseUnavailable("database unavailable: connection refused")

    monkeypatch.setattr(contracts_service, "list_contracts", down)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, screen):
        text = screen_text(app)
        assert "connection refused" in text and "ctrl+r" in text
        assert "Traceback" not in text
        assert "connection refused" in (app.db_problem or "")  # the app shows its banner
        monkeypatch.setattr(contracts_service, "list_contracts", real)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(numbers(screen)) == len(CONTRACTS)
        assert not screen.query_one("#contracts-message").display


async def test_language_switch_keeps_the_list_without_a_new_query(
    portal_url: str, export_dir: Path
) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir, lang="pt_BR") as (app, pilot, screen):
        before = count_audit(portal_url, "contract_values_viewed")
        await app.action_set_language("en")
        await settle(pilot)
        assert len(numbers(screen)) == len(CONTRACTS)
        monthly = dict(zip(numbers(screen), column(screen, "monthly"), strict=True))
        assert monthly["CT-A-001"] == "R$1,234.56"
        assert "Sorted by" in everything_on_screen(app, screen)
        assert count_audit(portal_url, "contract_values_viewed") == before


async def test_help_lists_the_browser_keys(portal_url: str, export_dir: Path) -> None:
    seeded = seed(portal_url)
    async with browsing(portal_url, seeded, export_dir) as (app, pilot, _screen):
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(app)
        for words in ("Export CSV", "Reverse", "Sort", "Only active", "Only inactive", "Back"):
            assert words in text, words
        ids = {b.id for _k, b in app.screen.source._bindings}  # type: ignore[attr-defined]
        assert {
            "contracts.filter_active",
            "contracts.filter_inactive",
            "contracts.filter_all",
            "contracts.sort_next",
            "contracts.sort_reverse",
            "contracts.export",
            "contracts.back",
        } <= ids


async def test_window_holds_a_contract_once_when_pages_overlap(
    portal_url: str, export_dir: Path
) -> None:
    """A page fetched again after contracts were added or removed may repeat a neighbour's
    row: the table holds it once (in the first page that has it), in order."""
    seeded = seed(portal_url, [], many=30)
    async with browsing(portal_url, seeded, export_dir) as (_app, pilot, screen):
        table = table_of(screen)
        rows = screen.state.paging.pages[0].rows
        first = page_cells(rows[:20], values_visible=True)
        second = page_cells(rows[15:], values_visible=True)  # 5 rows overlap
        table.show_window([first, second], 0, cursor=18, top=0)
        await settle(pilot)
        assert numbers(screen) == [r.number for r in rows]
        assert table.pages_shown == 2 and table.absolute_row == 18
        assert under_cursor(screen)[0] == rows[18].number
