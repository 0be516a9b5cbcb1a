"""The editor's form as data: the text typed per level, and the shape the service allows.

Kept apart from the widgets so the form's rules (which levels are set, where
a gap would open, what a row's messages are) are tested without Textual. The
rules themselves stay the service's: a gap is whatever ``validate_levels``
refuses, never a check of our own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

from noc_console.errors import ValidationError
from noc_console.services.escalation.dto import ChainView, Contact, ContactInput
from noc_console.services.escalation.validation import validate_levels
from noc_console.services.validation import format_phone

LEVELS = (1, 2, 3)


def field_key(level: int, name: str) -> str:
    """The service's key for a field ('level2.phone'), as in ValidationError.fields."""
    return f"level{level}.{name}"


@dataclass(frozen=True)
class RowValues:
    """The text of one row, exactly as typed; all blank means the level is not set."""

    name: str = ""
    role_title: str = ""
    phone: str = ""
    email: str = ""
    delay_minutes: str = ""

    def is_blank(self, level: int) -> bool:
        names = [f.name for f in fields(self) if level > 1 or f.name != "delay_minutes"]
        return not any(getattr(self, name).strip() for name in names)

    def to_input(self, level: int) -> ContactInput:
        return ContactInput(
            level=level,
            name=self.name,
            role_title=self.role_title,
            phone=self.phone,
            email=self.email,
            delay_minutes=0 if level == 1 else self.delay_minutes,
        )

    def as_dict(self) -> dict[str, str]:
        """By field name, as the row widget takes it."""
        return asdict(self)

    @classmethod
    def from_contact(cls, contact: Contact | None) -> RowValues:
        """How a stored contact is shown for editing: phone formatted, wait as digits."""
        if contact is None:
            return cls()
        return cls(
            name=contact.name,
            role_title=contact.role_title or "",
            phone=format_phone(contact.phone) if contact.phone else "",
            email=contact.email or "",
            delay_minutes=str(contact.delay_minutes) if contact.level > 1 else "",
        )


Form = dict[int, RowValues]


def blank_form() -> Form:
    return {level: RowValues() for level in LEVELS}


def form_of(chain: ChainView | None) -> Form:
    """The chain's levels as the form shows them (all blank when there is no chain)."""
    if chain is None:
        return blank_form()
    return {level: RowValues.from_contact(chain.contact(level)) for level in LEVELS}


def set_levels(form: Mapping[int, RowValues]) -> set[int]:
    """The levels with anything typed in them."""
    return {level for level, values in form.items() if not values.is_blank(level)}


def to_inputs(form: Mapping[int, RowValues]) -> list[ContactInput]:
    """The levels the operator filled in, as the service takes them (blank rows are unset)."""
    return [values.to_input(level) for level, values in form.items() if not values.is_blank(level)]


def gap_problems(levels: Iterable[int]) -> list[str]:
    """The service's messages about the shape of a chain with these levels set (no-gap rule)."""
    try:
        validate_levels([ContactInput(level=n, name="") for n in sorted(levels)])
    except ValidationError as err:
        return err.fields.get("levels", [])
    return []
