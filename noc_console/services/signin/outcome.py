"""What a sign-in answers: a principal, the second factor still due, or "start again"."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from noc_console.errors import AuthenticationFailed
from noc_console.models import Role
from noc_console.services.context import Principal

log = logging.getLogger("noc_console.services.signin")
"""One logger for the whole flow, named as before the package was split."""


class StartAgain(AuthenticationFailed):
    """The second step cannot go on (locked, disabled, too slow, factor reset): sign in again.

    Distinct from a refused code, which the operator may retry on the same step: the
    login form (and the enrolment screen) go back to the password on this one.
    """


@dataclass(frozen=True)
class SecondFactorNeeded:
    """The password was right; a code (or, not yet enrolled, an enrolment) finishes the sign-in."""

    operator_id: int
    username: str
    display_name: str
    role: Role
    source: str
    break_glass: bool
    enrolled: bool
    checked_at: datetime


SignInOutcome = Principal | SecondFactorNeeded
