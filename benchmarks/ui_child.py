"""Child processes of the UI benchmarks (``python -m benchmarks.ui_child MODE ...``).

Each mode runs one app headless under Textual's pilot, in a process of its
own, so its memory and CPU are its own and not the benchmark runner's. It
writes one JSON object to ``--out``: ``{"status": "ok", ...}``, or
``{"status": "skip", "why": ...}`` when the screen it needs does not exist
(yet), or ``{"status": "error", "why": ...}``.

Modes (each console mode has a bare-Textual twin measured the same way, the
same-run baseline):

* ``lookup`` / ``lookup-bare``: type 10 characters at 20 keys/s into the
  search box; time from the last key to the frame showing that term's results.
  The console's ``lookup.search`` and ``ResultsTable.show_hits`` are wrapped
  (before any screen imports them) so the results of exactly the final term are
  recognised, whatever page size or query scheduling the screen uses; the wrappers also
  give the breakdown (wait before the query, query, delivery, paint).
* ``scroll`` / ``scroll-bare``: scroll the heavy customer's contracts from the
  first to the last row (down x N, then page-down), timing each key to its
  painted frame; peak RSS growth over the scroll; an event-loop heartbeat
  catches any stall of the UI thread. The bare twin loads every row at once
  into a plain DataTable (the naive browser).
* ``idle`` / ``idle-bare``: visit every screen, then sit still; the parent
  samples CPU time and RSS from /proc while the children idle side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any

SIZE = (120, 40)
TYPE_INTERVAL_S = 0.05  # 20 keys per second
TYPED_LENGTH = 10
DETECT_TIMEOUT_S = 5.0
HEARTBEAT_S = 0.005
KEY_REPEAT_S = 1 / 30  # a held key repeats about 30 times a second

_events: dict[str, list[Any]] = {"search": [], "shown": []}


def _now() -> float:
    return time.perf_counter()


def _instrument_console() -> None:
    """Record each lookup query and each results update, before a screen can import them."""
    from noc_console.services.search import lookup

    original_search = lookup.search

    def search(*args: Any, **kwargs: Any) -> Any:
        started = _now()
        page = original_search(*args, **kwargs)
        term = kwargs.get("term", args[2] if len(args) > 2 else "")
        _events["search"].append((started, _now(), str(term), page))
        return page

    lookup.search = search
    try:
        from noc_console.widgets.results import ResultsTable
    except ImportError:
        return
    original_show = ResultsTable.show_hits

    def show_hits(self: Any, hits: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_show(self, hits, *args, **kwargs)
        _events["shown"].append((_now(), tuple(hits), bool(kwargs.get("append"))))
        return result

    ResultsTable.show_hits = show_hits  # type: ignore[method-assign]


# --------------------------------------------------------------------------- helpers


async def settle(pilot: Any, rounds: int = 8) -> None:
    """Until every worker finished and its messages were handled (results start workers)."""
    from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

    for _ in range(rounds):
        # An exclusive worker replaced by a newer one ends "cancelled": that is settling too.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers
        ):
            return


async def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.002) -> bool:
    deadline = _now() + timeout
    while not check():
        if _now() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def console_app(url: str) -> Any:
    from noc_console.app import make_app
    from noc_console.config import load_settings

    return make_app(load_settings(db_flag=url, lang_flag="pt_BR"))


def demo_password(username: str) -> str:
    from noc_console.demo import DEMO_OPERATORS

    return next(pw for user, _n, _r, pw in DEMO_OPERATORS if user == username)


CONNECT_PROBLEMS: list[str] = []


async def connected(pilot: Any, attempts: int = 3) -> None:
    """Wait for the app's database connection; on "unavailable", retry as the operator
    would (ctrl+r on the login screen) and remember what was shown, for the report."""
    app = pilot.app
    for _attempt in range(attempts):
        await wait_until(lambda: type(app.db_state).__name__ != "DbConnecting", 30, 0.01)
        await settle(pilot)
        state = app.db_state
        if type(state).__name__ == "DbConnected":
            return
        CONNECT_PROBLEMS.append(str(getattr(state, "message", state)))
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
    raise RuntimeError(f"the console could not connect: {CONNECT_PROBLEMS[-3:]}")


async def log_in(pilot: Any, username: str) -> None:
    from textual.widgets import Input

    from noc_console.screens.login import LoginScreen

    app = pilot.app
    await connected(pilot)
    screen = app.screen
    for field_id, value in (("#username", username), ("#password", demo_password(username))):
        field = screen.query_one(field_id, Input)
        field.focus()
        field.value = value
        await pilot.press("enter")
        await settle(pilot)
    if not await wait_until(lambda: not isinstance(app.screen, LoginScreen), 30, 0.01):
        raise RuntimeError(
            f"login as {username} did not leave the login screen: {_login_messages(app.screen)}"
        )
    await settle(pilot)


def _login_messages(screen: Any) -> str:
    """What the login screen says (database state, refusal), for an error report."""
    from textual.widgets import Static

    said = []
    for widget in screen.query(Static):
        if widget.id in ("db-status", "db-error", "login-message") and widget.display:
            said.append(str(widget.render()).strip())
    return " | ".join(s for s in said if s) or "(nothing)"


def find_lookup(screen: Any) -> tuple[Any, Any] | None:
    """The search box and the results table of the lookup screen, if this screen is one."""
    from textual.widgets import Input

    try:
        from noc_console.widgets.results import ResultsTable
    except ImportError:
        return None
    tables = list(screen.query(ResultsTable))
    boxes = [w for w in screen.query(Input) if not getattr(w, "password", False)]
    if not tables or not boxes:
        return None
    return boxes[0], tables[0]


class GcPauses:
    """Times every garbage collection while active (``gc.callbacks``): a full (generation 2)
    collection walks every live object, and a table of 20,000 rows is a lot of objects."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []  # (generation, ms)
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = _now()
        else:
            self.pauses.append((info["generation"], (_now() - self._started) * 1000))

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def report(self) -> dict[str, Any]:
        full = [ms for gen, ms in self.pauses if gen == 2]
        return {
            "collections": len(self.pauses),
            "full_collections": len(full),
            "full_max_ms": max(full, default=0.0),
            "full_total_ms": sum(full),
            "max_ms": max((ms for _g, ms in self.pauses), default=0.0),
            "over_50ms": sum(1 for _g, ms in self.pauses if ms > 50),
            "objects_tracked": len(gc.get_objects()),
        }


