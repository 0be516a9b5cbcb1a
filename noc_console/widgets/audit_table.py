"""Audit events as table rows and as a readable key: value sheet (the details dialog).

Everything here was written by someone else (operators, portal users,
customers' data in subjects): it is shown literally, control characters as
visible escapes, long values cut in the table but complete in the sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.widgets.data_table import ColumnKey

from noc_console import i18n
from noc_console.i18n import N_, _
from noc_console.services.audit_query import AuditRow
from noc_console.widgets.cells import literal
from noc_console.widgets.lazy_table import NoEnterTable
from noc_console.widgets.literal import printable

DASH = "—"


def who(row: AuditRow) -> str | None:
    """The operator's username, or the portal user's login marked as such."""
    if row.operator_username:
        return row.operator_username
    if row.portal_login:
        return _("portal: {login}").format(login=row.portal_login)
    return None


def customer_label(row: AuditRow) -> str | None:
    if row.customer_id is None:
        return None
    if row.customer_name:
        return f"#{row.customer_id} {row.customer_name}"
    return f"#{row.customer_id}"


# Column key -> (header msgid, widest cell shown); details takes what is left.
_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("when", N_("When"), 18),
    ("operator", N_("Operator"), 12),
    ("action", N_("Action"), 24),
    ("customer", N_("Customer"), 18),
    ("subject", N_("Subject"), 12),
    ("ticket", N_("Ticket"), 10),
)
MIN_DETAILS_WIDTH = 8


class AuditTable(NoEnterTable):
    """Newest first, one row per event keyed by its id; enter belongs to the screen (details).

    Seven columns do not fit 120 cells at their natural widths, so the last one
    (the details summary) gets whatever the others leave, cut with an
    ellipsis; the screen shows the highlighted event's summary in full below.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._widest: dict[str, int] = {}

    def ensure_columns(self) -> None:
        if self.columns:
            return
        for key, header, _limit in _COLUMNS:
            label = Text(_(header))
            self._widest[key] = cell_len(label.plain)
            self.add_column(label, key=key)
        self.add_column(Text(_("Details")), key="details", width=MIN_DETAILS_WIDTH)

    def _details_width(self) -> int:
        # Room for the vertical scrollbar is always kept: it appears only after the rows
        # are laid out, and the last column must not be pushed off screen when it does.
        outer = self.size.width or max(self.app.size.width - 2, 0)
        width = outer - self.styles.scrollbar_size_vertical
        others = sum(w + 2 * self.cell_padding for w in self._widest.values())
        return max(MIN_DETAILS_WIDTH, width - others - 2 * self.cell_padding)

    def _fit_details(self) -> None:
        column = self.columns.get(ColumnKey("details"))
        if column is not None:
            column.width = self._details_width()

    def on_resize(self) -> None:
        self._fit_details()

    def add_events(self, rows: Iterable[AuditRow]) -> int:
        self.ensure_columns()
        limits = {key: limit for key, _header, limit in _COLUMNS}
        added = 0
        for row in rows:
            key = str(row.id)
            if key in self.rows:
                continue
            cells = {
                "when": Text(i18n.format_datetime(row.occurred_at), end=""),
                "operator": literal(who(row), limit=limits["operator"], empty=DASH),
                "action": literal(row.action, limit=limits["action"], style="bold"),
                "customer": literal(customer_label(row), limit=limits["customer"], empty=DASH),
                "subject": literal(row.subject, limit=limits["subject"], empty=DASH),
                "ticket": literal(row.ticket_ref, limit=limits["ticket"], empty=DASH),
            }
            for name, cell in cells.items():
                self._widest[name] = max(self._widest[name], cell_len(cell.plain))
            summary = literal(row.summary, style="dim")
            summary.overflow = "ellipsis"
            self.add_row(*cells.values(), summary, key=key)
            added += 1
        self._fit_details()
        return added


def _value(value: Any) -> str:
    if value is None:
        return DASH
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) if value else DASH
    return printable(str(value))


def _detail_lines(details: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for key, value in details.items():
        name = f"{prefix}{printable(str(key))}"
        if isinstance(value, Mapping) and value:
            lines += _detail_lines(value, f"{name}.")
        else:
            lines.append((name, _value(value) if not isinstance(value, Mapping) else DASH))
    return lines


def event_sheet(row: AuditRow) -> Table:
    """Every field of the event as ``key: value`` lines, details expanded one key a line."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    fields: list[tuple[str, str | None]] = [
        (_("When"), i18n.format_datetime(row.occurred_at) + " (America/Sao_Paulo)"),
        (_("Operator"), who(row)),
        (_("Action"), row.action),
        (_("Customer"), customer_label(row)),
        (_("Subject"), row.subject),
        (_("Ticket"), row.ticket_ref),
        (_("Reason"), row.reason),
    ]
    for label, value in fields:
        table.add_row(Text(label + ":"), Text(printable(value) if value else DASH))
    table.add_row(Text(""), Text(""))
    table.add_row(Text(_("Details") + ":"), Text("" if row.details else DASH))
    for key, value in _detail_lines(row.details):
        table.add_row(Text("  " + key + ":", style=""), Text(value))
    return table
