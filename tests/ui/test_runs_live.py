"""Escalation runs across consoles and restarts, the supervisors' history, hostile notes.

Two apps share one database as two consoles would: what one records, the
other shows through its change feed (NOTIFY on PostgreSQL, ``PRAGMA
data_version`` polling on SQLite). Waits are bounded polls, never timed
asserts: the bound is the issue's budget (1 s PostgreSQL, 2 s SQLite) plus
``SLACK`` for the test machinery on a loaded machine; the benchmark
(benchmarks/board.py) measures the latency itself.
"""

from __future__ import annotations

import asyncio
import csv
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.models import AuditEvent, EscalationAttempt, EscalationRun
from noc_console.screens.run.screen import RunScreen
from noc_console.screens.run_history.screen import RunHistoryScreen
from noc_console.screens.runs.screen import RunsBoard
from noc_console.services import escalation_runs as runs
from noc_console.services.context import Principal, ServiceContext
from noc_console.widgets.confirm import ConfirmModal
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
from tests.ui.test_runs import seed, start

SLACK = 1.0


async def wait_for(pilots: list[Pilot[Any]], check: Any, seconds: float) -> bool:
    """Poll ``check`` until it holds or ``seconds`` pass, letting every app run meanwhile."""
    deadline = time.monotonic() + seconds
    while True:
        for pilot in pilots:
            await settle(pilot)
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)


def board_rows(app: NocApp) -> list[str]:
    board = next(s for s in app.screen_stack if isinstance(s, RunsBoard))
    return table_rows(board.query_one("#board-table", DataTable))


def attempt_rows(app: NocApp) -> list[str]:
    return table_rows(app.screen.query_one("#run-attempts", DataTable))


def budget(url: str) -> float:
    return (1.0 if url.startswith("postgresql") else 2.0) + SLACK


async def listening(app: NocApp) -> None:
    feed = app.live.feed
    assert feed is not None
    await asyncio.to_thread(feed.listening.wait, 5)
    await asyncio.sleep(1.1)  # SQLite: the first poll has read the version to compare with


async def test_two_consoles_see_each_other_s_attempt_acknowledgement_and_presence(
    db_url: str,
) -> None:
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    add_operator(db_url, "bruno", display_name="Bruno Dias", role="analyst")
    run_id = start(db_url, otto, customer_id, "INC-2026-0042", FixedClock())
    app_a = build_console(db_url, lang="en")
    app_b = build_console(db_url, lang="en")
    async with app_a.run_test(size=SIZE) as pilot_a, app_b.run_test(size=SIZE) as pilot_b:
        pilots = [pilot_a, pilot_b]
        await log_in(pilot_a, "alice")
        await log_in(pilot_b, "bruno")
        # B watches: the board, and the run view opened from it.
        await pilot_b.press("f2")
        await settle(pilot_b)
        assert isinstance(app_b.screen, RunsBoard)
        await pilot_b.press("enter")
        await settle(pilot_b)
        assert isinstance(app_b.screen, RunScreen)
        await listening(app_b)

        # A opens the run: its own view says at once that Alice is calling (claim, then read)...
        await pilot_a.press("f2")
        await settle(pilot_a)
        await pilot_a.press("enter")
        await settle(pilot_a)
        assert isinstance(app_a.screen, RunScreen)
        assert "Alice Souza calling…" in screen_text(app_a)
        # ... and B's board hears it.
        assert await wait_for(
            pilots, lambda: "Alice Souza calling…" in board_rows(app_b)[0], budget(db_url)
        )

        # A logs a call; B's run view and board show it.
        await pilot_a.press("2")
        await settle(pilot_a)
        with read_session(db_url) as s:
            assert s.scalars(select(EscalationAttempt.outcome)).all() == ["no_answer"]
        assert await wait_for(
            pilots,
            lambda: any("no answer" in r and "Alice Souza" in r for r in attempt_rows(app_b)),
            budget(db_url),
        )
        assert await wait_for(pilots, lambda: "L2 in 15 min" in board_rows(app_b)[0], 0.5)

        # A records the acknowledgement; B sees it stop the countdown.
        await pilot_a.press("k")
        await settle(pilot_a)
        assert isinstance(app_a.screen, ConfirmModal)
        await pilot_a.press("enter")
        await settle(pilot_a)
        with read_session(db_url) as s:
            run = s.get(EscalationRun, run_id)
            assert run is not None and (run.state, run.acknowledged_level) == ("acknowledged", 1)
        assert await wait_for(
            pilots, lambda: "acknowledged by L1" in screen_text(app_b), budget(db_url)
        )
        assert "acknowledged by L1" in board_rows(app_b)[0]
        # B's view no longer offers the acknowledgement A recorded.
        assert app_b.screen.check_action("acknowledge", ()) is None


