"""The always-visible line saying who is logged in, on which database, in which mode.

Markers are words (DEMO, READ-ONLY), not only colours, so they survive a
monochrome terminal and a colour-blind reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from noc_console.i18n import _


@dataclass(frozen=True)
class SessionView:
    """What the bar shows; built by the screen from DTOs, never from ORM objects."""

    database: str
    backend: str
    is_demo: bool
    read_only: bool
    operator: str | None = None
    role: str | None = None


class SessionBar(Horizontal):
    """Who and where on the left (cut with … when too long); markers on the right, never cut."""

    DEFAULT_CSS = """
    SessionBar {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text;
    }
    SessionBar > #session-who {
        width: 1fr;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SessionBar > #session-markers {
        width: auto;
        height: 1;
    }
    """

    def __init__(self, view: SessionView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static(self.who(), id="session-who")
        yield Static(
            markers(is_demo=self.view.is_demo, read_only=self.view.read_only),
            id="session-markers",
        )

    def who(self) -> Text:
        view = self.view
        text = Text(no_wrap=True, overflow="ellipsis")
        if view.operator:
            text.append(_("Operator: "), style="dim")
            text.append(view.operator, style="bold")
            if view.role:
                text.append(f" ({view.role})")
            text.append("  │  ", style="dim")
        text.append(_("Database: "), style="dim")
        text.append(view.database, style="bold")
        text.append(f" ({view.backend})")
        return text

    @property
    def plain(self) -> str:
        """Everything the bar says, as text (for logs and tests)."""
        marks = markers(is_demo=self.view.is_demo, read_only=self.view.read_only)
        return f"{self.who().plain}{marks.plain}"


def markers(*, is_demo: bool, read_only: bool) -> Text:
    """The DEMO / READ-ONLY markers, each a word on a coloured block, two spaces before each."""
    text = Text()
    if is_demo:
        text.append("  ")
        text.append(" " + _("DEMO") + " ", style="bold black on yellow")
    if read_only:
        text.append("  ")
        text.append(" " + _("READ-ONLY") + " ", style="bold white on dark_red")
    return text
