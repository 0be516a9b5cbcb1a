"""The escalation editor's state: the chain as loaded, the form, and what each key does now.

The screen forwards events here and renders what this holds; every
transition returns the ``Effects`` the screen must carry out (refill rows,
move the focus, notify, ask, start a load or a save). Nothing here imports
Textual, so the editor's flow is tested with plain pytest. The rules of a
chain stay the service's: this decides only what they mean for the form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import time
from enum import StrEnum
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from noc_console.clock import Clock
from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.screens.escalation.conflict import Conflict
from noc_console.screens.escalation.failures import Failure, FailureKind
from noc_console.screens.escalation.form import (
    LEVELS,
    Form,
    RowValues,
    blank_form,
    field_key,
    form_of,
    gap_problems,
    set_levels,
    to_inputs,
)
from noc_console.screens.escalation.preview import NO_CHAIN, TimelinePlan, plan_timeline
from noc_console.services.context import Principal
from noc_console.services.escalation.dto import ChainView, Contact, ContactInput, SaveResult
from noc_console.services.escalation.validation import validate_levels
from noc_console.services.permissions import ROLE_LABELS, Permission, allowed

DEFAULT_ZONE = "America/Sao_Paulo"  # the incident-time field's first value, before a chain is read


class Job(StrEnum):
    """The two calls the editor makes; each runs in its own worker group."""

    LOAD = "load"
    SAVE = "save"


class Question(StrEnum):
    CLEAR = "clear"  # clearing this level would leave a gap: clear the later ones too?
    DISCARD = "discard"  # leaving with unsaved changes
    RELOAD = "reload"  # reloading over unsaved changes


@dataclass(frozen=True)
class Focus:
    """Where the cursor goes: a level's field (its first when ``name`` is None), or nowhere."""

    level: int | None
    name: str | None = None


@dataclass(frozen=True)
class Note:
    """A notification: the message, an optional title, its severity."""

    message: str
    title: str | None = None
    severity: Literal["information", "warning", "error"] = "information"


@dataclass(frozen=True)
class Ask:
    """A question before a transition; ``accept`` runs it when the operator confirms."""

    kind: Question
    accept: Callable[[], Effects | None]
    level: int = 0
    levels: tuple[int, ...] = ()
    problem: str = ""
    customer_name: str = ""

    @property
    def confirm_id(self) -> str:
        """The binding id of the confirm key, so a keymap can remap it per question."""
        return f"escalation.confirm_{self.kind}"


@dataclass(frozen=True)
class Effects:
    """What the screen does after a transition, in this order (then it renders the state)."""

    refill: tuple[int, ...] = ()
    """Levels whose fields must show ``values`` again (the state changed them)."""
    focus: Focus | None = None
    show_conflict: bool = False
    note: Note | None = None
    database_problem: str | None = None
    ask: Ask | None = None
    leave: bool = False
    start: Job | None = None


@dataclass(frozen=True)
class Ticket:
    """One load or save in flight; an answer whose attempt is not the latest is dropped."""

    job: Job
    attempt: int
    version: int = 0
    inputs: tuple[ContactInput, ...] = ()
    mine: tuple[Contact, ...] = ()
    """The validated form as sent: 'mine' if the save meets a conflict."""


class RowStatus(NamedTuple):
    is_set: bool
    blocked: bool
    """Not set, and setting it would leave a gap: the level before it is empty."""
    editable: bool


def read_only_reason(session_read_only: bool, principal: Principal) -> str | None:
    """Why this editor only shows the chain (None when it may edit)."""
    if session_read_only:
        return _("View only: this console is in read-only mode.")
    if not allowed(principal.role, Permission.EDIT_ESCALATION):
        return _("View only: the {role} role may not edit escalation chains.").format(
            role=_(ROLE_LABELS[principal.role])
        )
    return None


