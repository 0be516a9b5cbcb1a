"""Escalation runs with the pilot on real databases: board, run view, start, live updates.

The clock is the app's FixedClock, advanced by the test; countdowns and the
bell follow it. Assertions are on the database and on the screen's words.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.models import EscalationAttempt, EscalationRun, Role
from noc_console.screens.run.screen import RunScreen
from noc_console.screens.run_start.screen import RunStartModal
from noc_console.screens.runs.screen import RunsBoard
from noc_console.services import escalation_runs as runs
from noc_console.services.context import Principal, ServiceContext
from noc_console.widgets.confirm import ConfirmModal
from tests.support.factories import make_chain, make_customer, make_operator
from tests.ui.helpers import (
    SIZE,
    add_operator,
    build_console,
    log_in,
    read_session,
    screen_text,
    settle,
    table_rows,
)


def seed(url: str) -> tuple[int, Principal]:
    engine = create_db_engine(url)
    try:
        ctx = ServiceContext(engine, clock=FixedClock())
        with ctx.sessions.begin() as s:
            customer = make_customer(s, "Padaria São João Ltda")
            make_chain(s, customer)
            other = make_operator(s, Role.OPERATOR, username="otto")
            return customer.id, other
    finally:
        engine.dispose()


def start(
    url: str,
    who: Principal,
    customer_id: int,
    ticket: str = "INC-2026-0042",
    clock: FixedClock | None = None,
) -> int:
    engine = create_db_engine(url)
    try:
        ctx = ServiceContext(engine, clock=clock or FixedClock())
        return runs.start_run(ctx, who, customer_id, ticket_ref=ticket).detail.run.id
    finally:
        engine.dispose()


async def wait_for(pilot: Pilot[Any], check: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await settle(pilot)
        if check():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_start_attempt_escalate_by_the_clock_and_acknowledge(db_url: str) -> None:
    customer_id, _otto = seed(db_url)
    add_operator(db_url, "alice", role="analyst")
    app = build_console(db_url, lang="en")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "alice")
        from noc_console.screens.customer.screen import CustomerScreen

        ctx = app.db_state.ctx  # type: ignore[union-attr]
        app.push_screen(CustomerScreen(ctx, app.principal, customer_id))  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, RunStartModal)
        await pilot.press("ctrl+s")  # no ticket: refused, nothing written
        await settle(pilot)
        refusal = app.screen.query_one("#start-error", Static)
        assert refusal.display and "enter the incident or ticket reference" in str(refusal.render())
        with read_session(db_url) as s:
            assert s.scalar(select(func.count()).select_from(EscalationRun)) == 0
        app.screen.query_one("#start-ticket", Input).value = "INC-2026-0042"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        text = screen_text(app)
        assert "L1 NOW" in text and "Maria Souza" in text
        assert "one one · nine one two three four · five six seven eight" in text
        clock.advance(minutes=1)
        await pilot.press("n")
        app.screen.query_one("#run-note", Input).value = "caixa postal cheia"
        await pilot.press("enter", "2")
        await settle(pilot)
        with read_session(db_url) as s:
            attempt = s.scalars(select(EscalationAttempt)).one()
            assert (attempt.level, attempt.outcome, attempt.note) == (
                1,
                "no_answer",
                "caixa postal cheia",
            )
        assert "L2 in 14 min" in screen_text(app)
        clock.advance(minutes=15)  # L2 comes due by the clock
        await pilot.pause(1.2)
        await settle(pilot)
        assert "L2 OVERDUE for 01:00" in screen_text(app)
        await pilot.press("k")  # selected contact follows the due level: L2
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("k")  # the key that opened it does not confirm
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")
        await settle(pilot)
        with read_session(db_url) as s:
            run = s.scalars(select(EscalationRun)).one()
            assert (run.state, run.acknowledged_level) == ("acknowledged", 2)
        assert "acknowledged by L2" in screen_text(app)


async def test_board_orders_marks_and_rings_once(db_url: str) -> None:
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    first = start(db_url, otto, customer_id, "INC-1")
    engine = create_db_engine(db_url)
    ctx = ServiceContext(engine, clock=FixedClock())
    runs.record_attempt(ctx, otto, first, outcome="no_answer")
    runs.set_working(ctx, otto, first, working=True)
    app = build_console(db_url, lang="en")
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "alice")
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, RunsBoard)
            rows = table_rows(app.screen.query_one("#board-table", DataTable))
            assert len(rows) == 1 and "INC-1" in rows[0] and "L2 in 15 min" in rows[0]
            assert "Otto calling…" in rows[0]
            assert bells == []
            board = app.screen
            clock = app.clock
            assert isinstance(board, RunsBoard) and isinstance(clock, FixedClock)
            clock.advance(minutes=16)
            board.tick()
            rows = table_rows(app.screen.query_one("#board-table", DataTable))
            assert rows[0].startswith("▶") and "L2 OVERDUE for 01:00" in rows[0]
            board.tick()
            assert bells == [1]  # once per level coming due
    finally:
        engine.dispose()


async def test_a_run_that_moves_keeps_the_cursor_and_the_other_rows(db_url: str) -> None:
    """Rows are re-sorted in place when a run changes stage: every row keeps its own
    words and the cursor stays on the run it was on."""
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    called = start(db_url, otto, customer_id, "INC-1")
    overdue = start(db_url, otto, customer_id, "INC-2")
    engine = create_db_engine(db_url)
    ctx = ServiceContext(engine, clock=FixedClock())
    runs.record_attempt(ctx, otto, called, outcome="no_answer")
    app = build_console(db_url, lang="en")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "alice")
            await pilot.press("f2")
            await settle(pilot)
            board = app.screen
            assert isinstance(board, RunsBoard)
            table = board.query_one("#board-table", DataTable)
            rows = table_rows(table)
            assert "INC-2" in rows[0] and "L1 NOW" in rows[0]
            assert "INC-1" in rows[1] and "L2 in 15 min" in rows[1]
            await pilot.press("down")
            assert board.selected_run() == called
            await asyncio.to_thread(runs.acknowledge, ctx, otto, overdue)
            board._load()
            await settle(pilot)
            rows = table_rows(table)
            assert "INC-1" in rows[0] and "L2 in 15 min" in rows[0]
            assert "INC-2" in rows[1] and "acknowledged by L1" in rows[1]
            assert board.selected_run() == called and table.cursor_row == 0
    finally:
        engine.dispose()


async def test_another_console_s_attempt_and_acknowledgement_appear(db_url: str) -> None:
    """The other console writes through its own engine; this one hears it (NOTIFY or polling)."""
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    run_id = start(db_url, otto, customer_id)
    engine = create_db_engine(db_url)
    other = ServiceContext(engine, clock=FixedClock())
    app = build_console(db_url, lang="en")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "alice")
            await pilot.press("f2")
            await settle(pilot)
            feed = app.live.feed
            assert feed is not None
            await asyncio.to_thread(feed.listening.wait, 5)
            await asyncio.sleep(1.1)
            began = time.monotonic()
            await asyncio.to_thread(runs.record_attempt, other, otto, run_id, outcome="busy")

            def shows(words: str) -> bool:
                rows = table_rows(app.screen.query_one("#board-table", DataTable))
                return bool(rows) and words in rows[0]

            assert await wait_for(pilot, lambda: shows("L2 in"), 3)
            limit = 1.0 if engine.dialect.name == "postgresql" else 2.0
            assert time.monotonic() - began < limit + 0.5
            await asyncio.to_thread(runs.acknowledge, other, otto, run_id)
            assert await wait_for(pilot, lambda: shows("acknowledged by L1"), 3)
    finally:
        engine.dispose()


async def test_read_only_greys_every_run_action(db_url: str) -> None:
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="supervisor")
    run_id = start(db_url, otto, customer_id)
    app = build_console(db_url, lang="en", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "alice")
        ctx = app.db_state.ctx  # type: ignore[union-attr]
        app.push_screen(RunScreen(ctx, app.principal, run_id, read_only=True))  # type: ignore[arg-type]
        await settle(pilot)
        for action in ("acknowledge", "escalate", "resolve", "cancel_run", "outcome"):
            assert app.screen.check_action(action, ()) is None
        await pilot.press("2", "k")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        with read_session(db_url) as s:
            assert s.scalars(select(EscalationAttempt)).all() == []
        assert "Read-only mode" in screen_text(app)
