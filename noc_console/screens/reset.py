"""The assisted password reset wizard: identity → method → confirmation → result.

Opened (``r``) over the customer screen while the analyst is on the phone:

(a) identity: who is on record, the checks as explicit checkboxes, the ticket
    and the reason;
(b) method: temporary password / reset link (e-mail shown masked) / unlock
    only, with the unlock and end-sessions options, the TTLs and the resets
    left this hour;
(c) confirmation: a summary naming the user and the company; only
    ``ctrl+s`` (or the focused "Confirm reset" button) applies it — never
    ``r``, never a stray ``enter``; nothing is written before this;
(d) result: the temporary password once, large and grouped, with copy to the
    clipboard; "I have read it to the customer" drops it for good.

The rules live in ``services.password_reset``: the wizard shows the preview,
pre-checks step (a) with the service's own validator and turns every refusal
of ``reset()`` into words at the step it concerns. Keys (all with ids, so they
can be remapped): space ticks, tab moves, enter goes on, esc goes back (or
cancels at the first step), ctrl+s confirms, c copies, ctrl+d is "done".

The password exists in this process only inside the ``ResetDone`` message
(dropped by its handler) and the ``SecretDisplay`` (cleared before dismissal);
it is never logged, notified or put in the ``ResetOutcome``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, ContentSwitcher, Footer, Input, Label, RadioButton, Static

from noc_console.errors import (
    ConflictError,
    DatabaseUnavailable,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from noc_console.i18n import N_, _, format_time
from noc_console.screens.base import translate_bindings
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.session import DatabaseProblem
from noc_console.services import password_reset
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset import (
    IdentityChecks,
    ResetMethod,
    ResetPreview,
    ResetRateLimited,
    ResetResult,
)
from noc_console.services.policy import PasswordPolicyDTO
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.reset_controls import (
    FieldError,
    StepIndicator,
    WizardCheckbox,
    WizardRadioButton,
    WizardRadioSet,
)
from noc_console.widgets.reset_views import (
    NO_EMAIL,
    ResetForm,
    identity_card,
    option_labels,
    rate_text,
    result_text,
    summary_text,
    title_text,
)
from noc_console.widgets.secret_display import SecretDisplay

log = logging.getLogger(__name__)

IDENTITY, METHOD, CONFIRM, RESULT = range(4)
STEP_IDS = ("step-identity", "step-method", "step-confirm", "step-result")
STEP_TITLES = (N_("Identity"), N_("Method"), N_("Confirmation"), N_("Result"))
METHODS = (ResetMethod.TEMPORARY_PASSWORD, ResetMethod.RESET_LINK, ResetMethod.UNLOCK_ONLY)
# Where each field the service may refuse is edited: the wizard goes back there.
FIELD_STEP = {
    "ticket_ref": IDENTITY,
    "reason": IDENTITY,
    "name_matches": IDENTITY,
    "cnpj_confirmed": IDENTITY,
    "callback_done": IDENTITY,
    "user": IDENTITY,
    "method": METHOD,
}
FIELD_WIDGET = {  # in screen order: the first one refused gets the focus
    "name_matches": "#check-name",
    "cnpj_confirmed": "#check-cnpj",
    "callback_done": "#check-callback",
    "ticket_ref": "#ticket",
    "reason": "#reason",
    "method": "#method",
}
FIELD_ERROR = {
    "ticket_ref": "#ticket-error",
    "reason": "#reason-error",
    "name_matches": "#checks-error",
    "cnpj_confirmed": "#checks-error",
    "callback_done": "#checks-error",
    "method": "#method-error",
}


@dataclass(frozen=True)
class ResetOutcome:
    """What the customer screen learns after a successful reset; never the password."""

    user_id: int
    login: str
    method: ResetMethod
    sessions_ended: int
    unlocked: bool


@dataclass(frozen=True)
class Failure:
    """A refused or failed service call, as plain data.

    Workers hand this to the UI instead of the exception: a traceback keeps
    the service's frames (and their locals, such as a just-generated
    password) alive for as long as the exception object lives.
    """

    kind: str  # validation, rate_limited, conflict, permission, not_found, database, other
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    retry_at: datetime | None = None


def describe_failure(err: BaseException) -> Failure:
    """Sort an exception from a service call into what the wizard shows."""
    if isinstance(err, ValidationError):
        return Failure("validation", str(err), fields=dict(err.fields))
    if isinstance(err, ResetRateLimited):
        return Failure("rate_limited", str(err), retry_at=err.retry_at)
    if isinstance(err, RateLimited):
        return Failure("rate_limited", str(err))
    if isinstance(err, ConflictError):
        return Failure("conflict", str(err))
    if isinstance(err, PermissionDenied):
        return Failure("permission", str(err))
    if isinstance(err, NotFound):
        return Failure("not_found", str(err))
    if isinstance(err, DatabaseUnavailable):
        return Failure("database", str(err))
    if isinstance(err, DomainError):
        return Failure("other", str(err))
    log.error("unexpected error in the reset wizard: %s", type(err).__name__)
    return Failure(
        "other", _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)
    )


class ResetWizard(ModalScreen[ResetOutcome | None]):
    """Modal wizard for one portal user; dismisses with a ResetOutcome, or None if cancelled."""

    CSS_PATH = "reset.tcss"
    HELP_TITLE = N_("Password reset")
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", N_("Next"), id="reset.next"),
        Binding("escape", "cancel", N_("Cancel"), id="reset.cancel"),
        Binding("escape", "back", N_("Back"), id="reset.back"),
        Binding("ctrl+s", "confirm", N_("Confirm reset"), id="reset.confirm"),
        Binding("c", "copy", N_("Copy password"), id="reset.copy"),
        Binding("ctrl+d", "done", N_("Done: I have read it to the customer"), id="reset.done"),
        Binding("f1,question_mark", "app.help", N_("Help"), id="reset.help"),
        # App bindings stop at a modal: the lock is offered here too (the idle lock is the app's).
        Binding("ctrl+l", "app.lock", N_("Lock"), id="reset.lock", show=False),
    ]

    # ------------------------------------------------------------------ worker messages

    class PreviewLoaded(Message):
        def __init__(self, attempt: int, preview: ResetPreview) -> None:
            super().__init__()
            self.attempt = attempt
            self.preview = preview

    class PreviewFailed(Message):
        def __init__(self, attempt: int, failure: Failure) -> None:
            super().__init__()
            self.attempt = attempt
            self.failure = failure

    class ResetDone(Message):
        """Carries the password once; the handler takes it out and sets ``result`` to None."""

        def __init__(self, attempt: int, result: ResetResult) -> None:
            super().__init__()
            self.attempt = attempt
            self.result: ResetResult | None = result

    class ResetFailed(Message):
        def __init__(self, attempt: int, failure: Failure) -> None:
            super().__init__()
            self.attempt = attempt
            self.failure = failure

    # ------------------------------------------------------------------ set-up

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        user_id: int,
        *,
        read_only: bool = False,
        generate: Callable[[PasswordPolicyDTO], str] | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.ctx = ctx
        self.principal = principal
        self.user_id = user_id
        self.read_only = read_only or ctx.read_only
        self._generate = generate
        self.step = IDENTITY
        self.preview: ResetPreview | None = None
        self.outcome: ResetOutcome | None = None
        self._busy = False  # a reset is running: nothing may move
        self._copied = False
        self._preview_attempt = 0  # a newer preview request makes older answers stale
        self._reset_attempt = 0
        # Held directly: on_unmount must reach it after the DOM is gone.
        self._secret_widget = SecretDisplay(id="secret")

    def compose(self) -> ComposeResult:
        with Vertical(id="reset-dialog"):
            yield Static(Text(_("Password reset")), id="reset-title")
            yield StepIndicator([_(title) for title in STEP_TITLES], id="reset-steps")
            with ContentSwitcher(initial=STEP_IDS[IDENTITY], id="reset-body"):
                with VerticalScroll(id="step-identity", can_focus=False):
                    yield Static(id="identity-card")
                    if self.read_only:
                        yield Static(
                            Text(
                                _(
                                    "Read-only mode: you can review this user, but the reset"
                                    " cannot be confirmed in this session."
                                )
                            ),
                            id="read-only-note",
                            classes="warning-note",
                        )
                    yield Label(_("Identity checks (ask the caller)"), classes="section")
                    yield WizardCheckbox(id="check-name", compact=True)
                    yield WizardCheckbox(id="check-cnpj", compact=True)
                    yield WizardCheckbox(id="check-callback", compact=True)
                    yield FieldError(id="checks-error")
                    with Horizontal(id="ticket-row"):
                        with Vertical(id="ticket-col"):
                            yield Label(_("Ticket reference"), classes="field-label")
                            yield Field(
                                placeholder=_("e.g. INC-2026-0042"),
                                id="ticket",
                                max_length=password_reset.TICKET_MAX,
                            )
                            yield FieldError(id="ticket-error")
                        with Vertical(id="reason-col"):
                            yield Label(_("Reason"), classes="field-label")
                            yield Field(
                                placeholder=_("why the access is being reset"),
                                id="reason",
                                max_length=password_reset.REASON_MAX,
                            )
                            yield FieldError(id="reason-error")
                with VerticalScroll(id="step-method", can_focus=False):
                    yield Label(_("How should the customer get back in?"), classes="section")
                    yield WizardRadioSet(
                        WizardRadioButton(id="method-temporary", value=True),
                        WizardRadioButton(id="method-link"),
                        WizardRadioButton(id="method-unlock"),
                        id="method",
                    )
                    yield FieldError(id="method-error")
                    yield Label(_("Also"), classes="section")
                    yield WizardCheckbox(id="opt-unlock", value=True, compact=True)
                    yield WizardCheckbox(id="opt-sessions", value=True, compact=True)
                    yield Static(id="rate-line")
                with VerticalScroll(id="step-confirm"):
                    yield Static(id="summary")
                with VerticalScroll(id="step-result", can_focus=False):
                    yield Static(id="result-text")
                    yield self._secret_widget
                    yield Static(id="result-hint")
            yield Static(id="reset-message")
            with Horizontal(id="reset-buttons"):
                yield Button(_("Cancel"), id="btn-cancel")
                yield Button(_("Back"), id="btn-back")
                yield Button(_("Next"), id="btn-next", variant="primary")
                yield Button(_("Confirm reset"), id="btn-confirm", variant="warning")
                yield Button(_("Copy password"), id="btn-copy")
                yield Button(_("I have read it to the customer"), id="btn-done", variant="success")
        yield Footer()

    def on_mount(self) -> None:
        self._show_step(IDENTITY, focus=False)
        self._load_preview()

    def on_unmount(self) -> None:
        """However the wizard goes away (done, lock, quit), the secret goes with it."""
        self._forget_secret()

    # ------------------------------------------------------------------ preview

    def _load_preview(self) -> None:
        self._preview_attempt += 1
        self.query_one("#reset-body").loading = True
        self._preview_worker(self._preview_attempt)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reset-preview")
    def _preview_worker(self, attempt: int) -> None:
        try:
            preview = password_reset.reset_preview(self.ctx, self.principal, self.user_id)
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            failure = describe_failure(err)
            if failure.kind == "database":
                self.post_message(DatabaseProblem(failure.message))
            self.post_message(self.PreviewFailed(attempt, failure))
            return
        self.post_message(self.PreviewLoaded(attempt, preview))

    @on(PreviewLoaded)
    def _preview_loaded(self, message: PreviewLoaded) -> None:
        if message.attempt != self._preview_attempt:
            return
        first = self.preview is None
        self.preview = message.preview
        body = self.query_one("#reset-body")
        body.loading = False
        body.display = True
        self._fill_from_preview(message.preview)
        self.query_one("#btn-confirm", Button).disabled = not self._can_confirm()
        if first:
            self._say("")
            self._focus_step(self.step)
        elif self.step == CONFIRM:
            self._render_summary()
        self.refresh_bindings()

    @on(PreviewFailed)
    def _preview_failed(self, message: PreviewFailed) -> None:
        if message.attempt != self._preview_attempt:
            return
        body = self.query_one("#reset-body")
        body.loading = False
        self._say(message.failure.message)
        if self.preview is None:  # nothing to show but why, and the way out
            body.display = False
            self.query_one("#btn-next").display = False
            self.query_one("#btn-cancel", Button).focus()
        self.refresh_bindings()

    def _fill_from_preview(self, preview: ResetPreview) -> None:
        self.query_one("#reset-title", Static).update(title_text(preview))
        self.query_one("#identity-card", Static).update(identity_card(preview))
        for widget_id, label in option_labels(preview).items():
            widget = self.query_one(f"#{widget_id}")
            assert isinstance(widget, WizardCheckbox | RadioButton)
            widget.label = Content(label)
        callback = self.query_one("#check-callback", WizardCheckbox)
        callback.disabled = not preview.phone_formatted
        if callback.disabled:
            callback.value = False
        link = self.query_one("#method-link", RadioButton)
        link.disabled = preview.email_masked == NO_EMAIL
        if link.disabled and link.value:
            self.query_one(WizardRadioSet).choose(0)
        self.query_one("#rate-line", Static).update(rate_text(preview))
        self._sync_unlock_option()

    # ------------------------------------------------------------------ steps

    def _show_step(self, step: int, *, focus: bool = True) -> None:
        self.step = step
        self.query_one(ContentSwitcher).current = STEP_IDS[step]
        self.query_one(StepIndicator).set_step(step)
        buttons = {
            "#btn-cancel": step in (IDENTITY, METHOD, CONFIRM),
            "#btn-back": step in (METHOD, CONFIRM),
            "#btn-next": step in (IDENTITY, METHOD),
            "#btn-confirm": step == CONFIRM,
            "#btn-copy": step == RESULT and self._secret_widget.has_secret,
            "#btn-done": step == RESULT,
        }
        for selector, shown in buttons.items():
            self.query_one(selector).display = shown
        confirm = self.query_one("#btn-confirm", Button)
        confirm.disabled = not self._can_confirm()
        if step == CONFIRM:
            self._render_summary()
        if focus:
            self._focus_step(step)
        self.refresh_bindings()

    def _focus_step(self, step: int) -> None:
        target: Widget
        if step == IDENTITY:
            target = self.query_one("#check-name")
        elif step == METHOD:
            target = self.query_one("#method")
        elif step == CONFIRM:
            target = self.query_one("#step-confirm")
        elif self._secret_widget.has_secret:
            target = self.query_one("#btn-copy")
        else:
            target = self.query_one("#btn-done")
        target.focus()

    def _say(self, message: str) -> None:
        """The wizard-wide message line (errors that belong to no single field)."""
        line = self.query_one("#reset-message", Static)
        line.update(Text(printable(message)))
        line.set_class(bool(message), "-shown")

    def _clear_errors(self) -> None:
        for error in self.query(FieldError):
            error.clear()
        self._say("")

    def _checks(self) -> IdentityChecks:
        return IdentityChecks(
            name_matches=self.query_one("#check-name", WizardCheckbox).value,
            cnpj_confirmed=self.query_one("#check-cnpj", WizardCheckbox).value,
            callback_done=self.query_one("#check-callback", WizardCheckbox).value,
        )

    def _method(self) -> ResetMethod:
        index = self.query_one("#method", WizardRadioSet).pressed_index
        return METHODS[index] if 0 <= index < len(METHODS) else METHODS[0]

    def _form(self, preview: ResetPreview) -> ResetForm:
        method = self._method()
        return ResetForm(
            ticket_ref=self.query_one("#ticket", Input).value,
            reason=self.query_one("#reason", Input).value,
            checks=self._checks(),
            method=method,
            unlock=method is ResetMethod.UNLOCK_ONLY
            or self.query_one("#opt-unlock", WizardCheckbox).value,
            end_sessions=self.query_one("#opt-sessions", WizardCheckbox).value,
            expected_version=preview.version,
        )

    def _show_field_errors(self, fields: dict[str, list[str]]) -> None:
        """Put each message under its field; the rest on the message line. Focus the first."""
        grouped: dict[str, list[str]] = {}
        loose: list[str] = []
        for name, messages in fields.items():
            target = FIELD_ERROR.get(name)
            if target is None:
                loose.extend(messages)
            else:
                grouped.setdefault(target, []).extend(messages)
        for target, messages in grouped.items():
            self.query_one(target, FieldError).show_messages(messages)
        self._say(" ".join(loose))
        for name in FIELD_WIDGET:
            if name in fields and FIELD_STEP.get(name) == self.step:
                widget = self.query_one(FIELD_WIDGET[name])
                if widget.focusable:
                    widget.focus()
                break

    def _can_confirm(self) -> bool:
        preview = self.preview
        return (
            not self.read_only
            and not self._busy
            and preview is not None
            and preview.resets_left_this_hour > 0
        )

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """True: offered; None: shown greyed (e.g. confirm in read-only); False: hidden."""
        step = self.step
        if action == "next":
            if step not in (IDENTITY, METHOD):
                return False
            return True if self.preview is not None and not self._busy else None
        if action == "cancel":
            return step == IDENTITY and not self._busy
        if action == "back":
            if step not in (METHOD, CONFIRM):
                return False
            return True if not self._busy else None
        if action == "abandon":
            return step != RESULT and not self._busy
        if action == "confirm":
            if step != CONFIRM:
                return False
            return True if self._can_confirm() else None
        if action == "copy":
            return step == RESULT and self._secret_widget.has_secret
        if action == "done":
            return step == RESULT
        return True

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if self.step != RESULT:
            yield PaletteCommand(
                "reset.abandon",
                N_("Cancel the password reset"),
                N_("Close the wizard without changing anything"),
                "abandon",
            )

    def action_next(self) -> None:
        preview = self.preview
        if preview is None or self._busy:
            return
        if self.step == IDENTITY:
            self._clear_errors()
            request = self._form(preview)
            try:
                # The service's own validator: its messages, nothing written, no query.
                password_reset.validate_request(
                    request.ticket_ref, request.reason, request.checks, request.method
                )
            except ValidationError as err:
                self._show_field_errors(
                    {k: v for k, v in err.fields.items() if FIELD_STEP.get(k) == IDENTITY}
                )
                return
            self._show_step(METHOD)
        elif self.step == METHOD:
            self._clear_errors()
            if preview.resets_left_this_hour <= 0:
                self.query_one("#method-error", FieldError).show_messages(
                    [rate_text(preview, symbol=False).plain]
                )
                return
            self._show_step(CONFIRM)

    def action_back(self) -> None:
        if self._busy or self.step not in (METHOD, CONFIRM):
            return
        self._say("")
        self._show_step(self.step - 1)

    def action_cancel(self) -> None:
        self.action_abandon()

    def action_abandon(self) -> None:
        if self._busy or self.step == RESULT:
            return
        self.dismiss(None)

    def action_confirm(self) -> None:
        preview = self.preview
        if self.step != CONFIRM or preview is None or not self._can_confirm():
            return
        request = self._form(preview)
        self._reset_attempt += 1
        self._busy = True
        self._say("")
        self.query_one("#reset-body").loading = True
        self.query_one("#btn-confirm", Button).disabled = True
        self.refresh_bindings()
        self._reset_worker(self._reset_attempt, request)

    def action_copy(self) -> None:
        display = self._secret_widget
        if self.step != RESULT or not display.has_secret:
            return
        self.app.copy_to_clipboard(display.reveal())
        self._copied = True
        self.notify(
            _("Password copied to the clipboard; it is cleared when you close this window."),
            title=_("Copied"),
        )

    def action_done(self) -> None:
        if self.step != RESULT:
            return
        outcome = self.outcome
        self._forget_secret()
        self.query_one("#result-text", Static).update("")
        self.query_one("#result-hint", Static).update("")
        self.dismiss(outcome)

    def _forget_secret(self) -> None:
        """Drop the password from the display and, if it was copied, from the clipboard."""
        self._secret_widget.clear()
        if self._copied:
            self.app.copy_to_clipboard("")
            self._copied = False

    # ------------------------------------------------------------------ events

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Input.Changed, "#ticket")
    def _ticket_edited(self) -> None:
        self.query_one("#ticket-error", FieldError).clear()

    @on(Input.Changed, "#reason")
    def _reason_edited(self) -> None:
        self.query_one("#reason-error", FieldError).clear()

    @on(WizardCheckbox.Changed, "#check-name, #check-cnpj, #check-callback")
    def _check_ticked(self) -> None:
        self.query_one("#checks-error", FieldError).clear()

    def on_screen_suspend(self) -> None:
        """Locked with the password copied: the clipboard must not keep it while nobody looks."""
        if self._copied and getattr(self.app, "is_locked", False):
            self.app.copy_to_clipboard("")
            self._copied = False

    @on(Button.Pressed)
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions: dict[str, Callable[[], None]] = {
            "btn-cancel": self.action_abandon,
            "btn-back": self.action_back,
            "btn-next": self.action_next,
            "btn-confirm": self.action_confirm,
            "btn-copy": self.action_copy,
            "btn-done": self.action_done,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    @on(WizardRadioSet.Changed)
    def _method_changed(self) -> None:
        self.query_one("#method-error", FieldError).clear()
        self._sync_unlock_option()

    def _sync_unlock_option(self) -> None:
        """Unlock-only always unlocks: the option shows ticked and cannot be changed there."""
        option = self.query_one("#opt-unlock", WizardCheckbox)
        if self._method() is ResetMethod.UNLOCK_ONLY:
            option.value = True
            option.disabled = True
        else:
            option.disabled = False

    # ------------------------------------------------------------------ confirmation

    def _render_summary(self) -> None:
        preview = self.preview
        if preview is None:
            return
        if self.read_only:
            closing = Text(
                _("Read-only mode: this reset cannot be confirmed in this session."),
                style="bold",
            )
        elif preview.resets_left_this_hour <= 0:
            closing = rate_text(preview)
        else:
            closing = Text(
                _(
                    "Nothing has been changed yet. Press {confirm} (or the Confirm reset"
                    " button) to apply it; {back} goes back."
                ).format(confirm=self._key_of("reset.confirm"), back=self._key_of("reset.back")),
                style="bold",
            )
        self.query_one("#summary", Static).update(
            summary_text(preview, self._form(preview), closing)
        )

    def _key_of(self, binding_id: str) -> str:
        """The key bound to an action now (after the user's keymap), as the footer shows it."""
        for _key, binding in self._bindings:
            if binding.id == binding_id:
                keys = self.app._keymap.get(binding_id, binding.key)
                first = keys.split(",")[0].strip()
                return self.app.get_key_display(Binding(first, binding.action))
        return binding_id

    # ------------------------------------------------------------------ the reset

    @work(thread=True, exclusive=True, exit_on_error=False, group="reset-apply")
    def _reset_worker(self, attempt: int, request: ResetForm) -> None:
        try:
            result = password_reset.reset(
                self.ctx,
                self.principal,
                self.user_id,
                ticket_ref=request.ticket_ref,
                reason=request.reason,
                identity_checks=request.checks,
                method=request.method,
                unlock=request.unlock,
                end_sessions=request.end_sessions,
                expected_version=request.expected_version,
                generate=self._generate,
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            failure = describe_failure(err)  # plain data: the traceback stays here
            if failure.kind == "database":
                self.post_message(DatabaseProblem(failure.message))
            self.post_message(self.ResetFailed(attempt, failure))
            return
        self.post_message(self.ResetDone(attempt, result))

    @on(ResetDone)
    def _reset_done(self, message: ResetDone) -> None:
        result = message.result
        message.result = None  # the message must not outlive the step holding the password
        if result is None:
            return
        # Never dropped as stale: the reset happened, so its result must be shown.
        self._busy = False
        self.query_one("#reset-body").loading = False
        self.outcome = ResetOutcome(
            user_id=result.user_id,
            login=result.login,
            method=result.method,
            sessions_ended=result.sessions_ended,
            unlocked=result.unlocked,
        )
        self._render_result(result)
        if result.temporary_password:
            self._secret_widget.show(result.temporary_password)
        del result
        self._show_step(RESULT)

    def _render_result(self, result: ResetResult) -> None:
        preview = self.preview
        ttl = preview.reset_token_ttl_minutes if preview is not None else None
        self.query_one("#result-text", Static).update(result_text(result, ttl))
        done = self.query_one("#btn-done", Button)
        if result.temporary_password:
            done.label = _("I have read it to the customer")
            hint = _(
                "The dashes are part of the password. {copy} copies it (the clipboard is"
                " cleared when you close). Press {done} or the button when you have read it"
                " to the customer: after that it cannot be shown again."
            ).format(copy=self._key_of("reset.copy"), done=self._key_of("reset.done"))
        else:
            done.label = _("Close")
            hint = ""
        self.query_one("#result-hint", Static).update(Text(hint))

    @on(ResetFailed)
    def _reset_failed(self, message: ResetFailed) -> None:
        if message.attempt != self._reset_attempt:
            return
        self._busy = False
        self.query_one("#reset-body").loading = False
        failure = message.failure
        if failure.kind == "validation":
            steps = [FIELD_STEP.get(name, CONFIRM) for name in failure.fields]
            target = min(steps) if steps else CONFIRM
            self._show_step(target)
            self._show_field_errors(failure.fields)
            return
        self._show_step(CONFIRM, focus=False)
        if failure.kind == "rate_limited":
            text = failure.message
            if failure.retry_at is not None:
                text += " — " + _("in local time: {time}").format(
                    time=format_time(failure.retry_at)
                )
            self._say(text)
            self._load_preview()  # the preview then says 0 left and blocks confirmation
        elif failure.kind == "conflict":
            self._say(
                failure.message
                + " "
                + _("The data below was reloaded: check it and confirm again.")
            )
            self._load_preview()
        else:
            self._say(failure.message)
        self.query_one("#step-confirm").focus()
        self.refresh_bindings()
