"""A DataTable drawing its one-line text cells straight to segments: it buys fast new-row paints.

Every cell of the console's tables is a one-line ``Text`` (``widgets.cells``).
DataTable renders each cell through Rich's general layout machinery
(``Styled`` → ``Padding`` → ``Text`` wrap → join → ``render_lines``), and a
page-down in the contract browser or a new page of lookup results shows many
cells never painted before: that machinery was what made those keys stall.

For a cell that cannot wrap, the result of that machinery is known in
advance: the text cut or padded to the column, its style spread over its
characters, the cell padding on both sides, the table's styles around it.
``one_line_segments`` builds exactly those segments (the same segments, not
just the same look: the tests compare them with DataTable's own, cell by
cell) and anything else (other renderables, wrapping, tabs, several lines,
centred text) still goes through DataTable's own path. New rows' column widths
are measured the same way, without building console options for every cell.

``_render_cell`` and ``_update_dimensions`` are private DataTable methods: the
overrides follow the pinned Textual line for line outside the fast paths.
``benchmarks/stand_ins.py`` measures them against DataTable's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textual._types import SegmentLines
from textual.geometry import Size
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey, RowKey

_NULL = Style.null()


def _text_segments(line: Text, console: Console) -> list[Segment]:
    """``Text("\\n").join([line]).render(console)``: the line's own style becomes a span."""
    if not line._spans:
        if not line.style:
            return [Segment(line.plain)]
        if not line.plain:
            return []
        return [Segment(line.plain, console.get_style(line.style, default=_NULL))]
    joined = Text(end="")
    joined._text = [line.plain]
    joined._length = len(line.plain)
    joined._spans = ([Span(0, len(line.plain), line.style)] if line.style else []) + line._spans
    return list(joined.render(console))


def one_line_segments(
    cell: object,
    width: int,
    padding: int,
    pre_style: Style,
    post_style: Style,
    console: Console,
) -> list[Segment] | None:
    """The segments DataTable draws for ``cell`` in a row one line high, or None when
    ``cell`` is not a plain one-line ``Text`` this function knows how to lay out."""
    if not isinstance(cell, Text) or cell.no_wrap is False:
        return None
    plain = cell.plain
    if "\n" in plain or "\t" in plain:
        return None
    inner = width - 2 * padding
    # Rich's defaults: the console options Textual renders cells with set neither.
    justify = cell.justify or "default"
    overflow = cell.overflow or "fold"
    if inner < 1 or overflow == "ignore" or justify not in ("default", "left", "right"):
        return None
    line = cell.copy()
    if justify == "left":
        line.truncate(inner, overflow=overflow, pad=True)
    elif justify == "right":
        line.rstrip()
        line.truncate(inner, overflow=overflow)
        line.pad_left(inner - cell_len(line.plain))
    line.truncate(inner, overflow=overflow)
    segments: list[Segment] = [Segment(" " * padding, _NULL)] if padding else []
    segments += _text_segments(line, console)
    fill = inner - cell_len(line.plain)
    if fill > 0:
        segments.append(Segment(" " * fill, _NULL))
    if padding:
        segments.append(Segment(" " * padding, _NULL))
    return list(Segment.apply_style(segments, style=pre_style, post_style=post_style))


def content_width(cell: RenderableType, console: Console) -> int:
    """What DataTable's ``measure(console, cell, 1)`` answers, without building console
    options for every cell: a ``Text`` is as wide as its widest line."""
    if isinstance(cell, Text):
        return max((cell_len(line) for line in cell.plain.splitlines()), default=0)
    return measure(console, cell, 1)


class LineTable(DataTable[Text]):
    """DataTable with the one-line fast paths; rows of another height take DataTable's path."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Column widths for a page of new rows: DataTable measures each cell through Rich,
        on the key press that brings the page in."""
        new_rows = list(new_rows)
        indexes: list[int] = []
        for row_key in new_rows:
            row_index = self._row_locations.get(row_key)
            if row_index is None:  # removed before the idle that measures it
                continue
            row = self.rows.get(row_key)
            if row is None or row.label is not None or row.auto_height:
                super()._update_dimensions(new_rows)
                return
            indexes.append(row_index)
        console = self.app.console
        columns = self.ordered_columns
        for row_index in indexes:
            _label, cells = self._get_row_renderables(row_index)
            for column, cell in zip(columns, cells, strict=False):
                width = content_width(cell, console)
                if width > column.content_width:
                    column.content_width = width
        data_cells_width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            data_cells_width + self._row_label_column_width,
            self._total_row_height + header_height,
        )

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        is_header_cell = row_index == -1
        row_key: RowKey | None
        if is_header_cell:
            row_key = self._header_row_key
            row_height = self.header_height
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            row_height = row.height if row is not None else 0
        column_key = self._column_locations.get_key(column_index)
        if row_height != 1 or row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cell_cache_key: CellCacheKey = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cell_cache_key)
        if cached is not None:
            return cached
        _label, row_cells = self._get_row_renderables(row_index)
        cell = row_cells[column_index]
        is_fixed_style_cell = not is_header_cell and (
            row_index < self.fixed_rows or column_index < self.fixed_columns
        )
        component_style, post_style = self._get_styles_to_render_cell(
            is_header_cell,
            False,
            is_fixed_style_cell,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        segments = one_line_segments(
            cell,
            width,
            self.cell_padding,
            pre_style + component_style,
            post_style,
            self.app.console,
        )
        if segments is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        lines = [segments]
        self._cell_render_cache[cell_cache_key] = lines
        return lines
