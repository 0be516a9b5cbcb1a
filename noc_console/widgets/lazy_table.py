"""A DataTable that asks for its next (or previous) page when the reader nears an end of its rows.

The console never loads a whole list: a customer may have 100,000 contracts
and the audit log grows forever. The table only says "near the end" (by the
cursor or by scrolling); the screen decides whether a page is due, runs the
query in a worker and appends the rows.

A screen that keeps only a window of pages (the contract browser) evicts the
pages the reader left behind; ``row_offset`` then counts the rows evicted
above the window, so ``row_offset + cursor_row`` is the cursor's position in
the whole list, and ``NearStart`` asks for the page above the window when the
reader scrolls back towards it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from noc_console.widgets.line_table import LineTable

NEAR_END_ROWS = 20
"""Ask for more when the cursor (or the bottom of the view) is this close to the last row."""


class _TableMessage(Message):
    """A message about a LazyTable (``control`` lets ``@on(..., "#id")`` select it)."""

    def __init__(self, table: LazyTable) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> LazyTable:
        return self.table


class LazyTable(LineTable):
    """Row cursor, zebra stripes, and ``NearEnd`` / ``NearStart`` messages for keyset paging."""

    class NearEnd(_TableMessage):
        """The reader is within ``NEAR_END_ROWS`` of the last loaded row."""

    class NearStart(_TableMessage):
        """The reader is within ``NEAR_END_ROWS`` of the first row, and rows were evicted above."""

    class TopWanted(_TableMessage):
        """``ctrl+home`` while rows are evicted above: the screen shows the list's first rows."""

    def __init__(
        self,
        *,
        threshold: int = NEAR_END_ROWS,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self.threshold = threshold
        self.row_offset = 0
        """Rows of the list above the first row shown (evicted by a windowing screen)."""

    @property
    def absolute_row(self) -> int:
        """The cursor's position in the whole list (0-based), not only in the rows held."""
        return self.row_offset + self.cursor_row

    def _visible_rows(self) -> int:
        # Rows are one line high; counted from row_count, not virtual_size, which
        # only catches up with newly added rows on the next idle.
        header = self.header_height if self.show_header else 0
        return max(self.scrollable_content_region.height - header, 0)

    def near_end(self) -> bool:
        """True when the cursor or the visible bottom is close to the last loaded row."""
        if self.row_count == 0:
            return False
        if self.row_count - 1 - self.cursor_row < self.threshold:
            return True
        rows_below = self.row_count - (round(self.scroll_y) + self._visible_rows())
        return rows_below < self.threshold

    def near_start(self) -> bool:
        """True when rows were evicted above and the cursor or the visible top is close to row 0."""
        if self.row_count == 0 or self.row_offset == 0:
            return False
        return self.cursor_row < self.threshold or round(self.scroll_y) < self.threshold

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.near_end():
            self.post_message(self.NearEnd(self))
        if self.near_start():
            self.post_message(self.NearStart(self))

    def action_scroll_top(self) -> None:
        if self.row_offset > 0:
            self.post_message(self.TopWanted(self))
        else:
            super().action_scroll_top()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and self.near_end():
            self.post_message(self.NearEnd(self))
        elif new_value < old_value and self.near_start():
            self.post_message(self.NearStart(self))


def without_enter(bindings: list[BindingType]) -> list[BindingType]:
    """DataTable's keys minus ``enter``, so a screen's own enter binding shows in the footer."""
    return [b for b in bindings if not (isinstance(b, Binding) and b.key == "enter")]


class NoEnterTable(LazyTable, inherit_bindings=False):
    """A LazyTable that leaves ``enter`` to the screen (e.g. "show details")."""

    BINDINGS: ClassVar[list[BindingType]] = without_enter(list(DataTable.BINDINGS))
