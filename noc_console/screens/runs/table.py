"""The board's table: a LineTable whose countdown cells change without repainting the rest.

``DataTable.update_cell`` invalidates every cached cell of the table (its
caches are keyed by one update counter), so a board whose countdowns move
every second re-renders every visible cell every second: most of an idle
board's CPU. ``set_cells`` changes the data the same way but forgets only
the changed cells' cached renders (and the rows holding them, whose other
cells come back from the cache) and repaints only the rectangle holding
the changed cells, in one refresh. It is a ``LineTable``, so a
changed one-line cell is drawn straight to segments; ``reorder`` moves rows
in place when a level comes due, instead of clearing and re-adding them.

It touches DataTable's private caches (textual is pinned in pyproject.toml);
tests/ui/test_runs_live.py checks on screen that a changed cell is shown and
an unchanged one kept, so a Textual upgrade that changes them fails a test
instead of freezing the board.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets.data_table import ColumnKey, RowKey

from noc_console.widgets.line_table import LineTable


class TickingTable(LineTable):
    def reorder(self, keys: Sequence[str]) -> None:
        """Show the rows in this order (every row key, once), as ``DataTable.sort`` does:
        new row positions, no row rebuilt (a board re-sorts whenever a level comes due;
        clearing and re-adding 500 rows each time cost more than its whole idle second)."""
        self._row_locations = TwoWayDict({RowKey(key): i for i, key in enumerate(keys)})
        self._update_count += 1
        self.refresh()

    def set_cells(self, changes: Iterable[tuple[str, str, Text]]) -> None:
        """Put each (row key, column key, value); unknown keys are ignored (a row just gone)."""
        cells: set[tuple[RowKey, ColumnKey]] = set()
        for row, column, value in changes:
            row_key, column_key = RowKey(row), ColumnKey(column)
            if row_key not in self._row_locations or column_key not in self._column_locations:
                continue
            self._data[row_key][column_key] = value
            cells.add((row_key, column_key))
        if not cells:
            return
        rows = {row_key for row_key, _column in cells}
        indexes = {self._row_locations.get(key) for key in rows}
        _forget(self._cell_render_cache, lambda key: (key[0], key[1]) in cells)
        _forget(self._row_render_cache, lambda key: key[0] in rows)
        _forget(self._row_renderable_cache, lambda key: key[1] in indexes)
        self._line_cache.clear()  # keyed by screen line: cheap to rebuild from the row caches
        # One repaint of the rectangle holding the changed cells (most seconds: the
        # countdown column over the rows on screen), not of whole rows: the compositor
        # then crops every line to it.
        rows_at, columns_at = self._row_locations, self._column_locations
        places = [(rows_at.get(r), columns_at.get(c)) for r, c in cells]
        box = Region.from_union(
            [
                self._get_cell_region(Coordinate(row, column))
                for row, column in places
                if row is not None and column is not None  # checked above: always there
            ]
        )
        if self.window_region.overlaps(box):
            self.refresh(box.translate(-self.scroll_offset))


def _forget(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    keys = cache.keys()
    for key in [k for k in keys if stale(k)]:
        cache.discard(key)
