"""LineTable's fast path draws exactly the segments DataTable's own path draws.

The comparison is segment by segment (text, style with its click metadata,
control), for every cell of a table holding the kinds of cells the console
shows, in every state a cell can be drawn in: plain and zebra rows, the
cursor row, hover, the header, columns narrower than their text. A Textual
upgrade that changes DataTable's drawing fails here before it reaches a screen.
"""

from __future__ import annotations

from decimal import Decimal

from rich.style import Style
from rich.text import Span, Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from noc_console.widgets.cells import literal
from noc_console.widgets.line_table import LineTable, one_line_segments
from noc_console.widgets.money import money_cell

CELLS: list[Text] = [
    literal("CT-2024-000123", limit=16, style="bold"),
    literal("Link dedicado 200 Mbps — São Paulo / Campinas", limit=24),
    literal(""),
    literal(None, empty="—"),
    literal("[bold]markup stays literal[/]"),
    literal("名前の長い会社 wide characters"),
    literal("\x1b[2J escape shown as text"),
    Text("● active", style="green", end=""),
    Text("○ inactive", style="dim", end=""),
    Text("⚠ 12 d", style="bold red", end=""),
    Text("", end=""),
    Text("2026-12-04", end=""),
    money_cell(Decimal("1234567.89"), "BRL"),
    money_cell(Decimal("0.00"), "USD", style="bold"),
    Text("  right with spaces  ", justify="right", end=""),
    Text("left justified", justify="left", end=""),
    Text.assemble(("two ", "bold"), ("spans", "italic underline"), end=""),
    Text("styled and spanned", style="blue", end="", spans=[Span(3, 9, "bold")]),
]

WIDTHS = (1, 3, 6, 12, 30)


class TableApp(App[None]):
    def __init__(self, table_class: type[DataTable[Text]] = LineTable) -> None:
        super().__init__()
        self.table_class = table_class

    def compose(self) -> ComposeResult:
        yield self.table_class(zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for index, width in enumerate(WIDTHS):
            table.add_column(Text(f"col {index}", end=""), width=width, key=str(index))
        table.add_column(Text("Right", justify="right", end=""), key="auto")
        for number, cell in enumerate(CELLS):
            row = [cell] * len(WIDTHS) + [cell]
            table.add_row(*row, key=str(number))


def _both_paths(table: LineTable, row: int, column: int, width: int, **state: bool) -> tuple:
    table._cell_render_cache.clear()
    base = Style(bgcolor="grey11") if row % 2 else Style()
    fast = table._render_cell(row, column, base, width, **state)
    table._cell_render_cache.clear()
    slow = DataTable._render_cell(table, row, column, base, width, **state)
    table._cell_render_cache.clear()
    return fast, slow


async def test_fast_path_segments_equal_datatable_segments() -> None:
    app = TableApp()
    async with app.run_test(size=(160, 40)):
        table = app.query_one(LineTable)
        columns = list(table.ordered_columns)
        checked = 0
        for row in range(-1, len(CELLS)):
            for column_index, column in enumerate(columns):
                width = column.get_render_width(table)
                for state in ({}, {"cursor": True}, {"hover": True}):
                    fast, slow = _both_paths(table, row, column_index, width, **state)
                    assert fast == slow, (row, column_index, width, state)
                    checked += 1
        assert checked == (len(CELLS) + 1) * len(columns) * 3


async def test_every_console_cell_takes_the_fast_path() -> None:
    app = TableApp()
    async with app.run_test(size=(160, 40)):
        console = app.console
        for cell in CELLS:
            for width in (3, 14, 40):
                assert one_line_segments(cell, width, 1, Style(), Style(), console)


async def test_cells_it_cannot_lay_out_take_datatable_path() -> None:
    app = TableApp()
    async with app.run_test(size=(160, 40)):
        console = app.console
        others: list[object] = [
            "plain str",
            Text("two\nlines", end=""),
            Text("a\ttab", end=""),
            Text("centred", justify="center", end=""),
            Text("wraps", no_wrap=False, end=""),
            Text("ignored overflow", overflow="ignore", end=""),
        ]
        for cell in others:
            assert one_line_segments(cell, 20, 1, Style(), Style(), console) is None
        assert one_line_segments(Text("x"), 2, 1, Style(), Style(), console) is None


async def test_screen_is_drawn_the_same_by_both_paths() -> None:
    screens = []
    for app in (TableApp(LineTable), TableApp(DataTable)):
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("down", "down")
            await pilot.pause()
            screens.append(app.export_screenshot())
    assert screens[0] == screens[1]


async def test_column_widths_and_size_equal_datatable_ones() -> None:
    """Rows added in two batches (as pages come in) give DataTable's widths and size."""
    measured = []
    for table_class in (LineTable, DataTable):
        app = TableApp(table_class)
        async with app.run_test(size=(160, 40)) as pilot:
            table = app.query_one(DataTable)
            for number, cell in enumerate(CELLS):
                wide = Text(cell.plain * 3, end="") if number % 3 == 0 else cell
                table.add_row(*([wide] * (len(WIDTHS) + 1)), key=f"more-{number}")
            wide_characters = Text("名前" * 40, end="")  # 80 characters, 160 cells
            table.add_row(*([wide_characters] * (len(WIDTHS) + 1)), key="wide")
            await pilot.pause()
            measured.append(
                (
                    [column.content_width for column in table.ordered_columns],
                    [column.get_render_width(table) for column in table.ordered_columns],
                    table.virtual_size,
                )
            )
    assert measured[0] == measured[1]
    assert measured[0][0][-1] == 160  # the batch widened the auto-width column, in cells