class Heartbeat:
    """A task that wakes every few ms; a late wake-up is a stall of the event loop (no frame
    can be painted while it lasts)."""

    def __init__(self) -> None:
        self.max_gap_ms = 0.0
        self.gaps_over_100 = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = _now()
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            now = _now()
            gap = (now - last - HEARTBEAT_S) * 1000
            self.max_gap_ms = max(self.max_gap_ms, gap)
            self.gaps_over_100 += gap > 100
            last = now

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def send_key(app: Any, key: str) -> None:
    """Deliver one key as the terminal driver would, and return at once.

    ``Pilot.press`` waits for the process to look idle after each key (at least
    two 20 ms sleeps), which would dominate a 50 ms typing cadence and every
    scroll step; this sends the same ``events.Key`` without waiting.
    """
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def type_term(pilot: Any, text: str) -> float:
    """Type ``text`` at 20 keys/s; the moment the last key was sent."""
    started = _now()
    last = started
    for i, ch in enumerate(text):
        delay = started + i * TYPE_INTERVAL_S - _now()
        if delay > 0:
            await asyncio.sleep(delay)
        last = _now()
        send_key(pilot.app, ch)
    return last


def _is_found(find: Callable[[], object]) -> bool:
    return find() is not None


def _shown_after(shown: list[tuple[float, str]], text: str, after: float) -> bool:
    return any(value == text and at >= after for at, value in shown)


