"""The contract list and its totals: DTOs in, literal text and Babel money out.

Whether values are shown is decided by the service (``values_visible`` in
the DTOs): without it the value columns do not exist at all, not even empty,
so nothing on screen hints at an amount or at the values' order.

The list holds a window of pages, not every row ever scrolled past: memory
(and the garbage collector's work) must not grow with a customer's 20,000
contracts. The screen decides which pages the window holds; the table keeps
the contract under the cursor at the same place on screen when a page comes
in at one end and another leaves at the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.geometry import Size
from textual.widgets import DataTable, Static

from noc_console.i18n import N_, _
from noc_console.models import ContractStatus
from noc_console.services.contracts import ContractRow, ContractSort, ContractTotals
from noc_console.widgets.cells import literal
from noc_console.widgets.lazy_table import LazyTable
from noc_console.widgets.money import count, money_cell, short_date

NUMBER_WIDTH = 16
CELL_RENDER_CACHE = 2000
"""Rendered cells the table keeps (DataTable's default, 10,000, suits a table of every row)."""
SERVICE_WIDTH = 24
SERVICE_WIDTH_WITHOUT_VALUES = 44  # the room the two value columns would take

STATUS_LABELS: dict[ContractStatus, str] = {
    ContractStatus.ACTIVE: N_("active"),
    ContractStatus.INACTIVE: N_("inactive"),
}
STATUS_SYMBOLS: dict[ContractStatus, str] = {
    ContractStatus.ACTIVE: "●",
    ContractStatus.INACTIVE: "○",
}

SORT_LABELS: dict[ContractSort, str] = {
    ContractSort.NUMBER: N_("number"),
    ContractSort.SERVICE: N_("service"),
    ContractSort.START_DATE: N_("start date"),
    ContractSort.END_DATE: N_("end date"),
    ContractSort.VALUE: N_("monthly value"),
}

# Column key -> (header msgid, the sort it shows, needs values).
_COLUMNS: tuple[tuple[str, str, ContractSort | None, bool], ...] = (
    ("number", N_("Number"), ContractSort.NUMBER, False),
    ("service", N_("Service"), ContractSort.SERVICE, False),
    ("status", N_("Status"), None, False),
    ("start", N_("Start"), ContractSort.START_DATE, False),
    ("end", N_("End"), ContractSort.END_DATE, False),
    ("monthly", N_("Monthly"), ContractSort.VALUE, True),
    ("annual", N_("Annual"), None, True),
    ("ending", N_("Ends in"), None, False),
)


def status_text(status: ContractStatus) -> Text:
    """``● active`` / ``○ inactive``: the state in words, the symbol for a quick scan."""
    style = "green" if status is ContractStatus.ACTIVE else "dim"
    return Text(f"{STATUS_SYMBOLS[status]} {_(STATUS_LABELS[status])}", style=style, end="")


def end_text(row: ContractRow) -> Text:
    if row.end_date is None:
        return Text(_("open-ended"), style="dim", end="")
    return Text(short_date(row.end_date), end="")


def ending_text(days: int | None) -> Text:
    """``⚠ 30 d``: the contract ends within that many days (active contracts only)."""
    if days is None:
        return Text("", end="")
    style = "bold red" if days <= 30 else "yellow" if days <= 60 else ""
    return Text(_("⚠ {days} d").format(days=days), style=style, end="")


def contract_cells(row: ContractRow, values_visible: bool) -> tuple[Text, ...]:
    """One row's cells; the value columns only exist when values are visible."""
    cells = [
        literal(row.number, limit=NUMBER_WIDTH, style="bold"),
        literal(
            row.service_name,
            limit=SERVICE_WIDTH if values_visible else SERVICE_WIDTH_WITHOUT_VALUES,
        ),
        status_text(row.status),
        Text(short_date(row.start_date), end=""),
        end_text(row),
    ]
    if values_visible:
        cells += [
            money_cell(row.monthly_value, row.currency),
            money_cell(row.annual_value, row.currency),
        ]
    cells.append(ending_text(row.ends_within_days))
    return tuple(cells)


PageCells = tuple[tuple[str, tuple[Text, ...]], ...]
"""A page of rows as the table shows them, ``(row key, cells)``: built once per page, in the
current UI language, and reused when the window is rebuilt around it."""


def page_cells(rows: Iterable[ContractRow], values_visible: bool) -> PageCells:
    """Cells for a page; pure (Babel and ``_`` only), so a worker thread may build them."""
    return tuple((str(row.id), contract_cells(row, values_visible)) for row in rows)


def direction_arrow(descending: bool) -> str:
    return "▼" if descending else "▲"


def sort_description(sort: ContractSort, descending: bool) -> str:
    """``number ▲ ascending``: the order in words and with the arrow the header shows."""
    way = _("descending") if descending else _("ascending")
    return f"{_(SORT_LABELS[sort])} {direction_arrow(descending)} {way}"


STATUS_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("active", N_("Active"), "1"),
    ("inactive", N_("Inactive"), "2"),
    ("all", N_("All"), "3"),
)


