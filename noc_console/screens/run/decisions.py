"""What the run view's keys decide: an outcome logged at once, the rest asked first.

Acknowledge (``k``) and resolve (``v``) ask with ``enter`` to confirm,
escalate now (``x``) and cancel (``c``) ask for a reason with ``ctrl+s``: the
confirm key is never the key that asked. Whether a key is offered at all is
``RunViewState.allows`` (through the screen's ``check_action``); the call
itself goes to the view's worker (``submit``) with the notice it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from noc_console.i18n import _
from noc_console.screens.run.reason import ReasonModal
from noc_console.screens.run.state import OUTCOME_KEYS, OUTCOME_LABELS, RunViewState
from noc_console.widgets.confirm import ConfirmModal
from noc_console.widgets.literal import printable

if TYPE_CHECKING:
    from textual.screen import Screen

    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import RunDetail

Submit = Callable[[Callable[[Any], "RunDetail"], str], None]
"""The view's call: (what to ask ``escalation_runs``, the notice once it answered)."""


class Decisions:
    """The run view's actions, from the key to the service call."""

    def __init__(
        self,
        screen: Screen[Any],
        state: RunViewState,
        ctx: ServiceContext,
        principal: Principal,
        run_id: int,
        *,
        submit: Submit,
    ) -> None:
        self.screen = screen
        self.state = state
        self.ctx = ctx
        self.principal = principal
        self.run_id = run_id
        self._submit = submit

    def _offered(self, action: str) -> bool:
        return self.screen.check_action(action, ()) is True

    def outcome(self, outcome: str, note: str) -> None:
        """Log the call to the selected contact (``note``: what was typed after ``n``)."""
        level = self.state.level
        label = _(OUTCOME_LABELS[next(o for _k, o, _l in OUTCOME_KEYS if o.value == outcome)])
        self._submit(
            lambda s: s.record_attempt(
                self.ctx, self.principal, self.run_id, outcome=outcome, level=level, note=note
            ),
            _("Logged: L{level} {outcome}").format(level=level, outcome=label),
        )

    def acknowledge(self) -> None:
        contact = self.state.contact()
        if not self._offered("acknowledge") or contact is None:
            return
        level = contact.level
        message = _("{name} (L{level}) took the incident: the countdown stops.").format(
            name=printable(contact.name), level=level
        )
        self.screen.app.push_screen(
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
            self._submit(
                lambda s: s.acknowledge(self.ctx, self.principal, self.run_id, level=level),
                _("Acknowledgement recorded"),
            )

    def escalate(self) -> None:
        if not self._offered("escalate") or self.state.detail is None:
            return
        from noc_console.services.escalation_runs.schedule import position

        due = position(self.state.detail.run, self.ctx.clock.now()).due_level
        self.screen.app.push_screen(
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
            self._submit(
                lambda s: s.escalate_now(
                    self.ctx, self.principal, self.run_id, reason=reason, from_level=due
                ),
                _("Escalated"),
            )

    def resolve(self, note: Callable[[], str]) -> None:
        """``note``: read when the operator confirms (what the note box holds then)."""
        if not self._offered("resolve"):
            return
        self.screen.app.push_screen(
            ConfirmModal(
                _("Resolve this escalation run?"),
                _("The incident is over: the run leaves the board."),
                confirm_label=_("Resolve"),
                cancel_label=_("Back"),
                confirm_key="enter",
                confirm_id="run.resolve_confirm",
            ),
            partial(self._confirmed_resolve, note),
        )

    def _confirmed_resolve(self, note: Callable[[], str], yes: bool | None) -> None:
        if yes:
            text = note()
            self._submit(
                lambda s: s.resolve(self.ctx, self.principal, self.run_id, note=text),
                _("Escalation run resolved"),
            )

    def cancel(self) -> None:
        if not self._offered("cancel"):
            return
        self.screen.app.push_screen(
            ReasonModal(
                _("Cancel this escalation run?"),
                _("For a run started by mistake or twice; the reason is kept."),
            ),
            self._confirmed_cancel,
        )

    def _confirmed_cancel(self, reason: str | None) -> None:
        if reason:
            self._submit(
                lambda s: s.cancel(self.ctx, self.principal, self.run_id, reason=reason),
                _("Escalation run cancelled"),
            )
