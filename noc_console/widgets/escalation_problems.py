"""The editor's chain-wide messages: shape errors, the refused-save summary, warnings.

Warnings (same person on two levels) say "Warning" and carry ⚠, errors carry
✖: the kind is in words and symbols, not only in the colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from noc_console.i18n import _
from noc_console.widgets.escalation_row import FIELD_LABELS
from noc_console.widgets.static_text import show_text, wrapped


def field_label(key: str) -> str:
    """'level2.phone' -> 'Level 2 · Phone' (in the UI language)."""
    level, _sep, name = key.partition(".")
    label = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name
    return _("Level {level}").format(level=level.removeprefix("level")) + " · " + label


def problems_text(
    errors: Mapping[str, Sequence[str]], warnings: Sequence[str], *, summary: bool
) -> Text:
    """The chain-wide messages (key 'levels'), the summary after a refused save, the warnings."""
    text = Text()
    for message in errors.get("levels", []):
        text.append("✖ ", style="bold")
        text.append_text(wrapped(message))
        text.append("\n")
    if summary and errors:
        count = sum(len(v) for v in errors.values())
        text.append(
            _("Not saved: {count} problem(s) to fix first.").format(count=count), style="bold"
        )
        text.append("\n")
        for key, messages in errors.items():
            if key == "levels":
                continue
            text.append("  • ")
            text.append(field_label(key) + ": ", style="bold")
            text.append_text(wrapped("; ".join(messages)))
            text.append("\n")
    for warning in warnings:
        text.append("⚠ ", style="bold")
        text.append(_("Warning: "), style="bold")
        text.append_text(wrapped(warning))
        text.append("\n")
    text.rstrip()
    return text


def show_problems(
    widget: Static,
    errors: Mapping[str, Sequence[str]],
    warnings: Sequence[str],
    *,
    summary: bool,
) -> None:
    """Fill the problems box; its border turns to the error colour when something blocks a save."""
    text = problems_text(errors, warnings, summary=summary)
    show_text(widget, text)
    widget.set_class(bool(errors.get("levels")) or summary, "-error")
    widget.display = bool(text)
