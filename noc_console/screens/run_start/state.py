"""Starting a run: what the dialog warns about before the operator confirms (plain data)."""

from __future__ import annotations

from noc_console.i18n import _, ngettext
from noc_console.services.escalation_runs.dto import RunSummary


def open_runs_warning(runs: tuple[RunSummary, ...]) -> str:
    """'⚠ 1 run already open for this customer: INC-…' or nothing."""
    if not runs:
        return ""
    tickets = ", ".join(r.ticket_ref for r in runs[:3])
    head = ngettext(
        "⚠ {n} escalation run already open for this customer: {tickets}",
        "⚠ {n} escalation runs already open for this customer: {tickets}",
        len(runs),
    ).format(n=len(runs), tickets=tickets)
    return head + " " + _("(starting another is allowed)")
