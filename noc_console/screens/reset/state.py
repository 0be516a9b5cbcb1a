"""The reset wizard's flow as plain data: which step, what may happen next, what the form holds.

Kept apart from the screen (and from Textual) so the rules of the flow can be
tested without a terminal: the step machine, where each field the service may
refuse is edited, how the form becomes the reset call, when confirming is
allowed and what must be forgotten once the password has been read out. The
rules about the reset itself stay in ``services.password_reset``.

Issue #14 (link delivery) extends the result step here: the state of the
queued link and the re-issue of a failed one are transitions from ``RESULT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from noc_console.errors import ValidationError
from noc_console.i18n import _, format_time
from noc_console.models.customers import DEFAULT_TIMEZONE
from noc_console.services import password_reset
from noc_console.services.mailer import LinkStatus
from noc_console.services.password_reset import (
    IdentityChecks,
    ResetMethod,
    ResetPreview,
    ResetResult,
)

NO_EMAIL = "***"  # what mask_email returns when there is no usable address


class Step(IntEnum):
    """The wizard's steps, in order; ``back`` goes to the previous one."""

    IDENTITY = 0
    METHOD = 1
    CONFIRM = 2
    RESULT = 3


METHODS = (ResetMethod.TEMPORARY_PASSWORD, ResetMethod.RESET_LINK, ResetMethod.UNLOCK_ONLY)
"""The methods in the order the wizard offers them."""

FIELD_STEP = {
    "ticket_ref": Step.IDENTITY,
    "reason": Step.IDENTITY,
    "name_matches": Step.IDENTITY,
    "cnpj_confirmed": Step.IDENTITY,
    "callback_done": Step.IDENTITY,
    "user": Step.IDENTITY,
    "method": Step.METHOD,
}
"""Where each field the service may refuse is edited: the wizard goes back there."""

FIELD_ORDER = ("name_matches", "cnpj_confirmed", "callback_done", "ticket_ref", "reason", "method")
"""The fields with a widget, in screen order: the first one refused gets the focus."""

FIELD_SLOT = {
    "ticket_ref": "ticket",
    "reason": "reason",
    "name_matches": "checks",
    "cnpj_confirmed": "checks",
    "callback_done": "checks",
    "method": "method",
}
"""Under which error line a field's messages go; the others go on the wizard's message line."""

BUTTONS = ("cancel", "back", "next", "confirm", "copy", "done")


@dataclass(frozen=True)
class ResetForm:
    """What the analyst filled in and chose, as the reset call will receive it."""

    ticket_ref: str
    reason: str
    checks: IdentityChecks
    method: ResetMethod
    unlock: bool
    end_sessions: bool
    expected_version: int


@dataclass(frozen=True)
class ResetOutcome:
    """What the customer screen learns after a successful reset; never the password."""

    user_id: int
    login: str
    method: ResetMethod
    sessions_ended: int
    unlocked: bool

    @classmethod
    def of(cls, result: ResetResult) -> ResetOutcome:
        return cls(
            result.user_id, result.login, result.method, result.sessions_ended, result.unlocked
        )


def method_at(index: int) -> ResetMethod:
    """The method of the radio button at ``index`` (the first one if none is pressed)."""
    return METHODS[index] if 0 <= index < len(METHODS) else METHODS[0]


def unlock_forced(method: ResetMethod) -> bool:
    """Unlock-only always unlocks: the option shows ticked and cannot be changed there."""
    return method is ResetMethod.UNLOCK_ONLY


def link_possible(preview: ResetPreview) -> bool:
    """A reset link needs an e-mail address on record."""
    return preview.email_masked != NO_EMAIL


def no_resets_line(preview: ResetPreview) -> str:
    """Why no reset is possible now: the hourly limit, with the time of the next one if known."""
    if preview.next_reset_at is not None:
        return _("No resets left for this user this hour: the next is possible at {time}").format(
            time=format_time(preview.next_reset_at)
        )
    return _("No resets left for this user this hour")


