"""The run view's tables and its big phone number, filled from the run's DTO.

Every stored text goes through ``printable`` (a contact's name, a note typed
by another operator): shown literally, never as markup or escape sequences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from noc_console.i18n import _
from noc_console.screens.run.state import OUTCOME_LABELS, spell_phone
from noc_console.services.validation import format_phone
from noc_console.widgets.literal import printable

if TYPE_CHECKING:
    from textual.widgets import DataTable, Digits, Static

    from noc_console.services.escalation_runs.dto import Contact, RunDetail


def fill_contacts(table: DataTable[Text], detail: RunDetail) -> list[int]:
    """One row per contact of the run's snapshot, with when it falls due; the rows' levels."""
    from noc_console.services.escalation_runs.schedule import run_schedule

    run = detail.run
    due_at = {step.level: step.at for step in run_schedule(run)}
    table.clear()
    levels: list[int] = []
    for contact in run.contacts:
        at = due_at.get(contact.level)
        table.add_row(
            Text(f"L{contact.level}"),
            Text(printable(contact.name)),
            Text(format_phone(contact.phone) if contact.phone else "—"),
            Text(printable(contact.email) if contact.email else "—"),
            Text(at.strftime("%H:%M") if at else _("passed")),
        )
        levels.append(contact.level)
    return levels


def fill_attempts(table: DataTable[Text], detail: RunDetail) -> None:
    """The attempts, newest first, at the customer's local time."""
    from noc_console.services.escalation.timeline import customer_zone

    zone = customer_zone(detail.run.timezone)
    table.clear()
    for attempt in reversed(detail.attempts):
        table.add_row(
            Text(attempt.at.astimezone(zone).strftime("%H:%M:%S")),
            Text(f"L{attempt.level}"),
            Text(printable(attempt.contact_name)),
            Text(_(OUTCOME_LABELS[attempt.outcome])),
            Text(printable(attempt.operator)),
            Text(printable(attempt.note or "")[:200]),
        )


def show_phone(digits: Digits, name: Static, spelled: Static, contact: Contact | None) -> None:
    """The selected contact's phone large, who they are, and the number spelled for a bad line."""
    if contact is None:
        digits.update("")
        name.update("")
        spelled.update("")
        return
    phone = format_phone(contact.phone) if contact.phone else ""
    digits.update(phone.replace("(", "").replace(")", ""))
    label = _("L{level} · {name}").format(level=contact.level, name=printable(contact.name))
    if contact.role_title:
        label += f" · {printable(contact.role_title)}"
    if not phone and contact.email:
        label += "\n" + _("e-mail only: {email}").format(email=printable(contact.email))
    name.update(Text(label))
    spelled.update(Text(spell_phone(phone)) if phone else "")
