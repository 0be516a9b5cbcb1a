"""The mailer's loop: claim, build, send, record; until told to stop.

One message at a time. A stop request (SIGTERM) is honoured between
messages: the one in flight is sent and its outcome recorded first. When the
database stops answering the relay waits and tries again, logging one line
when the outage starts and one when it ends, never a traceback. An outcome
that could not be recorded because of the outage is kept and recorded first
when the database is back, so the message is not sent again.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from noc_console.errors import DatabaseUnavailable
from noc_console.mail_settings import MailSettings
from noc_console.models import OutboxState
from noc_console.services.context import ServiceContext
from noc_console.services.mailer.message import build_link_mail, message_id
from noc_console.services.mailer.policy import RetryPolicy
from noc_console.services.mailer.queue import Claim, claim_next, record_failure, record_sent
from noc_console.services.mailer.transport import DeliveryError, Transport, classify

log = logging.getLogger(__name__)

OUTAGES = (DatabaseUnavailable, SQLAlchemyError)
# The token's shape (URL-safe base64) as it sits in the link; long enough to leave words alone.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{16,}")


def without_link(reply: str, url: str) -> str:
    """The server's reply with the link and the token in it blanked: a server may echo
    either back, and the reply goes to the log and into the row the analyst reads."""
    reply = reply.replace(url, "***")
    for part in _TOKEN_LIKE.findall(url):
        reply = reply.replace(part, "***")
    return reply


def worker_name() -> str:
    """Who holds a lease: host, process and a random part (two mailers on one host differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def policy_of(settings: MailSettings) -> RetryPolicy:
    return RetryPolicy(settings.max_attempts, settings.retry_base_s, settings.retry_max_s)


@dataclass
class _Pending:
    """An outcome the database could not take yet (it was down)."""

    record: Callable[[], object]


@dataclass
class Relay:
    ctx: ServiceContext
    settings: MailSettings
    transport: Transport
    worker: str = field(default_factory=worker_name)
    stop: threading.Event = field(default_factory=threading.Event)
    counts: Counter[str] = field(default_factory=Counter)
    _pending: _Pending | None = None
    _down_since: str | None = None

    @property
    def policy(self) -> RetryPolicy:
        return policy_of(self.settings)

    # ------------------------------------------------------------------ one message

    def deliver_one(self) -> bool:
        """Handle the next due row; False when nothing is due. Raises on a database outage."""
        if self._pending is not None:
            self._pending.record()
            self._pending = None
        claim = claim_next(
            self.ctx, self.worker, self.policy, timedelta(seconds=self.settings.lease_s)
        )
        if claim is None:
            return False
        outcome = self._send(claim)
        self._record(outcome)
        return True

    def _send(self, claim: Claim) -> Callable[[], object]:
        """Send; what to record afterwards (a closure, so an outage can keep it for later)."""
        mail = claim.mail
        msg_id = message_id(mail.outbox_id, mail.created_at, self.settings.from_address)
        try:
            self.transport.send(build_link_mail(mail, self.settings))
        except Exception as err:  # noqa: BLE001 - every failure is an outcome of the row
            failure = classify(err) if not isinstance(err, DeliveryError) else err
            reply = without_link(failure.reply, mail.url)
            log.warning(
                "outbox #%d attempt %d %s: %s",
                claim.outbox_id,
                claim.attempt,
                "failed (temporary)" if failure.temporary else "refused",
                reply,
            )

            def failed() -> object:
                state = record_failure(
                    self.ctx,
                    claim.outbox_id,
                    self.worker,
                    reply,
                    temporary=failure.temporary,
                    policy=self.policy,
                )
                self.counts[state.value if state else "lost"] += 1
                return state

            return failed
        log.info("outbox #%d sent (attempt %d) as %s", claim.outbox_id, claim.attempt, msg_id)

        def sent() -> object:
            done = record_sent(self.ctx, claim.outbox_id, self.worker, msg_id)
            self.counts[OutboxState.SENT.value if done else "lost"] += 1
            return done

        return sent

    def _record(self, record: Callable[[], object]) -> None:
        try:
            record()
        except OUTAGES:
            self._pending = _Pending(record)
            raise

    # ------------------------------------------------------------------ loops

    def run_once(self) -> Counter[str]:
        """Deliver everything due now (for cron); stops early on a stop request.

        The connection is closed (QUIT) before returning, as ``run_forever`` does: a cron
        run that left it to the process's exit would drop it without a word to the server.
        """
        try:
            while not self.stop.is_set() and self.deliver_one():
                pass
        finally:
            self.transport.close()
        return self.counts

    def run_forever(self) -> Counter[str]:
        """Until ``stop`` is set: deliver what is due, wait ``poll_interval``, again."""
        try:
            while not self.stop.is_set():
                try:
                    while not self.stop.is_set() and self.deliver_one():
                        pass
                except OUTAGES as err:
                    self._outage(err)
                else:
                    self._back()
                self.stop.wait(self.settings.poll_interval_s)
        finally:
            self.transport.close()
        return self.counts

    def _outage(self, err: Exception) -> None:
        reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        if isinstance(err, SQLAlchemyError) and not isinstance(err, DatabaseUnavailable):
            reason = type(err).__name__
        if self._down_since is None:
            self._down_since = reason
            log.warning("database unavailable, waiting for it: %s", reason)

    def _back(self) -> None:
        if self._down_since is not None:
            self._down_since = None
            log.info("database available again; delivering")
