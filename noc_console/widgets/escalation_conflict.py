"""What to show when another operator saved the escalation chain first.

Who saved, when (in the customer's zone), every field where their chain and
this form differ with what "re-apply mine on top" would keep, and the two
ways out. What the conflict means (the merge, the differences) is the
editor state's (screens/escalation/conflict.py); the panel reads it through
the protocols below, so the widgets never import a screen's module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from noc_console.i18n import _, format_datetime
from noc_console.widgets.escalation_row import FIELD_LABELS
from noc_console.widgets.literal import literal


class ShownDiff(Protocol):
    """One differing field, its values already worded for reading."""

    @property
    def level(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def theirs(self) -> str: ...
    @property
    def mine(self) -> str: ...
    @property
    def result(self) -> str: ...


class ShownConflict(Protocol):
    """Who saved first, when, which version, and the differing fields."""

    @property
    def updated_by(self) -> str | None: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def diffs(self) -> Sequence[ShownDiff]: ...


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
            yield Button(
                _("Reload theirs (discard mine)"),
                id="conflict-reload",
                variant="warning",
                action="screen.reload",
            )
            yield Button(
                _("Re-apply mine on top"),
                id="conflict-reapply",
                variant="primary",
                action="screen.reapply",
            )

    def show(self, info: ShownConflict | None, *, reload_key: str, reapply_key: str) -> None:
        """Show ``info`` (hidden when None); the buttons name the keys that do the same."""
        self.display = info is not None
        if info is None:
            return
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
