"""The Users and Escalation tabs of the customer view, filled from the customer's DTO.

``root`` is the customer screen (the tabs' widgets are found by id in it);
what the notes say comes from ``CustomerState``, the renderables from ``views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from noc_console.i18n import _
from noc_console.screens.customer.views import chain_table, chain_timeline
from noc_console.widgets.user_table import UserTable

if TYPE_CHECKING:
    from datetime import datetime

    from textual.dom import DOMNode

    from noc_console.clock import Clock
    from noc_console.screens.customer.state import CustomerState
    from noc_console.services.customers import CustomerDetail


def show_users(
    root: DOMNode,
    state: CustomerState,
    detail: CustomerDetail,
    now: datetime,
    select_user: int | None,
) -> None:
    """The users with their state in words (each reset link's delivery state is a column of
    ``UserTable`` too, filled by the link watch)."""
    table = root.query_one(UserTable)
    table.show_users(detail.users, detail.timezone, now, select=select_user)
    root.query_one("#users-note", Static).update(state.users_note(detail))


def show_escalation(
    root: DOMNode, state: CustomerState, detail: CustomerDetail, clock: Clock
) -> None:
    """The chain's levels and, when there are any, when each would be reached from now."""
    summary = root.query_one("#escalation-summary", Static)
    timeline = root.query_one("#escalation-timeline", Static)
    note = root.query_one("#escalation-note", Static)
    chain = detail.escalation
    if chain is None or not chain.levels:
        summary.update(_("No escalation chain registered for this customer."))
        timeline.display = False
    else:
        summary.update(chain_table(chain, detail.timezone))
        timeline.update(chain_timeline(chain, detail.timezone, clock.now()))
        timeline.display = True
    note.update(state.escalation_note())
    note.display = bool(state.escalation_note())
