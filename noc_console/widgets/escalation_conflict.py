"""What to show when another operator saved the escalation chain first, and how to re-apply.

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

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from noc_console.i18n import _, format_datetime
from noc_console.services.escalation import Contact
from noc_console.services.validation import format_phone
from noc_console.text import fold
from noc_console.widgets.escalation_row import FIELD_LABELS, FIELD_ORDER
from noc_console.widgets.literal import literal

LEVELS = (1, 2, 3)


def _by_level(contacts: Sequence[Contact]) -> dict[int, Contact]:
    return {c.level: c for c in contacts}


def _merge_level(
    base: Contact | None, mine: Contact | None, theirs: Contact | None
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
        name: getattr(mine, name)
        for name in FIELD_ORDER
        if getattr(mine, name) != getattr(base, name)
    }
    return replace(theirs, **changes)


def merge_on_top(
    base: Sequence[Contact], mine: Sequence[Contact], theirs: Sequence[Contact]
) -> tuple[Contact, ...]:
    """My changes since ``base`` applied over ``theirs``, level by level, field by field."""
    b, m, t = _by_level(base), _by_level(mine), _by_level(theirs)
    merged = (_merge_level(b.get(n), m.get(n), t.get(n)) for n in LEVELS)
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
    theirs: Sequence[Contact], mine: Sequence[Contact], merged: Sequence[Contact]
) -> list[FieldDiff]:
    """Every field where their saved chain and my form differ, with what re-apply would keep."""
    t, m, r = _by_level(theirs), _by_level(mine), _by_level(merged)
    found: list[FieldDiff] = []
    for level in LEVELS:
        a, b, c = t.get(level), m.get(level), r.get(level)
        if a == b:
            continue
        names = FIELD_ORDER if a is not None and b is not None else ("name",)
        for name in names:
            if level == 1 and name == "delay_minutes":
                continue
            va, vb, vc = show_value(a, name), show_value(b, name), show_value(c, name)
            if va != vb:
                found.append(FieldDiff(level, name, va, vb, vc))
    return found


@dataclass(frozen=True)
class ConflictInfo:
    """Everything the panel shows; built by the screen from the ConflictError."""

    updated_by: str | None
    updated_at: datetime | None
    timezone: str
    version: int
    diffs: tuple[FieldDiff, ...]


class ConflictPanel(Vertical):
    """Who saved first and when, the differing fields, and the two ways out."""

    DEFAULT_CSS = """
    ConflictPanel {
        height: auto;
        border: thick $warning;
        background: $warning 10%;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    ConflictPanel #conflict-title {
        text-style: bold;
    }
    ConflictPanel #conflict-table {
        padding: 1 0 0 0;
        height: auto;
    }
    ConflictPanel #conflict-actions {
        height: auto;
        padding: 1 0 0 0;
    }
    ConflictPanel #conflict-actions Button {
        margin: 0 2 0 0;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="conflict-title")
        yield Static("", id="conflict-table")
        with Horizontal(id="conflict-actions"):
            yield Button(_("Reload theirs (discard mine)"), id="conflict-reload", variant="warning")
            yield Button(_("Re-apply mine on top"), id="conflict-reapply", variant="primary")

    def show(self, info: ConflictInfo, *, reload_key: str, reapply_key: str) -> None:
        key = (info, reload_key, reapply_key)
        if key == getattr(self, "_shown", None):
            return
        self._shown = key
        who = info.updated_by or _("someone else")
        when = (
            format_datetime(info.updated_at, tz=info.timezone) if info.updated_at else _("unknown")
        )
        title = Text()
        title.append("⚠ ")
        title.append(_("Not saved: another operator saved this chain first."), style="bold")
        title.append("\n")
        title.append(_("Saved by "))
        title.append_text(literal(who, style="bold"))
        title.append(
            _(" at {when} ({zone}), version {version}.").format(
                when=when, zone=info.timezone, version=info.version
            )
        )
        self.query_one("#conflict-title", Static).update(title)
        table = Table(expand=True, box=None, padding=(0, 2, 0, 0), header_style="bold")
        table.add_column(_("Level"), no_wrap=True)
        table.add_column(_("Field"), no_wrap=True)
        table.add_column(_("Theirs (saved)"), ratio=1, overflow="fold")
        table.add_column(_("Yours (this form)"), ratio=1, overflow="fold")
        table.add_column(_("After re-apply"), ratio=1, overflow="fold")
        for diff in info.diffs:
            table.add_row(
                Text(str(diff.level)),
                Text(_(FIELD_LABELS[diff.field])),
                literal(diff.theirs),
                literal(diff.mine),
                literal(diff.result),
            )
        if not info.diffs:
            table.add_row("—", Text(_("no field differs: re-apply saves your form again")))
        self.query_one("#conflict-table", Static).update(table)
        self.query_one("#conflict-reload", Button).label = _(
            "Reload theirs (discard mine) ({key})"
        ).format(key=reload_key)
        self.query_one("#conflict-reapply", Button).label = _(
            "Re-apply mine on top ({key})"
        ).format(key=reapply_key)
