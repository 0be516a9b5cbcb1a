"""A DataTable that asks for its next page when the reader nears the last loaded row.

The console never loads a whole list: a customer may have 100,000 contracts
and the audit log grows forever. The table only says "near the end" (by the
cursor or by scrolling); the screen decides whether a page is due, runs the
query in a worker and appends the rows.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

NEAR_END_ROWS = 20
"""Ask for more when the cursor (or the bottom of the view) is this close to the last row."""


class LazyTable(DataTable[Text]):
    """Row cursor, zebra stripes, and a ``NearEnd`` message for keyset paging."""

    class NearEnd(Message):
        """The reader is within ``NEAR_END_ROWS`` of the last loaded row."""

        def __init__(self, table: LazyTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> LazyTable:
            return self.table

    def __init__(
        self,
        *,
        threshold: int = NEAR_END_ROWS,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self.threshold = threshold

    def near_end(self) -> bool:
        """True when the cursor or the visible bottom is close to the last loaded row."""
        if self.row_count == 0:
            return False
        if self.row_count - 1 - self.cursor_row < self.threshold:
            return True
        # Rows are one line high; counted from row_count, not virtual_size, which
        # only catches up with newly added rows on the next idle.
        header = self.header_height if self.show_header else 0
        visible = max(self.scrollable_content_region.height - header, 0)
        rows_below = self.row_count - (round(self.scroll_y) + visible)
        return rows_below < self.threshold

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.near_end():
            self.post_message(self.NearEnd(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and self.near_end():
            self.post_message(self.NearEnd(self))


def without_enter(bindings: list[BindingType]) -> list[BindingType]:
    """DataTable's keys minus ``enter``, so a screen's own enter binding shows in the footer."""
    return [b for b in bindings if not (isinstance(b, Binding) and b.key == "enter")]


class NoEnterTable(LazyTable, inherit_bindings=False):
    """A LazyTable that leaves ``enter`` to the screen (e.g. "show details")."""

    BINDINGS: ClassVar[list[BindingType]] = without_enter(list(DataTable.BINDINGS))