def place_errors(fields: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[str]]:
    """Messages by error line (``FIELD_SLOT``), and those that belong to no field."""
    grouped: dict[str, list[str]] = {}
    loose: list[str] = []
    for name, messages in fields.items():
        slot = FIELD_SLOT.get(name)
        if slot is None:
            loose.extend(messages)
        else:
            grouped.setdefault(slot, []).extend(messages)
    return grouped, loose


class ResetState:
    """Where one wizard stands; the screen shows it and forwards the analyst's keys to it."""

    def __init__(self, *, read_only: bool) -> None:
        self.read_only = read_only
        self.step = Step.IDENTITY
        self.preview: ResetPreview | None = None
        self.outcome: ResetOutcome | None = None
        self.busy = False  # a reset is running: nothing may move
        self.copied = False  # the password is on the clipboard
        self.secret_shown = False  # the result step shows a temporary password
        self.preview_attempt = 0  # a newer preview request makes older answers stale
        self.reset_attempt = 0
        self.link: LinkStatus | None = None  # the queued link's delivery, as last read
        self.reissuing = False  # a re-issue of a failed link is running
        self.newest_link_id = 0  # the re-issued link's row: answers about older ones are stale

    # ------------------------------------------------------------------ the link's delivery

    def timezone(self) -> str:
        """The customer's zone, in which the link's times are said (as in the Users tab)."""
        return self.preview.timezone if self.preview is not None else DEFAULT_TIMEZONE

    def follows_link(self) -> bool:
        """The result step of a reset by link: its delivery state is read while it shows."""
        outcome = self.outcome
        return (
            self.step == Step.RESULT
            and outcome is not None
            and outcome.method is ResetMethod.RESET_LINK
        )

    def accept_link(self, status: LinkStatus | None) -> bool:
        """Keep a read of the link unless it is about an older row than one already known.

        A read that left before a re-issue committed answers with the failed link; shown
        after the re-issue it would offer to re-issue again. False for such a stale answer.
        """
        known = max(self.newest_link_id, self.link.outbox_id if self.link is not None else 0)
        if (status.outbox_id if status is not None else 0) < known:
            return False
        self.link = status
        return True

    def reissued(self, outbox_id: int) -> None:
        """The new link replaced the failed one: nothing older may show from now on."""
        self.reissuing = False
        self.link = None
        self.newest_link_id = max(self.newest_link_id, outbox_id)

    def link_settled(self) -> bool:
        """The link was sent, failed or expired: reading it again cannot change anything."""
        return self.link is not None and self.link.final

    def can_reissue(self) -> bool:
        """Only a link whose mail failed for good, once, outside read-only mode."""
        link = self.link
        return (
            self.follows_link()
            and not self.read_only
            and not self.reissuing
            and link is not None
            and link.reissuable
        )

    # ------------------------------------------------------------------ answers from workers

    def request_preview(self) -> int:
        """Number a new preview request: answers to older ones are dropped."""
        self.preview_attempt += 1
        return self.preview_attempt

    def accept_preview(self, attempt: int, preview: ResetPreview) -> bool:
        """Keep ``preview`` unless a newer request was made since; False for a stale answer."""
        if attempt != self.preview_attempt:
            return False
        self.preview = preview
        return True

    def start_reset(self) -> int:
        """The reset call is leaving: nothing moves until it answers."""
        self.reset_attempt += 1
        self.busy = True
        return self.reset_attempt

    def finish(self, result: ResetResult) -> ResetOutcome:
        """The reset happened (never dropped as stale): what the result step shows."""
        self.busy = False
        self.outcome = ResetOutcome.of(result)
        self.secret_shown = bool(result.temporary_password)
        return self.outcome

    def failed_at(self, fields: dict[str, list[str]]) -> Step:
        """The step to go back to after a refused reset: the earliest with a refused field."""
        self.busy = False
        steps = [FIELD_STEP.get(name, Step.CONFIRM) for name in fields]
        return min(steps) if steps else Step.CONFIRM

    # ------------------------------------------------------------------ the step machine

    def can_confirm(self) -> bool:
        preview = self.preview
        return (
            not self.read_only
            and not self.busy
            and preview is not None
            and preview.resets_left_this_hour > 0
        )

    def next_step(self, form: ResetForm) -> tuple[Step | None, dict[str, list[str]]]:
        """Where ``next`` leads from here, or (None, the refusals to show at this step)."""
        preview = self.preview
        if preview is None or self.busy or self.step not in (Step.IDENTITY, Step.METHOD):
            return None, {}
        if self.step == Step.IDENTITY:
            try:
                # The service's own validator: its messages, nothing written, no query.
                password_reset.validate_request(
                    form.ticket_ref, form.reason, form.checks, form.method
                )
            except ValidationError as err:
                here = {k: v for k, v in err.fields.items() if FIELD_STEP.get(k) == Step.IDENTITY}
                return None, here
            return Step.METHOD, {}
        if preview.resets_left_this_hour <= 0:
            return None, {"method": [no_resets_line(preview)]}
        return Step.CONFIRM, {}

    def previous_step(self) -> Step | None:
        """Where ``back`` leads (only from method and confirmation, never while busy)."""
        if self.busy or self.step not in (Step.METHOD, Step.CONFIRM):
            return None
        return Step(self.step - 1)

    def may_close(self) -> bool:
        """Cancelling is possible until the reset runs; after it only "done" closes."""
        return not self.busy and self.step != Step.RESULT

    def offers(self, action: str) -> bool | None:
        """True: offered; None: shown greyed (e.g. confirm in read-only); False: hidden."""
        step = self.step
        if action == "next":
            if step not in (Step.IDENTITY, Step.METHOD):
                return False
            return True if self.preview is not None and not self.busy else None
        if action == "cancel":
            return step == Step.IDENTITY and not self.busy
        if action == "back":
            if step not in (Step.METHOD, Step.CONFIRM):
                return False
            return True if not self.busy else None
        if action == "abandon":
            return self.may_close()
        if action == "confirm":
            if step != Step.CONFIRM:
                return False
            return True if self.can_confirm() else None
        if action == "copy":
            return step == Step.RESULT and self.secret_shown
        if action == "done":
            return step == Step.RESULT
        if action == "reissue":
            return self.can_reissue()
        return True

    def result_button(self) -> str:
        """The result step's focused button: copy while a password shows, else done."""
        return "copy" if self.secret_shown else "done"

    def buttons(self) -> dict[str, bool]:
        """Which of the wizard's buttons show at this step (by name, see ``BUTTONS``)."""
        step = self.step
        return {
            "cancel": step in (Step.IDENTITY, Step.METHOD, Step.CONFIRM),
            "back": step in (Step.METHOD, Step.CONFIRM),
            "next": step in (Step.IDENTITY, Step.METHOD),
            "confirm": step == Step.CONFIRM,
            "copy": step == Step.RESULT and self.secret_shown,
            "done": step == Step.RESULT,
        }

    def first_refused(self, fields: dict[str, list[str]]) -> str | None:
        """The refused field to focus: the first in screen order among those of this step."""
        for name in FIELD_ORDER:
            if name in fields and FIELD_STEP.get(name) == self.step:
                return name
        return None

    # ------------------------------------------------------------------ the form

    def form(
        self,
        *,
        ticket_ref: str,
        reason: str,
        checks: IdentityChecks,
        method_index: int,
        unlock: bool,
        end_sessions: bool,
    ) -> ResetForm:
        """The reset call's arguments from what the widgets hold now."""
        method = method_at(method_index)
        return ResetForm(
            ticket_ref=ticket_ref,
            reason=reason,
            checks=checks,
            method=method,
            unlock=unlock_forced(method) or unlock,
            end_sessions=end_sessions,
            expected_version=self.preview.version if self.preview is not None else 0,
        )

    # ------------------------------------------------------------------ the secret

    def drop_clipboard(self) -> bool:
        """True once if the password was copied: the caller must clear the clipboard now."""
        copied, self.copied = self.copied, False
        return copied

    def forget_secret(self) -> bool:
        """The password leaves the result step; True if the clipboard must be cleared too."""
        self.secret_shown = False
        return self.drop_clipboard()
