"""The lock screen's rules: numbering the password checks, counting wrong ones, when to give up.

Plain data, no Textual: ``LockScreen`` forwards its events here and renders
what this says, so the rules are tested without a running app. The password
itself is checked by the service (argon2 and an audit row).
"""

from __future__ import annotations

from enum import Enum

from noc_console.i18n import _

MAX_UNLOCK_ATTEMPTS = 5
"""Wrong passwords in a row before the lock gives up and logs the operator out.

The login screen has the operator lockout; the lock screen must not be a way
around it (each failure is audited by the service too).
"""


class Verdict(Enum):
    """What an answer of the password check means for the screen."""

    STALE = "stale"
    """The answer to an earlier check: ignored."""
    UNLOCKED = "unlocked"
    AGAIN = "again"
    """Wrong password or a failed check: ``message`` says which, the field takes focus."""
    GIVE_UP = "give_up"
    """Too many wrong passwords: the operator is logged out."""


class UnlockState:
    """Whether a check is running, what the screen says, and how many wrong passwords so far."""

    def __init__(
        self, max_attempts: int = MAX_UNLOCK_ATTEMPTS, *, needs_code: bool = False
    ) -> None:
        self.max_attempts = max_attempts
        self.needs_code = needs_code
        """A code is asked too: a refusal cannot say which of the two was wrong (the service
        does not tell, so that someone at the desk does not learn the password was right)."""
        self.attempt = 0
        """The number of the latest check; an answer to an older one is stale."""
        self.failures = 0
        self.busy = False
        self.message = ""

    def submit(self, password: str, code: str = "") -> int | None:
        """A password was typed: the number of the check to run, or None (nothing to check).

        A missing code is not sent: the service would count it as a wrong one.
        """
        if not password:
            self.message = _("Enter your password.")
            return None
        if self.needs_code and not code.strip():
            self.message = _("Enter the code from your authenticator app.")
            return None
        self.attempt += 1
        self.busy = True
        self.message = ""
        return self.attempt

    def checked(self, attempt: int, ok: bool, error: str = "") -> Verdict:
        """The answer of check ``attempt``; ``error`` is set when the check itself failed."""
        if attempt != self.attempt:
            return Verdict.STALE
        self.busy = False
        if ok:
            self.message = ""
            return Verdict.UNLOCKED
        if error:  # not a wrong password: the check itself failed
            self.message = error
            return Verdict.AGAIN
        self.failures += 1
        if self.failures >= self.max_attempts:
            return Verdict.GIVE_UP
        left = self.max_attempts - self.failures
        if self.needs_code:
            self.message = _(
                "Wrong password or code. {n} attempts left before logging out."
            ).format(n=left)
        else:
            self.message = _("Wrong password. {n} attempts left before logging out.").format(n=left)
        return Verdict.AGAIN
