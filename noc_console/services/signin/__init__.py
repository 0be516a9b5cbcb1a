"""Operator sign-in, whichever source vouches for the password, and the second factor after it.

Routing (``[auth] local`` and ``[auth.ldap]``; the username decides):

* a local account signs in locally when ``local = "all"``, or when it is flagged
  break-glass and ``local = "break-glass"``; otherwise the directory is asked
  (and, when it vouches, takes the account over);
* a directory account, or a name the console does not know, goes to the directory;
* with no directory configured, what is not local is an unknown name.

The directory is asked outside any database transaction (a slow server must
not hold the SQLite write lock), then one transaction applies what it said
(create / refresh / disable, audited), the lockout count and the audit row.

A role listed in ``[auth] require_totp``, and any operator who enrolled, gets
``SecondFactorNeeded`` instead of a principal: the same lockout counts wrong
codes, so the password alone cannot be used to try codes forever (the count is
reset only when the whole sign-in succeeds). An unknown username is recorded
masked (``vault.mask_username``): people type passwords into that box.

One module per idea: ``identity`` (how this console signs people in),
``outcome`` (what a sign-in answers), ``lockout`` (one attempt's transaction:
audit rows, the failure count, success), ``routing`` (the password step),
``second_step`` (the code or the enrolment after it), ``unlock`` (the idle lock).
"""

from __future__ import annotations

from noc_console.services.signin.identity import (
    SOURCE_DIRECTORY,
    SOURCE_LOCAL,
    Identity,
    identity_for,
)
from noc_console.services.signin.outcome import SecondFactorNeeded, SignInOutcome, StartAgain
from noc_console.services.signin.routing import sign_in
from noc_console.services.signin.second_step import (
    PENDING_MINUTES,
    enrol_self,
    finish_with_code,
    finish_with_enrolment,
)
from noc_console.services.signin.unlock import unlock, unlock_needs_code

__all__ = [
    "PENDING_MINUTES",
    "SOURCE_DIRECTORY",
    "SOURCE_LOCAL",
    "Identity",
    "SecondFactorNeeded",
    "SignInOutcome",
    "StartAgain",
    "enrol_self",
    "finish_with_code",
    "finish_with_enrolment",
    "identity_for",
    "sign_in",
    "unlock",
    "unlock_needs_code",
]
