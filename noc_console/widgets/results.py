"""The lookup's result table: customer, CNPJ, status in words, and why each one matched.

Every value comes from the database or from what someone typed, so every
cell is a ``Text`` (a DataTable parses plain strings as markup) with control
characters made visible (widgets/literal.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets.data_table import RowKey

from noc_console.i18n import N_, _
from noc_console.services.customers import CustomerHit, MatchField
from noc_console.services.validation import format_phone
from noc_console.text import format_cnpj
from noc_console.widgets.line_table import LineTable
from noc_console.widgets.literal import literal, printable

# Symbol + word: a status is never told by colour alone.
CUSTOMER_STATUS: dict[str, tuple[str, str, str]] = {
    "active": ("●", N_("active"), "green"),
    "suspended": ("◐", N_("suspended"), "yellow"),
    "closed": ("○", N_("closed"), "red"),
}

MATCH_LABELS: dict[MatchField, str] = {
    MatchField.CNPJ: N_("CNPJ"),
    MatchField.LEGAL_NAME: N_("legal name"),
    MatchField.TRADE_NAME: N_("trade name"),
    MatchField.CONTRACT_NUMBER: N_("contract"),
    MatchField.LOGIN: N_("user login"),
    MatchField.USER_EMAIL: N_("user e-mail"),
    MatchField.USER_NAME: N_("user name"),
    MatchField.CONTACT_PHONE: N_("contact phone"),
    MatchField.CONTACT_EMAIL: N_("contact e-mail"),
    MatchField.CONTACT_NAME: N_("escalation contact"),
}


def customer_status(status: str) -> Text:
    """'● active' / '◐ suspended' / '○ closed' (an unknown status is shown as stored)."""
    symbol, label, colour = CUSTOMER_STATUS.get(status, ("?", "", ""))
    word = _(label) if label else printable(status)
    text = Text(no_wrap=True)
    text.append(symbol + " ", style=colour)
    text.append(word)
    return text


def match_reason(hit: CustomerHit) -> Text:
    """Why this customer is in the results: 'user login: joao.silva'."""
    value = hit.match_value
    if hit.match_field is MatchField.CONTACT_PHONE:
        value = format_phone(value)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_(MATCH_LABELS.get(hit.match_field, N_("match"))) + ": ", style="dim")
    text.append(printable(value))
    return text


def customer_name(legal_name: str, trade_name: str | None) -> Text:
    """Legal name, then the trade name when it says something more."""
    text = literal(legal_name, style="bold")
    if trade_name and trade_name.strip() and trade_name != legal_name:
        text.append(" · ", style="dim")
        text.append(printable(trade_name))
    return text


_COLUMNS = ("customer", "cnpj", "status", "why")
_ORIGIN = Coordinate(0, 0)


def _cells(hit: CustomerHit) -> tuple[Text, Text, Text, Text]:
    """The four cells of a hit's row, in column order."""
    return (
        customer_name(hit.legal_name, hit.trade_name),
        Text(format_cnpj(hit.cnpj), no_wrap=True),
        customer_status(hit.status),
        match_reason(hit),
    )


class ResultsTable(LineTable):
    """Search hits, one row each; ``hits`` keeps the DTOs in row order."""

    DEFAULT_CSS = """
    ResultsTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.hits: list[CustomerHit] = []

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        if self.columns:
            return
        customer, cnpj, status, why = _COLUMNS
        self.add_column(_("Customer"), width=42, key=customer)
        self.add_column(_("CNPJ"), width=18, key=cnpj)
        self.add_column(_("Status"), width=12, key=status)
        self.add_column(_("Why it matched"), width=38, key=why)

    def show_hits(self, hits: Sequence[CustomerHit], *, append: bool = False) -> None:
        """Replace the rows (a new search) or add a page below them (more results).

        A new search rewrites in place the rows it can keep (row ``i`` is always
        key ``str(i)``) and only adds or removes the difference: while typing, 50
        rows follow 50 rows, and clearing the table re-created every row and had
        every cell measured again on the next idle (~3 ms of the UI thread per
        refill, and the slower tail of "answer -> painted"; issue 5). The
        operator sees what a clear gave: the new rows, the cursor on the first
        one (announced with one ``RowHighlighted``), scrolled to the top.
        """
        self._ensure_columns()
        if append or not hits or not self.hits or self.row_count != len(self.hits):
            if not append:
                self.clear()
                self.hits = []
            for hit in hits:
                self._add_hit(hit)
            return
        if self.cursor_coordinate != _ORIGIN:
            self.cursor_coordinate = _ORIGIN  # first, so no removal below moves it again
        else:
            self.post_message(self.RowHighlighted(self, 0, RowKey("0")))  # as a clear would
        self.hover_coordinate = _ORIGIN
        keep = min(len(self.hits), len(hits))
        for index in range(len(self.hits) - 1, keep - 1, -1):  # from the end: no re-indexing
            self.remove_row(str(index))
        self.hits = list(hits[:keep])
        for index, hit in enumerate(self.hits):
            for column, cell in zip(_COLUMNS, _cells(hit), strict=True):
                self.update_cell(str(index), column, cell)
        for hit in hits[keep:]:
            self._add_hit(hit)
        self.scroll_x = self.scroll_y = 0
        self.scroll_target_x = self.scroll_target_y = 0

    def _add_hit(self, hit: CustomerHit) -> None:
        self.add_row(*_cells(hit), key=str(len(self.hits)))
        self.hits.append(hit)

    def hit_at_cursor(self) -> CustomerHit | None:
        row = self.cursor_row
        if not self.hits or not 0 <= row < len(self.hits):
            return None
        return self.hits[row]
