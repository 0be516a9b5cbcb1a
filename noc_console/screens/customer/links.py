"""The Users tab's reset-link column: read in a worker on a timer while the view is open.

One cheap query for all the users of the customer (``mailer.link_statuses``),
every ``POLL_SECONDS`` while a link shown can still change (``LinkPoll``), and
never two at once; the answer comes back as a message and only updates the
column's cells. Every load of the customer (the view reloads when the analyst
comes back from the reset wizard) reads them again and resumes the timer.

The column says each link's state in a few words (so that every column fits
120 terminal columns); ``LinkDetail``, the line under the table, says the
selected user's state and link state in full sentences.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from noc_console.errors import DomainError
from noc_console.i18n import _
from noc_console.services.customers import PortalUserInfo
from noc_console.services.mailer import LinkStatus, settled
from noc_console.widgets.link_poll import LinkPoll
from noc_console.widgets.link_state import link_state_cell, link_state_text
from noc_console.widgets.literal import literal
from noc_console.widgets.user_table import user_state

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.customers import CustomerDetail
    from noc_console.widgets.user_table import UserTable

log = logging.getLogger(__name__)

POLL_SECONDS = 3.0

__all__ = [
    "POLL_SECONDS",
    "LinkDetail",
    "LinkWatch",
    "LinksLoaded",
    "link_cells",
    "link_sentences",
]


@dataclass
class LinksLoaded(Message):
    statuses: dict[int, LinkStatus]
    now: datetime


def link_cells(statuses: dict[int, LinkStatus], *, tz: str, now: datetime) -> dict[int, Text]:
    """The column's cells: each link's state in a few words."""
    return {
        user_id: link_state_cell(status, tz=tz, now=now) for user_id, status in statuses.items()
    }


def link_sentences(statuses: dict[int, LinkStatus], *, tz: str, now: datetime) -> dict[int, Text]:
    """The same states as full sentences (the server's whole reply), for ``LinkDetail``."""
    return {
        user_id: link_state_text(status, tz=tz, now=now) for user_id, status in statuses.items()
    }


def detail_line(user: PortalUserInfo, sentence: Text, tz: str, now: datetime) -> Text:
    """'João da Silva (joao.silva) · ⏳ temporary password expires 26/11 10:10 · Reset link:
    ✔ sent at 14:03': what the narrow columns may have cut."""
    text = Text()  # wraps: the server's whole reply is shown here
    text.append_text(literal(user.full_name))
    text.append(" (")
    text.append_text(literal(user.login))
    text.append(")")
    text.append(" · ")
    text.append_text(user_state(user, tz, now))
    text.append(" · ")
    text.append(_("Reset link:") + " ", style="bold")
    text.append_text(sentence)
    return text


class LinkDetail(Static):
    """The selected user's link in words, under the table; hidden while they have none (so
    a customer without reset links looks as before)."""

    DEFAULT_CSS = """
    LinkDetail {
        height: auto;
        padding: 0 1;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sentences: dict[int, Text] = {}
        self._zone = ("America/Sao_Paulo", datetime.min)

    def show_links(self, sentences: dict[int, Text], tz: str, now: datetime) -> None:
        self.sentences = dict(sentences)
        self._zone = (tz, now)

    def follow(self, user: PortalUserInfo | None) -> None:
        """Say the link of ``user`` (the cursor's), or hide when they have none."""
        sentence = self.sentences.get(user.id) if user is not None else None
        if user is None or sentence is None:
            self.display = False
            return
        tz, now = self._zone
        self.update(detail_line(user, sentence, tz, now))
        self.display = True


class LinkWatch:
    """The reads behind the column: one at a time, in a thread worker of the customer view,
    answered by a ``LinksLoaded`` message to it."""

    def __init__(self, node: DOMNode, ctx: ServiceContext, principal: Principal) -> None:
        self.node = node
        self.ctx = ctx
        self.principal = principal
        self.poll: LinkPoll | None = None

    def start(self, tick: Callable[[], object]) -> None:
        """The timer: ``tick`` every ``POLL_SECONDS`` until the links shown are all final."""
        self.poll = LinkPoll(self.node, POLL_SECONDS, tick)

    def resume(self) -> None:
        """The customer was loaded again (a reset may have issued a link): follow again."""
        if self.poll is not None:
            self.poll.follow(settled=False)

    def read(self, user_ids: tuple[int, ...]) -> None:
        """Start a read of these users' links (a newer read replaces one still running)."""
        self.node.run_worker(
            partial(self._read, user_ids),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="customer-links",
        )

    def _read(self, user_ids: tuple[int, ...]) -> None:
        from noc_console.services import mailer

        try:
            statuses = mailer.link_statuses(self.ctx, self.principal, user_ids)
        except DomainError:
            return  # the customer's own load says what is wrong with the database
        if get_current_worker().is_cancelled:
            return  # a newer read replaced this one: its answer must not overwrite the newer
        self.node.post_message(LinksLoaded(statuses, self.ctx.clock.now()))

    def show(
        self,
        message: LinksLoaded,
        detail: CustomerDetail,
        table: UserTable,
        line: LinkDetail,
        selected: PortalUserInfo | None,
    ) -> None:
        """The answer: the column's cells, and the line under the table for ``selected``."""
        cells = link_cells(message.statuses, tz=detail.timezone, now=message.now)
        table.show_links(cells)
        sentences = link_sentences(message.statuses, tz=detail.timezone, now=message.now)
        line.show_links(sentences, detail.timezone, message.now)
        line.follow(selected)
        if self.poll is not None:
            self.poll.follow(settled(message.statuses.values()))
