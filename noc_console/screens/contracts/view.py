"""The contract browser's lines of words (title, where the cursor is), drawn from its state.

Kept apart from the screen so the screen only places widgets and forwards
events; these are pure functions of the state and the table's position.
"""

from __future__ import annotations

from rich.text import Text

from noc_console.i18n import _
from noc_console.screens.contracts.state import ContractBrowserState
from noc_console.widgets.cells import literal
from noc_console.widgets.contract_table import sort_description
from noc_console.widgets.money import count


def title_text(customer_name: str) -> Text:
    return Text.assemble(
        (_("Contracts of "), "bold"),
        literal(customer_name, limit=80, style="bold"),
    )


def info_text(state: ContractBrowserState, *, position: int, rows: int) -> Text:
    """``Sorted by: number ▲ ascending │ contract 12 of 450 (more below)``.

    ``position`` is the cursor's row in the whole list (0-based), ``rows`` the rows held.
    """
    query, paging = state.query, state.paging
    text = Text()
    text.append(_("Sorted by: "), style="dim")
    text.append(sort_description(query.sort, query.descending), style="bold")
    text.append("  │  ", style="dim")
    total = state.total_count
    shown = count(position + 1)
    if paging.loading_first:
        text.append(_("loading contracts…"), style="italic")
    elif rows == 0:
        text.append(_("{shown} contracts loaded").format(shown=count(0)))
    elif total is not None:
        text.append(_("contract {position} of {total}").format(position=shown, total=count(total)))
    else:
        text.append(_("contract {position}").format(position=shown))
    if paging.loading_more:
        text.append("  " + _("loading more…"), style="italic")
    elif state.more_below:
        text.append("  " + _("(more below)"), style="dim")
    return text
