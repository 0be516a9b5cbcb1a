"""One escalation run: the snapshot's contacts, the selected phone large and spelled, the attempts.

``1``-``6`` log the outcome of a call to the selected contact (the due level
until the operator moves the cursor), with the note typed after ``n``;
acknowledge (``k``), escalate now (``x``), resolve (``v``) and cancel
(``c``) each ask first, with a confirm key different from the key that asked.
While open, the view tells every console, itself included, "<name> calling…"
(claimed before the first read, renewed before the claim expires).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Digits, Footer, Header, Input, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, back_binding
from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.run.decisions import Decisions
from noc_console.screens.run.presence import Presence
from noc_console.screens.run.state import OUTCOME_KEYS, RunViewState
from noc_console.screens.run.views import fill_attempts, fill_contacts, show_phone
from noc_console.screens.runs.failures import describe
from noc_console.screens.runs.messages import RunsChanged
from noc_console.widgets.literal import printable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import RunDetail

log = logging.getLogger(__name__)


class RunScreen(NocScreen):
    HELP_TITLE = N_("Escalation run")
    DEFAULT_CSS = """
    RunScreen #run-body { padding: 0 1; }
    RunScreen #run-title { text-style: bold; }
    RunScreen #run-heading { padding: 0 0 1 0; }
    RunScreen #run-contacts { height: auto; max-height: 6; }
    RunScreen #run-phone-row { height: auto; }
    RunScreen #run-phone { width: auto; }
    RunScreen #run-phone-name { padding: 1 2; width: 1fr; }
    RunScreen #run-attempts { height: 1fr; min-height: 4; }
    RunScreen #run-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("run"),
        *(
            Binding(
                key, f"outcome('{outcome.value}')", label, show=False, id=f"run.{outcome.value}"
            )
            for key, outcome, label in OUTCOME_KEYS
        ),
        Binding("n", "note", N_("Note"), id="run.note"),
        Binding("k", "acknowledge", N_("Acknowledged"), id="run.acknowledge"),
        Binding("x", "escalate", N_("Escalate now"), id="run.escalate"),
        Binding("v", "resolve", N_("Resolve"), id="run.resolve"),
        Binding("c", "cancel_run", N_("Cancel run"), id="run.cancel"),
    ]

    @dataclass
    class Loaded(Message):
        detail: RunDetail
        notice: str = ""

    @dataclass
    class Failed(Message):
        message: str

    def __init__(
        self, ctx: ServiceContext, principal: Principal, run_id: int, *, read_only: bool = False
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.run_id = run_id
        self.read_only = read_only
        self.state = RunViewState(principal.role, read_only=read_only)
        self._changed_meanwhile = False
        self.presence = Presence(self, ctx, principal, run_id)
        self.decisions = Decisions(self, self.state, ctx, principal, run_id, submit=self._call)
        self._levels: list[int] = []
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        with Vertical(id="run-body"):
            yield Static(id="run-title")
            yield Static(id="run-heading")
            contacts: DataTable[Text] = DataTable(id="run-contacts", cursor_type="row")
            for key, label in (
                ("level", N_("Level")),
                ("name", N_("Contact")),
                ("phone", N_("Phone")),
                ("email", N_("E-mail")),
                ("due", N_("Due")),
            ):
                contacts.add_column(_(label), key=key)
            yield contacts
            with Horizontal(id="run-phone-row"):
                yield Digits("", id="run-phone")
                yield Static(id="run-phone-name")
            yield Static(id="run-spelled")
            yield Static(self.state.legend(), id="run-legend")
            yield Input(placeholder=_("Note for the next call (n)"), id="run-note", max_length=2000)
            yield Static(id="run-error")
            attempts: DataTable[Text] = DataTable(id="run-attempts", cursor_type="row")
            for key, label in (
                ("at", N_("At")),
                ("level", N_("Level")),
                ("contact", N_("Contact")),
                ("outcome", N_("Outcome")),
                ("operator", N_("Operator")),
                ("note", N_("Note")),
            ):
                attempts.add_column(_(label), key=key)
            yield attempts
            yield Static(self.state.mode_note(), id="run-mode")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Escalation run")
        self._ready = True
        self.query_one("#run-mode").display = bool(self.state.mode_note())
        self.query_one("#run-error").display = False
        live = getattr(self.app, "live", None)
        if live is not None:
            live.subscribe(self, self.ctx.engine)
        if self.state.claims():
            # Claim first, then read: this view shows its own "<name> calling…" at once.
            self.state.claimed_at = self.ctx.clock.now()
            self._call(self.presence.claim_and_read)
        else:
            self._load()
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        live = getattr(self.app, "live", None)
        if live is not None:
            live.unsubscribe(self)
        if self.state.claimed_at is not None:
            self.presence.release()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.state.allows_key(action)

    # ------------------------------------------------------------------ database

    def _load(self) -> None:
        self._call(lambda services: services.run_detail(self.ctx, self.principal, self.run_id))

    def _call(self, call: Callable[[Any], RunDetail], notice: str = "") -> None:
        if notice:  # an action: its own outcome replaces the last error
            self.state.error = ""
        self.state.busy = True
        self.refresh_bindings()
        self._worker(call, notice)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run")
    def _worker(self, call: Callable[[Any], RunDetail], notice: str) -> None:
        from noc_console.errors import DatabaseUnavailable
        from noc_console.services import escalation_runs

        try:
            detail = call(escalation_runs)
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            if isinstance(err, DatabaseUnavailable):
                self.post_message(DatabaseProblem(str(err)))
            self.post_message(self.Failed(describe(err)))
            return
        self.post_message(self.Loaded(detail, notice))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.state.busy = False
        self.state.loaded(message.detail, self.ctx.clock.now())
        self._show(message.notice)
        if self._changed_meanwhile:  # another console acted while this view was busy
            self._changed_meanwhile = False
            self._load()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.state.busy = False
        self.state.error = message.message
        self._show()
        self._load()  # show what the database says now (another console may have acted)

    @on(RunsChanged)
    def _changed(self, message: RunsChanged) -> None:
        if self.state.busy:
            self._changed_meanwhile = True
        else:
            self._load()

    # ------------------------------------------------------------------ rendering

    def _show(self, notice: str = "") -> None:
        if not self._ready:
            return
        detail = self.state.detail
        error = self.query_one("#run-error", Static)
        error.update(Text("⚠ " + printable(self.state.error)) if self.state.error else "")
        error.display = bool(self.state.error)
        if notice:
            self.notify(notice, markup=False)
        if detail is None:
            self.refresh_bindings()
            return
        run = detail.run
        self.query_one("#run-title", Static).update(
            Text(
                _("{customer} · ticket {ticket}").format(
                    customer=printable(run.customer_name), ticket=printable(run.ticket_ref)
                )
            )
        )
        contacts = self.query_one("#run-contacts", DataTable)
        self._levels = fill_contacts(contacts, detail)
        if self.state.level in self._levels:
            contacts.move_cursor(row=self._levels.index(self.state.level), animate=False)
        fill_attempts(self.query_one("#run-attempts", DataTable), detail)
        self._render_phone()
        self._tick()
        self.refresh_bindings()

    def _render_phone(self) -> None:
        show_phone(
            self.query_one("#run-phone", Digits),
            self.query_one("#run-phone-name", Static),
            self.query_one("#run-spelled", Static),
            self.state.contact(),
        )

    def _tick(self) -> None:
        if not self._ready:
            return
        now = self.ctx.clock.now()
        if self.state.claim_due(now):
            self.state.claimed_at = now
            self.presence.renew()
        if self.state.follow(now):
            if self.state.level in self._levels:
                contacts = self.query_one("#run-contacts", DataTable)
                contacts.move_cursor(row=self._levels.index(self.state.level), animate=False)
            self._render_phone()
        heading = self.state.heading(now)
        style = "bold reverse" if self.state.due_marked(now) else "bold"
        self.query_one("#run-heading", Static).update(Text(heading, style=style))

    @on(DataTable.RowHighlighted, "#run-contacts")
    def _contact_moved(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self._levels):
            level = self._levels[event.cursor_row]
            if level != self.state.level:
                self.state.select(level)
                self._render_phone()

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss()

    def action_note(self) -> None:
        self.query_one("#run-note", Input).focus()

    @on(Input.Submitted, "#run-note")
    def _note_done(self) -> None:
        self.query_one("#run-contacts", DataTable).focus()

    def action_outcome(self, outcome: str) -> None:
        if self.check_action("outcome", ()) is not True or self.state.level is None:
            return
        note_box = self.query_one("#run-note", Input)
        note = note_box.value
        note_box.value = ""
        self.decisions.outcome(outcome, note)

    def action_acknowledge(self) -> None:
        self.decisions.acknowledge()

    def action_escalate(self) -> None:
        self.decisions.escalate()

    def action_resolve(self) -> None:
        self.decisions.resolve(lambda: self.query_one("#run-note", Input).value)

    def action_cancel_run(self) -> None:
        self.decisions.cancel()

    def capture_state(self) -> dict[str, Any]:
        return {"note": self.query_one("#run-note", Input).value}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.sub_title = _("Escalation run")
        self.query_one("#run-note", Input).value = state.get("note", "")
        self._show()