def _row(table: Any) -> int:
    """The cursor's row in the whole list: a table holding a window of pages counts the rows
    evicted above it in ``row_offset`` (0 for a table that keeps every row)."""
    return int(getattr(table, "row_offset", 0)) + int(table.cursor_row)


def _end(table: Any) -> int:
    """One past the last row the table holds, counted in the whole list."""
    return int(getattr(table, "row_offset", 0)) + int(table.row_count)


def _moved(table: Any, row: int) -> bool:
    return _row(table) != row


# --------------------------------------------------------------------------- lookup


def _typed_terms(ctx: Any, principal: Any, n: int) -> list[str]:
    """10-character terms from the data whose results differ from their 9-character prefix
    (so the final results are told apart from the previous key's)."""
    from benchmarks.terms import draw_terms
    from noc_console.services.search import lookup
    from noc_console.text import fold

    candidates: list[str] = []
    for term in draw_terms(ctx.engine, 200, seed=7):
        text = term.text if term.kind != "name_plain" else fold(term.text)
        if len(text) >= TYPED_LENGTH and term.kind != "no_match":
            candidates.append(text[:TYPED_LENGTH])
    chosen: list[str] = []
    for text in dict.fromkeys(candidates):
        if text[-1] == " ":
            continue
        full = lookup.search(ctx, principal, text).hits
        shorter = lookup.search(ctx, principal, text[:-1]).hits
        if full and full != shorter:
            chosen.append(text)
        if len(chosen) == n:
            break
    return chosen


async def _clear(pilot: Any, box: Any) -> None:
    box.value = ""
    await asyncio.sleep(0.4)  # let the query for the emptied box finish
    await settle(pilot)


async def lookup_console(ns: argparse.Namespace) -> dict[str, Any]:
    _instrument_console()
    app = console_app(ns.url)
    samples: list[dict[str, Any]] = []
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ana.analista")
        found = find_lookup(app.screen)
        if found is None:
            return {
                "status": "skip",
                "why": f"lookup screen not available (home screen is {type(app.screen).__name__},"
                " without a search box and ResultsTable)",
            }
        box, _table = found
        ctx, principal = app.db_state.ctx, app.principal
        terms = _typed_terms(ctx, principal, ns.reps)
        if not terms:
            return {"status": "error", "why": "no 10-character term with results in the data"}
        heartbeat = Heartbeat()
        heartbeat.start()
        gc_pauses = GcPauses()
        gc_pauses.__enter__()
        for text in terms:
            box.focus()
            await _clear(pilot, box)
            _events["search"].clear()
            _events["shown"].clear()
            last_key = await type_term(pilot, text)

            def final_shown(text: str = text, after: float = last_key) -> tuple[Any, Any] | None:
                pages = [e for e in _events["search"] if e[2].strip() == text.strip()]
                for shown in _events["shown"]:
                    if shown[0] < after or shown[2]:
                        continue
                    for page_event in pages:
                        if shown[1] == tuple(page_event[3].hits):
                            return shown, page_event
                return None

            ok = await wait_until(partial(_is_found, final_shown), DETECT_TIMEOUT_S)
            if not ok:
                samples.append({"term": text, "ms": DETECT_TIMEOUT_S * 1000, "timeout": True})
                continue
            await app.screen.wait_for_refresh()
            painted = _now()
            match = final_shown()
            assert match is not None
            shown, (q_start, q_end, _term, _page) = match
            samples.append(
                {
                    "term": text,
                    "ms": (painted - last_key) * 1000,
                    "before_query_ms": (q_start - last_key) * 1000,
                    "query_ms": (q_end - q_start) * 1000,
                    "delivery_ms": (shown[0] - q_end) * 1000,
                    "paint_ms": (painted - shown[0]) * 1000,
                    "queries_while_typing": len(_events["search"]),
                }
            )
        heartbeat.stop()
        gc_pauses.__exit__()
        return {
            "status": "ok",
            "samples": samples,
            "max_loop_gap_ms": heartbeat.max_gap_ms,
            "gc": gc_pauses.report(),
        }


