"""What the two keyset-paged list screens share: filters applied after a pause, pages on demand.

The contract browser and the audit log both show a list above filter fields:
typing waits ``DEBOUNCE_SECONDS`` before the list follows (enter applies at
once and goes back to the list), the table asks for a page when the reader
nears an end, a spinner sits above the list while the first page comes, and
esc in a filter returns to the list before it leaves the screen. Written once
here so both screens behave alike; each screen keeps its own queries.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.timer import Timer
from textual.widgets import Input, LoadingIndicator, Select

from noc_console.screens.base import NocScreen
from noc_console.screens.commands import PaletteCommand
from noc_console.widgets.fields import Field
from noc_console.widgets.lazy_table import LazyTable


class PagedListScreen(NocScreen):
    """A screen over one LazyTable (``LIST_ID``) with filter fields above it."""

    LIST_ID: ClassVar[str]
    """The id of the screen's LazyTable."""
    LOADING_ID: ClassVar[str]
    """The id of the spinner shown while a new list's first page comes."""
    DEBOUNCE_SECONDS: ClassVar[float] = 0.3
    PALETTE: ClassVar[tuple[PaletteCommand, ...]] = ()
    """The screen's entries in the command palette."""

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None

    # ------------------------------------------------------------------ the screen's part

    def apply_filters(self) -> None:
        """Read the filter fields; show the list they mean."""
        raise NotImplementedError

    def load_more(self) -> None:
        """Fetch the page below the rows held, if one is due."""
        raise NotImplementedError

    def load_previous(self) -> None:
        """Fetch the page above the rows held (a windowing screen); by default there is none."""

    def filter_edited(self, field: Input) -> None:
        """A filter field changed (before the pause); nothing by default."""

    # ------------------------------------------------------------------ shared behaviour

    def list_widget(self) -> LazyTable:
        return self.query_one(f"#{self.LIST_ID}", LazyTable)

    def show_loading(self, loading: bool) -> None:
        """A spinner above the list; the list itself stays focusable so keys keep working."""
        self.query_one(f"#{self.LOADING_ID}", LoadingIndicator).display = loading

    def cancel_debounce(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None

    def debounce_filters(self) -> None:
        """Apply the filters after ``DEBOUNCE_SECONDS`` without a further change."""
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(self.DEBOUNCE_SECONDS, self.apply_filters)

    @on(Field.Changed)
    def _field_changed(self, event: Field.Changed) -> None:
        self.filter_edited(event.input)
        self.debounce_filters()

    @on(Field.Submitted)
    def _field_submitted(self, event: Field.Submitted) -> None:
        """enter in a filter: applied at once, and back to the list."""
        self.cancel_debounce()
        self.list_widget().focus()
        self.apply_filters()

    @on(LazyTable.NearEnd)
    def _near_end(self, message: LazyTable.NearEnd) -> None:
        self.load_more()

    @on(LazyTable.NearStart)
    def _near_start(self, message: LazyTable.NearStart) -> None:
        self.load_previous()

    def capture_state(self) -> dict[str, Any]:
        """Before a re-compose: the focused widget and where the list is (rows of the list)."""
        table = self.list_widget()
        return {
            "focused": self.focused.id if self.focused else None,
            "row_offset": table.row_offset,
            "cursor": table.absolute_row,
            "top": table.row_offset + round(table.scroll_y),
        }

    def refocus(self, state: dict[str, Any]) -> None:
        """After a re-compose: focus the widget that had it (by id), if it is still there."""
        focused = state.get("focused")
        if focused:
            for widget in self.query(f"#{focused}"):
                widget.focus()
                break

    def action_back(self) -> None:
        """From a filter esc returns to the list; from the list it leaves the screen."""
        if isinstance(self.focused, Field | Select):
            self.list_widget().focus()
            return
        self.dismiss()

    def palette_commands(self) -> list[PaletteCommand]:
        return list(self.PALETTE)
