"""The mailer against a real SMTP server (aiosmtpd, STARTTLS with a trustme certificate, AUTH):
delivery, headers, both languages, retries, give-up, expiry, and no token left at rest."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.exc import SAWarning

from noc_console.clock import FixedClock
from noc_console.mail_settings import MailSettings
from noc_console.models import OutboxState
from noc_console.services import portal_auth
from noc_console.services.context import ServiceContext
from noc_console.services.mailer import Relay, SmtpTransport, link_statuses, message_id
from noc_console.services.portal_credentials import token_digest
from tests.mailer.conftest import settings_for
from tests.mailer.links import TICKET, Queued, outbox_row, queue_link
from tests.support.smtp import PASSWORD, USERNAME, SmtpServer


def relay(ctx: ServiceContext, settings: MailSettings) -> Relay:
    return Relay(ctx, settings, SmtpTransport(settings, PASSWORD))


def all_text(engine: Engine) -> str:
    """Every row of every table, as text: where a token left in clear would show."""
    meta = MetaData()
    with warnings.catch_warnings():  # SQLite's expression indexes are not reflected: no matter
        warnings.simplefilter("ignore", SAWarning)
        meta.reflect(engine)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                parts.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(parts)


def assert_no_token_at_rest(ctx: ServiceContext, link: Queued) -> None:
    text = all_text(ctx.engine)
    assert link.token not in text
    assert link.url not in text
    assert token_digest(link.token) in text  # only the digest remains


def test_a_link_is_delivered_over_starttls_with_auth_and_its_headers(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings, clock: FixedClock
) -> None:
    link = queue_link(ctx, email="maria.souza@andorinha.com.br")
    assert relay(ctx, mail_settings).deliver_one() is True

    (got,) = smtp.received
    assert got.tls and got.login == USERNAME
    assert got.rcpt_tos == ("maria.souza@andorinha.com.br",)
    msg = got.message
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.SENT and row.sent_at == clock.now() and row.attempts == 1
    assert (
        msg["Message-ID"]
        == row.message_id
        == message_id(row.id, row.created_at, "noc@provedor.example")
    )
    assert msg["From"] == "NOC Provedor <noc@provedor.example>"
    assert msg["To"] == "maria.souza@andorinha.com.br"
    assert TICKET in msg["Subject"]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for body in (text, html):
        assert link.url in body and TICKET in body and "NOC Provedor" in body
    assert "<img" not in html.lower() and "src=" not in html.lower()
    assert "url" not in row.payload and row.payload["ticket_ref"] == TICKET
    assert row.next_attempt_at is None and row.claimed_by is None
    assert relay(ctx, mail_settings).deliver_one() is False  # nothing else is due
    assert_no_token_at_rest(ctx, link)


@pytest.mark.parametrize(
    ("language", "expected", "not_expected"),
    [
        (None, ("Olá", "Redefina", "Se você não pediu"), ("Hello",)),
        ("pt_BR", ("Olá", "horário de Brasília"), ("Hello",)),
        ("en", ("Hello", "If you did not ask for this", "Brasília time"), ("Olá",)),
    ],
)
def test_the_mail_is_in_the_users_language(
    ctx: ServiceContext,
    smtp: SmtpServer,
    mail_settings: MailSettings,
    language: str | None,
    expected: tuple[str, ...],
    not_expected: tuple[str, ...],
) -> None:
    queue_link(ctx, language=language)
    relay(ctx, mail_settings).deliver_one()
    msg = smtp.received[0].message
    whole = msg["Subject"] + msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for phrase in expected:
        assert phrase in whole
    for phrase in not_expected:
        assert phrase not in whole
    assert msg["Content-Language"] == ("en" if language == "en" else "pt-BR")


@pytest.mark.parametrize(
    ("plan", "reply"),
    [
        ("421 4.3.2 Service not available, try later", "421 4.3.2 Service not available"),
        ("drop", "connection closed by the server"),
    ],
)
def test_a_temporary_failure_retries_with_backoff_and_the_same_message_id(
    ctx: ServiceContext,
    smtp: SmtpServer,
    mail_settings: MailSettings,
    clock: FixedClock,
    plan: str,
    reply: str,
) -> None:
    link = queue_link(ctx)
    smtp.handler.plan.append(plan)
    mailer = relay(ctx, mail_settings)
    assert mailer.deliver_one() is True
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.RETRYING and row.attempts == 1
    assert reply in (row.last_error or "")
    assert row.next_attempt_at is not None
    wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)  # base 60 s, full jitter
    assert "url" in row.payload  # still to be sent
    assert mailer.deliver_one() is False  # not due yet
    clock.advance(seconds=61)
    assert mailer.deliver_one() is True
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.SENT and row.attempts == 2 and row.last_error is None
    (got,) = smtp.received
    assert got.message["Message-ID"] == row.message_id
    assert_no_token_at_rest(ctx, link)


def test_the_limit_the_analyst_sees_is_the_one_of_the_mailer_that_took_the_row(
    ctx: ServiceContext, smtp: SmtpServer, clock: FixedClock
) -> None:
    """In "attempt 2 of N", N is what the mailer does (its own [mail] max_attempts, wherever
    it runs), recorded with the row; the console's configuration may say something else."""
    link = queue_link(ctx)

    def shown() -> tuple[OutboxState, int, int | None]:
        status = link_statuses(ctx, link.analyst, [link.user_id])[link.user_id]
        return status.state, status.attempts, status.max_attempts

    assert shown() == (OutboxState.QUEUED, 0, None)  # no mailer took it yet
    smtp.handler.plan.extend(["421 4.7.0 too busy"] * 2)
    mailer = relay(ctx, settings_for(smtp, max_attempts=2))
    mailer.deliver_one()
    assert shown() == (OutboxState.RETRYING, 1, 2)
    clock.advance(seconds=600)
    mailer.deliver_one()
    assert shown() == (OutboxState.FAILED, 2, 2)  # kept once the link is scrubbed
    assert "url" not in outbox_row(ctx, link.outbox_id).payload


