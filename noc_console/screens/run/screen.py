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
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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
from noc_console.screens.run.reason import ReasonModal
from noc_console.screens.run.state import OUTCOME_KEYS, OUTCOME_LABELS, RunViewState, spell_phone
from noc_console.screens.runs.failures import describe
from noc_console.screens.runs.messages import RunsChanged
from noc_console.services.validation import format_phone
from noc_console.widgets.confirm import ConfirmModal
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
            self._call(self._claim_and_read)
        else:
            self._load()
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        live = getattr(self.app, "live", None)
        if live is not None:
            live.unsubscribe(self)
        if self.state.claimed_at is not None:
            threading.Thread(
                target=self._presence_call, args=(False,), name="run-presence", daemon=True
            ).start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        name = {"cancel_run": "cancel", "note": "outcome"}.get(action, action)
        return self.state.allows(name)

    # ------------------------------------------------------------------ database

    def _presence_call(self, working: bool) -> None:
        from noc_console.services import escalation_runs

        try:
            escalation_runs.set_working(self.ctx, self.principal, self.run_id, working=working)
        except Exception as err:  # noqa: BLE001 - a hint only: never in the operator's way
            log.info("presence not recorded (%s)", type(err).__name__)

    @work(thread=True, exit_on_error=False, group="presence")
    def _presence(self, working: bool) -> None:
        self._presence_call(working)

    def _claim_and_read(self, services: Any) -> RunDetail:
        self._presence_call(True)
        detail: RunDetail = services.run_detail(self.ctx, self.principal, self.run_id)
        return detail

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

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.state.busy = False
        self.state.error = message.message
        self._show()
        self._load()  # show what the database says now (another console may have acted)

    @on(RunsChanged)
    def _changed(self, message: RunsChanged) -> None:
        if not self.state.busy:
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
        from noc_console.services.escalation_runs.schedule import run_schedule

        due_at = {step.level: step.at for step in run_schedule(run)}
        contacts.clear()
        self._levels = []
        for contact in run.contacts:
            at = due_at.get(contact.level)
            contacts.add_row(
                Text(f"L{contact.level}"),
                Text(printable(contact.name)),
                Text(format_phone(contact.phone) if contact.phone else "—"),
                Text(printable(contact.email) if contact.email else "—"),
                Text(at.strftime("%H:%M") if at else _("passed")),
            )
            self._levels.append(contact.level)
        if self.state.level in self._levels:
            contacts.move_cursor(row=self._levels.index(self.state.level), animate=False)
        self._render_attempts(detail)
        self._render_phone()
        self._tick()
        self.refresh_bindings()

    def _render_attempts(self, detail: RunDetail) -> None:
        from noc_console.services.escalation.timeline import customer_zone

        zone = customer_zone(detail.run.timezone)
        table = self.query_one("#run-attempts", DataTable)
        table.clear()
        for attempt in reversed(detail.attempts):
            table.add_row(
                Text(attempt.at.astimezone(zone).strftime("%H:%M:%S")),
                Text(f"L{attempt.level}"),
                Text(printable(attempt.contact_name)),
                Text(_(OUTCOME_LABELS[attempt.outcome])),
                Text(printable(attempt.operator)),
                Text(printable(attempt.note or "")[:200]),
            )

    def _render_phone(self) -> None:
        contact = self.state.contact()
        digits = self.query_one("#run-phone", Digits)
        name = self.query_one("#run-phone-name", Static)
        spelled = self.query_one("#run-spelled", Static)
        if contact is None:
            digits.update("")
            name.update("")
            spelled.update("")
            return
        phone = format_phone(contact.phone) if contact.phone else ""
        digits.update(phone.replace("(", "").replace(")", ""))
        label = _("L{level} · {name}").format(level=contact.level, name=printable(contact.name))
        if contact.role_title:
            label += f" · {printable(contact.role_title)}"
        if not phone and contact.email:
            label += "\n" + _("e-mail only: {email}").format(email=printable(contact.email))
        name.update(Text(label))
        spelled.update(Text(spell_phone(phone)) if phone else "")

    def _tick(self) -> None:
        if not self._ready:
            return
        now = self.ctx.clock.now()
        if self.state.claim_due(now):
            self.state.claimed_at = now
            self._presence(working=True)
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
        note, level = note_box.value, self.state.level
        note_box.value = ""
        label = _(OUTCOME_LABELS[next(o for _k, o, _l in OUTCOME_KEYS if o.value == outcome)])
        self._call(
            lambda s: s.record_attempt(
                self.ctx, self.principal, self.run_id, outcome=outcome, level=level, note=note
            ),
            _("Logged: L{level} {outcome}").format(level=level, outcome=label),
        )

    def action_acknowledge(self) -> None:
        contact = self.state.contact()
        if self.check_action("acknowledge", ()) is not True or contact is None:
            return
        level = contact.level
        message = _("{name} (L{level}) took the incident: the countdown stops.").format(
            name=printable(contact.name), level=level
        )
        self.app.push_screen(
            ConfirmModal(
                _("Record the acknowledgement?"),
                message,
                confirm_label=_("Acknowledged"),
                cancel_label=_("Back"),
                confirm_key="enter",
                confirm_id="run.acknowledge_confirm",
            ),
            partial(self._confirmed_ack, level),
        )

    def _confirmed_ack(self, level: int, yes: bool | None) -> None:
        if yes:
            self._call(
                lambda s: s.acknowledge(self.ctx, self.principal, self.run_id, level=level),
                _("Acknowledgement recorded"),
            )

    def action_escalate(self) -> None:
        if self.check_action("escalate", ()) is not True or self.state.detail is None:
            return
        from noc_console.services.escalation_runs.schedule import position

        due = position(self.state.detail.run, self.ctx.clock.now()).due_level
        self.app.push_screen(
            ReasonModal(
                _("Escalate now?"),
                _(
                    "Go to the level after L{level} without waiting; later waits count from now."
                ).format(level=due),
            ),
            partial(self._confirmed_escalate, due),
        )

    def _confirmed_escalate(self, due: int, reason: str | None) -> None:
        if reason:
            self._call(
                lambda s: s.escalate_now(
                    self.ctx, self.principal, self.run_id, reason=reason, from_level=due
                ),
                _("Escalated"),
            )

    def action_resolve(self) -> None:
        if self.check_action("resolve", ()) is not True:
            return
        self.app.push_screen(
            ConfirmModal(
                _("Resolve this escalation run?"),
                _("The incident is over: the run leaves the board."),
                confirm_label=_("Resolve"),
                cancel_label=_("Back"),
                confirm_key="enter",
                confirm_id="run.resolve_confirm",
            ),
            self._confirmed_resolve,
        )

    def _confirmed_resolve(self, yes: bool | None) -> None:
        if yes:
            note = self.query_one("#run-note", Input).value
            self._call(
                lambda s: s.resolve(self.ctx, self.principal, self.run_id, note=note),
                _("Escalation run resolved"),
            )

    def action_cancel_run(self) -> None:
        if self.check_action("cancel", ()) is not True:
            return
        self.app.push_screen(
            ReasonModal(
                _("Cancel this escalation run?"),
                _("For a run started by mistake or twice; the reason is kept."),
            ),
            self._confirmed_cancel,
        )

    def _confirmed_cancel(self, reason: str | None) -> None:
        if reason:
            self._call(
                lambda s: s.cancel(self.ctx, self.principal, self.run_id, reason=reason),
                _("Escalation run cancelled"),
            )

    def capture_state(self) -> dict[str, Any]:
        return {"note": self.query_one("#run-note", Input).value}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.sub_title = _("Escalation run")
        self.query_one("#run-note", Input).value = state.get("note", "")
        self._show()
