"""The escalation editor: a customer's three contact levels, checked live, saved with ctrl+s.

Thin by design: the screen composes widgets, forwards events to its
``EditorState`` (state.py) and carries out the ``Effects`` each transition
returns; every rule is ``services.escalation``'s. Typed text is checked by
the service's ``validate_levels`` (pure and fast, so it runs on the UI thread,
debounced); loading and saving run in thread workers whose answers come back
as ``Finished`` messages, stale ones dropped by the state.

A save carries the version read when the chain was loaded. If another
operator saved first, their chain is shown beside the form (who, when, the
differing fields) and the operator chooses: reload theirs, or re-apply their
own changes on top (conflict.py).

Opened by the customer screen with ``e``; ``esc`` pops it, asking first when
the form differs from the chain it was loaded from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, back_binding
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.escalation.failures import Failure, classify
from noc_console.screens.escalation.form import LEVELS, RowValues, gap_problems
from noc_console.screens.escalation.state import (
    EditorState,
    Effects,
    Job,
    Ticket,
    read_only_reason,
)
from noc_console.screens.messages import DatabaseProblem
from noc_console.services import escalation
from noc_console.services.escalation.dto import ChainView, SaveResult
from noc_console.widgets.escalation_conflict import ConflictPanel
from noc_console.widgets.escalation_heading import meta_text, notice_text, title_text
from noc_console.widgets.escalation_problems import show_problems
from noc_console.widgets.escalation_questions import question_modal
from noc_console.widgets.escalation_row import (
    FIELD_ORDER,
    EscalationHeader,
    EscalationRow,
    parse_field_id,
)
from noc_console.widgets.session_bar import SessionBar
from noc_console.widgets.static_text import show_text
from noc_console.widgets.timeline import TimelinePreview

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

VALIDATION_DELAY = 0.15  # seconds of quiet typing before the form is checked again


class Finished(Message):
    """A worker's answer: the chain read, the save's result, or why it failed."""

    def __init__(self, ticket: Ticket, outcome: ChainView | SaveResult | Failure) -> None:
        super().__init__()
        self.ticket = ticket
        self.outcome = outcome


class EscalationEditor(NocScreen):
    """Edit one customer's escalation chain (read-only for analysts and read-only sessions)."""

    CSS_PATH = "escalation.tcss"
    HELP_TITLE = N_("Escalation editor")
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("escalation"),
        Binding("ctrl+s", "save", N_("Save"), id="escalation.save"),
        # Shown in the footer by the level fields themselves (widgets/escalation_row.py).
        Binding("up", "move_level(-1)", N_("Level above"), show=False, id="escalation.up"),
        Binding("down", "move_level(1)", N_("Level below"), show=False, id="escalation.down"),
        Binding("ctrl+delete,f8", "clear_level", N_("Clear level"), id="escalation.clear_level"),
        Binding(
            "ctrl+t",
            "incident_time",
            N_("Incident time"),
            show=False,  # the footer is full; the preview names the key
            id="escalation.incident_time",
        ),
        Binding("ctrl+r", "reload", N_("Reload"), id="escalation.reload"),
        Binding("ctrl+y", "reapply", N_("Re-apply mine"), id="escalation.reapply"),
    ]

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        customer_id: int,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.state = EditorState(
            clock=ctx.clock,
            field_order=FIELD_ORDER,
            why_read_only=read_only_reason(read_only or ctx.read_only, principal),
        )
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()  # the app says who is logged in and where
        with Vertical(id="escalation-body"):
            yield Static("", id="escalation-title")
            yield Static("", id="escalation-meta")
            yield Static("", id="escalation-notice")
            yield ConflictPanel(id="conflict")
            with Vertical(id="escalation-form"):
                yield EscalationHeader(id="escalation-header")
                for level in LEVELS:
                    yield EscalationRow(level)
            yield Static("", id="escalation-problems")
            yield TimelinePreview(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Escalation editor")
        self.query_one(TimelinePreview).time_field.value = self.state.now_hhmm()
        self._render_state()
        self._run(Job.LOAD)

    def row(self, level: int) -> EscalationRow:
        return self.query_one(f"#level{level}", EscalationRow)

    def has_unsaved_changes(self) -> bool:
        """The palette's "find customer" must not drop an edit in progress."""
        if self.state.validation_pending:
            self._apply(self.state.validate())
        return self.state.dirty

    # ------------------------------------------------------------------ workers

    def _run(self, job: Job) -> None:
        """Read or save the chain in a thread worker; the answer comes back as ``Finished``."""
        ticket = self.state.start(job)
        ctx, principal, customer_id = self.ctx, self.principal, self.customer_id

        def work() -> None:
            outcome: ChainView | SaveResult | Failure
            try:
                if ticket.job is Job.LOAD:
                    outcome = escalation.get_chain(ctx, principal, customer_id)
                else:
                    outcome = escalation.save_chain(
                        ctx, principal, customer_id, list(ticket.inputs), ticket.version
                    )
            except Exception as err:  # noqa: BLE001 - every failure becomes a line on screen
                outcome = classify(err)
            self.post_message(Finished(ticket, outcome))

        if job is Job.SAVE:
            self._render_state()
        elif self.is_mounted:
            self.query_one("#escalation-form").loading = True
        self.run_worker(
            work, thread=True, exclusive=True, exit_on_error=False, group=f"escalation-{job}"
        )

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._apply(self.state.finish(message.ticket, message.outcome))

    # ------------------------------------------------------------------ state to screen

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "incident-time":
            self._render_timeline()
            return
        where = parse_field_id(event.input.id)
        if where is None or where[0] not in LEVELS:
            return
        self.state.edit(where[0], RowValues(**self.row(where[0]).values()))
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATION_DELAY, lambda: self._apply(self.state.validate()))

    def _apply(self, effects: Effects | None) -> None:
        """Carry out a transition's effects, in order, around one render of the state."""
        if self._timer is not None and not self.state.validation_pending:
            self._timer.stop()
            self._timer = None
        if effects is None:
            return
        for level in effects.refill:
            self.row(level).set_values(self.state.values[level].as_dict())
        self._render_state()
        if effects.focus is not None:
            if effects.focus.level is None:
                self.set_focus(None)
            else:
                row = self.row(effects.focus.level)
                name = effects.focus.name
                field = row.input(name) if name else row.first_input()
                if field is not None:
                    field.focus()
        if effects.show_conflict:
            self.query_one(ConflictPanel).scroll_visible()
        if effects.note is not None:
            note = effects.note
            self.notify(note.message, title=note.title or "", severity=note.severity)
        if effects.database_problem is not None:
            self.post_message(DatabaseProblem(effects.database_problem))
        if effects.ask is not None:
            ask = effects.ask
            modal = question_modal(
                ask.kind,
                confirm_id=ask.confirm_id,
                save_key=self._key_display("save"),
                level=ask.level,
                levels=ask.levels,
                problem=ask.problem,
                customer_name=ask.customer_name,
            )
            self.app.push_screen(modal, lambda yes: self._apply(ask.accept()) if yes else None)
        if effects.leave and self.app.screen is self:
            self.app.pop_screen()
        if effects.start is not None:
            self._run(effects.start)

    def _render_state(self) -> None:
        if not self.is_mounted:
            return
        state = self.state
        show_text(
            self.query_one("#escalation-title", Static), title_text(state.chain, dirty=state.dirty)
        )
        show_text(
            self.query_one("#escalation-meta", Static),
            meta_text(state.chain, loading=state.loading),
        )
        notice = self.query_one("#escalation-notice", Static)
        text = notice_text(
            state.why_read_only,
            load_error=state.error_of(Job.LOAD),
            save_error=state.error_of(Job.SAVE),
            reload_key=self._key_display("reload"),
        )
        show_text(notice, text)
        notice.display = bool(text)
        for level in LEVELS:
            row = self.row(level)
            status = state.row_status(level)
            row.show_status(
                is_set=status.is_set,
                blocked=status.blocked,
                editable=status.editable,
                view_only=state.read_only,
            )
            row.show_messages(state.messages(level))
        show_problems(
            self.query_one("#escalation-problems", Static),
            state.errors,
            state.warnings,
            summary=state.show_summary,
        )
        self._render_timeline()
        self.query_one(ConflictPanel).show(
            state.conflict.info if state.conflict else None,
            reload_key=self._key_display("reload"),
            reapply_key=self._key_display("reapply"),
        )
        self.query_one("#escalation-form").loading = state.busy
        self.refresh_bindings()

    def _render_timeline(self) -> None:
        preview = self.query_one(TimelinePreview)
        preview.show(
            *self.state.timeline(preview.incident_time()), key=self._key_display("incident_time")
        )

    def _key_display(self, action: str) -> str:
        """The key bound to ``action`` now (keymaps may change it), as the footer shows it."""
        for _key, binding in self._bindings:
            if binding.action == action:
                keymap = self.app._keymap
                key = keymap.get(binding.id, binding.key) if binding.id else binding.key
                return self.app.get_key_display(Binding(key.split(",")[0], action))
        return "?"

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.state.allows(action)

    def action_move_level(self, step: int) -> None:
        """Up/down: the same field one level above or below (level 1 has no wait: its name)."""
        focused = self.focused
        where = parse_field_id(focused.id) if isinstance(focused, Input) else None
        if where is None or where[0] + step not in LEVELS:
            return
        target_level = where[0] + step
        row = self.row(target_level)
        target = row.input(where[1]) or row.input("name")
        if target is None:
            return
        if target.disabled:
            problems = gap_problems(self.state.set_levels | {target_level})
            if problems:
                self.notify(problems[0], severity="warning")
            return
        target.focus()

    def action_incident_time(self) -> None:
        self.query_one(TimelinePreview).time_field.focus()

    def action_clear_level(self) -> None:
        """Empty the focused level; if that would leave a gap, offer to clear the later ones too."""
        where = parse_field_id(self.focused.id if self.focused is not None else None)
        self._apply(self.state.clear_level(where[0] if where else None))

    def action_back(self) -> None:
        self._apply(self.state.leave())

    def action_reload(self) -> None:
        """After a conflict take their chain; otherwise read it again (asking first if dirty)."""
        self._apply(self.state.reload())

    def action_reapply(self) -> None:
        """Put my changes on top of the other operator's chain and save with their version."""
        self._apply(self.state.reapply())

    def action_save(self) -> None:
        self._apply(self.state.save())

    # ------------------------------------------------------------------ language switch, palette

    def capture_state(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "values": dict(self.state.values),
            "time": self.query_one(TimelinePreview).time_field.value,
            "focus": focused.id if focused is not None else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.query_one(TimelinePreview).time_field.value = state["time"]
        self._apply(self.state.restore(state["values"]))
        if state["focus"]:
            for widget in self.query(f"#{state['focus']}"):
                widget.focus()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if not self.state.read_only:
            yield PaletteCommand(
                "escalation.save",
                N_("Escalation: save the chain"),
                N_("Save the levels as they are in the form"),
                "screen.save",
            )
            yield PaletteCommand(
                "escalation.clear_level",
                N_("Escalation: clear the level being edited"),
                N_("Empty the level where the cursor is"),
                "screen.clear_level",
            )
        yield PaletteCommand(
            "escalation.reload",
            N_("Escalation: reload the chain"),
            N_("Read the chain again from the database"),
            "screen.reload",
        )
        yield PaletteCommand(
            "escalation.incident_time",
            N_("Escalation: preview another incident time"),
            N_("Type an incident time to see when each level is called"),
            "screen.incident_time",
        )
        yield PaletteCommand(
            "escalation.back",
            N_("Escalation: back to the customer"),
            N_("Leave the editor (asks first if there are unsaved changes)"),
            "screen.back",
        )
