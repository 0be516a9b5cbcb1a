"""Assisted password reset: what an analyst does for a customer on the phone.

The analyst first proves who is calling (the caller's name matches the user,
the caller confirmed the company's CNPJ, optionally a call-back to the number
on record), then either issues a temporary password to read out, sends a
reset link to the registered e-mail, or only unlocks the account. Secrets
exist in clear in exactly two places: the ``ResetResult`` handed back once and
the outbox row the mailer reads; everything else sees hashes or nothing.
"""

from noc_console.services.password_reset.counts import ACTION, RATE_WINDOW
from noc_console.services.password_reset.issue import ResetRateLimited, ResetResult, reset
from noc_console.services.password_reset.link import OUTBOX_KIND
from noc_console.services.password_reset.preview import ResetPreview, mask_email, reset_preview
from noc_console.services.password_reset.request import (
    REASON_MAX,
    TICKET_MAX,
    IdentityChecks,
    ResetMethod,
    validate_request,
)
from noc_console.services.password_reset.temporary_password import (
    ALPHABET,
    PasswordGenerator,
    generate_temporary_password,
)
from noc_console.services.validation import TICKET_MIN

__all__ = [
    "ACTION",
    "ALPHABET",
    "OUTBOX_KIND",
    "RATE_WINDOW",
    "REASON_MAX",
    "TICKET_MAX",
    "TICKET_MIN",
    "IdentityChecks",
    "PasswordGenerator",
    "ResetMethod",
    "ResetPreview",
    "ResetRateLimited",
    "ResetResult",
    "generate_temporary_password",
    "mask_email",
    "reset",
    "reset_preview",
    "validate_request",
]
