"""The escalation timeline preview: when each level would be called for an incident at HH:MM.

The times come from ``escalation.timeline`` / ``timeline_text`` (the editor's
state computes them, screens/escalation/preview.py); this widget only shows
them and owns the "incident at" field, whose text it parses into a
wall-clock time (a display concern: the service reads a naive start as wall
time in the customer's zone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from noc_console.i18n import _
from noc_console.services.escalation import TimelineStep
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import literal
from noc_console.widgets.static_text import show_text, wrapped

_HHMM = re.compile(r"\s*([0-9]{1,2})\s*[:hH.]?\s*([0-9]{2})\s*")


def parse_hhmm(value: str) -> time | None:
    """'03:10', '3:10', '0310', '3h10' -> 03:10; anything else -> None."""
    match = _HHMM.fullmatch(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimelinePreview(Vertical):
    """Title and incident-time field on one line; the service's sentence; one line per level."""

    DEFAULT_CSS = """
    TimelinePreview {
        height: auto;
        border: round $primary;
        border-title-color: $primary;
        border-title-style: bold;
        padding: 0 1;
    }
    TimelinePreview #timeline-controls {
        height: auto;
    }
    TimelinePreview #incident-label {
        width: auto;
        padding: 1 1 0 0;
    }
    TimelinePreview #incident-time {
        width: 11;
    }
    TimelinePreview #incident-zone {
        width: 1fr;
        padding: 1 0 0 1;
        color: $text-muted;
    }
    TimelinePreview #timeline-text {
        text-style: bold;
        padding: 0 0 0 0;
    }
    TimelinePreview #timeline-note {
        color: $text-warning;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = _("Timeline preview")
        self._shown: object = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="timeline-controls"):
            yield Static(_("Incident at"), id="incident-label")
            yield Field(placeholder="HH:MM", id="incident-time", max_length=5)
            yield Static("", id="incident-zone")
        yield Static("", id="timeline-text")
        yield Static("", id="timeline-steps")
        yield Static("", id="timeline-note")

    @property
    def time_field(self) -> Input:
        return self.query_one("#incident-time", Input)

    def incident_time(self) -> time | None:
        return parse_hhmm(self.time_field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the time field does nothing: the preview already follows the text."""
        event.stop()

    def show(
        self,
        steps: Sequence[TimelineStep],
        sentence: str,
        zone: str,
        note: str = "",
        *,
        key: str = "",
    ) -> None:
        """Show the service's sentence and a line per level: time, wait since the incident, name."""
        shown = (tuple(steps), sentence, zone, note, key)
        if shown == self._shown:
            return
        self._shown = shown
        self.border_title = _("Timeline preview")
        line = _("time zone: {zone}").format(zone=zone)
        if key:
            line += " · " + _("{key} changes the incident time").format(key=key)
        show_text(self.query_one("#incident-zone", Static), Text(line))
        show_text(self.query_one("#timeline-text", Static), wrapped(sentence))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, justify="right")
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        start = steps[0].at.date() if steps else None
        for step in steps:
            at = step.at.strftime("%H:%M")
            if start is not None and (days := (step.at.date() - start).days):
                at = _("{time} +{days}d").format(time=at, days=days)
            after = (
                _("immediately")
                if step.offset_minutes == 0 and step.level == 1
                else _("+{minutes} min").format(minutes=step.offset_minutes)
            )
            table.add_row(
                Text(_("Level {level}").format(level=step.level), style="bold"),
                Text(at),
                Text(after, style="dim"),
                literal(step.name),
            )
        self.query_one("#timeline-steps", Static).update(table if steps else Text(""))
        note_widget = self.query_one("#timeline-note", Static)
        show_text(note_widget, Text(f"⚠ {note}") if note else Text(""))
        note_widget.display = bool(note)
