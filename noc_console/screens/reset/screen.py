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

The screen composes the widgets, forwards events to ``ResetState`` (the flow)
and shows what it says; the rules of the reset live in
``services.password_reset``. Keys (all with ids, so they can be remapped):
space ticks, tab moves, enter goes on, esc goes back (or cancels at the first
step), ctrl+s confirms, c copies, ctrl+d is "done".

The password exists in this process only inside the ``ResetDone`` message
(dropped by its handler) and the ``SecretDisplay`` (cleared before dismissal);
it is never logged, notified or put in the ``ResetOutcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, ContentSwitcher, Footer, Input, RadioButton, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import back_binding, translate_bindings
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.reset.calls import (
    PreviewFailed,
    PreviewLoaded,
    ResetDone,
    ResetFailed,
    apply_reset,
    run_service_call,
)
from noc_console.screens.reset.failure import failure_line, reloads_preview
from noc_console.screens.reset.keys import bound_key
from noc_console.screens.reset.layout import (
    EDITED_SLOT,
    FIELD_WIDGET,
    STEP_FOCUS,
    STEP_IDS,
    STEP_TITLES,
    identity_step,
    lay_out_once_without_scrollbar,
    method_step,
    read_form,
    wizard_buttons,
)
from noc_console.screens.reset.link_follow import LinkFollow
from noc_console.screens.reset.state import (
    BUTTONS,
    ResetOutcome,
    ResetState,
    Step,
    link_possible,
    method_at,
    place_errors,
    unlock_forced,
)
from noc_console.screens.reset.views import (
    closing_text,
    identity_card,
    option_labels,
    rate_text,
    result_hint,
    result_text,
    summary_text,
    title_text,
)
from noc_console.services import password_reset
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.policy import PasswordPolicyDTO
from noc_console.widgets.literal import printable
from noc_console.widgets.reset_controls import (
    FieldError,
    StepIndicator,
    WizardCheckbox,
    WizardRadioSet,
)
from noc_console.widgets.secret_display import SecretDisplay

__all__ = ["ResetWizard", "bound_key"]


