"""The escalation editor: a customer's three contact levels, checked live, saved with ctrl+s.

Thin by design: every rule is ``services.escalation``'s. The form's text goes
to ``validate_levels`` (pure and fast, so it runs on the UI thread, debounced)
and its messages land under the field they name; the timeline preview is the
service's ``timeline``/``timeline_text``; loading and saving run in thread
workers and come back as messages, stale answers dropped by attempt number.

A save carries the version read when the chain was loaded. If another
operator saved first, the ConflictError's chain is shown beside the form
(who, when, the differing fields) and the operator chooses: reload theirs, or
re-apply their own changes on top (see widgets/escalation_conflict.py).

Opened by the customer screen with ``e``; ``esc`` pops it, asking first when
the form differs from the chain it was loaded from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Static

from noc_console.errors import (
    ConflictError,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from noc_console.i18n import N_, _, format_datetime
from noc_console.screens.base import NocScreen
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.session import DatabaseProblem
from noc_console.services import escalation
from noc_console.services.escalation import ChainView, Contact, ContactInput, SaveResult
from noc_console.services.permissions import ROLE_LABELS, Permission, allowed
from noc_console.widgets.confirm import ConfirmModal
from noc_console.widgets.escalation_conflict import (
    ConflictInfo,
    ConflictPanel,
    differences,
    merge_on_top,
)
from noc_console.widgets.escalation_row import (
    FIELD_ORDER,
    EscalationHeader,
    EscalationRow,
    RowValues,
    field_id,
    preview_contacts,
    problems_text,
    show_text,
    wrapped,
)
from noc_console.widgets.literal import literal
from noc_console.widgets.session_bar import SessionBar
from noc_console.widgets.timeline import TimelinePreview

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)

LEVELS = (1, 2, 3)
VALIDATION_DELAY = 0.15  # seconds of quiet typing before the form is checked again


class Failure(StrEnum):
    """Why a worker came back empty-handed; each kind is shown its own way."""

    DENIED = "denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID = "invalid"
    DATABASE = "database"
    UNEXPECTED = "unexpected"


def _failure(err: Exception) -> tuple[Failure, str]:
    """Sort an exception from the service into a kind and a line for the screen."""
    if isinstance(err, PermissionDenied):
        return Failure.DENIED, str(err)
    if isinstance(err, NotFound):
        return Failure.NOT_FOUND, str(err)
    if isinstance(err, ConflictError):
        return Failure.CONFLICT, str(err)
    if isinstance(err, ValidationError):
        return Failure.INVALID, str(err)
    if isinstance(err, DatabaseUnavailable):
        return Failure.DATABASE, str(err)
    log.error("unexpected error in the escalation editor: %s", type(err).__name__)
    return Failure.UNEXPECTED, _("unexpected error ({kind}); see the log file").format(
        kind=type(err).__name__
    )


@dataclass(frozen=True)
class Conflict:
    """A refused save: the chain the other operator saved, and what re-apply would save."""

    theirs: ChainView
    merged: tuple[Contact, ...]
    info: ConflictInfo


class EscalationEditor(NocScreen):
    """Edit one customer's escalation chain (read-only for analysts and read-only sessions)."""

    CSS_PATH = "escalation.tcss"
    HELP_TITLE = N_("Escalation editor")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="escalation.back"),
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

    # ------------------------------------------------------------------ worker messages

    class Loaded(Message):
        def __init__(self, attempt: int, chain: ChainView) -> None:
            super().__init__()
            self.attempt = attempt
            self.chain = chain

    class LoadFailed(Message):
        def __init__(self, attempt: int, kind: Failure, message: str) -> None:
            super().__init__()
            self.attempt = attempt
            self.kind = kind
            self.message = message

    class Saved(Message):
        def __init__(self, attempt: int, result: SaveResult) -> None:
            super().__init__()
            self.attempt = attempt
            self.result = result

    class SaveFailed(Message):
        def __init__(
            self,
            attempt: int,
            kind: Failure,
            message: str,
            *,
            current: ChainView | None = None,
            fields: dict[str, list[str]] | None = None,
            mine: tuple[Contact, ...] = (),
        ) -> None:
            super().__init__()
            self.attempt = attempt
            self.kind = kind
            self.message = message
            self.current = current
            self.fields = fields or {}
            self.mine = mine

    # ------------------------------------------------------------------ set-up

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
        self.chain: ChainView | None = None
        """The chain the form started from: the base of 'unsaved changes' and of the next save."""
        self._why_read_only: str | None = None
        self._session_read_only = read_only or ctx.read_only
        if self._session_read_only:
            self._why_read_only = _("View only: this console is in read-only mode.")
        elif not allowed(principal.role, Permission.EDIT_ESCALATION):
            self._why_read_only = _(
                "View only: the {role} role may not edit escalation chains."
            ).format(role=_(ROLE_LABELS[principal.role]))
        self._load_attempt = 0
        self._save_attempt = 0
        self._loading = False
        self._saving = False
        self._notice: Text | None = None
        self._errors: dict[str, list[str]] = {}
        self._warnings: tuple[str, ...] = ()
        self._valid: tuple[Contact, ...] | None = None
        self._show_summary = False
        self._conflict: Conflict | None = None
        self._timer: Timer | None = None

    @property
    def read_only(self) -> bool:
        return self._why_read_only is not None

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
        self.query_one(TimelinePreview).time_field.value = self._now_hhmm()
        self._render_all()
        self.load()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """(Re)read the chain from the database; the form is refilled when it arrives."""
        self._load_attempt += 1
        self._loading = True
        self._render_busy()
        self._load_worker(self._load_attempt)

    @work(thread=True, exclusive=True, exit_on_error=False, group="escalation-load")
    def _load_worker(self, attempt: int) -> None:
        try:
            chain = escalation.get_chain(self.ctx, self.principal, self.customer_id)
        except Exception as err:  # noqa: BLE001 - every failure becomes a line on screen
            kind, message = _failure(err)
            self.post_message(self.LoadFailed(attempt, kind, message))
        else:
            self.post_message(self.Loaded(attempt, chain))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.attempt != self._load_attempt:
            return
        self._loading = False
        self._notice = None
        self._conflict = None
        self._take(message.chain)
        self._focus_start()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.attempt != self._load_attempt:
            return
        self._loading = False
        if message.kind is Failure.DENIED:
            self._why_read_only = message.message
        if message.kind is Failure.DATABASE:
            self.post_message(DatabaseProblem(message.message))
        self._notice = Text.assemble(
            ("✖ ", "bold"),
            _("Could not load the escalation chain: "),
            wrapped(message.message),
            " ",
            (self._key_hint("reload", _("{key} tries again")), "dim"),
        )
        self._render_all()

    def _take(self, chain: ChainView) -> None:
        """Make ``chain`` the base of the form and show its values (normalised, formatted)."""
        self.chain = chain
        for level in LEVELS:
            self.row(level).set_values(RowValues.from_contact(chain.contact(level)))
        self._show_summary = False
        self._validate()

    def _focus_start(self) -> None:
        if self.read_only:
            self.set_focus(None)
            return
        self.row(1).first_input().focus()

    # ------------------------------------------------------------------ live validation

    def row(self, level: int) -> EscalationRow:
        return self.query_one(f"#level{level}", EscalationRow)

    def _values(self) -> dict[int, RowValues]:
        return {level: self.row(level).values() for level in LEVELS}

    def _inputs(self) -> list[ContactInput]:
        """The levels the operator filled in, as the service takes them (blank rows are unset)."""
        return [
            values.to_input(level)
            for level, values in self._values().items()
            if not values.is_blank(level)
        ]

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "incident-time":
            self._render_timeline()
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATION_DELAY, self._validate)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter moves on, like tab: it never saves by accident."""
        event.stop()
        if event.input.id != "incident-time":
            self.focus_next()

    def _validate(self) -> None:
        """Run the service's validation on the form now and show what it says."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.chain is None:
            return
        try:
            contacts, warnings = escalation.validate_levels(self._inputs(), self.chain.bounds)
        except ValidationError as err:
            self._valid, self._warnings, self._errors = None, (), err.fields
        else:
            self._valid, self._warnings, self._errors = contacts, warnings, {}
        if not self._errors:
            self._show_summary = False
        self._render_all()

    @property
    def validation_pending(self) -> bool:
        """True while typed text waits for the debounced check (tests wait on it)."""
        return self._timer is not None

    def has_unsaved_changes(self) -> bool:
        """The palette's "find customer" must not drop an edit in progress."""
        return self.is_dirty()

    def is_dirty(self) -> bool:
        """True when the form differs from the chain it was loaded from (or last saved)."""
        if self._timer is not None:
            self._validate()
        return self._dirty()

    def _dirty(self) -> bool:
        """is_dirty as of the last validation (rendering must not re-validate)."""
        if self.chain is None or self.read_only:
            return False
        if self._valid is not None:
            return self._valid != self.chain.contacts
        return self._values() != {
            level: RowValues.from_contact(self.chain.contact(level)) for level in LEVELS
        }

    @staticmethod
    def gap_problems(levels: Iterable[int]) -> list[str]:
        """The service's messages about the shape of a chain with these levels set (no-gap rule)."""
        try:
            escalation.validate_levels([ContactInput(level=n, name="") for n in sorted(levels)])
        except ValidationError as err:
            return err.fields.get("levels", [])
        return []

    def _set_levels(self) -> set[int]:
        return {level for level, values in self._values().items() if not values.is_blank(level)}

    # ------------------------------------------------------------------ rendering

    def _render_all(self) -> None:
        if not self.is_mounted:
            return
        self._render_header()
        self._render_rows()
        self._render_problems()
        self._render_timeline()
        self._render_conflict()
        self._render_busy()
        self.refresh_bindings()

    def _render_header(self) -> None:
        chain = self.chain
        title = Text()
        title.append(_("Escalation chain"), style="bold")
        if chain is not None:
            title.append(" — ")
            title.append_text(literal(chain.customer_name, style="bold"))
            if self._dirty():
                title.append("   ")
                title.append(_("✎ unsaved changes"), style="bold reverse")
        show_text(self.query_one("#escalation-title", Static), title)
        meta = Text()
        if chain is None:
            meta.append(_("loading…") if self._loading else "")
        else:
            if chain.version == 0:
                meta.append(_("no chain saved yet"))
            else:
                meta.append(_("version {version}").format(version=chain.version))
                if chain.updated_at is not None:
                    meta.append(" · ")
                    meta.append(
                        _("saved {when} by ").format(
                            when=format_datetime(chain.updated_at, tz=chain.timezone)
                        )
                    )
                    meta.append_text(literal(chain.updated_by or "—"))
            meta.append(" · ")
            meta.append(_("time zone {zone}").format(zone=chain.timezone))
            meta.append(" · ")
            meta.append(
                _("wait between {low} and {high} min").format(
                    low=chain.bounds.min_minutes, high=chain.bounds.max_minutes
                )
            )
        show_text(self.query_one("#escalation-meta", Static), meta)
        notice = self.query_one("#escalation-notice", Static)
        lines: list[Text] = []
        if self._why_read_only:
            lines.append(Text.assemble(("🔒 ", ""), (self._why_read_only, "bold")))
        if self._notice is not None:
            lines.append(self._notice)
        show_text(notice, Text("\n").join(lines))
        notice.display = bool(lines)

    def _render_rows(self) -> None:
        set_levels = self._set_levels()
        for level in LEVELS:
            row = self.row(level)
            is_set = level in set_levels
            blocked = not is_set and level > 1 and bool(self.gap_problems(set_levels | {level}))
            row.set_editable(
                not self.read_only and self.chain is not None and not blocked,
                view_only=self.read_only,
            )
            if is_set:
                state = Text("● " + _("set"))
                hint = ""
            else:
                state = Text("○ " + _("not set"), style="dim")
                hint = (
                    _("fill level {previous} first").format(previous=level - 1)
                    if blocked
                    else ""
                    if self.read_only
                    else _("type to add")
                )
            row.show_state(state, hint)
            row.show_messages(self._errors)

    def _render_problems(self) -> None:
        widget = self.query_one("#escalation-problems", Static)
        text = problems_text(self._errors, self._warnings, summary=self._show_summary)
        show_text(widget, text)
        widget.set_class(bool(self._errors.get("levels")) or self._show_summary, "-error")
        widget.display = bool(text)

    def _now_hhmm(self) -> str:
        zone = self.chain.timezone if self.chain else "America/Sao_Paulo"
        return self.ctx.clock.now().astimezone(ZoneInfo(zone)).strftime("%H:%M")

    def _render_timeline(self) -> None:
        preview = self.query_one(TimelinePreview)
        if self.chain is None:
            preview.show((), "", "—", key=self._key_display("incident_time"))
            return
        zone = self.chain.timezone
        note = ""
        at = preview.incident_time()
        now = self.ctx.clock.now().astimezone(ZoneInfo(zone))
        if at is None:
            note = _("type the incident time as HH:MM; showing now")
            start = now
        else:
            start = datetime.combine(now.date(), at)  # naive: wall time in the customer's zone
        contacts, stop = preview_contacts(self._values(), self._errors)
        if stop:
            note = f"{note}; {stop}" if note else stop
        steps = escalation.timeline(contacts, start, tz=zone)
        preview.show(
            steps,
            escalation.timeline_text(steps, tz=zone),
            zone,
            note,
            key=self._key_display("incident_time"),
        )

    def _render_conflict(self) -> None:
        panel = self.query_one(ConflictPanel)
        panel.display = self._conflict is not None
        if self._conflict is not None:
            panel.show(
                self._conflict.info,
                reload_key=self._key_display("reload"),
                reapply_key=self._key_display("reapply"),
            )

    def _render_busy(self) -> None:
        if self.is_mounted:
            self.query_one("#escalation-form").loading = self._loading or self._saving

    def _key_display(self, action: str) -> str:
        for _key, binding in self._bindings:
            if binding.action == action:
                keymap = self.app._keymap
                key = keymap.get(binding.id, binding.key) if binding.id else binding.key
                return self.app.get_key_display(Binding(key.split(",")[0], action))
        return "?"

    def _key_hint(self, action: str, template: str) -> str:
        return template.format(key=self._key_display(action))

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "clear_level"):
            if self.read_only:
                return None  # visibly disabled
            return None if self.chain is None or self._saving else True
        if action == "reapply":
            return self._conflict is not None and not self.read_only
        if action == "reload":
            return not self._saving
        return True

    def action_move_level(self, step: int) -> None:
        """Up/down: the same field one level above or below (level 1 has no wait: its name)."""
        focused = self.focused
        level = self._focused_level()
        if level is None or not isinstance(focused, Input) or not focused.id:
            return
        name = focused.id.partition("-")[2]
        target_level = level + step
        if target_level not in LEVELS:
            return
        row = self.row(target_level)
        target = row.input(name) or row.input("name")
        if target is None:
            return
        if target.disabled:
            problems = self.gap_problems(self._set_levels() | {target_level})
            if problems:
                self.notify(problems[0], severity="warning")
            return
        target.focus()

    def action_incident_time(self) -> None:
        self.query_one(TimelinePreview).time_field.focus()

    def _focused_level(self) -> int | None:
        focused = self.focused
        if focused is None or not focused.id or not focused.id.startswith("level"):
            return None
        try:
            return int(focused.id.partition("-")[0].removeprefix("level"))
        except ValueError:
            return None

    def action_clear_level(self) -> None:
        """Empty the focused level; if that would leave a gap, offer to clear the later ones too."""
        if self.read_only or self.chain is None:
            return
        level = self._focused_level()
        if level is None:
            self.notify(_("Move to a level's field first, then clear it."), severity="warning")
            return
        set_levels = self._set_levels()
        problems = self.gap_problems(set_levels - {level})
        if not problems:
            self._clear(range(level, level + 1))
            return
        later = [n for n in LEVELS if n >= level]
        question = Text()
        question.append_text(wrapped(problems[0][:1].upper() + problems[0][1:] + "."))
        question.append("\n\n")
        question.append(
            _("Clear levels {levels} together? Nothing is saved until {key}.").format(
                levels=", ".join(str(n) for n in later), key=self._key_display("save")
            )
        )

        def answered(clear: bool | None) -> None:
            if clear:
                self._clear(later)

        self.app.push_screen(
            ConfirmModal(
                _("Clear level {level}?").format(level=level),
                question,
                confirm_label=_("Clear levels {levels}").format(
                    levels=", ".join(str(n) for n in later)
                ),
                cancel_label=_("Keep them"),
                confirm_id="escalation.confirm_clear",
            ),
            answered,
        )

    def _clear(self, levels: Iterable[int]) -> None:
        cleared = list(levels)
        for level in cleared:
            self.row(level).set_values(RowValues())
        self._validate()
        self.row(min(cleared)).first_input().focus()
        self.notify(
            _("Cleared level(s) {levels}: not saved yet.").format(
                levels=", ".join(str(n) for n in cleared)
            )
        )

    def action_back(self) -> None:
        if not self.is_dirty():
            self._leave()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._leave()

        chain = self.chain
        message = Text()
        message.append(_("You changed the escalation chain of "))
        message.append_text(literal(chain.customer_name if chain else "", style="bold"))
        message.append(_(" and did not save it."))
        message.append("\n")
        message.append(
            _("Discard your changes, or keep editing (then {key} saves)?").format(
                key=self._key_display("save")
            )
        )
        self.app.push_screen(
            ConfirmModal(
                _("Unsaved changes"),
                message,
                confirm_label=_("Discard changes"),
                cancel_label=_("Keep editing"),
                confirm_id="escalation.confirm_discard",
            ),
            answered,
        )

    def _leave(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_reload(self) -> None:
        """After a conflict take their chain; otherwise read it again (asking first if dirty)."""
        if self._conflict is not None:
            theirs = self._conflict.theirs
            self._conflict = None
            self._notice = None
            self._take(theirs)
            self.notify(
                _("Reloaded version {version}; your changes were discarded.").format(
                    version=theirs.version
                )
            )
            self._focus_start()
            return
        if not self.is_dirty():
            self.load()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.load()

        self.app.push_screen(
            ConfirmModal(
                _("Reload the chain?"),
                _("Your unsaved changes will be replaced by the chain as stored now."),
                confirm_label=_("Discard and reload"),
                cancel_label=_("Keep editing"),
                confirm_id="escalation.confirm_reload",
            ),
            answered,
        )

    def action_reapply(self) -> None:
        """Put my changes on top of the other operator's chain and save with their version."""
        conflict = self._conflict
        if conflict is None or self.read_only:
            return
        self._conflict = None
        self._notice = None
        self.chain = conflict.theirs
        merged = {c.level: c for c in conflict.merged}
        for level in LEVELS:
            self.row(level).set_values(RowValues.from_contact(merged.get(level)))
        self._validate()
        self.action_save()

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.read_only or self.chain is None or self._saving:
            return
        self._validate()
        if self._errors:
            self._show_summary = True
            self._render_all()
            self._focus_first_error()
            self.notify(_("Not saved: fix the fields marked ✖ first."), severity="error")
            return
        if not self.is_dirty():
            self.notify(_("Nothing to save: the chain has no changes."))
            return
        self._save_attempt += 1
        self._saving = True
        self._notice = None
        self._render_all()
        self._save_worker(self._save_attempt, self._inputs(), self.chain.version, self._valid or ())

    def _focus_first_error(self) -> None:
        for level in LEVELS:
            for name in FIELD_ORDER:
                if f"level{level}.{name}" in self._errors:
                    field = self.row(level).input(name)
                    if field is not None and not field.disabled:
                        field.focus()
                        return

    @work(thread=True, exclusive=True, exit_on_error=False, group="escalation-save")
    def _save_worker(
        self,
        attempt: int,
        levels: list[ContactInput],
        version: int,
        mine: tuple[Contact, ...],
    ) -> None:
        try:
            result = escalation.save_chain(
                self.ctx, self.principal, self.customer_id, levels, version
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes a line on screen
            kind, message = _failure(err)
            current = err.current if isinstance(err, ConflictError) else None
            fields = err.fields if isinstance(err, ValidationError) else None
            self.post_message(
                self.SaveFailed(
                    attempt,
                    kind,
                    message,
                    current=current if isinstance(current, ChainView) else None,
                    fields=fields,
                    mine=mine,
                )
            )
        else:
            self.post_message(self.Saved(attempt, result))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if message.attempt != self._save_attempt:
            return
        self._saving = False
        chain = message.result.chain
        self._take(chain)
        self.notify(_("escalation chain saved (version {version})").format(version=chain.version))

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        if message.attempt != self._save_attempt:
            return
        self._saving = False
        kind = message.kind
        if kind is Failure.CONFLICT and message.current is not None and self.chain is not None:
            self._conflict = self._make_conflict(message.current, message.mine)
            self._notice = None
            self._render_all()
            self.query_one(ConflictPanel).scroll_visible()
            self.notify(message.message, title=_("Not saved"), severity="warning")
            return
        if kind is Failure.INVALID and message.fields:
            self._errors = message.fields
            self._valid = None
            self._show_summary = True
            self._render_all()
            self._focus_first_error()
            return
        if kind is Failure.DENIED:
            self._why_read_only = message.message
        if kind is Failure.DATABASE:
            self.post_message(DatabaseProblem(message.message))
        self._notice = Text.assemble(("✖ ", "bold"), _("Not saved: "), wrapped(message.message))
        self._render_all()
        self.notify(message.message, title=_("Not saved"), severity="error")

    def _make_conflict(self, theirs: ChainView, mine: tuple[Contact, ...]) -> Conflict:
        base = self.chain.contacts if self.chain else ()
        merged = merge_on_top(base, mine, theirs.contacts)
        info = ConflictInfo(
            updated_by=theirs.updated_by,
            updated_at=theirs.updated_at,
            timezone=theirs.timezone,
            version=theirs.version,
            diffs=tuple(differences(theirs.contacts, mine, merged)),
        )
        return Conflict(theirs=theirs, merged=merged, info=info)

    @on(Button.Pressed, "#conflict-reload")
    def _reload_pressed(self) -> None:
        self.action_reload()

    @on(Button.Pressed, "#conflict-reapply")
    def _reapply_pressed(self) -> None:
        self.action_reapply()

    # ------------------------------------------------------------------ language switch, palette

    def capture_state(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "values": self._values() if self.is_mounted else {},
            "time": self.query_one(TimelinePreview).time_field.value,
            "focus": focused.id if focused is not None else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        for level, values in state["values"].items():
            self.row(level).set_values(values)
        self.query_one(TimelinePreview).time_field.value = state["time"]
        self._validate()
        self._render_all()
        if state["focus"]:
            for widget in self.query(f"#{state['focus']}"):
                widget.focus()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if not self.read_only:
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


__all__ = ["EscalationEditor", "Failure", "field_id"]
