"""The audit log's lines of words (title, info, filter errors, preview), drawn from its state.

Pure functions of the state (and of one row), so the screen only places
widgets, forwards events and puts these where they belong.
"""

from __future__ import annotations

from rich.text import Text

from noc_console.i18n import _
from noc_console.screens.audit.state import FIELD_LABELS, AuditLogState
from noc_console.services.audit_query import AuditRow
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.money import count


def filter_field(widget_id: str, value: str, placeholder: str) -> Field:
    """A filter input with its label (see FIELD_LABELS) on its border."""
    field = Field(value=value, placeholder=placeholder, id=widget_id)
    field.border_title = _(FIELD_LABELS[widget_id])
    return field


def title_text(state: AuditLogState) -> Text:
    """Says whose events are listed: one customer (as filtered now) or everyone's."""
    text = Text(_("Audit log"), style="bold")
    customer_id = state.title_customer()
    if customer_id is not None:
        text.append("  —  " + _("customer #{id}").format(id=customer_id))
    else:
        text.append("  —  " + _("all customers"))
    return text


def info_text(state: AuditLogState) -> Text:
    """``Newest first │ 100 events loaded (more below)``; nothing after a refusal."""
    text = Text()
    if state.denied:
        return text
    paging = state.paging
    text.append(_("Newest first"), style="dim")
    text.append("  │  ", style="dim")
    if paging.loading_first:
        text.append(_("loading events…"), style="italic")
        return text
    text.append(_("{shown} events loaded").format(shown=count(state.rows_loaded)))
    if paging.loading_more:
        text.append("  " + _("loading more…"), style="italic")
    elif paging.next_cursor is not None:
        text.append("  " + _("(more below)"), style="dim")
    return text


def errors_text(errors: dict[str, str]) -> Text:
    """``From: a date as YYYY-MM-DD  ·  Until: …``: each filter's message after its label."""
    text = Text(style="bold red")
    for widget_id, message in errors.items():
        if len(text):
            text.append("  ·  ")
        text.append(f"{_(FIELD_LABELS[widget_id])}: {message}")
    return text


def preview_text(row: AuditRow) -> Text:
    """The highlighted event's whole summary, literally (the table cell may be cut)."""
    text = Text()
    text.append(_("Details") + ": ", style="bold")
    text.append(printable(row.summary) if row.summary else "—")
    text.append("   " + _("(enter: everything)"), style="dim")
    return text
