"""The result step's reset link: its state read on a timer, and the re-issue of a failed one.

Both run in thread workers (``run_service_call``) and answer by message; a
failure comes back as plain words, never the exception.
"""

from __future__ import annotations

from textual.message import Message

from noc_console.screens.reset.failure import Failure
from noc_console.services import mailer
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.mailer import LinkStatus, Reissued

POLL_SECONDS = 2.0


class LinkPolled(Message):
    def __init__(self, status: LinkStatus | None) -> None:
        super().__init__()
        self.status = status


class LinkPollFailed(Message):
    def __init__(self, failure: Failure) -> None:
        super().__init__()
        self.failure = failure


class LinkReissued(Message):
    def __init__(self, reissued: Reissued) -> None:
        super().__init__()
        self.reissued = reissued


class ReissueFailed(Message):
    def __init__(self, failure: Failure) -> None:
        super().__init__()
        self.failure = failure


def newest_link(ctx: ServiceContext, principal: Principal, user_id: int) -> LinkStatus | None:
    return mailer.link_statuses(ctx, principal, [user_id]).get(user_id)


def reissue(ctx: ServiceContext, principal: Principal, outbox_id: int) -> Reissued:
    return mailer.reissue_link(ctx, principal, outbox_id)
