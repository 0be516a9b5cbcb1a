"""The contract list and its totals: DTOs in, literal text and Babel money out.

Whether values are shown is decided by the service (``values_visible`` in
the DTOs): without it the value columns do not exist at all, not even empty,
so nothing on screen hints at an amount or at the values' order.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from noc_console.i18n import N_, _
from noc_console.models import ContractStatus
from noc_console.services.contracts import ContractRow, ContractSort, ContractTotals
from noc_console.widgets.cells import literal
from noc_console.widgets.lazy_table import LazyTable
from noc_console.widgets.money import count, money_cell, short_date

NUMBER_WIDTH = 16
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
    """One row per contract, keyed by contract id (a page can never add a row twice)."""

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
        self.clear(columns=rebuild)
        if rebuild:
            self.ensure_columns()
        else:
            for key, header, column_sort in self._column_specs():
                self.columns[key].label = self._header(header, column_sort, key)  # type: ignore[index]
            self.refresh()

    def _cells(self, row: ContractRow) -> list[Text]:
        cells = [
            literal(row.number, limit=NUMBER_WIDTH, style="bold"),
            literal(
                row.service_name,
                limit=SERVICE_WIDTH if self.values_visible else SERVICE_WIDTH_WITHOUT_VALUES,
            ),
            status_text(row.status),
            Text(short_date(row.start_date), end=""),
            end_text(row),
        ]
        if self.values_visible:
            cells += [
                money_cell(row.monthly_value, row.currency),
                money_cell(row.annual_value, row.currency),
            ]
        cells.append(ending_text(row.ends_within_days))
        return cells

    def add_contracts(self, rows: Iterable[ContractRow]) -> int:
        """Append rows not shown yet; returns how many were added."""
        self.ensure_columns()
        added = 0
        for row in rows:
            key = str(row.id)
            if key in self.rows:
                continue
            self.add_row(*self._cells(row), key=key)
            added += 1
        return added


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
