"""Table cells built from stored or typed text, shown literally and kept on one line.

DataTable parses a plain ``str`` cell as Rich markup, so a contract named
``[bold]x`` would render bold (or fail on ``[/]``). Every cell of the console's
tables is therefore a ``Text``; control and format characters (escape
sequences, NUL, bidi overrides) are shown as visible stand-ins (``widgets.literal``)
so nothing typed by a customer can move the cursor or flip an operator's line.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from noc_console.services.escalation.timeline import customer_zone
from noc_console.widgets.literal import printable

ELLIPSIS = "…"


def short_time(value: datetime | None, tz: str, now: datetime) -> str:
    """'14:30' today in the customer's zone, '26/11 14:30' on another day, '—' for none."""
    if value is None:
        return "—"
    zone = customer_zone(tz)
    local = value.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def shorten(value: str, limit: int | None) -> str:
    """Cut to ``limit`` characters with an ellipsis, so one long name cannot widen a column."""
    if limit is None or len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)] + ELLIPSIS


def literal(
    value: str | None,
    *,
    limit: int | None = None,
    style: str = "",
    justify: str | None = None,
    empty: str = "",
) -> Text:
    """A one-line cell holding ``value`` exactly as written (never markup)."""
    shown = shorten(printable(value), limit) if value else empty
    return Text(shown, style=style, no_wrap=True, end="", justify=justify)  # type: ignore[arg-type]
