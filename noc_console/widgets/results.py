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
from noc_console.services.search.dto import CustomerHit, MatchField
from noc_console.services.validation import format_phone
from noc_console.text import format_cnpj
from noc_console.widgets.literal import literal, printable
from noc_console.widgets.record_table import RecordTable

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
    start = len(text)
    text.append(printable(value))
    if hit.similar_to:  # a typo forgiven: say what the typed word was taken for (issue 16)
        # The word is underlined in the name too: a narrow column cuts the words after it,
        # never the name the analyst reads back to the caller.
        word = printable(hit.similar_to)
        at = text.plain.find(word, start)
        if at >= 0:
            text.stylize("underline", at, at + len(word))
        before, _sep, after = _("(similar to {word})").partition("{word}")
        text.append(" " + before, style="dim")
        text.append(word, style="italic")
        text.append(after, style="dim")
    return text


def customer_name(legal_name: str, trade_name: str | None) -> Text:
    """Legal name, then the trade name when it says something more."""
    text = literal(legal_name, style="bold")
    if trade_name and trade_name.strip() and trade_name != legal_name:
        text.append(" · ", style="dim")
        text.append(printable(trade_name))
    return text


_ORIGIN = Coordinate(0, 0)


def _cells(hit: CustomerHit) -> tuple[Text, Text, Text, Text]:
    """The four cells of a hit's row, in column order."""
    return (
        customer_name(hit.legal_name, hit.trade_name),
        Text(format_cnpj(hit.cnpj), no_wrap=True),
        customer_status(hit.status),
        match_reason(hit),
    )


class ResultsTable(RecordTable[CustomerHit]):
    """Search hits, one row each; ``records`` keeps the DTOs in row order."""

    COLUMNS = (
        ("customer", N_("Customer"), 42),
        ("cnpj", N_("CNPJ"), 18),
        ("status", N_("Status"), 12),
        ("why", N_("Why it matched"), 38),
    )

    def show_hits(self, hits: Sequence[CustomerHit], *, append: bool = False) -> None:
        """Replace the rows (a new search) or add a page below them (more results).

        A new search rewrites in place the rows it can keep (row ``i`` is always
        key ``str(i)``) and only adds or removes the difference: while typing, 50
        rows follow 50 rows, and clearing the table re-created every row and had
        every cell measured again on the next idle (UI-thread time on every
        refill, and the slower tail of "answer -> painted"; issue 5). The
        operator sees what a clear gave: the new rows, the cursor on the first
        one (announced with one ``RowHighlighted``), scrolled to the top.
        """
        self._ensure_columns()
        if append or not hits or not self.records or self.row_count != len(self.records):
            if not append:
                self.clear()
                self.records = []
            for hit in hits:
                self._add_hit(hit)
            return
        if self.cursor_coordinate != _ORIGIN:
            self.cursor_coordinate = _ORIGIN  # first, so no removal below moves it again
        else:
            self.post_message(self.RowHighlighted(self, 0, RowKey("0")))  # as a clear would
        self.hover_coordinate = _ORIGIN
        keep = min(len(self.records), len(hits))
        for index in range(len(self.records) - 1, keep - 1, -1):  # from the end: no re-indexing
            self.remove_row(str(index))
        self.records = list(hits[:keep])
        columns = [key for key, _label, _width in self.COLUMNS]
        for index, hit in enumerate(self.records):
            for column, cell in zip(columns, _cells(hit), strict=True):
                self.update_cell(str(index), column, cell)
        for hit in hits[keep:]:
            self._add_hit(hit)
        self.scroll_x = self.scroll_y = 0
        self.scroll_target_x = self.scroll_target_y = 0

    def _add_hit(self, hit: CustomerHit) -> None:
        self.add_row(*_cells(hit), key=str(len(self.records)))
        self.records.append(hit)

    def hit_at_cursor(self) -> CustomerHit | None:
        return self.record_at_cursor()
