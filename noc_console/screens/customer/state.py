"""The customer view's rules as plain data: which load is current, which key is offered, the notes.

What the footer offers follows ``services.permissions.allowed`` (UX only: the
services refuse anyway). A write the operator may not do is greyed, with a
line saying why, rather than hidden, so a newcomer learns the key exists.
Kept apart from the Textual screen so these rules are tested without a pilot.
Issue #13's "start an escalation run" is one more row of ``ACTION_RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from noc_console.errors import DatabaseUnavailable, DomainError, NotFound
from noc_console.i18n import N_, _
from noc_console.services.permissions import ROLE_LABELS, Permission, allowed

if TYPE_CHECKING:
    from datetime import datetime

    from noc_console.models import Role
    from noc_console.services.customers import CustomerDetail

TABS = ("users", "escalation", "contracts")

# action -> (permission it needs, what check_action answers without it: None greyed, False hidden)
ACTION_RULES: dict[str, tuple[Permission, bool | None]] = {
    "reset_password": (Permission.RESET_PASSWORD, None),
    "edit_escalation": (Permission.EDIT_ESCALATION, None),
    "contracts": (Permission.VIEW_CONTRACTS, False),
    "audit_log": (Permission.VIEW_AUDIT, False),
    "start_run": (Permission.RUN_ESCALATION, None),
}

# How the reset wizard's outcome is toasted, by ResetMethod value.
_RESET_TOASTS = {
    "temporary_password": N_("Temporary password issued for {login}"),
    # only queued here: the mailer sends it later (or not), and the Users tab says which
    "reset_link": N_(
        "Reset link for {login} queued for their e-mail; the Users tab shows when it leaves"
    ),
    "unlock_only": N_("{login} unlocked"),
}


@dataclass(frozen=True)
class LoadFailure:
    """A failed load as the operator reads it."""

    message: str
    not_found: bool = False
    database_down: bool = False


def describe_failure(err: Exception) -> LoadFailure:
    """The line shown for a load that raised ``err`` (never a traceback)."""
    if isinstance(err, NotFound):
        return LoadFailure(str(err), not_found=True)
    if isinstance(err, DatabaseUnavailable):
        return LoadFailure(
            _("Database unavailable: {reason}").format(reason=err), database_down=True
        )
    if isinstance(err, DomainError):
        return LoadFailure(str(err))
    return LoadFailure(
        _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)
    )


def reset_toast(method: str, login: str) -> str:
    """The toast after the reset wizard closed with an outcome (the wizard showed the rest)."""
    message = _RESET_TOASTS.get(method, N_("Password reset for {login}"))
    return _(message).format(login=login)


class CustomerState:
    """One customer as loaded, the load in flight, and what this operator may do with it."""

    def __init__(self, role: Role, *, read_only: bool, select_user: int | None = None) -> None:
        """``select_user``: the portal user the lookup matched (the cursor starts on them)."""
        self.role = role
        self.read_only = read_only
        self.select_user = select_user
        self.detail: CustomerDetail | None = None
        self.now: datetime | None = None
        self.error = ""
        self.request = 0
        self.in_flight = False

    # ------------------------------------------------------------------ loading

    @property
    def loading(self) -> bool:
        """Nothing to show yet, and the first load runs."""
        return self.detail is None and self.in_flight

    def start_load(self) -> int:
        """Number a new load; only its answer will be shown."""
        self.request += 1
        self.in_flight = True
        return self.request

    def loaded(self, request: int, detail: CustomerDetail, now: datetime) -> bool | None:
        """None: a stale answer, dropped. True: the first load (select the matched user and
        focus the users); False: a reload."""
        if request != self.request:
            return None
        self.in_flight = False
        self.error = ""
        first = self.detail is None
        self.detail = detail
        self.now = now
        return first

    def failed(self, request: int, failure: LoadFailure) -> bool:
        """False for a stale failure; a customer that is gone is no longer shown."""
        if request != self.request:
            return False
        self.in_flight = False
        self.error = failure.message
        if failure.not_found:
            self.detail = None
        return True

    def link_users(self) -> tuple[int, ...]:
        """The users whose reset links the Users tab follows (none before the first load)."""
        return tuple(user.id for user in self.detail.users) if self.detail is not None else ()

    def error_hint(self) -> str:
        return _("esc goes back to the lookup") if self.detail is None else ""

    # ------------------------------------------------------------------ permissions (UX only)

    def may(self, permission: Permission) -> bool:
        return allowed(self.role, permission, read_only=self.read_only)

    def allows(self, action: str, *, user_selected: bool) -> bool | None:
        """check_action's answer: True offered, None greyed, False not shown."""
        rule = ACTION_RULES.get(action)
        if rule is None:
            return True
        permission, refused = rule
        if not self.may(permission):
            return refused
        ready = user_selected if action == "reset_password" else self.detail is not None
        return True if ready else None

    def mode_note(self) -> str:
        """Why a key is greyed out, in words (shown above the footer)."""
        role = _(ROLE_LABELS[self.role])
        notes: list[str] = []
        if self.read_only:
            notes.append(
                _("Read-only mode: password resets (r) and escalation edits (e) are disabled.")
            )
        else:
            if not allowed(self.role, Permission.RESET_PASSWORD):
                notes.append(
                    _("Your role ({role}) may not reset passwords: r is disabled.").format(
                        role=role
                    )
                )
            if not allowed(self.role, Permission.EDIT_ESCALATION):
                notes.append(
                    _("Your role ({role}) may not edit escalation chains: e is disabled.").format(
                        role=role
                    )
                )
        return "  ".join(notes)

    # ------------------------------------------------------------------ tab notes

    def users_note(self, detail: CustomerDetail) -> str:
        if not detail.users:
            return _("This customer has no portal users.")
        parts = [_("Times in {zone}.").format(zone=detail.timezone)]
        if self.may(Permission.RESET_PASSWORD):
            parts.append(_("r resets the password of the selected user."))
        return " ".join(parts)

    def escalation_note(self) -> str:
        return _("e edits the chain.") if self.may(Permission.EDIT_ESCALATION) else ""

    def contracts_note(self) -> str:
        if self.may(Permission.VIEW_CONTRACT_VALUES):
            return _("c opens the contract browser, with values and totals.")
        return _(
            "Contract values are restricted to supervisors; c opens the contract"
            " browser without values."
        )
