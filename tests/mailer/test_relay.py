"""The relay under load and trouble: mailers racing, a database outage, SIGTERM, the folder."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.mail_settings import MailSettings
from noc_console.models import NotificationOutbox, OutboxState, PasswordResetToken
from noc_console.services import outbox
from noc_console.services.context import ServiceContext
from noc_console.services.mailer import FolderTransport, Relay, SmtpTransport
from noc_console.services.password_reset import OUTBOX_KIND
from noc_console.services.portal_credentials import add_token
from tests.mailer.conftest import settings_for
from tests.mailer.links import outbox_row, queue_link
from tests.reliability.support.proxy import FlakyProxy
from tests.support.factories import FAST_HASHER, make_customer, make_portal_user
from tests.support.smtp import PASSWORD, SmtpServer


def queue_many(ctx: ServiceContext, n: int) -> None:
    """``n`` reset links to ``n`` users, queued in one transaction."""
    now = ctx.clock.now()
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Corrida de Mailers Ltda")
        for i in range(n):
            user = make_portal_user(s, customer, login=f"corrida{i}", password=None)
            token, expires = add_token(s, PasswordResetToken, user.id, now, timedelta(hours=1))
            row = next(o for o in s.new if isinstance(o, PasswordResetToken))
            outbox.enqueue(
                s,
                kind=OUTBOX_KIND,
                recipient=user.email,
                payload={"url": f"https://portal.test/r?token={token}", "login": user.login},
                now=now,
                portal_user_id=user.id,
                expires_at=expires,
                reset_token=row,
            )
            s.flush()


def test_two_mailers_racing_over_200_rows_send_each_exactly_once(
    db_url: str, smtp: SmtpServer
) -> None:
    if make_url(db_url).get_backend_name() != "postgresql":
        pytest.skip("the race is PostgreSQL's FOR UPDATE SKIP LOCKED (SQLite has one writer)")
    settings = settings_for(smtp)
    clock = FixedClock()
    engines = [create_db_engine(db_url) for _ in range(2)]
    ctxs = [ServiceContext(e, clock=clock, hasher=FAST_HASHER) for e in engines]
    queue_many(ctxs[0], 200)
    relays = [Relay(c, settings, SmtpTransport(settings, PASSWORD)) for c in ctxs]
    errors: list[BaseException] = []

    def work(relay: Relay) -> None:
        try:
            relay.run_once()
            relay.transport.close()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(ids) == 200 and len(set(ids)) == 200
    assert all(r.counts["sent"] > 0 for r in relays)  # both took part
    assert sum(r.counts["sent"] for r in relays) == 200
    with ctxs[0].sessions() as s:
        states = dict(
            s.execute(
                select(NotificationOutbox.state, func.count()).group_by(NotificationOutbox.state)
            ).all()
        )
        assert states == {"sent": 200}
        assert s.scalar(select(func.max(NotificationOutbox.attempts))) == 1
    for e in engines:
        e.dispose()


def test_a_database_outage_is_waited_for_with_one_log_line(
    db_url: str, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("the outage is a PostgreSQL server going away (through a proxy)")
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    engine = create_db_engine(url.set(host="127.0.0.1", port=proxy.port))
    ctx = ServiceContext(engine, clock=FixedClock(), hasher=FAST_HASHER)
    link = queue_link(ctx)
    settings = settings_for(smtp, poll_interval_s=0.1)
    relay = Relay(ctx, settings, SmtpTransport(settings, PASSWORD))
    proxy.down()
    caplog.set_level(logging.INFO, logger="noc_console")
    runner = threading.Thread(target=relay.run_forever)
    runner.start()
    try:
        time.sleep(1.5)  # several polls against a dead server
        assert smtp.received == []
        proxy.up()
        smtp.wait_for(1)
        deadline = time.monotonic() + 10
        while outbox_row(ctx, link.outbox_id).state != OutboxState.SENT:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        relay.stop.set()
        runner.join(timeout=10)
        proxy.down()
        engine.dispose()
    assert not runner.is_alive()
    outage = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(outage) == 1
    # The end of the outage is in the log file too (INFO), not only its start.
    back = [r for r in caplog.records if "database available again" in r.getMessage()]
    assert [r.levelno for r in back] == [logging.INFO]
    assert not any(r.exc_info for r in caplog.records)
    assert len(smtp.received) == 1


def test_the_folder_transport_writes_one_eml_per_message(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    link = queue_link(ctx)
    settings = MailSettings(transport="folder", folder=tmp_path / "mail")
    relay = Relay(ctx, settings, FolderTransport(tmp_path / "mail"))
    assert relay.run_once()["sent"] == 1
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert link.url.encode() in eml.read_bytes().replace(b"=\n", b"") or link.token in (
        eml.read_text()
    )
    assert oct(eml.stat().st_mode & 0o777) == "0o600"
    assert outbox_row(ctx, link.outbox_id).state == OutboxState.SENT


def test_sigterm_finishes_the_message_in_flight_and_exits_0(
    sqlite_url: str, smtp: SmtpServer, tmp_path: Path, private_dirs: Path
) -> None:
    """The real command in a subprocess: stopped while the server holds the DATA reply."""
    engine = create_db_engine(sqlite_url)
    ctx = ServiceContext(engine, hasher=FAST_HASHER)
    link = queue_link(ctx)
    engine.dispose()
    config = private_dirs / "config" / "noc-console" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[mail]\n"
        f'transport = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}\n'
        f'security = "starttls"\nusername = "mailer@noc.test"\nca_file = "{smtp.ca_file}"\n'
        'from_address = "noc@provedor.example"\npoll_interval_seconds = 0.2\n',
        encoding="utf-8",
    )
    smtp.handler.plan.append("slow")
    env = {**os.environ, "NOC_CONSOLE_SMTP_PASSWORD": PASSWORD}
    proc = subprocess.Popen(
        [sys.executable, "-m", "noc_console", "mailer", "--db", sqlite_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert smtp.handler.in_data.wait(20), "the mailer never reached DATA"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert len(smtp.received) == 1
    engine = create_db_engine(sqlite_url)
    ctx = ServiceContext(engine)
    assert outbox_row(ctx, link.outbox_id).state == OutboxState.SENT
    engine.dispose()
    assert b"1 sent" in out
    assert PASSWORD.encode() not in out + err and link.token.encode() not in out + err
