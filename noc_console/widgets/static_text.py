"""Text helpers for Statics that change often and show what people typed.

``show_text`` skips updates that change nothing (each costs a layout pass);
``wrapped`` is ``literal``'s sibling for sentences, which may wrap.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from noc_console.widgets.literal import printable


def show_text(widget: Static, content: Text | str) -> None:
    """Static.update only when the text changed: each update costs a layout pass."""
    if widget.content != content:
        widget.update(content)


def wrapped(value: str | None, style: str = "") -> Text:
    """Like widgets.literal.literal, but allowed to wrap (messages, sentences)."""
    return Text(printable(value), style=style)
