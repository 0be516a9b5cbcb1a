"""The result step's line on a reset link's delivery (issue 14), with its timer and re-issue.

A self-contained piece of the wizard: it reads the link's state every few
seconds while the result shows and the link can still change (``LinkPoll``),
and re-issues a link whose mail failed. The rules (when the link is followed,
when a re-issue is offered, which answer is stale) stay in ``ResetState``,
shared with the wizard, whose key (``ctrl+r``) and message line this widget is
handed.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.widgets import Static

from noc_console.i18n import _
from noc_console.screens.reset.calls import run_service_call
from noc_console.screens.reset.failure import failure_line
from noc_console.screens.reset.keys import bound_key
from noc_console.screens.reset.link_calls import (
    POLL_SECONDS,
    LinkPolled,
    LinkPollFailed,
    LinkReissued,
    ReissueFailed,
    newest_link,
    reissue,
)
from noc_console.screens.reset.state import ResetState
from noc_console.screens.reset.views import link_text
from noc_console.services.context import Principal, ServiceContext
from noc_console.widgets.link_poll import LinkPoll
from noc_console.widgets.literal import printable


class LinkFollow(Static):
    """Where the reset link stands; hidden until a reset by link shows its result."""

    def __init__(
        self,
        state: ResetState,
        ctx: ServiceContext,
        principal: Principal,
        user_id: int,
        *,
        say: Callable[[str], None],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.display = False
        self.state = state
        self.ctx = ctx
        self.principal = principal
        self.user_id = user_id
        self._say = say  # the wizard's message line
        self._link_poll: LinkPoll | None = None

    def start(self) -> None:
        """The result of a reset by link shows: follow its delivery from now on."""
        self.display = True
        self.show()
        self.poll()
        self._link_poll = LinkPoll(self, POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Read the link's state once (what the timer does every few seconds)."""
        if not self.state.follows_link() or not self.is_attached:
            return
        run_service_call(
            self,
            "reset-link",
            lambda: newest_link(self.ctx, self.principal, self.user_id),
            LinkPolled,
            LinkPollFailed,
        )

    def show(self) -> None:
        key = bound_key(self.screen, "reset.reissue") if self.state.can_reissue() else None
        self.update(
            link_text(
                self.state.link, tz=self.state.timezone(), now=self.ctx.clock.now(), reissue=key
            )
        )
        self.refresh_bindings()

    def reissue(self) -> None:
        """The wizard's re-issue key: a new link replaces one whose mail failed."""
        link = self.state.link
        if not self.state.can_reissue() or link is None:
            return
        self.state.reissuing = True
        self._say("")
        self.show()
        run_service_call(
            self,
            "reset-reissue",
            lambda: reissue(self.ctx, self.principal, link.outbox_id),
            LinkReissued,
            ReissueFailed,
        )

    @on(LinkPolled)
    def _polled(self, message: LinkPolled) -> None:
        if not self.state.accept_link(message.status):
            return  # a read that left before the re-issue: the failed link it saw is gone
        self.show()
        if self._link_poll is not None:
            self._link_poll.follow(self.state.link_settled())

    @on(LinkPollFailed)
    def _poll_failed(self, message: LinkPollFailed) -> None:
        """The next tick tries again; the banner (if the database is gone) says the rest."""

    @on(LinkReissued)
    def _reissued(self, message: LinkReissued) -> None:
        self.state.reissued(message.reissued.outbox_id)
        if self._link_poll is not None:
            self._link_poll.follow(settled=False)  # a new link: follow it until it is final
        self.notify(
            _("A new reset link was queued to {email}; the failed one no longer works.").format(
                email=printable(message.reissued.email_masked)
            ),
            markup=False,
        )
        self.show()
        self.poll()

    @on(ReissueFailed)
    def _reissue_failed(self, message: ReissueFailed) -> None:
        self.state.reissuing = False
        self._say(failure_line(message.failure))
        self.show()
        self.poll()