async def lookup_bare(ns: argparse.Namespace) -> dict[str, Any]:
    """A bare Textual app: an Input and a DataTable refilled with 50 rows from memory for
    the latest value, coalesced (no timer, no query): the floor of "key -> 50 results
    painted" with the same widgets."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input

    shown: list[tuple[float, str]] = []

    class Bare(App[None]):
        pending: str | None = None

        def compose(self) -> ComposeResult:
            yield Input(id="box")
            yield DataTable(id="table", cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            for name in ("Customer", "CNPJ", "Status", "Why it matched"):
                table.add_column(name)

        def on_input_changed(self, event: Input.Changed) -> None:
            if self.pending is None:
                self.call_later(self.refill)
            self.pending = event.value

        def refill(self) -> None:
            value, self.pending = self.pending or "", None
            table = self.query_one(DataTable)
            table.clear()
            for i in range(50):
                table.add_row(f"{value} customer {i}", "12.345.678/0001-95", "active", "x")
            shown.append((_now(), value))

    app = Bare()
    samples: list[dict[str, Any]] = []
    terms = ["padaria sa", "12345678-0", "maria.silv", "CT-2024-00", "sao joao d"][: ns.reps]
    while len(terms) < ns.reps:
        terms += terms[: ns.reps - len(terms)]
    async with app.run_test(size=SIZE) as pilot:
        box = app.query_one(Input)
        box.focus()
        for text in terms:
            box.value = ""
            await settle(pilot)
            shown.clear()
            last_key = await type_term(pilot, text)
            await wait_until(partial(_shown_after, shown, text, last_key), DETECT_TIMEOUT_S)
            await app.screen.wait_for_refresh()
            samples.append({"term": text, "ms": (_now() - last_key) * 1000})
    return {"status": "ok", "samples": samples}


# --------------------------------------------------------------------------- scroll


def _rss() -> float:
    from benchmarks.procinfo import rss_mb

    return rss_mb()


async def _scroll(
    pilot: Any,
    table: Any,
    *,
    downs: int,
    more_coming: Callable[[], bool],
    wait_more: Callable[[], Awaitable[float]],
    total: int,
) -> dict[str, Any]:
    """Press down x ``downs``, then page-down to the last row, at most 30 keys/s (a held
    key's auto-repeat); each key is timed until the cursor moved and that frame painted."""
    from benchmarks.procinfo import hwm_mb, reset_hwm

    app = pilot.app
    gc.collect()
    rss_start = _rss()
    hwm_reset = reset_hwm()
    peak = rss_start
    steps: list[float] = []
    page_steps: list[bool] = []
    waits: list[float] = []
    heartbeat = Heartbeat()
    heartbeat.start()
    presses = 0
    stuck = 0
    gc_pauses = GcPauses()
    gc_pauses.__enter__()
    while True:
        at_end = table.cursor_row >= table.row_count - 1
        if at_end and not more_coming():
            break
        if at_end:
            waits.append(await wait_more())
            if table.cursor_row >= table.row_count - 1:
                stuck += 1
                if stuck > 3:
                    break
            continue
        key = "down" if presses < downs else "pagedown"
        before_row, before_end = _row(table), _end(table)
        started = _now()
        send_key(app, key)
        moved = await wait_until(partial(_moved, table, before_row), 5.0, 0.001)
        await app.screen.wait_for_refresh()
        steps.append((_now() - started) * 1000 if moved else 5000.0)
        # Did a page of rows land while this key was being handled? (A window that keeps
        # its size when a page comes in shows it in where its rows end.)
        page_steps.append(_end(table) != before_end)
        presses += 1
        peak = max(peak, _rss())
        pause = started + KEY_REPEAT_S - _now()
        if pause > 0:
            await asyncio.sleep(pause)
    heartbeat.stop()
    gc_pauses.__exit__()
    await settle(pilot)
    peak = max(peak, hwm_mb()) if hwm_reset else peak
    return {
        "steps_ms": steps,
        "steps_with_page_ms": [ms for ms, page in zip(steps, page_steps, strict=True) if page],
        "steps_without_page_ms": [
            ms for ms, page in zip(steps, page_steps, strict=True) if not page
        ],
        "data_waits_ms": waits,
        "rows_reached": _row(table) + 1,
        "rows_total": total,
        "rss_start_mb": rss_start,
        "rss_peak_mb": peak,
        "rss_end_mb": _rss(),
        "hwm_reset": hwm_reset,
        "max_loop_gap_ms": heartbeat.max_gap_ms,
        "loop_gaps_over_100ms": heartbeat.gaps_over_100,
        "keys": presses,
        "gc": gc_pauses.report(),
    }


def _customer_name(ctx: Any, customer_id: int) -> str:
    from sqlalchemy import text

    with ctx.read_sessions() as session:
        return str(
            session.execute(
                text("SELECT legal_name FROM customers WHERE id = :id"), {"id": customer_id}
            ).scalar_one()
        )


def _contract_count(ctx: Any, customer_id: int) -> int:
    from sqlalchemy import text

    with ctx.read_sessions() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM contracts WHERE customer_id = :id"), {"id": customer_id}
            ).scalar_one()
        )


