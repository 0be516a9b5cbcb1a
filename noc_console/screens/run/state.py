"""The run view's rules as plain data: which contact is selected, which key does what, the texts.

Kept apart from the Textual screen so the rules are tested without a pilot:
the outcome keys, which actions the run's state and the operator's role
allow (UX only: the services refuse anyway), and the phone number spelled
digit by digit for reading aloud on a bad line.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from noc_console.i18n import N_, _
from noc_console.models import Role
from noc_console.screens.runs.state import countdown
from noc_console.services.escalation_runs import guards
from noc_console.services.escalation_runs.dto import Contact, Outcome, RunDetail, RunState
from noc_console.services.escalation_runs.presence import working_now
from noc_console.services.escalation_runs.schedule import Stage, position
from noc_console.services.permissions import Permission, allowed
from noc_console.spelling import DIGIT_NAMES

OUTCOME_KEYS: tuple[tuple[str, Outcome, str], ...] = (
    ("1", Outcome.ANSWERED, N_("answered")),
    ("2", Outcome.NO_ANSWER, N_("no answer")),
    ("3", Outcome.VOICEMAIL, N_("voicemail")),
    ("4", Outcome.BUSY, N_("busy")),
    ("5", Outcome.WRONG_NUMBER, N_("wrong number")),
    ("6", Outcome.EMAIL_SENT, N_("e-mail sent")),
)
OUTCOME_LABELS = {outcome: label for _key, outcome, label in OUTCOME_KEYS}

STATE_LABELS = {
    RunState.OPEN: N_("open"),
    RunState.ACKNOWLEDGED: N_("acknowledged"),
    RunState.RESOLVED: N_("resolved"),
    RunState.CANCELLED: N_("cancelled"),
}

RENEW_CLAIM = timedelta(minutes=2)
"""How often an open run view renews "<name> calling…" (the claim expires after 5 minutes)."""

# the view's rule -> the action of the run it offers (the run's state decides, in ``guards``)
RUN_ACTIONS: dict[str, guards.Action] = {
    "outcome": guards.Action.ATTEMPT,
    "acknowledge": guards.Action.ACKNOWLEDGE,
    "escalate": guards.Action.ESCALATE,
    "resolve": guards.Action.RESOLVE,
    "cancel": guards.Action.CANCEL,
}
# the screen's action -> the rule above it follows (``n`` types the note of an outcome)
KEY_ACTIONS = {"cancel_run": "cancel", "note": "outcome"}


def spell_phone(formatted: str) -> str:
    """'(11) 91234-5678' -> 'one one · nine one two three four · five six seven eight'.

    Groups follow the way the number is written, so the reader pauses where
    the customer expects.
    """
    groups: list[str] = []
    current: list[str] = []
    for ch in formatted:
        if ch in DIGIT_NAMES:
            current.append(_(DIGIT_NAMES[ch]))
        elif ch == "+" and not groups and not current:
            current.append(_("plus"))
        elif current:
            groups.append(" ".join(current))
            current = []
    if current:
        groups.append(" ".join(current))
    return " · ".join(groups)


class RunViewState:
    def __init__(self, role: Role, *, read_only: bool) -> None:
        self.role = role
        self.read_only = read_only
        self.detail: RunDetail | None = None
        self.level: int | None = None
        """The contact selected (an attempt goes to them); follows the due level until moved."""
        self.followed = True
        self.error = ""
        self.notice = ""
        self.busy = False
        self.claimed_at: datetime | None = None
        """When this view last told the others "<name> calling…" (None: it does not claim)."""

    def claims(self) -> bool:
        """Whether this view claims the run at all (not read-only, a role that may call)."""
        return not self.read_only and allowed(self.role, Permission.RUN_ESCALATION) is True

    def claim_due(self, now: datetime) -> bool:
        """True when the claim made on opening should be renewed before it expires."""
        if self.claimed_at is None or self.detail is None or not self.detail.run.is_active:
            return False
        return now - self.claimed_at >= RENEW_CLAIM

    def loaded(self, detail: RunDetail, now: datetime) -> None:
        self.detail = detail
        if self.followed or self.level is None:
            self.level = position(detail.run, now).due_level

    def follow(self, now: datetime) -> bool:
        """Move the selection to the level due now, unless the operator chose one; True if moved."""
        if self.detail is None or not self.followed:
            return False
        due = position(self.detail.run, now).due_level
        if due == self.level:
            return False
        self.level = due
        return True

    def select(self, level: int) -> None:
        self.level = level
        self.followed = False

    def contact(self) -> Contact | None:
        if self.detail is None or self.level is None:
            return None
        return self.detail.run.contact(self.level)

    def allows(self, action: str) -> bool | None:
        """True offered, None greyed (state or mode), False never for this role."""
        if action not in RUN_ACTIONS:
            return True
        if not allowed(self.role, Permission.RUN_ESCALATION):
            return False
        if self.read_only or self.busy:
            return None
        if self.detail is None or not guards.allowed(self.detail.run.state, RUN_ACTIONS[action]):
            return None
        return True

    def allows_key(self, action: str) -> bool | None:
        """``allows`` for a screen action (its key's ``check_action``)."""
        return self.allows(KEY_ACTIONS.get(action, action))

    def heading(self, now: datetime) -> str:
        if self.detail is None:
            return ""
        run = self.detail.run
        where = position(run, now)
        parts = [
            _("State: {state}").format(state=_(STATE_LABELS[run.state])),
            countdown(where, now),
        ]
        who = working_now(run, now)
        if who:
            parts.append(_("{name} calling…").format(name=who))
        if run.state is RunState.ACKNOWLEDGED and run.acknowledged_by:
            parts.append(_("recorded by {name}").format(name=run.acknowledged_by))
        return "  ·  ".join(parts)

    def due_marked(self, now: datetime) -> bool:
        return self.detail is not None and position(self.detail.run, now).stage is Stage.DUE

    def legend(self) -> str:
        keys = "  ".join(f"{key} {_(label)}" for key, _o, label in OUTCOME_KEYS)
        return _("Outcome of the call to the selected contact: {keys}").format(keys=keys)

    def mode_note(self) -> str:
        if self.read_only:
            return _("Read-only mode: calls and acknowledgements cannot be recorded here.")
        return ""
