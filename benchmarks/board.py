"""The escalation runs board (issue 13): repaint cost, change latency, idle CPU.

* Repaint: the board with N open runs (500; 100 in quick mode) recomputes and
  repaints one countdown second, against a bare Textual app updating N labels
  in the same run (target <= 1.5x).
* Change-to-other-console latency: a second engine records an attempt; the
  time until the first console's change feed has fired and the board has been
  re-read (p95; target <= 1 s on PostgreSQL through NOTIFY, <= 2 s on SQLite
  through polling). The baseline is the target itself (no same-run baseline
  exists for "another console"); the ratio says how much of it is used.
* Idle CPU with the board open and counting down, as % of one core (< 2 %);
  the baseline is a bare Textual app idling for the same time. Two boards of
  runs started just now: 7 s apart (the rows on screen show seconds or minutes,
  as their levels near) and 1 s apart (the worst case: every row on screen
  within ten minutes of its level, so every countdown changes every second).

The board and the repaint run on a private SQLite file (the UI cost does not
depend on the backend); the latency runs on the benchmark database itself
(one customer and one run, cancelled at the end).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.stats import Figure, judge, percentile

N_RUNS = 500
N_RUNS_QUICK = 30
TICKS = 20
TICKS_QUICK = 4
LATENCY_SAMPLES = 20
LATENCY_SAMPLES_QUICK = 2
IDLE_SECONDS = 10.0
IDLE_SECONDS_QUICK = 1.0


def _board_database(
    folder: Path, n: int, spacing: int = 7, *, real_time: bool = False
) -> tuple[str, Any]:
    """N open runs, started ``spacing`` seconds apart (L1 due at once, L2 after 15 min),
    the last one at the fixed clock's instant or (``real_time``) now."""
    from noc_console.clock import FixedClock
    from noc_console.db import create_db_engine, sqlite_url
    from noc_console.migrate import upgrade
    from noc_console.models import Customer, EscalationChain, EscalationContact, Operator, Role
    from noc_console.services import escalation_runs
    from noc_console.services.context import Principal, ServiceContext

    url = sqlite_url(folder / f"board-{spacing}{'-now' if real_time else ''}.sqlite3")
    engine = create_db_engine(url)
    upgrade(engine)
    clock = FixedClock(datetime.now(UTC)) if real_time else FixedClock()
    ctx = ServiceContext(engine, clock=clock)
    with ctx.sessions.begin() as s:
        op = Operator(
            username="bench", display_name="Bench", role="operator", password_hash="-",
            is_active=True, failed_login_count=0, created_at=clock.now(),
        )  # fmt: skip
        s.add(op)
        ids = []
        for i in range(n):
            customer = Customer(
                legal_name=f"Cliente {i:04d} Ltda", cnpj=f"{i:014d}", status="active",
                timezone="America/Sao_Paulo", created_at=clock.now(),
            )  # fmt: skip
            s.add(customer)
            s.flush()
            chain = EscalationChain(customer_id=customer.id, updated_at=clock.now())
            for level, delay in ((1, 0), (2, 15), (3, 60)):
                chain.contacts.append(
                    EscalationContact(
                        level=level, name=f"Contato {i} L{level}", phone="+5511912345678",
                        delay_minutes=delay,
                    )
                )  # fmt: skip
            s.add(chain)
            ids.append(customer.id)
        s.flush()
        who = Principal(op.id, op.username, op.display_name, Role.OPERATOR)
    for i, customer_id in enumerate(ids):
        clock.current = clock.current - timedelta(seconds=spacing)
        escalation_runs.start_run(ctx, who, customer_id, ticket_ref=f"INC-{i:05d}")
    return url, (engine, who)


def _repaint(url: str, who: Any, n: int, ticks: int) -> tuple[float, float]:
    """(ms per board second, ms per bare second) as medians."""
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    from noc_console.clock import FixedClock
    from noc_console.db import create_db_engine
    from noc_console.screens.runs.screen import RunsBoard
    from noc_console.services.context import ServiceContext

    engine = create_db_engine(url)
    clock = FixedClock()
    ctx = ServiceContext(engine, clock=clock)

    class BoardApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(RunsBoard(ctx, who))

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            for i in range(n):
                yield Label(f"{i} 00:00", id=f"l{i}")

    async def board() -> list[float]:
        app = BoardApp()
        times: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            screen = app.screen
            assert isinstance(screen, RunsBoard)
            for _ in range(ticks):
                clock.advance(seconds=1)
                started = time.perf_counter()
                screen.tick()
                await pilot.pause()
                times.append((time.perf_counter() - started) * 1000)
        return times

    async def bare() -> list[float]:
        app = Bare()
        times: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            labels = list(app.query(Label))
            for t in range(ticks):
                started = time.perf_counter()
                for i, label in enumerate(labels):
                    label.update(f"{i} 00:{t:02d}")
                await pilot.pause()
                times.append((time.perf_counter() - started) * 1000)
        return times

    try:
        board_ms = statistics.median(asyncio.run(board()))
        bare_ms = statistics.median(asyncio.run(bare()))
    finally:
        engine.dispose()
    return board_ms, bare_ms


