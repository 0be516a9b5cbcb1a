"""The relay when the database goes away between "the server accepted it" and "marked sent".

What ``services.mailer.relay`` promises: the outcome is kept and recorded first when the
database is back, so the message is not sent again; the outage is one log line however
many polls it lasts. And ``run_once`` says QUIT to the server before it returns.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from email.message import EmailMessage
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.mail_settings import MailSettings
from noc_console.models import OutboxState
from noc_console.services.context import ServiceContext
from noc_console.services.mailer import Relay, SmtpTransport
from tests.mailer.conftest import settings_for
from tests.mailer.links import outbox_row, queue_link
from tests.reliability.support.proxy import FlakyProxy
from tests.support.factories import FAST_HASHER
from tests.support.smtp import PASSWORD, SmtpServer


class Outage:
    """Takes the database away and brings it back. On PostgreSQL the server is really gone
    (a proxy in front of it is cut: connections die, new ones are refused); a SQLite file
    has no server to lose, so there every statement fails while it is down."""

    def __init__(self, db_url: str) -> None:
        url = make_url(db_url)
        self.went_down = threading.Event()
        self.proxy: FlakyProxy | None = None
        if url.get_backend_name() == "postgresql":
            self.proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
            url = url.set(host="127.0.0.1", port=self.proxy.port)
        self.engine = create_db_engine(url)
        if self.proxy is None:
            event.listen(self.engine, "before_cursor_execute", self._refuse)

    def _refuse(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.went_down.is_set():
            raise OperationalError(
                statement, params, sqlite3.OperationalError("unable to open database file")
            )

    def down(self) -> None:
        if self.proxy is not None:
            self.proxy.down()
        self.went_down.set()

    def up(self) -> None:
        self.went_down.clear()
        if self.proxy is not None:
            self.proxy.up()

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.down()
        self.engine.dispose()


class OutageAfterSend:
    """The real SMTP transport; the database goes away once the server has the message."""

    def __init__(self, inner: SmtpTransport, outage: Outage) -> None:
        self.inner = inner
        self.outage = outage

    def send(self, message: EmailMessage) -> None:
        self.inner.send(message)
        self.outage.down()

    def close(self) -> None:
        self.inner.close()


def test_a_sent_message_is_recorded_when_the_database_returns_and_never_sent_twice(
    db_url: str, smtp: SmtpServer, caplog: Any
) -> None:
    outage = Outage(db_url)
    ctx = ServiceContext(outage.engine, clock=FixedClock(), hasher=FAST_HASHER)
    direct = create_db_engine(db_url)  # the test's own view of the rows, never cut
    seen = ServiceContext(direct, clock=FixedClock(), hasher=FAST_HASHER)
    link = queue_link(ctx)
    settings = settings_for(smtp, poll_interval_s=0.05)
    relay = Relay(ctx, settings, OutageAfterSend(SmtpTransport(settings, PASSWORD), outage))
    caplog.set_level(logging.INFO, logger="noc_console")
    runner = threading.Thread(target=relay.run_forever)
    runner.start()
    try:
        assert outage.went_down.wait(20), "the message never reached the server"
        time.sleep(1.0)  # some twenty polls while the database is gone
        assert smtp.handler.data_commands == 1
        row = outbox_row(seen, link.outbox_id)
        assert row.state == OutboxState.SENDING  # the outcome waits for the database
        outage.up()
        deadline = time.monotonic() + 15
        while outbox_row(seen, link.outbox_id).state != OutboxState.SENT:
            assert time.monotonic() < deadline, "the outcome was never recorded"
            time.sleep(0.05)
        time.sleep(0.3)  # a few more polls once it is back: nothing is due any more
    finally:
        relay.stop.set()
        runner.join(timeout=15)
        outage.close()
        direct.dispose()
    assert not runner.is_alive()
    (got,) = smtp.received
    assert smtp.handler.data_commands == 1  # no second DATA: not sent again
    row = outbox_row(seen, link.outbox_id)
    assert row.attempts == 1 and row.message_id == got.message["Message-ID"]
    assert "url" not in row.payload
    assert relay.counts == {"sent": 1}
    outage_lines = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(outage_lines) == 1
    assert not any(r.exc_info for r in caplog.records)
    assert link.token not in caplog.text


def test_run_once_says_quit_to_the_server(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings
) -> None:
    link = queue_link(ctx)
    relay = Relay(ctx, mail_settings, SmtpTransport(mail_settings, PASSWORD))
    assert relay.run_once()["sent"] == 1
    assert smtp.handler.quits == 1  # closed by run_once itself, not left to the caller
    assert outbox_row(ctx, link.outbox_id).state == OutboxState.SENT
