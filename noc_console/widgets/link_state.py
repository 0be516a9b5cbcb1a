"""A reset link's fate in words and a symbol, never a colour alone.

"✉ queued at 14:02", "✔ sent at 14:03", "↻ retrying (attempt 2 of 5, next at
14:10)", "✖ failed: "550 5.2.1 mailbox unavailable"", "⌛ expired, never sent".
The server's reply is shown literally (it is text we did not write). Times are
in the customer's zone: '14:30' today, '26/11 14:30' on another day. "of 5" is
the limit of the mailer that took the row (recorded in it), never this
console's own ``[mail]`` setting; a row no mailer has recorded one for says
"attempt 2" alone.

The Users tab's column says the same in a few words ("✔ sent 14:03", "↻ retry
2/5 14:10", "✖ failed: mailbox unavailable"), so that every column of the table
fits a 120-column terminal; the sentence is on the line under the table for the
selected user, and in the reset wizard.
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text

from noc_console.i18n import _
from noc_console.models import OutboxState
from noc_console.services.mailer import LinkStatus
from noc_console.widgets.cells import short_time
from noc_console.widgets.literal import printable

REPLY_SHOWN = 80
# "550 5.2.1 mailbox unavailable" -> "mailbox unavailable": the codes are for the sentence.
_SMTP_CODES = re.compile(r"^\s*\d{3}[ -]?(?:\d\.\d{1,3}\.\d{1,3}\s+)?")


# The symbol (and a colour that only repeats it) of each state, shared by both forms.
_MARKS: dict[OutboxState, tuple[str, str]] = {
    OutboxState.QUEUED: ("✉ ", ""),
    OutboxState.SENDING: ("↗ ", ""),
    OutboxState.SENT: ("✔ ", "green"),
    OutboxState.RETRYING: ("↻ ", "yellow"),
    OutboxState.FAILED: ("✖ ", "red"),
    OutboxState.EXPIRED: ("⌛ ", "dim"),
}


def _marked(state: OutboxState, words: str) -> Text:
    symbol, style = _MARKS[state]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(symbol, style=style)
    text.append(words)
    return text


def link_state_text(status: LinkStatus, *, tz: str, now: datetime) -> Text:
    """One line saying where the newest reset link stands."""
    state, n, total = status.state, status.attempts, status.max_attempts
    if state is OutboxState.QUEUED:
        words = _("queued at {time}").format(time=short_time(status.created_at, tz, now))
    elif state is OutboxState.SENDING:
        if total is None:
            words = _("sending (attempt {n})").format(n=n)
        else:
            words = _("sending (attempt {n} of {total})").format(n=n, total=total)
    elif state is OutboxState.SENT:
        words = _("sent at {time}").format(time=short_time(status.sent_at, tz, now))
    elif state is OutboxState.RETRYING:
        when = short_time(status.next_attempt_at, tz, now)
        if total is None:
            words = _("retrying (attempt {n}, next at {time})").format(n=n + 1, time=when)
        else:
            words = _("retrying (attempt {n} of {total}, next at {time})").format(
                n=n + 1, total=total, time=when
            )
    elif state is OutboxState.FAILED:
        reply = printable(status.last_error or "")[:REPLY_SHOWN]
        words = _('failed: "{reply}"').format(reply=reply)
    else:
        words = _("expired at {time}, never sent").format(
            time=short_time(status.expires_at, tz, now)
        )
    return _marked(state, words)


def short_reply(reply: str | None) -> str:
    """The server's reply without its SMTP codes, as literal one-line text."""
    text = printable(reply or "")[:REPLY_SHOWN]
    return _SMTP_CODES.sub("", text, count=1).strip() or text.strip()


def link_state_cell(status: LinkStatus, *, tz: str, now: datetime) -> Text:
    """The same state in a few words, for the Users tab's column."""
    state, n, total = status.state, status.attempts, status.max_attempts
    if state is OutboxState.QUEUED:
        words = _("queued {time}").format(time=short_time(status.created_at, tz, now))
    elif state is OutboxState.SENDING:
        if total is None:
            words = _("sending {n}").format(n=n)
        else:
            words = _("sending {n}/{total}").format(n=n, total=total)
    elif state is OutboxState.SENT:
        words = _("sent {time}").format(time=short_time(status.sent_at, tz, now))
    elif state is OutboxState.RETRYING:
        when = short_time(status.next_attempt_at, tz, now)
        if total is None:
            words = _("retry {n} {time}").format(n=n + 1, time=when)
        else:
            words = _("retry {n}/{total} {time}").format(n=n + 1, total=total, time=when)
    elif state is OutboxState.FAILED:
        words = _("failed: {reason}").format(reason=short_reply(status.last_error))
    else:
        words = _("expired {time}").format(time=short_time(status.expires_at, tz, now))
    return _marked(state, words)
