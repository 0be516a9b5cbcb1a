"""What a refused save means for the form: the other operator's chain, and "re-apply mine".

Three versions of the chain meet here: the one the editor loaded (*base*),
the one the other operator saved (*theirs*, from ``ConflictError.current``)
and the one in the form (*mine*, already validated by the service).

"Re-apply mine on top" keeps every field the operator changed since loading
and takes the other operator's value for every field they did not touch, so
the other save is not silently undone (a lost update is exactly what the
version check exists to prevent). A level replaced by another person (new
name) or added/removed on one side moves as a whole. The result still goes
through ``save_chain`` with their version: the service has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from noc_console.i18n import _
from noc_console.screens.escalation.form import LEVELS
from noc_console.services.escalation.dto import ChainView, Contact
from noc_console.services.validation import format_phone
from noc_console.text import fold


def _by_level(contacts: Sequence[Contact]) -> dict[int, Contact]:
    return {c.level: c for c in contacts}


def _merge_level(
    base: Contact | None, mine: Contact | None, theirs: Contact | None, fields: Sequence[str]
) -> Contact | None:
    if mine == base:
        return theirs  # untouched here: theirs stands
    if theirs == base:
        return mine  # only I changed it
    if mine is None or theirs is None or base is None:
        return mine  # added or removed on my side: my explicit choice wins
    if fold(mine.name) != fold(base.name):
        return mine  # I put another person here: never mix two people's details
    changes: dict[str, Any] = {
        name: getattr(mine, name) for name in fields if getattr(mine, name) != getattr(base, name)
    }
    return replace(theirs, **changes)


def merge_on_top(
    base: Sequence[Contact],
    mine: Sequence[Contact],
    theirs: Sequence[Contact],
    fields: Sequence[str],
) -> tuple[Contact, ...]:
    """My changes since ``base`` applied over ``theirs``, level by level, field by field."""
    b, m, t = _by_level(base), _by_level(mine), _by_level(theirs)
    merged = (_merge_level(b.get(n), m.get(n), t.get(n), fields) for n in LEVELS)
    return tuple(c for c in merged if c is not None)


def show_value(contact: Contact | None, name: str) -> str:
    """A field as the operator reads it: formatted phone, 'N min', '—' when empty."""
    if contact is None:
        return _("(level not set)")
    value = getattr(contact, name)
    if name == "delay_minutes":
        return _("immediate") if contact.level == 1 else _("{minutes} min").format(minutes=value)
    if not value:
        return "—"
    if name == "phone":
        return format_phone(value)
    return str(value)


@dataclass(frozen=True)
class FieldDiff:
    level: int
    field: str
    theirs: str
    mine: str
    result: str


def differences(
    theirs: Sequence[Contact],
    mine: Sequence[Contact],
    merged: Sequence[Contact],
    fields: Sequence[str],
) -> list[FieldDiff]:
    """Every field where their saved chain and my form differ, with what re-apply would keep.

    ``fields`` is the form's order, left to right, so the panel lists them as the form shows them.
    """
    t, m, r = _by_level(theirs), _by_level(mine), _by_level(merged)
    found: list[FieldDiff] = []
    for level in LEVELS:
        a, b, c = t.get(level), m.get(level), r.get(level)
        if a == b:
            continue
        names = fields if a is not None and b is not None else ("name",)
        for name in names:
            if level == 1 and name == "delay_minutes":
                continue
            va, vb, vc = show_value(a, name), show_value(b, name), show_value(c, name)
            if va != vb:
                found.append(FieldDiff(level, name, va, vb, vc))
    return found


@dataclass(frozen=True)
class ConflictInfo:
    """Everything the conflict panel shows."""

    updated_by: str | None
    updated_at: datetime | None
    timezone: str
    version: int
    diffs: tuple[FieldDiff, ...]


@dataclass(frozen=True)
class Conflict:
    """A refused save: the chain the other operator saved, and what re-apply would save."""

    theirs: ChainView
    merged: tuple[Contact, ...]
    info: ConflictInfo

    @classmethod
    def between(
        cls,
        base: Sequence[Contact],
        theirs: ChainView,
        mine: Sequence[Contact],
        fields: Sequence[str],
    ) -> Conflict:
        """The conflict of a form loaded from ``base`` holding ``mine`` with their saved chain."""
        merged = merge_on_top(base, mine, theirs.contacts, fields)
        info = ConflictInfo(
            updated_by=theirs.updated_by,
            updated_at=theirs.updated_at,
            timezone=theirs.timezone,
            version=theirs.version,
            diffs=tuple(differences(theirs.contacts, mine, merged, fields)),
        )
        return cls(theirs=theirs, merged=merged, info=info)
