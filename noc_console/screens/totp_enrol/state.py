"""The enrolment flow's rules: scan, confirm with a code, then read the recovery codes once.

Plain Python (no Textual). The secret lives only in the offer held here until
the operator leaves the screen; the database gets it (encrypted) only when a
code proves the authenticator app has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from noc_console.i18n import _

if TYPE_CHECKING:
    from noc_console.services.context import Principal
    from noc_console.services.totp.factor import EnrolmentOffer, RecoveryCodes


class Step(Enum):
    SCAN = "scan"
    """The QR code and the secret are shown; a code is asked for."""
    CODES = "codes"
    """Enrolled: the recovery codes are shown, once; Continue leaves."""


@dataclass(frozen=True)
class SignInAgain:
    """What the screen hands back when the sign-in it finishes cannot go on (locked, too slow).

    Not None (the operator cancelled): the login form says ``message`` and asks
    for the password again, as it does when its own code step ends that way.
    """

    message: str


class EnrolState:
    def __init__(self, offer: EnrolmentOffer) -> None:
        self.offer: EnrolmentOffer | None = offer
        self.step = Step.SCAN
        self.busy = False
        self.attempt = 0
        self.message = ""
        self.recovery: tuple[str, ...] = ()
        self.principal: Principal | None = None

    def submit(self, code: str) -> int | None:
        """The number of the check to run, or None (nothing to check: ``message`` says why)."""
        if self.busy or self.step is not Step.SCAN:
            return None
        digits = "".join(ch for ch in code if not ch.isspace())
        if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
            self.message = _("Type the 6 digits your authenticator app shows now.")
            return None
        self.attempt += 1
        self.busy = True
        self.message = ""
        return self.attempt

    def refused(self, attempt: int, message: str) -> bool:
        if attempt != self.attempt:
            return False
        self.busy = False
        self.message = message
        return True

    def start_again(self, attempt: int, message: str) -> SignInAgain | None:
        """The sign-in this enrolment finishes cannot go on: the secret is dropped, and the
        login takes over (None: a stale answer, ignored)."""
        if attempt != self.attempt:
            return None
        self.busy = False
        self.offer = None
        self.message = message
        return SignInAgain(message)

    def enrolled(
        self, attempt: int, recovery: RecoveryCodes, principal: Principal | None = None
    ) -> bool:
        """The factor is set: the secret is forgotten here, the recovery codes shown once."""
        if attempt != self.attempt:
            return False
        self.busy = False
        self.step = Step.CODES
        self.offer = None
        self.recovery = recovery.codes
        self.principal = principal
        self.message = _(
            "Second factor set up. Write these recovery codes down now and keep them"
            " somewhere safe: each works once, instead of a code, if you lose your phone."
            " They will not be shown again."
        )
        return True

    def leave(self) -> Principal | None:
        """Continue: the codes are forgotten too."""
        self.recovery = ()
        return self.principal
