"""A reset link's state in a few words for the Users tab's column, and the toast after a reset
by link (it is only queued: the mailer may not have run), in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from noc_console import i18n
from noc_console.models import OutboxState
from noc_console.screens.customer.state import reset_toast
from noc_console.services.mailer import LinkStatus
from noc_console.widgets.link_state import link_state_cell, link_state_text, short_reply

NOW = datetime(2026, 11, 25, 17, 2, tzinfo=UTC)  # 14:02 in São Paulo
TZ = "America/Sao_Paulo"
COLUMN = 25  # UserTable.COLUMNS_WITH_LINK's width for the link


@pytest.fixture
def lang() -> Iterator[None]:
    yield
    i18n.set_language("en")


def status(
    state: OutboxState, *, attempts: int = 0, error: str | None = None, limit: int | None = 5
) -> LinkStatus:
    return LinkStatus(
        outbox_id=7,
        portal_user_id=3,
        state=state,
        created_at=NOW,
        attempts=attempts,
        sent_at=NOW if state is OutboxState.SENT else None,
        next_attempt_at=NOW + timedelta(minutes=8),
        expires_at=NOW + timedelta(hours=1),
        last_error=error,
        max_attempts=limit,
    )


def cell(s: LinkStatus) -> str:
    return link_state_cell(s, tz=TZ, now=NOW).plain


@pytest.mark.usefixtures("lang")
def test_each_state_in_a_few_words_that_fit_the_column() -> None:
    i18n.set_language("en")
    assert cell(status(OutboxState.QUEUED)) == "✉ queued 14:02"
    assert cell(status(OutboxState.SENDING, attempts=1)) == "↗ sending 1/5"
    assert cell(status(OutboxState.SENT)) == "✔ sent 14:02"
    assert cell(status(OutboxState.RETRYING, attempts=1)) == "↻ retry 2/5 14:10"
    assert cell(status(OutboxState.EXPIRED)) == "⌛ expired 15:02"
    failed = status(OutboxState.FAILED, error="550 5.2.1 mailbox unavailable")
    assert cell(failed) == "✖ failed: mailbox unavailable"
    # the wizard and the line under the table keep the whole sentence and reply
    full = link_state_text(failed, tz=TZ, now=NOW).plain
    assert full == '✖ failed: "550 5.2.1 mailbox unavailable"'
    other_day = status(OutboxState.RETRYING, attempts=4)
    later = NOW - timedelta(days=2)
    assert len(link_state_cell(other_day, tz=TZ, now=later).plain) <= COLUMN


@pytest.mark.usefixtures("lang")
def test_the_limit_is_the_mailers_and_left_out_when_no_mailer_recorded_one() -> None:
    i18n.set_language("en")
    assert cell(status(OutboxState.RETRYING, attempts=1, limit=3)) == "↻ retry 2/3 14:10"
    assert cell(status(OutboxState.SENDING, attempts=1, limit=None)) == "↗ sending 1"
    assert cell(status(OutboxState.RETRYING, attempts=1, limit=None)) == "↻ retry 2 14:10"
    sentence = link_state_text(status(OutboxState.RETRYING, attempts=1, limit=None), tz=TZ, now=NOW)
    assert sentence.plain == "↻ retrying (attempt 2, next at 14:10)"
    sending = link_state_text(status(OutboxState.SENDING, attempts=1, limit=None), tz=TZ, now=NOW)
    assert sending.plain == "↗ sending (attempt 1)"
    i18n.set_language("pt_BR")
    assert cell(status(OutboxState.RETRYING, attempts=1, limit=None)) == "↻ reenvio 2 14:10"
    sentence = link_state_text(status(OutboxState.SENDING, attempts=1, limit=None), tz=TZ, now=NOW)
    assert sentence.plain == "↗ enviando (tentativa 1)"


@pytest.mark.usefixtures("lang")
def test_the_words_in_portuguese() -> None:
    i18n.set_language("pt_BR")
    assert cell(status(OutboxState.SENT)) == "✔ enviado 14:02"
    assert cell(status(OutboxState.RETRYING, attempts=1)) == "↻ reenvio 2/5 14:10"
    failed = status(OutboxState.FAILED, error="550 5.2.1 mailbox unavailable")
    assert cell(failed) == "✖ falhou: mailbox unavailable"


def test_short_reply_drops_the_codes_and_shows_hostile_text_literally() -> None:
    assert short_reply("421 4.3.2 try again later") == "try again later"
    assert short_reply("550-mailbox full") == "mailbox full"
    assert short_reply("connection refused") == "connection refused"
    assert short_reply("550") == "550"  # nothing but a code: keep it
    assert short_reply(None) == ""
    shown = short_reply("550 \x1b[2J[bold]x[/bold]")
    assert "\x1b" not in shown and "[bold]x[/bold]" in shown


@pytest.mark.usefixtures("lang")
def test_the_toast_says_queued_not_sent_in_both_languages() -> None:
    i18n.set_language("en")
    toast = reset_toast("reset_link", "ana")
    assert "queued" in toast and "sent" not in toast and "Users tab" in toast
    i18n.set_language("pt_BR")
    assert reset_toast("reset_link", "ana") == (
        "Link de redefinição de ana na fila para o e-mail; a aba Usuários mostra quando ele sair"
    )