def _idle_cpu(url: str, who: Any, seconds: float) -> tuple[float, float]:
    """(% of a core with the board open and ticking, % for a bare idle app)."""
    from textual.app import App
    from textual.widgets import Label

    from noc_console.db import create_db_engine
    from noc_console.runtime.live import LiveUpdates
    from noc_console.screens.runs.screen import RunsBoard
    from noc_console.services.context import ServiceContext

    engine = create_db_engine(url)
    ctx = ServiceContext(engine)  # the system clock: the countdowns really move

    class BoardApp(App[None]):
        # The console's change watcher too (SQLite: a PRAGMA data_version a second).
        live = LiveUpdates()

        def on_mount(self) -> None:
            self.push_screen(RunsBoard(ctx, who))

        def on_unmount(self) -> None:
            self.live.stop()

    class Bare(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Label("idle")

    async def measure(app: App[None]) -> float:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            return (time.process_time() - cpu) / (time.perf_counter() - wall) * 100

    try:
        return asyncio.run(measure(BoardApp())), asyncio.run(measure(Bare()))
    finally:
        engine.dispose()


def _latency(url: str, samples: int) -> list[float]:
    """Seconds from another console's commit to this console's re-read board, per sample."""
    from noc_console.db import create_db_engine
    from noc_console.models import Customer, EscalationChain, EscalationContact, Operator, Role
    from noc_console.services import escalation_runs
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.changes import ChangeFeed

    mine, theirs = create_db_engine(url), create_db_engine(url)
    ctx, other = ServiceContext(mine), ServiceContext(theirs)
    stamp = int(time.time())
    with other.sessions.begin() as s:
        op = Operator(
            username=f"bench.board{stamp}", display_name="Bench", role="operator",
            password_hash="-", is_active=True, failed_login_count=0, created_at=other.clock.now(),
        )  # fmt: skip
        customer = Customer(
            legal_name="Latência Ltda", cnpj=f"{stamp % 10**14:014d}", status="active",
            timezone="America/Sao_Paulo", created_at=other.clock.now(),
        )  # fmt: skip
        s.add_all([op, customer])
        s.flush()
        chain = EscalationChain(customer_id=customer.id, updated_at=other.clock.now())
        chain.contacts.append(
            EscalationContact(level=1, name="Contato", phone="+5511912345678", delay_minutes=0)
        )
        s.add(chain)
        s.flush()
        who = Principal(op.id, op.username, op.display_name, Role.OPERATOR)
        customer_id = customer.id
    run_id = escalation_runs.start_run(other, who, customer_id, ticket_ref="BENCH-1").detail.run.id
    heard = threading.Event()
    feed = ChangeFeed(mine, lambda _again: heard.set())
    feed.start()
    out: list[float] = []
    try:
        feed.listening.wait(10)
        time.sleep(1.2)
        for _ in range(samples):
            heard.clear()
            escalation_runs.record_attempt(other, who, run_id, outcome="busy")
            committed = time.perf_counter()
            if not heard.wait(10):
                out.append(10.0)
                continue
            escalation_runs.board(ctx, who)
            out.append(time.perf_counter() - committed)
            time.sleep(0.3)
        escalation_runs.cancel(other, who, run_id, reason="benchmark")
    finally:
        feed.stop()
        mine.dispose()
        theirs.dispose()
    return out


def bench_board(
    url: str, backend: str, log: Callable[[str], None], *, quick: bool = False
) -> tuple[list[Figure], dict[str, Any]]:
    n = N_RUNS_QUICK if quick else N_RUNS
    figures: list[Figure] = []
    details: dict[str, Any] = {"runs": n}
    with tempfile.TemporaryDirectory(prefix="noc-board-") as folder:
        log(f"board: {n} open runs")
        board_url, (engine, who) = _board_database(Path(folder), n)
        engine.dispose()
        board_ms, bare_ms = _repaint(board_url, who, n, TICKS_QUICK if quick else TICKS)
        figures.append(
            Figure(
                key="board-repaint",
                title=f"Board: one countdown second, {n} open runs",
                target="<= 1.5x",
                unit="ms",
                value=board_ms,
                baseline=bare_ms,
                baseline_label=f"bare Textual app updating {n} labels",
                status=judge(board_ms <= 1.5 * bare_ms),
            )
        )
        # Idle CPU on boards whose runs started just now, on the system clock: the
        # countdowns really move. Seconds are shown within ten minutes of a level, minutes
        # beyond, so how many rows change each second depends on the runs: the worst case
        # is every row on screen within ten minutes (500 runs a second apart).
        for spacing, key, title in (
            (7, "board-idle-cpu", "Board open and counting down: idle CPU (runs 7 s apart)"),
            (
                1,
                "board-idle-cpu-worst",
                "Board idle CPU, worst case: every row on screen ticking each second",
            ),
        ):
            log(f"board: idle CPU, runs {spacing} s apart")
            idle_url, (idle_engine, idle_who) = _board_database(
                Path(folder), n, spacing, real_time=True
            )
            idle_engine.dispose()
            board_cpu, bare_cpu = _idle_cpu(
                idle_url, idle_who, IDLE_SECONDS_QUICK if quick else IDLE_SECONDS
            )
            figures.append(
                Figure(
                    key=key,
                    title=title,
                    target="< 2 %",
                    unit="%",
                    value=board_cpu,
                    baseline=bare_cpu,
                    baseline_label="bare Textual app idling",
                    status=judge(board_cpu < 2.0),
                )
            )
    log("board: change latency")
    waits = _latency(url, LATENCY_SAMPLES_QUICK if quick else LATENCY_SAMPLES)
    limit = 1.0 if backend == "postgresql" else 2.0
    p95 = percentile(waits, 95)
    figures.append(
        Figure(
            key="board-latency",
            title="Change seen by another console (p95, feed + re-read)",
            target=f"<= {limit:g} s",
            unit="s",
            value=p95,
            baseline=limit,
            baseline_label="the target (no same-run baseline for another console)",
            status=judge(p95 <= limit),
            note=f"{len(waits)} changes; "
            + ("LISTEN/NOTIFY" if backend == "postgresql" else "PRAGMA data_version polling"),
        )
    )
    details["latency_s"] = [round(w, 3) for w in waits]
    return figures, details
