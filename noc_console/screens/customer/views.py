"""The customer view's rich renderables: the header, the escalation chain and its timeline, the
contract counts.

Plain Rich built from the service's DTO (every stored value shown literally),
apart from the screen so the screen only decides where each piece goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from noc_console.i18n import _, format_datetime
from noc_console.widgets.literal import literal, printable
from noc_console.widgets.results import customer_status

if TYPE_CHECKING:
    from noc_console.services.customers import ContractCounts, CustomerDetail, EscalationSummary


def customer_header(detail: CustomerDetail) -> Text:
    """Legal name and status, then the trade name and the CNPJ."""
    text = literal(detail.legal_name, style="bold")
    text.no_wrap = False
    text.append("   ")
    text.append_text(customer_status(detail.status))
    text.append("\n")
    if detail.trade_name:
        text.append(_("Trade name: "), style="dim")
        text.append(printable(detail.trade_name))
        text.append("   ")
    text.append(_("CNPJ: "), style="dim")
    text.append(detail.cnpj_formatted)
    return text


def chain_table(chain: EscalationSummary, tz: str) -> Table:
    """One row per level (who, how to reach them, the wait), captioned with the last change."""
    from noc_console.services.validation import format_phone

    table = Table(
        box=None, expand=True, show_header=True, header_style="bold", padding=(0, 2, 0, 0)
    )
    table.add_column(_("Level"), no_wrap=True, width=7)
    table.add_column(_("Name"), ratio=3)
    table.add_column(_("Role"), ratio=2)
    table.add_column(_("Phone"), no_wrap=True, width=18)
    table.add_column(_("E-mail"), ratio=3)
    table.add_column(_("Wait"), no_wrap=True, width=22)
    for level in chain.levels:
        if level.level == 1:
            wait = _("immediately")
        else:
            wait = _("{n} min after level {prev}").format(
                n=level.delay_minutes, prev=level.level - 1
            )
        table.add_row(
            Text(f"L{level.level}"),
            literal(level.name),
            literal(level.role_title or "—"),
            literal(format_phone(level.phone) if level.phone else "—"),
            literal(level.email or "—"),
            Text(wait),
        )
    caption = Text("\n")
    caption.append(_("Last changed: "), style="dim")
    caption.append(format_datetime(chain.updated_at, tz))
    if chain.updated_by:
        caption.append(" " + _("by") + " ")
        caption.append(printable(chain.updated_by))
    table.caption = caption
    table.caption_justify = "left"
    return table


def chain_timeline(chain: EscalationSummary, tz: str, now: datetime) -> Text:
    """When each level would be reached if an incident started ``now`` (the service computes it)."""
    from noc_console.services.escalation.timeline import timeline, timeline_text

    steps = timeline(chain.levels, now, tz=tz)
    text = Text()
    text.append(_("If an incident started now: "), style="bold")
    text.append(printable(timeline_text(steps, tz=tz)))
    return text


def contract_counts(counts: ContractCounts) -> Text:
    """Active, inactive and total contracts (never their values: the browser shows those)."""
    return Text.assemble(
        (_("Active contracts: "), "dim"),
        (str(counts.active), "bold"),
        "   ",
        (_("Inactive contracts: "), "dim"),
        (str(counts.inactive), "bold"),
        "   ",
        (_("Total: "), "dim"),
        (str(counts.total), "bold"),
    )
