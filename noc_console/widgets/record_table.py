"""A table of records, one row each, with the record under the cursor at hand.

The lookup's results and the customer's users are both this: columns declared
once as data (translated when the table is first mounted), the DTOs kept in
row order, and the cursor row's record for the key that acts on it.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from noc_console.i18n import _
from noc_console.widgets.line_table import LineTable

RecordT = TypeVar("RecordT")


class RecordTable(LineTable, Generic[RecordT]):
    """Row ``i`` shows ``records[i]``; subclasses declare ``COLUMNS`` and fill the rows."""

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
    }
    """

    COLUMNS: ClassVar[tuple[tuple[str, str, int], ...]] = ()
    """(key, label msgid, width) of each column, in order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.records: list[RecordT] = []

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        if self.columns:
            return
        for key, label, width in self.COLUMNS:
            self.add_column(_(label), width=width, key=key)

    def record_at_cursor(self) -> RecordT | None:
        """The record of the cursor row, or None on an empty table."""
        row = self.cursor_row
        if not self.records or not 0 <= row < len(self.records):
            return None
        return self.records[row]