async def test_a_restarted_console_shows_the_same_board_recomputed_from_the_clock(
    db_url: str,
) -> None:
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    began = FixedClock()
    first = start(db_url, otto, customer_id, "INC-1", began)
    began.advance(minutes=2)
    second = start(db_url, otto, customer_id, "INC-2", began)
    engine = create_db_engine(db_url)
    try:
        runs.record_attempt(ServiceContext(engine, clock=began), otto, first, outcome="busy")
    finally:
        engine.dispose()

    async def board_of(app: NocApp) -> list[str]:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "alice")
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, RunsBoard)
            return board_rows(app)

    before = build_console(db_url, lang="en")
    assert isinstance(before.clock, FixedClock)
    before.clock.current = began.now()
    shown = await board_of(before)
    # The run waiting for a call first, then the one whose L2 comes due in 13 minutes.
    assert "INC-2" in shown[0] and "L1 NOW" in shown[0]
    assert "INC-1" in shown[1] and "L2 in 13 min" in shown[1]

    after = build_console(db_url, lang="en")  # a new process: nothing kept in memory
    assert isinstance(after.clock, FixedClock)
    after.clock.current = began.now() + timedelta(minutes=5, seconds=30)
    again = await board_of(after)
    # The same runs in the same order (customer and ticket), the countdowns recomputed.
    same = [(r.split(" | ")[2], r.split(" | ")[-1]) for r in again]
    assert same == [(r.split(" | ")[2], r.split(" | ")[-1]) for r in shown]
    assert "L1 OVERDUE for 05:30" in again[0]
    assert "L2 in 07:30" in again[1]
    with read_session(db_url) as s:
        assert {r.id for r in s.scalars(select(EscalationRun))} == {first, second}


def history(url: str) -> tuple[int, Principal]:
    """Four runs ten days back: L1 answers after 2 and 4 minutes, L2 after 16, one cancelled."""
    customer_id, otto = seed(url)
    clock = FixedClock()
    clock.advance(days=-10)
    engine = create_db_engine(url)
    try:
        ctx = ServiceContext(engine, clock=clock)
        for ticket, minutes, level in (("H-1", 2, 1), ("H-2", 4, 1), ("H-3", 16, 2)):
            run_id = runs.start_run(ctx, otto, customer_id, ticket_ref=ticket).detail.run.id
            clock.advance(minutes=minutes)
            runs.acknowledge(ctx, otto, run_id, level=level)
            runs.resolve(ctx, otto, run_id)
            clock.advance(hours=1)
        run_id = runs.start_run(ctx, otto, customer_id, ticket_ref="H-4").detail.run.id
        runs.cancel(ctx, otto, run_id, reason="aberto em dobro")
    finally:
        engine.dispose()
    return customer_id, otto


def notifications(app: NocApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_supervisor_history_share_median_runs_and_csv(db_url: str) -> None:
    customer_id, _otto = history(db_url)
    add_operator(db_url, "sofia", display_name="Sofia Reis", role="supervisor")
    app = build_console(db_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "sofia")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, RunHistoryScreen)
        stats = table_rows(app.screen.query_one("#history-stats", DataTable))
        # Cancelled runs say nothing about the chain: 3 runs, L1 took 2, median of 2/4/16 min.
        assert stats == ["Padaria São João Ltda | 3 | level 1 answered 2 of 3 times | 04:00"]
        await pilot.press("enter")
        await settle(pilot)
        runs_shown = table_rows(app.screen.query_one("#history-runs", DataTable))
        assert [r.split(" | ")[1] for r in runs_shown] == ["H-4", "H-3", "H-2", "H-1"]
        assert "L2 after 16:00" in runs_shown[1] and "L1 after 02:00" in runs_shown[3]
        assert "not acknowledged" in runs_shown[0]
        await pilot.press("x")
        await settle(pilot)
        done = [n for n in notifications(app) if "runs exported to" in n]
        assert done and done[-1].startswith("4 runs exported to ")
        path = Path(done[-1].removeprefix("4 runs exported to "))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        keys = ("ticket_ref", "acknowledged_level", "seconds_to_acknowledge")
        got = [tuple(r[k] for k in keys) for r in rows]
        assert got == [
            ("H-1", "1", "120"), ("H-2", "1", "240"), ("H-3", "2", "960"), ("H-4", "", ""),
        ]  # fmt: skip
        assert {r["customer_id"] for r in rows} == {str(customer_id)}
    with read_session(db_url) as s:
        exported = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation_history_exported")
        ).all()
        assert len(exported) == 1 and exported[0].details["rows"] == 4