async def scroll_console(ns: argparse.Namespace) -> dict[str, Any]:
    try:
        from noc_console.screens.contracts.screen import ContractBrowser
    except ImportError as err:
        return {"status": "skip", "why": f"contract browser not available ({err})"}
    from textual.widgets import DataTable

    from noc_console.services import auth
    from noc_console.widgets.contract_table import ContractTable

    # Time each page's rows being added on the UI thread (cells, Babel money, DataTable; with a
    # window of pages, also the eviction): the screen's ``_place`` when it has one (it builds
    # the cells and hands them to the table), else the table's ``add_contracts``.
    add_ms: list[float] = []
    owner: Any = ContractBrowser if hasattr(ContractBrowser, "_place") else ContractTable
    name = "_place" if owner is ContractBrowser else "add_contracts"
    original_add = getattr(owner, name)

    def add_page(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = _now()
        added = original_add(self, *args, **kwargs)
        add_ms.append((_now() - started) * 1000)
        return added

    setattr(owner, name, add_page)
    app = console_app(ns.url)
    async with app.run_test(size=SIZE) as pilot:
        # The browser is opened straight over the login screen, with a principal from the
        # login service: this figure is about the browser, not about reaching it.
        await connected(pilot)
        ctx = app.db_state.ctx
        principal = auth.login(ctx, "sara.supervisora", demo_password("sara.supervisora"))
        name = _customer_name(ctx, ns.customer_id)
        total = _contract_count(ctx, ns.customer_id)
        opened = _now()
        browser = ContractBrowser(
            ctx, principal, ns.customer_id, name, export_dir=Path(ns.export_dir)
        )
        await app.push_screen(browser)
        await settle(pilot)
        open_ms = (_now() - opened) * 1000
        table = browser.query_one(DataTable)
        table.focus()
        await settle(pilot)

        def more_coming() -> bool:
            # The paging state: the screen's own attributes, or its state's ``paging``.
            paging = getattr(getattr(browser, "state", None), "paging", browser)
            return getattr(paging, "next_cursor", None) is not None or bool(
                getattr(paging, "loading_more", False)
            )

        async def wait_more() -> float:
            started = _now()
            end = _end(table)
            await wait_until(lambda: _end(table) > end or not more_coming(), 10, 0.002)
            await settle(pilot)
            return (_now() - started) * 1000

        result = await _scroll(
            pilot, table, downs=ns.downs, more_coming=more_coming, wait_more=wait_more, total=total
        )
        result["open_ms"] = open_ms
        result["add_page_ms"] = add_ms
        result["page_size"] = getattr(sys.modules[ContractBrowser.__module__], "PAGE_SIZE", None)
        return {"status": "ok", **result}


async def scroll_bare(ns: argparse.Namespace) -> dict[str, Any]:
    """The naive browser: every contract fetched up front into a plain DataTable."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from benchmarks.service_bench import make_context
    from noc_console.config import load_settings
    from noc_console.services import auth, contracts
    from noc_console.services.context import ServiceContext
    from noc_console.services.hashing import Hasher

    settings = load_settings(db_flag=ns.url)
    ctx: ServiceContext = make_context(ns.url, settings.argon2)
    principal = auth.login(ctx, "sara.supervisora", demo_password("sara.supervisora"))
    del Hasher

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(id="table", cursor_type="row", zebra_stripes=True)

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        for col in ("Number", "Service", "Status", "Start", "End", "Monthly", "Annual"):
            table.add_column(col)
        await settle(pilot)
        gc.collect()
        rss_before = _rss()
        loaded = _now()
        rows: list[Any] = []
        cursor = None
        while True:
            page = contracts.list_contracts(
                ctx, principal, ns.customer_id, cursor=cursor, page_size=500
            )
            rows.extend(page.rows)
            cursor = page.next_cursor
            if cursor is None:
                break
        table.add_rows(
            (
                r.number,
                r.service_name,
                r.status.value,
                str(r.start_date),
                str(r.end_date or ""),
                str(r.monthly_value),
                str(r.annual_value),
            )
            for r in rows
        )
        table.focus()
        await settle(pilot)
        load_ms = (_now() - loaded) * 1000

        async def no_wait() -> float:
            return 0.0

        result = await _scroll(
            pilot, table, downs=ns.downs, more_coming=lambda: False, wait_more=no_wait,
            total=len(rows),
        )  # fmt: skip
        # The naive browser's growth starts before its rows were fetched.
        result["rss_start_mb"] = rss_before
        result["open_ms"] = load_ms
    ctx.engine.dispose()
    return {"status": "ok", **result}


# --------------------------------------------------------------------------- idle


async def _visit(
    pilot: Any,
    name: str,
    open_: Callable[[], Awaitable[Any]],
    visited: dict[str, str],
    pause: float,
) -> None:
    app = pilot.app
    depth = len(app.screen_stack)
    try:
        await open_()
        await settle(pilot)
        await pilot.pause(pause)
        await settle(pilot)
        visited[name] = f"ok ({type(app.screen).__name__})"
    except Exception as err:  # noqa: BLE001 - a screen that cannot open is reported, not fatal
        visited[name] = f"skipped: {type(err).__name__}: {str(err)[:120]}"
    while len(app.screen_stack) > depth:
        await app.pop_screen()
        await settle(pilot)


async def visit_every_screen(
    pilot: Any, customer_id: int, export_dir: Path, pause: float
) -> dict[str, str]:
    """Open each screen the console has, the way the operator would reach it when the
    navigation exists, else by pushing it (what matters here is that it was shown)."""
    from sqlalchemy import text

    app = pilot.app
    ctx, principal = app.db_state.ctx, app.principal
    visited: dict[str, str] = {"login": "ok", "home": f"ok ({type(app.screen).__name__})"}
    found = find_lookup(app.screen)
    if found is not None:
        box, table = found
        box.focus()
        box.value = ""
        await type_term(pilot, "Preço Bom")
        await pilot.pause(0.5)  # let the lookup's query finish and paint
        await settle(pilot)
        visited["lookup"] = f"ok ({table.row_count} results)"
        home = app.screen
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        if app.screen is not home:
            visited["customer"] = f"ok ({type(app.screen).__name__})"
            await pilot.press("escape")
            await settle(pilot)
        else:
            visited["customer"] = "skipped: enter on a result opened no screen"
    else:
        visited["lookup"] = "skipped: no lookup screen yet"
        visited["customer"] = "skipped: no lookup screen yet"
    name = _customer_name(ctx, customer_id)
    with ctx.read_sessions() as session:
        user_id = int(
            session.execute(
                text("SELECT min(id) FROM portal_users WHERE customer_id = :id"),
                {"id": customer_id},
            ).scalar_one()
        )

    async def contracts_screen() -> None:
        from noc_console.screens.contracts.screen import ContractBrowser

        await app.push_screen(
            ContractBrowser(ctx, principal, customer_id, name, export_dir=export_dir)
        )
        await settle(pilot)
        await pilot.press("pagedown", "pagedown", "pagedown")

    async def escalation_screen() -> None:
        from noc_console.screens.escalation.screen import EscalationEditor

        await app.push_screen(EscalationEditor(ctx, principal, customer_id))

    async def reset_screen() -> None:
        from noc_console.screens.reset.screen import ResetWizard

        await app.push_screen(ResetWizard(ctx, principal, user_id))

    async def audit_screen() -> None:
        from noc_console.screens.audit.screen import AuditLogScreen

        await app.push_screen(AuditLogScreen(ctx, principal))

    async def help_screen() -> None:
        await app.run_action("help")

    async def palette() -> None:
        await app.run_action("command_palette")

    for label, opener in (
        ("contracts", contracts_screen),
        ("escalation", escalation_screen),
        ("reset wizard", reset_screen),
        ("audit log", audit_screen),
        ("help", help_screen),
        ("command palette", palette),
    ):
        await _visit(pilot, label, opener, visited, pause)
    return visited


async def idle_console(ns: argparse.Namespace) -> dict[str, Any]:
    app = console_app(ns.url)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "sara.supervisora")
        visited = await visit_every_screen(pilot, ns.customer_id, Path(ns.export_dir), ns.pause)
        gc.collect()
        await pilot.pause(0.5)
        ready = {
            "status": "ok",
            "visited": visited,
            "screen": type(app.screen).__name__,
            "connect_retries": CONNECT_PROBLEMS,
        }
        Path(ns.ready).write_text(json.dumps(ready), encoding="utf-8")
        await asyncio.sleep(ns.hold)
    return ready


async def idle_bare(ns: argparse.Namespace) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("NOC Console")

    async with Bare().run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        ready = {"status": "ok"}
        Path(ns.ready).write_text(json.dumps(ready), encoding="utf-8")
        await asyncio.sleep(ns.hold)
    return ready


MODES: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, dict[str, Any]]]] = {
    "lookup": lookup_console,
    "lookup-bare": lookup_bare,
    "scroll": scroll_console,
    "scroll-bare": scroll_bare,
    "idle": idle_console,
    "idle-bare": idle_bare,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ui_child")
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--out", required=True)
    parser.add_argument("--url", default="")
    parser.add_argument("--customer-id", type=int, default=0)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--downs", type=int, default=40)
    parser.add_argument("--export-dir", default=".")
    parser.add_argument("--ready", default="")
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--pause", type=float, default=0.3)
    ns = parser.parse_args(argv)
    result: dict[str, Any]
    try:
        result = asyncio.run(MODES[ns.mode](ns))
    except Exception as err:  # noqa: BLE001 - the parent reports it as a figure's error
        result = {
            "status": "error",
            "why": f"{type(err).__name__}: {err}",
            "trace": traceback.format_exc()[-3000:],
        }
    if CONNECT_PROBLEMS:
        result["connect_retries"] = CONNECT_PROBLEMS
    with contextlib.suppress(OSError):
        Path(ns.out).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0 if result.get("status") != "error" else 1


if __name__ == "__main__":
    sys.exit(main())
