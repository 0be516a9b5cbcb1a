"""The board: every open escalation run across customers, what is due next first.

One timer for the whole board ticks once a second and recomputes the
countdowns on screen from the stored timestamps and the app's clock,
repainting only the cells whose words changed (order, summary and the bell
are recomputed only when a run changes stage); the database is read only
when the change watcher (``app.live``) says something changed, or when the
operator comes back to the board. ``enter`` opens the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, back_binding
from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.runs.failures import describe
from noc_console.screens.runs.messages import RunsChanged
from noc_console.screens.runs.state import BoardRow, BoardState
from noc_console.screens.runs.table import TickingTable
from noc_console.widgets.cells import literal
from noc_console.widgets.literal import printable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import BoardView, RunSummary
    from noc_console.services.escalation_runs.schedule import Position

log = logging.getLogger(__name__)

# What an operator on the phone needs first comes first, so it stays on a 120-column
# terminal: the countdown (it names the level), who to call and who is already calling.
COLUMNS = (
    ("mark", ""),
    ("countdown", N_("Countdown")),
    ("customer", N_("Customer")),
    ("contact", N_("Contact")),
    ("phone", N_("Phone")),
    ("working", N_("Working it")),
    ("level", N_("Level")),
    ("ticket", N_("Ticket")),
)
TICKING = ("mark", "countdown", "working", "level", "contact", "phone")


def _cells(row: BoardRow) -> dict[str, Text]:
    return {key: cell(row) for key, cell in _CELL.items()}


_CELL: dict[str, Callable[[BoardRow], Text]] = {
    "mark": lambda r: Text(*(("▶ ", "bold reverse") if r.marked else ("  ", ""))),
    "countdown": lambda r: Text(r.countdown, style="bold" if r.marked else ""),
    "customer": lambda r: literal(r.customer, limit=24),
    "contact": lambda r: literal(r.contact, limit=20),
    "phone": lambda r: Text(r.phone),
    "working": lambda r: literal(r.working, limit=22),
    "level": lambda r: Text(r.level),
    "ticket": lambda r: literal(r.ticket, limit=24),
}
# What each ticking cell shows of a row: a cell is rebuilt only when one of these changed.
_SHOWS: dict[str, tuple[str, ...]] = {
    "mark": ("marked",),
    "countdown": ("countdown", "marked"),
    "working": ("working",),
    "level": ("level",),
    "contact": ("contact",),
    "phone": ("phone",),
}


def _changed_cells(row: BoardRow, before: BoardRow | None) -> list[tuple[str, Text]]:
    """The ticking cells of ``row`` that differ from what ``before`` showed."""
    if before == row:
        return []
    return [
        (key, _CELL[key](row))
        for key in TICKING
        if before is None or any(getattr(row, f) != getattr(before, f) for f in _SHOWS[key])
    ]


class RunsBoard(NocScreen):
    HELP_TITLE = N_("Escalation runs")
    DEFAULT_CSS = """
    RunsBoard #board-table { height: 1fr; }
    RunsBoard #board-summary { padding: 0 1; }
    RunsBoard #board-error { padding: 0 1; color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("board"),
        Binding("enter", "open_run", N_("Open run"), id="board.open"),
        Binding("h", "history", N_("History"), id="board.history"),
    ]

    @dataclass
    class Loaded(Message):
        request: int
        view: BoardView

    @dataclass
    class Failed(Message):
        request: int
        message: str

    def __init__(self, ctx: ServiceContext, principal: Principal, *, read_only: bool = False):
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.read_only = read_only
        self.state = BoardState()
        self._timer: Timer | None = None
        self._order: list[int] = []
        self._shown: dict[int, BoardRow] = {}
        self._summary: str | None = None
        self._placed: object = None
        self._error = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        with Vertical(id="board-body"):
            yield Static(id="board-summary")
            yield Static(id="board-error")
            table = TickingTable(id="board-table", cursor_type="row")
            for key, label in COLUMNS:
                table.add_column(_(label) if label else "", key=key)
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Escalation runs")
        self.query_one("#board-error").display = False
        self._load()
        self._timer = self.set_interval(1.0, self.tick)
        live = getattr(self.app, "live", None)
        if live is not None:
            live.subscribe(self, self.ctx.engine)

    def on_unmount(self) -> None:
        live = getattr(self.app, "live", None)
        if live is not None:
            live.unsubscribe(self)

    def on_screen_resume(self) -> None:
        if self.state.view is not None:
            self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            from noc_console.services.permissions import Permission, allowed

            return allowed(self.principal.role, Permission.VIEW_RUN_HISTORY) or False
        return True

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        self._load_worker(self.state.start_load())

    @work(thread=True, exclusive=True, exit_on_error=False, group="board")
    def _load_worker(self, request: int) -> None:
        from noc_console.services import escalation_runs

        try:
            view = escalation_runs.board(self.ctx, self.principal)
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            from noc_console.errors import DatabaseUnavailable

            if isinstance(err, DatabaseUnavailable):
                self.post_message(DatabaseProblem(str(err)))
            self.post_message(self.Failed(request, describe(err)))
        else:
            self.post_message(self.Loaded(request, view))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if self.state.loaded(message.request, message.view):
            self.tick()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if self.state.failed(message.request, message.message):
            self.tick()

    @on(RunsChanged)
    def _changed(self, message: RunsChanged) -> None:
        self._load()

    # ------------------------------------------------------------------ the one timer

    def tick(self) -> None:
        now = self.ctx.clock.now()
        state = self.state
        placed = state.placed(now)
        moved = placed is not self._placed  # the same list: no run changed place or stage
        self._placed = placed
        table = self.query_one("#board-table", TickingTable)
        if moved:
            self._arrange(table, placed, now)
        # Only the rows on screen are recomputed and repainted; the others catch up when
        # scrolled to (within a second): 500 runs cost what the visible ones cost, and a
        # row whose words did not change this second costs nothing more.
        top = int(table.scroll_offset.y)
        changes: list[tuple[str, str, Text]] = []
        for run, where in placed[max(top - 1, 0) : top + table.size.height + 1]:
            row = state.row(run, now, where)
            key = str(run.id)
            changes += [(key, k, cell) for k, cell in _changed_cells(row, self._shown.get(run.id))]
            self._shown[run.id] = row
        table.set_cells(changes)
        # A Static update re-lays the screen out: only when the words changed.
        summary = state.summary(now, placed) if moved else ""
        if moved and summary != self._summary:
            self._summary = summary
            self.query_one("#board-summary", Static).update(summary)
        if state.error != self._error:
            self._error = state.error
            error = self.query_one("#board-error", Static)
            error.update(Text("⚠ " + printable(state.error)) if state.error else "")
            error.display = bool(state.error)
        if state.to_ring(now, placed):
            self.app.bell()

    def _arrange(
        self, table: TickingTable, placed: list[tuple[RunSummary, Position]], now: datetime
    ) -> None:
        """Rows added for new runs, removed for closed ones, then put in the new order
        in place (the cursor stays on its run)."""
        order = [run.id for run, _where in placed]
        if order == self._order:
            return
        selected = self.selected_run()
        wanted = set(order)
        for gone in set(self._order) - wanted:
            table.remove_row(str(gone))
            self._shown.pop(gone, None)
        for run, where in placed:
            if run.id not in self._shown:
                row = self._shown[run.id] = self.state.row(run, now, where)
                table.add_row(*_cells(row).values(), key=str(run.id))
        table.reorder([str(run_id) for run_id in order])
        self._order = order
        if selected in wanted:
            table.move_cursor(row=order.index(selected), animate=False)

    # ------------------------------------------------------------------ actions

    def selected_run(self) -> int | None:
        table = self.query_one("#board-table", DataTable)
        if not self._order or table.cursor_row < 0 or table.cursor_row >= len(self._order):
            return None
        return self._order[table.cursor_row]

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#board-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        run_id = self.selected_run()
        if run_id is None:
            return
        from noc_console.screens.run.screen import RunScreen

        self.app.push_screen(RunScreen(self.ctx, self.principal, run_id, read_only=self.read_only))

    def action_history(self) -> None:
        if self.check_action("history", ()) is not True:
            return
        from noc_console.screens.run_history.screen import RunHistoryScreen

        self.app.push_screen(RunHistoryScreen(self.ctx, self.principal))

    def capture_state(self) -> dict[str, Any]:
        return {"run": self.selected_run()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.sub_title = _("Escalation runs")
        self.query_one("#board-table", TickingTable).clear()  # every row again, in its words
        self._shown = {}
        self._order = []
        self._placed = None
        self.tick()
        if state.get("run") in self._order:
            self.query_one("#board-table", DataTable).move_cursor(
                row=self._order.index(state["run"]), animate=False
            )
