"""The lookup's result table: customer, CNPJ, status in words, and why each one matched.

Every value comes from the database or from what someone typed, so every
cell is a ``Text`` (a DataTable parses plain strings as markup) with control
characters made visible (widgets/literal.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from noc_console.i18n import N_, _
from noc_console.services.customers import CustomerHit, MatchField
from noc_console.services.validation import format_phone
from noc_console.text import format_cnpj
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


class ResultsTable(DataTable[Text]):
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
        self.add_column(_("Customer"), width=42, key="customer")
        self.add_column(_("CNPJ"), width=18, key="cnpj")
        self.add_column(_("Status"), width=12, key="status")
        self.add_column(_("Why it matched"), width=38, key="why")

    def show_hits(self, hits: Sequence[CustomerHit], *, append: bool = False) -> None:
        """Replace the rows (a new search) or add a page below them (more results)."""
        self._ensure_columns()
        if not append:
            self.clear()
            self.hits = []
        for hit in hits:
            self.add_row(
                customer_name(hit.legal_name, hit.trade_name),
                Text(format_cnpj(hit.cnpj), no_wrap=True),
                customer_status(hit.status),
                match_reason(hit),
                key=str(len(self.hits)),
            )
            self.hits.append(hit)

    def hit_at_cursor(self) -> CustomerHit | None:
        row = self.cursor_row
        if not self.hits or not 0 <= row < len(self.hits):
            return None
        return self.hits[row]
