"""What the lookup says around its table: the status line, "nothing found" and the search guide.

Rich text built from the lookup's state, apart from the screen so the words
can be read (and tested) without a running app.
"""

from __future__ import annotations

from rich.text import Text

from noc_console.i18n import _, ngettext
from noc_console.screens.lookup.state import SHORT_TERM, LookupState
from noc_console.widgets.literal import printable


def status_line(state: LookupState, term: str) -> Text:
    """Searching…, how to start, or how many customers (and whether more may match)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if state.searching:
        text.append(_("Searching…"), style="dim")
        return text
    if not term.strip():
        text.append(
            _("Type to search: results appear as you type; enter opens the first one."),
            style="dim",
        )
        return text
    if not state.hits:
        return text
    count = len(state.hits)
    text.append(ngettext("{n} customer", "{n} customers", count).format(n=count), style="bold")
    if state.next_cursor:
        text.append("  ·  ")
        text.append(_("more below: go to the last row or press ctrl+n"), style="dim")
    if state.truncated:
        text.append("  ·  ")
        text.append(_("more customers may match: type more of the term"), style="dim")
    return text


def nothing_found(term: str) -> Text:
    """No match for ``term``: say so, then what can be searched."""
    text = Text()
    text.append(_("No customer matches "), style="bold")
    text.append("“" + printable(term.strip()) + "”", style="bold")
    text.append(".\n\n")
    text.append_text(search_guide())
    if len(term.strip()) < SHORT_TERM:
        text.append("\n\n")
        text.append(
            _(
                "Terms shorter than 3 characters only match the start of a value;"
                " type more to search inside names."
            ),
            style="italic",
        )
    return text


def search_guide() -> Text:
    """Every way a caller can identify a customer."""
    text = Text()
    text.append(_("You can search by:") + "\n")
    for line in (
        _("company name or trade name"),
        _("CNPJ, with or without dots and slash (e.g. 11.222.333/0001-81)"),
        _("portal user login, name or e-mail"),
        _("contract number (e.g. CT-2024-000123)"),
        _("escalation contact name, phone or e-mail"),
    ):
        text.append("  • " + line + "\n")
    text.rstrip()
    return text
