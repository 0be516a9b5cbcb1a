"""Start an escalation run for one customer: ticket required, reason, a warning if one is open.

A modal over the customer view or the lookup; ``ctrl+s`` starts (never the
key that opened it), ``esc`` gives up. It answers the new run's id, and the
caller opens the run view on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from noc_console.i18n import N_, _
from noc_console.screens.run_start.state import open_runs_warning
from noc_console.screens.runs.failures import describe
from noc_console.widgets.literal import printable
from noc_console.widgets.translated_bindings import translate_node_bindings

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import RunSummary, StartResult


class RunStartModal(ModalScreen[int | None]):
    DEFAULT_CSS = """
    RunStartModal { align: center middle; background: $background 60%; }
    RunStartModal > #start-dialog {
        width: 80; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    RunStartModal #start-title { text-style: bold; padding: 0 0 1 0; }
    RunStartModal #start-warning { text-style: bold; }
    RunStartModal #start-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "give_up", N_("Cancel"), id="run_start.cancel"),
        Binding("ctrl+s", "start", N_("Start"), id="run_start.start", priority=True),
    ]

    @dataclass
    class OpenRuns(Message):
        runs: tuple[RunSummary, ...]

    @dataclass
    class Started(Message):
        result: StartResult

    @dataclass
    class Failed(Message):
        message: str

    def __init__(
        self, ctx: ServiceContext, principal: Principal, customer_id: int, customer_name: str
    ) -> None:
        super().__init__()
        translate_node_bindings(self)
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="start-dialog"):
            yield Static(
                Text(
                    _("Start an escalation run: {customer}").format(
                        customer=printable(self.customer_name)
                    )
                ),
                id="start-title",
            )
            yield Static(id="start-warning")
            yield Input(
                placeholder=_("Incident / ticket (required), e.g. INC-2026-0042"),
                id="start-ticket",
                max_length=64,
            )
            yield Input(placeholder=_("Reason (optional)"), id="start-reason", max_length=2000)
            yield Static(id="start-error")
            yield Static(_("ctrl+s starts · esc gives up · level 1 is due at once"))

    def on_mount(self) -> None:
        self.query_one("#start-warning").display = False
        self.query_one("#start-error").display = False
        self.query_one("#start-ticket", Input).focus()
        self._open_runs()

    @work(thread=True, exit_on_error=False, group="run_start")
    def _open_runs(self) -> None:
        from noc_console.services import escalation_runs

        try:
            runs = escalation_runs.open_runs_for(self.ctx, self.principal, self.customer_id)
        except Exception as err:  # noqa: BLE001 - one line on screen
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(self.OpenRuns(runs))

    @on(OpenRuns)
    def _warn(self, message: OpenRuns) -> None:
        warning = self.query_one("#start-warning", Static)
        text = open_runs_warning(message.runs)
        warning.update(Text(printable(text)))
        warning.display = bool(text)

    @on(Input.Submitted, "#start-ticket")
    def _next_field(self) -> None:
        self.query_one("#start-reason", Input).focus()

    @on(Input.Submitted, "#start-reason")
    def _which_key(self) -> None:
        self._show_error(_("Press ctrl+s to start the escalation run."))

    def action_give_up(self) -> None:
        self.dismiss(None)

    def action_start(self) -> None:
        if self.busy:
            return
        self.busy = True
        ticket = self.query_one("#start-ticket", Input).value
        reason = self.query_one("#start-reason", Input).value
        self._start(ticket, reason)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run_start_go")
    def _start(self, ticket: str, reason: str) -> None:
        from noc_console.services import escalation_runs

        try:
            result = escalation_runs.start_run(
                self.ctx, self.principal, self.customer_id, ticket_ref=ticket, reason=reason
            )
        except Exception as err:  # noqa: BLE001 - one line on screen
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(self.Started(result))

    @on(Started)
    def _started(self, message: Started) -> None:
        for warning in message.result.warnings:
            self.app.notify(warning, severity="warning", markup=False)
        self.dismiss(message.result.detail.run.id)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.busy = False
        self._show_error(message.message)

    def _show_error(self, text: str) -> None:
        error = self.query_one("#start-error", Static)
        error.update(Text("⚠ " + printable(text)))
        error.display = True
