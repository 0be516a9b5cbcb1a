"""Supervisors: how each customer's chain answered over a period, and one customer's last runs.

``1`` ``2`` ``3`` pick the period (30, 90, 365 days), ``enter`` lists the
highlighted customer's last runs, ``x`` exports the period as CSV (the path
is shown in a notification). The services refuse anyone but supervisors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, back_binding
from noc_console.screens.run.state import STATE_LABELS
from noc_console.screens.run_history.state import (
    PERIOD_DAYS,
    answered_text,
    l1_sentence,
    median_text,
    period,
)
from noc_console.screens.runs.failures import describe
from noc_console.widgets.literal import printable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import CustomerStats, HistoryRow


class RunHistoryScreen(NocScreen):
    HELP_TITLE = N_("Escalation history")
    DEFAULT_CSS = """
    RunHistoryScreen #history-stats { height: 1fr; }
    RunHistoryScreen #history-runs { height: 1fr; }
    RunHistoryScreen #history-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("history"),
        *(
            Binding(str(i + 1), f"period({days})", N_("Period"), show=False, id=f"history.p{days}")
            for i, days in enumerate(PERIOD_DAYS)
        ),
        Binding("x", "export", N_("Export CSV"), id="history.export"),
    ]

    @dataclass
    class Stats(Message):
        stats: tuple[CustomerStats, ...]

    @dataclass
    class Runs(Message):
        rows: tuple[HistoryRow, ...]

    @dataclass
    class Done(Message):
        text: str

    @dataclass
    class Failed(Message):
        message: str

    def __init__(
        self, ctx: ServiceContext, principal: Principal, *, export_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.days = PERIOD_DAYS[0]
        self.export_dir = export_dir
        self.stats: tuple[CustomerStats, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        with Vertical():
            yield Static(id="history-period")
            yield Static(id="history-error")
            stats: DataTable[Text] = DataTable(id="history-stats", cursor_type="row")
            for key, label in (
                ("customer", N_("Customer")),
                ("runs", N_("Runs")),
                ("l1", N_("Level 1")),
                ("median", N_("Median time to acknowledge")),
            ):
                stats.add_column(_(label), key=key)
            yield stats
            runs: DataTable[Text] = DataTable(id="history-runs", cursor_type="row")
            for key, label in (
                ("started", N_("Started")),
                ("ticket", N_("Ticket")),
                ("state", N_("State")),
                ("answered", N_("Answered")),
                ("attempts", N_("Attempts")),
            ):
                runs.add_column(_(label), key=key)
            yield runs
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Escalation history")
        self.query_one("#history-error").display = False
        self._load()

    def _load(self) -> None:
        self.query_one("#history-period", Static).update(
            _("Runs started in the last {days} days (1 2 3: 30, 90, 365 days)").format(
                days=self.days
            )
        )
        self._stats_worker(self.days)

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _stats_worker(self, days: int) -> None:
        from noc_console.services import escalation_runs

        try:
            start, end = period(self.ctx.clock.now(), days)
            stats = escalation_runs.period_stats(self.ctx, self.principal, start, end)
        except Exception as err:  # noqa: BLE001 - one line on screen
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(self.Stats(stats))

    @on(Stats)
    def _show_stats(self, message: Stats) -> None:
        self.stats = message.stats
        table = self.query_one("#history-stats", DataTable)
        table.clear()
        for s in message.stats:
            table.add_row(
                Text(printable(s.customer_name)),
                Text(str(s.runs)),
                Text(l1_sentence(s)),
                Text(median_text(s.median_seconds_to_acknowledge)),
            )

    @on(DataTable.RowSelected, "#history-stats")
    def _customer_chosen(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.stats):
            self._runs_worker(self.stats[event.cursor_row].customer_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="history_runs")
    def _runs_worker(self, customer_id: int) -> None:
        from noc_console.services import escalation_runs

        try:
            rows = escalation_runs.customer_history(self.ctx, self.principal, customer_id)
        except Exception as err:  # noqa: BLE001 - one line on screen
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(self.Runs(rows))

    @on(Runs)
    def _show_runs(self, message: Runs) -> None:
        table = self.query_one("#history-runs", DataTable)
        table.clear()
        for r in message.rows:
            table.add_row(
                Text(r.started_at.strftime("%Y-%m-%d %H:%M")),
                Text(printable(r.ticket_ref)),
                Text(_(STATE_LABELS[r.state])),
                Text(answered_text(r)),
                Text(str(r.attempts_count)),
            )

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        error = self.query_one("#history-error", Static)
        error.update(Text("⚠ " + printable(message.message)))
        error.display = True

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, markup=False)

    def action_back(self) -> None:
        self.dismiss()

    def action_period(self, days: int) -> None:
        if days in PERIOD_DAYS:
            self.days = days
            self._load()

    def action_export(self) -> None:
        settings = getattr(self.app, "settings", None)
        folder = self.export_dir or (
            settings.paths.data_dir / "exports" if settings is not None else Path.cwd()
        )
        stamp = self.ctx.clock.now().strftime("%Y%m%d-%H%M%S")
        self._export_worker(folder / f"acionamentos-{self.days}d-{stamp}.csv", self.days)

    @work(thread=True, exclusive=True, exit_on_error=False, group="history_export")
    def _export_worker(self, path: Path, days: int) -> None:
        from noc_console.services import escalation_runs

        try:
            start, end = period(self.ctx.clock.now(), days)
            result = escalation_runs.export_history_csv(self.ctx, self.principal, path, start, end)
        except Exception as err:  # noqa: BLE001 - one line on screen
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(
            self.Done(
                _("{rows} runs exported to {path}").format(rows=result.rows, path=result.path)
            )
        )