class StatusChoice(Static):
    """Active / Inactive / All, the chosen one marked ◉ and in bold; keys 1-3 or a click.

    Drawn from the screen's current filter (never holding a state of its own),
    so fast key presses can never leave it showing a filter other than the
    list's. A click runs the same action as the key (``screen.status(...)``).
    """

    def show_status(self, status: str) -> None:
        self.update(self.render_choices(status))

    @staticmethod
    def render_choices(status: str) -> Text:
        text = Text(no_wrap=True)
        for value, label, key in STATUS_CHOICES:
            chosen = value == status
            click = Style(meta={"@click": f"screen.status('{value}')"})
            text.append(" ")
            text.append(
                f"{'◉' if chosen else '○'} {_(label)} ({key})",
                style=Style(bold=chosen, underline=chosen) + click,
            )
            text.append("  ")
        return text


class ContractTable(LazyTable):
    """One row per contract, keyed by contract id; holds the pages of the screen's window.

    ``row_offset`` (from LazyTable) counts the rows of the pages evicted above
    the window, so ``absolute_row`` is the cursor's position in the whole list.
    """

    def __init__(
        self,
        *,
        values_visible: bool,
        sort: ContractSort = ContractSort.NUMBER,
        descending: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.values_visible = values_visible
        self.sort_key = sort
        self.descending = descending
        self._window: list[PageCells] = []
        # DataTable keeps 10,000 rendered cells, sized for a table that holds every row;
        # here they would mostly be renders of rows evicted long ago (~5 MB). 2,000 is
        # still several screens of cells. (A Textual internal, as of the pinned 8.2.8.)
        self._cell_render_cache = LRUCache(CELL_RENDER_CACHE)

    @property
    def pages_shown(self) -> int:
        """How many pages the table holds now (the window)."""
        return len(self._window)

    def _column_specs(self) -> list[tuple[str, str, ContractSort | None]]:
        return [
            (key, header, sort)
            for key, header, sort, needs_values in _COLUMNS
            if self.values_visible or not needs_values
        ]

    def _header(self, header: str, sort: ContractSort | None, key: str) -> Text:
        label = Text(_(header), end="")
        if sort is not None and sort is self.sort_key:
            label.append(" " + direction_arrow(self.descending), style="bold")
        if key in ("monthly", "annual"):
            label.justify = "right"
        return label

    def ensure_columns(self) -> None:
        if self.columns:
            return
        for key, header, sort in self._column_specs():
            self.add_column(self._header(header, sort, key), key=key)

    def configure(self, *, values_visible: bool, sort: ContractSort, descending: bool) -> None:
        """Show a new list: rows cleared, columns rebuilt when the value rule changed."""
        rebuild = values_visible != self.values_visible or not self.columns
        self.values_visible = values_visible
        self.sort_key = sort
        self.descending = descending
        self._window = []
        self.row_offset = 0
        self.clear(columns=rebuild)
        if rebuild:
            self.ensure_columns()
        else:
            for key, header, column_sort in self._column_specs():
                self.columns[key].label = self._header(header, column_sort, key)  # type: ignore[index]
            self.refresh()

    def add_page(self, cells: PageCells, *, above: bool = False, keep: int | None = None) -> None:
        """Put a page below the window (or above it: scrolling back), then evict pages from
        the other end while more than ``keep`` remain.

        A page is evicted only when the view stays ``threshold`` rows away from the new
        edge, else the page would be asked for again at once (a view taller than the
        window makes the window grow instead). The cursor's contract and the view keep
        their rows of the list.
        """
        window = [cells, *self._window] if above else [*self._window, cells]
        offset = max(self.row_offset - len(cells), 0) if above else self.row_offset
        top = round(self.scroll_y) + (len(cells) if above else 0)  # first row in view
        view = self._visible_rows()
        rows = sum(len(page) for page in window)
        while keep is not None and len(window) > keep:
            edge = window[-1] if above else window[0]
            if above:
                if rows - len(edge) - (top + view) < self.threshold:
                    break
                window.pop()
            else:
                if top - len(edge) < self.threshold:
                    break
                window.pop(0)
                top -= len(edge)
                offset += len(edge)
            rows -= len(edge)
        self.show_window(window, offset)

    def show_window(
        self,
        pages: Sequence[PageCells],
        row_offset: int,
        *,
        cursor: int | None = None,
        top: int | None = None,
    ) -> None:
        """Hold exactly ``pages``, the first of them starting at row ``row_offset`` of the list.

        ``cursor`` and ``top`` are rows of the list (the cursor's and the first one in
        view); by default the current ones, so the contract under the cursor stays
        under it at the same place on screen. When the cursor's page was evicted
        (the view had been scrolled away from it), the cursor goes to the first row
        in view rather than pulling the view back to where it was. The moves made
        here post no NearEnd/NearStart: only the reader's own moves ask for pages.
        """
        cursor_at = self.absolute_row if cursor is None else cursor
        top_at = self.row_offset + round(self.scroll_y) if top is None else top
        self.ensure_columns()
        with self.prevent(DataTable.RowHighlighted, LazyTable.NearEnd, LazyTable.NearStart):
            self._hold(pages)
            self.row_offset = row_offset
            rows = self.row_count
            if rows == 0:
                return
            # The idle update computes the same height; setting it now lets the scroll
            # below reach its row instead of being clamped to the previous height.
            header = self.header_height if self.show_header else 0
            self.virtual_size = Size(self.virtual_size.width, rows + header)
            top_row = min(max(top_at - row_offset, 0), rows - 1)
            cursor_row = cursor_at - row_offset
            if not 0 <= cursor_row < rows:
                cursor_row = top_row
            self.scroll_to(y=top_row, animate=False, immediate=True, force=True)
            self.move_cursor(row=cursor_row, scroll=False)

    def _hold(self, pages: Sequence[PageCells]) -> None:
        """Make the table hold exactly the rows of ``pages``, in their order, in one pass.

        DataTable has no bulk removal: ``remove_row`` rebuilds the row index once per
        row removed (100 rows out of 400: ~25 ms), and ``clear()`` drops its render
        caches as rings of references that only a full garbage collection frees (a
        few MB per page, kept for good when full collections are held off). So the
        rows leaving are dropped here, the rows staying keep their measurements, the
        rows coming are added with ``add_row`` (measured on the next idle, as usual),
        and the order is set the way ``DataTable.sort`` sets it. Textual internals
        (``_data``, ``_row_locations``, ``_update_count``: every render cache is keyed
        by it), as of the pinned Textual 8.2.8; the browser's tests cover them.

        A contract is held once, in the first page that has it: a page fetched again
        after the data changed may repeat a neighbour's row.
        """
        wanted: list[str] = []
        staying: set[str] = set()
        self._window = []
        for page in pages:
            unique = tuple(row for row in page if row[0] not in staying)
            self._window.append(unique)
            wanted += [key for key, _cells in unique]
            staying.update(key for key, _cells in unique)
        leaving = [k for k in self.rows if k.value not in staying]
        for row_key in leaving:
            del self.rows[row_key]
            del self._data[row_key]
        if leaving:  # add_row appends at index row_count: the index must be whole before it
            kept = sorted(self.rows, key=lambda k: self._row_locations.get(k) or 0)
            self._row_locations = TwoWayDict({k: i for i, k in enumerate(kept)})
        for page in self._window:
            for key, row in page:
                if key not in self.rows:
                    self.add_row(*row, key=key)
        held = {row_key.value: row_key for row_key in self.rows}
        self._row_locations = TwoWayDict({held[key]: i for i, key in enumerate(wanted)})
        self._update_count += 1
        self.refresh()


class ContractTotalsPanel(Static):
    """Totals per status and currency (SQL aggregates); counts only when values are hidden."""

    def show_totals(self, totals: ContractTotals | None) -> None:
        self.update(self.render_totals(totals))

    @staticmethod
    def render_totals(totals: ContractTotals | None) -> Table | Text:
        if totals is None:
            return Text("")
        if not totals.lines:
            return Text(_("Totals: no contracts in this list"), style="dim")
        table = Table(box=None, padding=(0, 2, 0, 0), show_header=True, header_style="bold")
        table.add_column(Text(_("Totals")), no_wrap=True)
        table.add_column(Text(_("Currency")), no_wrap=True)
        table.add_column(Text(_("Contracts")), justify="right", no_wrap=True)
        if totals.values_visible:
            table.add_column(Text(_("Monthly")), justify="right", no_wrap=True)
            table.add_column(Text(_("Annual")), justify="right", no_wrap=True)
        for line in totals.lines:
            cells: list[Text] = [
                status_text(line.status),
                literal(line.currency),
                Text(count(line.count)),
            ]
            if totals.values_visible:
                cells += [
                    money_cell(line.monthly, line.currency, style="bold"),
                    money_cell(line.annual, line.currency, style="bold"),
                ]
            table.add_row(*cells)
        return table
