"""What the analyst must give before a reset: ticket, reason, identity checks, method.

Checked in full before anything is read or locked, so the wizard hears about
every missing field at once, with the same messages a reset would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.services.validation import clean_text, ticket_reference

TICKET_MAX = 64
REASON_MAX = 500


class ResetMethod(StrEnum):
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a method name
    RESET_LINK = "reset_link"
    UNLOCK_ONLY = "unlock_only"


@dataclass(frozen=True)
class IdentityChecks:
    """What the analyst confirmed about the caller; name and CNPJ are required."""

    name_matches: bool
    cnpj_confirmed: bool
    callback_done: bool = False

    def as_details(self) -> dict[str, bool]:
        return {
            "name_matches": bool(self.name_matches),
            "cnpj_confirmed": bool(self.cnpj_confirmed),
            "callback_done": bool(self.callback_done),
        }


def validate_request(
    ticket_ref: str | None,
    reason: str | None,
    checks: IdentityChecks,
    method: ResetMethod | str,
) -> tuple[str, str, ResetMethod]:
    errors: dict[str, list[str]] = {}
    ticket = ""
    try:
        ticket = ticket_reference(
            ticket_ref,
            TICKET_MAX,
            required=_("enter the ticket reference (for example INC-2026-0042)"),
        )
    except ValueError as err:
        errors["ticket_ref"] = [str(err)]
    why = ""
    try:
        why = clean_text(reason if isinstance(reason, str) else None, REASON_MAX)
        if not why:
            errors["reason"] = [_("say why the password is being reset")]
    except ValueError as err:
        errors["reason"] = [str(err)]
    if not isinstance(checks, IdentityChecks) or checks.name_matches is not True:
        errors["name_matches"] = [_("confirm that the caller's name matches the user")]
    if not isinstance(checks, IdentityChecks) or checks.cnpj_confirmed is not True:
        errors["cnpj_confirmed"] = [_("confirm that the caller gave the company's CNPJ")]
    chosen = ResetMethod.UNLOCK_ONLY
    try:
        chosen = ResetMethod(method)
    except ValueError:
        errors["method"] = [_("choose a temporary password, a reset link or unlock only")]
    if errors:
        raise ValidationError(errors)
    return ticket, why, chosen
