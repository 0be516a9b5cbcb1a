"""The always-visible line saying who is logged in, on which database, in which mode.

Markers are words (DEMO, READ-ONLY), not only colours, so they survive a
monochrome terminal and a colour-blind reader.

Every logged-in screen shows it. The simplest way is ``yield SessionBar()``
in ``compose``: with no view the bar asks the app (``app.session_view()``)
who is logged in and where, so a screen does not have to carry that around.
``SessionBar(view)`` shows a given view (the login screen's database line,
tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from noc_console.i18n import _
from noc_console.widgets.literal import printable

if TYPE_CHECKING:
    from noc_console.services.context import Principal
    from noc_console.services.system import DatabaseInfo


@dataclass(frozen=True)
class SessionView:
    """What the bar shows; built by the screen from DTOs, never from ORM objects."""

    database: str
    backend: str
    is_demo: bool
    read_only: bool
    operator: str | None = None
    role: str | None = None
    source: str | None = None
    """``ldap`` when the directory checked the password (the bar says "directory")."""
    break_glass: bool = False
    """A break-glass local sign-in (issue 15): a marker of its own, in words."""


def session_view(principal: Principal, info: DatabaseInfo, *, read_only: bool) -> SessionView:
    """The bar's view for a logged-in operator (role label in the current language)."""
    # Imported here: this module loads with the login screen, before SQLAlchemy may load.
    from noc_console.services.permissions import ROLE_LABELS

    return SessionView(
        database=info.label,
        backend=info.backend_label,
        is_demo=info.is_demo,
        read_only=read_only,
        operator=principal.display_name,
        role=_(ROLE_LABELS[principal.role]),
        source=principal.source,
        break_glass=principal.break_glass,
    )


_UNKNOWN = SessionView(database="-", backend="-", is_demo=False, read_only=False)


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

    def __init__(self, view: SessionView | None = None, *, id: str | None = "session-bar") -> None:
        super().__init__(id=id)
        self._given = view
        self.view = view or _UNKNOWN

    def compose(self) -> ComposeResult:
        if self._given is None:
            # The app knows the session; recomputed on every compose, so a language
            # switch re-translates the role.
            from_app = getattr(self.app, "session_view", None)
            found = from_app() if callable(from_app) else None
            self.view = found if isinstance(found, SessionView) else _UNKNOWN
        yield Static(self.who(), id="session-who")
        yield Static(
            markers(
                is_demo=self.view.is_demo,
                read_only=self.view.read_only,
                break_glass=self.view.break_glass,
            ),
            id="session-markers",
        )

    def who(self) -> Text:
        view = self.view
        text = Text(no_wrap=True, overflow="ellipsis")
        if view.operator:
            text.append(_("Operator: "), style="dim")
            text.append(printable(view.operator), style="bold")
            if view.role:
                text.append(f" ({view.role})")
            if view.source == "ldap":
                text.append(" · " + _("directory"), style="dim")
            text.append("  │  ", style="dim")
        text.append(_("Database: "), style="dim")
        text.append(printable(view.database), style="bold")
        text.append(f" ({view.backend})")
        return text

    @property
    def plain(self) -> str:
        """Everything the bar says, as text (for logs and tests)."""
        marks = markers(
            is_demo=self.view.is_demo,
            read_only=self.view.read_only,
            break_glass=self.view.break_glass,
        )
        return f"{self.who().plain}{marks.plain}"


def markers(*, is_demo: bool, read_only: bool, break_glass: bool = False) -> Text:
    """The DEMO / READ-ONLY / BREAK-GLASS markers, each a word on a coloured block."""
    text = Text()
    if break_glass:
        text.append("  ")
        text.append(" " + _("BREAK-GLASS") + " ", style="bold white on red")
    if is_demo:
        text.append("  ")
        text.append(" " + _("DEMO") + " ", style="bold black on yellow")
    if read_only:
        text.append("  ")
        text.append(" " + _("READ-ONLY") + " ", style="bold white on dark_red")
    return text