async def test_history_is_refused_to_analysts_and_operators(db_url: str) -> None:
    history(db_url)
    add_operator(db_url, "otavio", display_name="Otávio Reis", role="operator")
    add_operator(db_url, "ana", display_name="Ana Lima", role="analyst")
    for username in ("otavio", "ana"):
        app = build_console(db_url, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, username)
            await pilot.press("f2")
            await settle(pilot)
            board = app.screen
            assert isinstance(board, RunsBoard)
            assert board.check_action("history", ()) is False  # not offered at all
            await pilot.press("h")
            await settle(pilot)
            assert app.screen is board
            # Reached another way, the screen shows the refusal and no figure.
            ctx = app.db_state.ctx  # type: ignore[union-attr]
            app.push_screen(RunHistoryScreen(ctx, app.principal))  # type: ignore[arg-type]
            await settle(pilot)
            await pilot.press("x")
            await settle(pilot)
            assert table_rows(app.screen.query_one("#history-stats", DataTable)) == []
            error = str(app.screen.query_one("#history-error").render())
            assert "⚠" in error and "Traceback" not in error
            assert not any("exported" in n for n in notifications(app))
    with read_session(db_url) as s:
        assert not s.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation_history_exported")
        ).all()


MARKUP_NOTE = "[b]Maria[/b] [link=https://x.invalid]aqui[/link] [@click=app.quit]sair[/]"


async def test_a_note_with_markup_is_shown_as_typed(db_url: str) -> None:
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    run_id = start(db_url, otto, customer_id, "[red]INC[/red]-1", FixedClock())
    engine = create_db_engine(db_url)
    try:
        ctx = ServiceContext(engine, clock=FixedClock())
        runs.record_attempt(ctx, otto, run_id, outcome="voicemail", note=MARKUP_NOTE)
    finally:
        engine.dispose()
    app = build_console(db_url, lang="en")
    async with app.run_test(size=(200, 40)) as pilot:
        await log_in(pilot, "alice")
        await pilot.press("f2")
        await settle(pilot)
        assert "[red]INC[/red]-1" in board_rows(app)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        assert MARKUP_NOTE in attempt_rows(app)[0]
        assert "[red]INC[/red]-1" in screen_text(app)
        assert app.is_running  # the [@click] in the note did nothing


async def test_the_board_repaints_a_changed_countdown_and_keeps_the_other_cells(
    db_url: str,
) -> None:
    """The board's table forgets only changed cells (screens/runs/table.py): check the
    painted lines, not the table's data, so a Textual change to its caches fails here."""
    customer_id, otto = seed(db_url)
    add_operator(db_url, "alice", role="operator")
    run_id = start(db_url, otto, customer_id, "INC-7", FixedClock())
    engine = create_db_engine(db_url)
    try:
        runs.record_attempt(
            ServiceContext(engine, clock=FixedClock()), otto, run_id, outcome="busy"
        )
    finally:
        engine.dispose()
    app = build_console(db_url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "alice")
        await pilot.press("f2")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, RunsBoard) and isinstance(app.clock, FixedClock)
        table = board.query_one("#board-table", DataTable)

        def painted() -> str:
            return table.render_line(1).text  # the first row, under the header

        assert "L2 in 15 min" in painted() and "Padaria São João" in painted()
        app.clock.advance(minutes=6)  # seconds are shown within ten minutes of the level
        board.tick()
        await pilot.pause()
        assert "L2 in 09:00" in painted()
        for seconds, shown in ((3, "L2 in 08:57"), (60, "L2 in 07:57")):
            app.clock.advance(seconds=seconds)
            board.tick()
            await pilot.pause()
            line = painted()
            assert shown in line and "Padaria São João" in line and "INC-7" in line
            assert "Carlos Lima" in line  # L1 was called: the row names L2's contact
