"""What every console screen shares: translated key bindings and re-labelling on a language switch.

Binding descriptions are written as English msgids (``N_``) in ``BINDINGS``
and translated per instance, so the footer and the help screen follow the
language chosen at runtime. A language switch re-composes each screen
(``relabel``): compose() reads the current language, and a screen that holds
typed input keeps it through ``capture_state``/``restore_state``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from noc_console.i18n import N_
from noc_console.widgets.translated_bindings import translate_node_bindings

# One implementation for screens, modals and widgets (widgets may not import screens).
translate_bindings = translate_node_bindings


def back_binding(scope: str) -> Binding:
    """Esc goes back one screen everywhere; the id carries the screen's scope for remapping."""
    return Binding("escape", "back", N_("Back"), id=f"{scope}.back")


class NocScreen(Screen[None]):
    """Base of the console's full screens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", N_("Next field"), show=False, id="screen.focus_next"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            N_("Previous field"),
            show=False,
            id="screen.focus_previous",
        ),
        Binding(
            "ctrl+c,super+c",
            "screen.copy_text",
            N_("Copy selected text"),
            show=False,
            id="screen.copy",
        ),
    ]

    HELP_TITLE: ClassVar[str] = N_("Keys")
    """Msgid of the title the help screen shows for this screen."""

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        translate_bindings(self)

    def has_unsaved_changes(self) -> bool:
        """True while leaving this screen would lose typed work (editors override it).

        The app asks before it pops a screen on its own (the palette's "find
        customer"), so an edit in progress is never dropped silently.
        """
        return False

    def capture_state(self) -> dict[str, Any]:
        """What must survive a re-compose (typed text, choices); empty for display-only screens."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Put back what capture_state saved, after a re-compose."""

    async def relabel(self) -> None:
        """Show this screen in the language just selected."""
        translate_bindings(self)
        state = self.capture_state()
        await self.recompose()
        self.restore_state(state)
        self.refresh_bindings()