class ResetWizard(ModalScreen[ResetOutcome | None]):
    """Modal wizard for one portal user; dismisses with a ResetOutcome, or None if cancelled."""

    CSS_PATH = "reset.tcss"
    HELP_TITLE = N_("Password reset")
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", N_("Next"), id="reset.next"),
        Binding("escape", "cancel", N_("Cancel"), id="reset.cancel"),
        back_binding("reset"),
        Binding("ctrl+s", "confirm", N_("Confirm reset"), id="reset.confirm"),
        Binding("c", "copy", N_("Copy password"), id="reset.copy"),
        Binding("ctrl+d", "done", N_("Done: I have read it to the customer"), id="reset.done"),
        Binding("ctrl+r", "reissue", N_("Re-issue the link"), id="reset.reissue"),
        Binding("f1,question_mark", "app.help", N_("Help"), id="reset.help"),
        # App bindings stop at a modal: the lock is offered here too (the idle lock is the app's).
        Binding("ctrl+l", "app.lock", N_("Lock"), id="reset.lock", show=False),
    ]

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
        self.state = ResetState(read_only=read_only or ctx.read_only)
        self.generate = generate
        # Held directly: on_unmount must reach it after the DOM is gone.
        self._secret_widget = SecretDisplay(id="secret")

    def compose(self) -> ComposeResult:
        with Vertical(id="reset-dialog"):
            yield Static(Text(_("Password reset")), id="reset-title")
            yield StepIndicator([_(title) for title in STEP_TITLES], id="reset-steps")
            with ContentSwitcher(initial=STEP_IDS[Step.IDENTITY], id="reset-body"):
                yield from identity_step(read_only=self.state.read_only)
                yield from method_step()
                with VerticalScroll(id="step-confirm"):
                    yield Static(id="summary")
                with VerticalScroll(id="step-result", can_focus=False):
                    yield Static(id="result-text")
                    yield LinkFollow(
                        self.state,
                        self.ctx,
                        self.principal,
                        self.user_id,
                        say=self._say,
                        id="link-state",
                    )
                    yield self._secret_widget
                    yield Static(id="result-hint")
            yield Static(id="reset-message")
            yield from wizard_buttons()
        yield Footer()

    def on_mount(self) -> None:
        self._show_step(Step.IDENTITY, focus=False)
        self._load_preview()

    def on_unmount(self) -> None:
        """However the wizard goes away (done, lock, quit), the secret goes with it."""
        self._secret_widget.clear()
        if self.state.forget_secret():
            self.app.copy_to_clipboard("")

    def on_screen_suspend(self) -> None:
        """Locked with the password copied: the clipboard must not keep it while nobody looks."""
        if getattr(self.app, "is_locked", False) and self.state.drop_clipboard():
            self.app.copy_to_clipboard("")

    # ------------------------------------------------------------------ preview

    def _load_preview(self) -> None:
        attempt = self.state.request_preview()
        self.query_one("#reset-body").loading = True
        run_service_call(
            self,
            "reset-preview",
            lambda: password_reset.reset_preview(self.ctx, self.principal, self.user_id),
            lambda preview: PreviewLoaded(attempt, preview),
            lambda failure: PreviewFailed(attempt, failure),
        )

    @on(PreviewLoaded)
    def _preview_loaded(self, message: PreviewLoaded) -> None:
        first = self.state.preview is None
        if not self.state.accept_preview(message.attempt, message.preview):
            return
        preview = message.preview
        body = self.query_one("#reset-body")
        body.loading = False
        body.display = True
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
        link.disabled = not link_possible(preview)
        if link.disabled and link.value:
            self.query_one(WizardRadioSet).choose(0)
        self.query_one("#rate-line", Static).update(rate_text(preview))
        self._edited()
        self.query_one("#btn-confirm", Button).disabled = not self.state.can_confirm()
        if first:
            self._say("")
            self._show_step(self.state.step)
        elif self.state.step == Step.CONFIRM:
            self._show_step(Step.CONFIRM, focus=False)
        self.refresh_bindings()

    @on(PreviewFailed)
    def _preview_failed(self, message: PreviewFailed) -> None:
        if message.attempt != self.state.preview_attempt:
            return
        body = self.query_one("#reset-body")
        body.loading = False
        self._say(message.failure.message)
        if self.state.preview is None:  # nothing to show but why, and the way out
            body.display = False
            self.query_one("#btn-next").display = False
            self.query_one("#btn-cancel", Button).focus()
        self.refresh_bindings()

    # ------------------------------------------------------------------ steps

    def _show_step(self, step: Step, *, focus: bool = True) -> None:
        state = self.state
        state.step = step
        self.query_one(ContentSwitcher).current = STEP_IDS[step]
        self.query_one(StepIndicator).set_step(step)
        for name, shown in state.buttons().items():
            self.query_one(f"#btn-{name}").display = shown
        self.query_one("#btn-confirm", Button).disabled = not state.can_confirm()
        if step == Step.CONFIRM and state.preview is not None:
            closing = closing_text(
                state.preview,
                read_only=state.read_only,
                confirm=bound_key(self, "reset.confirm"),
                back=bound_key(self, "reset.back"),
            )
            self.query_one("#summary", Static).update(
                summary_text(state.preview, read_form(self, state), closing)
            )
        if focus:
            target = STEP_FOCUS.get(step) or f"#btn-{state.result_button()}"
            self.query_one(target).focus()
        self.refresh_bindings()

    def _say(self, message: str) -> None:
        """The wizard-wide message line (errors that belong to no single field)."""
        line = self.query_one("#reset-message", Static)
        line.update(Text(printable(message)))
        line.set_class(bool(message), "-shown")

    def _show_errors(self, fields: dict[str, list[str]], *, focus: bool = True) -> None:
        """Put each message under its field, the rest on the message line; focus the first."""
        for error in self.query(FieldError):
            error.clear()
        grouped, loose = place_errors(fields)
        for slot, messages in grouped.items():
            self.query_one(f"#{slot}-error", FieldError).show_messages(messages)
        self._say(" ".join(loose))
        name = self.state.first_refused(fields) if focus else None
        if name is not None:
            widget = self.query_one(FIELD_WIDGET[name])
            if widget.focusable:
                widget.focus()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """True: offered; None: shown greyed (e.g. confirm in read-only); False: hidden."""
        return self.state.offers(action)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if self.state.step != Step.RESULT:
            yield PaletteCommand(
                "reset.abandon",
                N_("Cancel the password reset"),
                N_("Close the wizard without changing anything"),
                "abandon",
            )

    def action_next(self) -> None:
        if self.state.offers("next") is not True:
            return
        target, refused = self.state.next_step(read_form(self, self.state))
        self._show_errors(refused, focus=self.state.step == Step.IDENTITY)
        if target is not None:
            self._show_step(target)

    def action_back(self) -> None:
        target = self.state.previous_step()
        if target is None:
            return
        self._say("")
        self._show_step(target)

    def action_abandon(self) -> None:
        if self.state.may_close():
            self.dismiss(None)

    action_cancel = action_abandon  # esc at the first step: the same way out

    def action_confirm(self) -> None:
        state = self.state
        if state.step != Step.CONFIRM or not state.can_confirm():
            return
        request = read_form(self, state)
        attempt = state.start_reset()
        self._say("")
        self.query_one("#reset-body").loading = True
        self.query_one("#btn-confirm", Button).disabled = True
        self.refresh_bindings()
        run_service_call(
            self,
            "reset-apply",
            lambda: apply_reset(self.ctx, self.principal, self.user_id, request, self.generate),
            lambda result: ResetDone(attempt, result),
            lambda failure: ResetFailed(attempt, failure),
        )

    def action_copy(self) -> None:
        display = self._secret_widget
        if self.state.step != Step.RESULT or not display.has_secret:
            return
        self.app.copy_to_clipboard(display.reveal())
        self.state.copied = True
        self.notify(
            _("Password copied to the clipboard; it is cleared when you close this window."),
            title=_("Copied"),
        )

    def action_done(self) -> None:
        if self.state.step != Step.RESULT:
            return
        outcome = self.state.outcome
        self._secret_widget.clear()
        if self.state.forget_secret():
            self.app.copy_to_clipboard("")
        self.query_one("#result-text", Static).update("")
        self.query_one("#result-hint", Static).update("")
        self.dismiss(outcome)

    # ------------------------------------------------------------------ events

    @on(Input.Submitted)
    @on(Button.Pressed)
    def _pressed(self, event: Input.Submitted | Button.Pressed) -> None:
        """Enter in a text field goes on; each button runs its action."""
        event.stop()
        if isinstance(event, Input.Submitted):
            self.action_next()
            return
        name = (event.button.id or "").removeprefix("btn-")
        action = {"cancel": "abandon"}.get(name, name)
        if name in BUTTONS:
            getattr(self, f"action_{action}")()

    @on(Input.Changed, "#ticket, #reason")
    @on(WizardCheckbox.Changed, "#check-name, #check-cnpj, #check-callback")
    @on(WizardRadioSet.Changed)
    def _edited(
        self, event: Input.Changed | WizardCheckbox.Changed | WizardRadioSet.Changed | None = None
    ) -> None:
        """An edited field's error goes; the unlock option follows the method."""
        if event is not None:
            slot = EDITED_SLOT.get(event.control.id or "")
            if slot is not None:
                self.query_one(f"#{slot}-error", FieldError).clear()
        option = self.query_one("#opt-unlock", WizardCheckbox)
        method = method_at(self.query_one("#method", WizardRadioSet).pressed_index)
        if unlock_forced(method):
            option.value = True
            option.disabled = True
        else:
            option.disabled = False

    # ------------------------------------------------------------------ the reset

    @on(ResetDone)
    def _reset_done(self, message: ResetDone) -> None:
        result = message.result
        message.result = None  # the message must not outlive the step holding the password
        if result is None:
            return
        # Never dropped as stale: the reset happened, so its result must be shown.
        self.state.finish(result)
        self.query_one("#reset-body").loading = False
        preview = self.state.preview
        ttl = preview.reset_token_ttl_minutes if preview is not None else None
        self.query_one("#result-text", Static).update(
            result_text(result, ttl, self.state.timezone())
        )
        label, hint = result_hint(
            result, copy=bound_key(self, "reset.copy"), done=bound_key(self, "reset.done")
        )
        self.query_one("#btn-done", Button).label = label
        self.query_one("#result-hint", Static).update(hint)
        if result.temporary_password:
            self._secret_widget.show(result.temporary_password)
        del result
        lay_out_once_without_scrollbar(self.query_one("#reset-dialog"))
        self._show_step(Step.RESULT)
        if self.state.follows_link():
            self.query_one(LinkFollow).start()

    def action_reissue(self) -> None:
        self.query_one(LinkFollow).reissue()

    @on(ResetFailed)
    def _reset_failed(self, message: ResetFailed) -> None:
        if message.attempt != self.state.reset_attempt:
            return
        failure = message.failure
        target = self.state.failed_at(failure.fields if failure.kind == "validation" else {})
        self.query_one("#reset-body").loading = False
        if failure.kind == "validation":
            self._show_step(target)
            self._show_errors(failure.fields)
            return
        self._show_step(Step.CONFIRM, focus=False)
        self._say(failure_line(failure))
        if reloads_preview(failure):
            self._load_preview()
        self.query_one("#step-confirm").focus()
        self.refresh_bindings()
