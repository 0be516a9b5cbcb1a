"""The "database unavailable — retrying" banner the app puts at the top of every screen.

The app owns the state (it retries the database in a worker and removes the
banners when it answers again); this widget only shows it. It uses
``split: top`` so it takes the first line of whatever screen it is mounted in,
above the header, without the screen having to leave room for it.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

from noc_console.i18n import _
from noc_console.widgets.literal import printable

MAX_REASON = 300
# scheme://user:password@host -> scheme://user:***@host (messages are masked already;
# this is a second line of defence for anything a screen posts).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^@\s]+@")
_SPACES = re.compile(r"\s+")


def one_line_reason(reason: str) -> str:
    """The reason on one line, any URL password masked, printable, at most MAX_REASON long."""
    masked = _URL_PASSWORD.sub(r"\g<head>***@", reason or "")
    flat = _SPACES.sub(" ", masked).strip()
    return printable(flat[:MAX_REASON])


def banner_text(reason: str) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("⚠ " + _("database unavailable — retrying…"), style="bold")
    shown = one_line_reason(reason)
    if shown:
        text.append("  ")
        text.append(shown)
    return text


class DbBanner(Static):
    """One line, on every screen while the database does not answer; words, not just colour."""

    DEFAULT_CSS = """
    DbBanner {
        split: top;
        height: 1;
        width: 100%;
        padding: 0 1;
        background: $error;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, reason: str) -> None:
        super().__init__(banner_text(reason), id="db-banner")
        self.reason = reason

    def show_reason(self, reason: str) -> None:
        """Update the reason (and the language, after a switch)."""
        self.reason = reason
        self.update(banner_text(reason))