class EditorState:
    """One customer's chain in the editor: loaded, edited, validated, saved."""

    def __init__(
        self, *, clock: Clock, field_order: Sequence[str], why_read_only: str | None
    ) -> None:
        self.clock = clock
        self.field_order = tuple(field_order)
        """The form's fields left to right: the order errors are visited and diffs listed."""
        self.why_read_only = why_read_only
        self.chain: ChainView | None = None
        """The chain the form started from: the base of 'unsaved changes' and of the next save."""
        self.values: Form = blank_form()
        self.errors: dict[str, list[str]] = {}
        self.warnings: tuple[str, ...] = ()
        self.valid: tuple[Contact, ...] | None = None
        self.show_summary = False
        self.conflict: Conflict | None = None
        self.notice: tuple[Job, str] | None = None
        """The last failed load or save, shown until the next one starts or succeeds."""
        self.loading = False
        self.saving = False
        self.validation_pending = False
        """True while typed text waits for the debounced check."""
        self._attempts = {Job.LOAD: 0, Job.SAVE: 0}

    # ------------------------------------------------------------------ reading

    @property
    def read_only(self) -> bool:
        return self.why_read_only is not None

    @property
    def busy(self) -> bool:
        return self.loading or self.saving

    @property
    def dirty(self) -> bool:
        """The form differs from the chain it was loaded from, as of the last validation."""
        if self.chain is None or self.read_only:
            return False
        if self.valid is not None:
            return self.valid != self.chain.contacts
        return self.values != form_of(self.chain)

    def has_changes(self) -> bool:
        """``dirty``, after checking text still waiting for its debounced validation."""
        if self.validation_pending:
            self.validate()
        return self.dirty

    def error_of(self, job: Job) -> str | None:
        """The notice's message when the last failure was a ``job``."""
        return self.notice[1] if self.notice and self.notice[0] is job else None

    @property
    def set_levels(self) -> set[int]:
        return set_levels(self.values)

    def row_status(self, level: int) -> RowStatus:
        levels = self.set_levels
        is_set = level in levels
        blocked = not is_set and level > 1 and bool(gap_problems(levels | {level}))
        editable = not self.read_only and self.chain is not None and not blocked
        return RowStatus(is_set, blocked, editable)

    def messages(self, level: int) -> dict[str, list[str]]:
        """The service's messages for one level, by field name."""
        return {name: self.errors.get(field_key(level, name), []) for name in self.field_order}

    def first_error(self) -> Focus | None:
        """The first editable field in error, in the form's order."""
        for level in LEVELS:
            if not self.row_status(level).editable:
                continue
            for name in self.field_order:
                if level == 1 and name == "delay_minutes":
                    continue  # level 1 has no wait field
                if field_key(level, name) in self.errors:
                    return Focus(level, name)
        return None

    def start_focus(self) -> Focus:
        """Level 1's first field; nowhere in a view-only editor."""
        return Focus(None) if self.read_only else Focus(1)

    def allows(self, action: str) -> bool | None:
        """check_action's answer: None shows a key disabled, False hides it."""
        if action in ("save", "clear_level"):
            if self.read_only:
                return None  # visibly disabled
            return None if self.chain is None or self.saving else True
        if action == "reapply":
            return self.conflict is not None and not self.read_only
        if action == "reload":
            return not self.saving
        return True

    def timeline(self, at: time | None) -> TimelinePlan:
        """The preview for an incident at ``at`` today, in the customer's zone (None: now)."""
        if self.chain is None:
            return NO_CHAIN
        return plan_timeline(
            self.values,
            self.errors,
            zone=self.chain.timezone,
            now=self.clock.now(),
            at=at,
        )

    def now_hhmm(self) -> str:
        zone = self.chain.timezone if self.chain else DEFAULT_ZONE
        return self.clock.now().astimezone(ZoneInfo(zone)).strftime("%H:%M")

    # ------------------------------------------------------------------ the form

    def edit(self, level: int, values: RowValues) -> None:
        """The operator changed a level's text; it is checked after a pause in typing."""
        self.values[level] = values
        self.validation_pending = True

    def validate(self) -> Effects | None:
        """Run the service's validation on the form now (nothing to check before a chain)."""
        self.validation_pending = False
        if self.chain is None:
            return None
        try:
            contacts, warnings = validate_levels(to_inputs(self.values), self.chain.bounds)
        except ValidationError as err:
            self.valid, self.warnings, self.errors = None, (), err.fields
        else:
            self.valid, self.warnings, self.errors = contacts, warnings, {}
        if not self.errors:
            self.show_summary = False
        return Effects()

    def restore(self, values: Mapping[int, RowValues]) -> Effects:
        """Put back the form captured before a language switch."""
        self.values.update(values)
        self.validate()
        return Effects(refill=tuple(values))

    def clear_level(self, level: int | None) -> Effects | None:
        """Empty a level; when that would leave a gap, ask to clear the later ones too."""
        if self.read_only or self.chain is None:
            return None
        if level is None:
            return Effects(
                note=Note(_("Move to a level's field first, then clear it."), severity="warning")
            )
        problems = gap_problems(self.set_levels - {level})
        if not problems:
            return self.clear([level])
        later = tuple(n for n in LEVELS if n >= level)
        return Effects(
            ask=Ask(
                Question.CLEAR,
                lambda: self.clear(later),
                level=level,
                levels=later,
                problem=problems[0],
            )
        )

    def clear(self, levels: Sequence[int]) -> Effects:
        cleared = list(levels)
        for level in cleared:
            self.values[level] = RowValues()
        self.validate()
        return Effects(
            refill=tuple(cleared),
            focus=Focus(min(cleared)),
            note=Note(
                _("Cleared level(s) {levels}: not saved yet.").format(
                    levels=", ".join(str(n) for n in cleared)
                )
            ),
        )

    # ------------------------------------------------------------------ loading and saving

    def start(self, job: Job) -> Ticket:
        """A load or save begins; its answer must carry this ticket back."""
        self._attempts[job] += 1
        attempt = self._attempts[job]
        if job is Job.LOAD:
            self.loading = True
            return Ticket(job, attempt)
        self.saving = True
        self.notice = None
        return Ticket(
            job,
            attempt,
            version=self.chain.version if self.chain else 0,
            inputs=tuple(to_inputs(self.values)),
            mine=self.valid or (),
        )

    def save(self) -> Effects | None:
        """Save if the form is valid and changed; otherwise say why not."""
        if self.read_only or self.chain is None or self.saving:
            return None
        self.validate()
        if self.errors:
            self.show_summary = True
            return Effects(
                focus=self.first_error(),
                note=Note(_("Not saved: fix the fields marked ✖ first."), severity="error"),
            )
        if not self.dirty:
            return Effects(note=Note(_("Nothing to save: the chain has no changes.")))
        return Effects(start=Job.SAVE)

    def finish(self, ticket: Ticket, outcome: ChainView | SaveResult | Failure) -> Effects | None:
        """A worker's answer; None when a newer load or save has replaced it."""
        if ticket.attempt != self._attempts[ticket.job]:
            return None
        if ticket.job is Job.LOAD:
            self.loading = False
        else:
            self.saving = False
        if isinstance(outcome, Failure):
            return self._failed(ticket, outcome)
        if isinstance(outcome, SaveResult):
            self._take(outcome.chain)
            return Effects(
                refill=LEVELS,
                note=Note(
                    _("escalation chain saved (version {version})").format(
                        version=outcome.chain.version
                    )
                ),
            )
        self.notice = None
        self.conflict = None
        self._take(outcome)
        return Effects(refill=LEVELS, focus=self.start_focus())

    def _take(self, chain: ChainView) -> None:
        """Make ``chain`` the base of the form and show its values (normalised, formatted)."""
        self.chain = chain
        self.values = form_of(chain)
        self.show_summary = False
        self.validate()

    def _failed(self, ticket: Ticket, failure: Failure) -> Effects:
        kind = failure.kind
        if ticket.job is Job.SAVE:
            if kind is FailureKind.CONFLICT and failure.current is not None and self.chain:
                self.conflict = Conflict.between(
                    self.chain.contacts, failure.current, ticket.mine, self.field_order
                )
                self.notice = None
                return Effects(
                    show_conflict=True, note=Note(failure.message, _("Not saved"), "warning")
                )
            if kind is FailureKind.INVALID and failure.fields:
                self.errors = failure.fields
                self.valid = None
                self.show_summary = True
                return Effects(focus=self.first_error())
        if kind is FailureKind.DENIED:
            self.why_read_only = failure.message
        self.notice = (ticket.job, failure.message)
        return Effects(
            database_problem=failure.message if kind is FailureKind.DATABASE else None,
            note=Note(failure.message, _("Not saved"), "error") if ticket.job is Job.SAVE else None,
        )

    # ------------------------------------------------------------------ leaving, conflicts

    def leave(self) -> Effects:
        """Leave at once, or ask first when the form has unsaved changes."""
        if not self.has_changes():
            return Effects(leave=True)
        return Effects(
            ask=Ask(
                Question.DISCARD,
                lambda: Effects(leave=True),
                customer_name=self.chain.customer_name if self.chain else "",
            )
        )

    def reload(self) -> Effects:
        """After a conflict take their chain; otherwise read it again (asking first if dirty)."""
        if self.conflict is not None:
            theirs = self.conflict.theirs
            self.conflict = None
            self.notice = None
            self._take(theirs)
            return Effects(
                refill=LEVELS,
                focus=self.start_focus(),
                note=Note(
                    _("Reloaded version {version}; your changes were discarded.").format(
                        version=theirs.version
                    )
                ),
            )
        if not self.has_changes():
            return Effects(start=Job.LOAD)
        return Effects(ask=Ask(Question.RELOAD, lambda: Effects(start=Job.LOAD)))

    def reapply(self) -> Effects | None:
        """Put my changes on top of the other operator's chain and save with their version."""
        conflict = self.conflict
        if conflict is None or self.read_only:
            return None
        self.conflict = None
        self.notice = None
        self.chain = conflict.theirs
        merged = {c.level: c for c in conflict.merged}
        self.values = {level: RowValues.from_contact(merged.get(level)) for level in LEVELS}
        self.validate()
        return replace(self.save() or Effects(), refill=LEVELS)