def test_the_backoff_grows_and_the_row_fails_after_the_last_attempt(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings, clock: FixedClock
) -> None:
    link = queue_link(ctx)
    smtp.handler.plan.extend(["421 4.7.0 too busy"] * 3)
    mailer = relay(ctx, mail_settings)
    waits = []
    for _ in range(2):
        mailer.deliver_one()
        row = outbox_row(ctx, link.outbox_id)
        assert row.state == OutboxState.RETRYING and row.next_attempt_at is not None
        waits.append(row.next_attempt_at - clock.now())
        clock.advance(seconds=600)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=120)
    mailer.deliver_one()
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.FAILED and row.attempts == 3
    assert row.last_error == "421 4.7.0 too busy"
    assert smtp.received == []
    assert_no_token_at_rest(ctx, link)


@pytest.mark.parametrize("where", ["data", "rcpt"])
def test_a_permanent_failure_stops_at_once(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings, where: str
) -> None:
    link = queue_link(ctx, email="ninguem@andorinha.com.br")
    if where == "data":
        smtp.handler.plan.append("550 5.2.1 mailbox unavailable")
    else:
        smtp.handler.refuse["ninguem@andorinha.com.br"] = "550 5.1.1 mailbox unavailable"
    relay(ctx, mail_settings).deliver_one()
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.FAILED and row.attempts == 1
    assert "mailbox unavailable" in (row.last_error or "")
    assert row.last_error.startswith("550")  # type: ignore[union-attr]
    assert PASSWORD not in row.last_error  # type: ignore[operator]
    assert_no_token_at_rest(ctx, link)


def test_an_expired_link_is_never_sent(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings, clock: FixedClock
) -> None:
    link = queue_link(ctx)
    clock.advance(hours=3)  # past the policy's link lifetime
    assert relay(ctx, mail_settings).deliver_one() is False
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.EXPIRED and row.attempts == 0
    assert smtp.handler.data_commands == 0 and smtp.received == []
    assert_no_token_at_rest(ctx, link)
    with pytest.raises(portal_auth.AuthenticationFailed):
        portal_auth.complete_reset(ctx, link.token, "uma-senha-nova-bem-longa-2026")


def test_a_link_replaced_before_it_left_is_not_sent(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings
) -> None:
    first = queue_link(ctx)
    second = queue_link(ctx, analyst=first.analyst, user_id=first.user_id)
    mailer = relay(ctx, mail_settings)
    while mailer.deliver_one():
        pass
    assert outbox_row(ctx, first.outbox_id).state == OutboxState.EXPIRED
    assert outbox_row(ctx, second.outbox_id).state == OutboxState.SENT
    (got,) = smtp.received
    body = got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert second.url in body and first.url not in body
    assert_no_token_at_rest(ctx, first)
    assert_no_token_at_rest(ctx, second)


def test_a_mailer_that_died_mid_send_is_taken_over_with_the_same_message_id(
    ctx: ServiceContext, smtp: SmtpServer, mail_settings: MailSettings, clock: FixedClock
) -> None:
    """The crash between "accepted" and "marked sent": at worst one duplicate, same id."""
    from noc_console.services.mailer import build_link_mail, claim_next, policy_of

    link = queue_link(ctx)
    lease = timedelta(seconds=mail_settings.lease_s)
    claim = claim_next(ctx, "crashed-mailer", policy_of(mail_settings), lease)
    assert claim is not None
    SmtpTransport(mail_settings, PASSWORD).send(build_link_mail(claim.mail, mail_settings))
    # ... and the mailer dies here. Before the lease ends nobody takes the row:
    assert relay(ctx, mail_settings).deliver_one() is False
    clock.advance(seconds=mail_settings.lease_s + 1)
    assert relay(ctx, mail_settings).deliver_one() is True
    first, second = smtp.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.SENT and row.attempts == 2


def test_wrong_smtp_password_is_a_temporary_failure_without_the_password(
    ctx: ServiceContext, smtp: SmtpServer
) -> None:
    link = queue_link(ctx)
    settings = settings_for(smtp)
    Relay(ctx, settings, SmtpTransport(settings, "not-the-password")).deliver_one()
    row = outbox_row(ctx, link.outbox_id)
    assert row.state == OutboxState.RETRYING and row.last_error
    assert "not-the-password" not in row.last_error and smtp.received == []
