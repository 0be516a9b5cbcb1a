"""The mailer's log file after real deliveries: each line says the action and the outbox row,
never the link or its token, not even when the SMTP server echoes them back in its reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from noc_console.db import create_db_engine
from noc_console.models import OutboxState
from noc_console.services.context import ServiceContext
from tests.mailer.links import outbox_row, queue_link
from tests.support.cli import CliResult, files_containing
from tests.support.factories import FAST_HASHER
from tests.support.smtp import PASSWORD, USERNAME, SmtpServer


def test_the_log_file_says_action_and_row_never_the_link(
    private_dirs: Path,
    run_cli: Callable[..., CliResult],
    smtp: SmtpServer,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = private_dirs / "config" / "noc-console" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[mail]\n"
        'transport = "smtp"\n'
        f'host = "{smtp.host}"\nport = {smtp.port}\nsecurity = "starttls"\n'
        f'username = "{USERNAME}"\nca_file = "{smtp.ca_file}"\n'
        'from_address = "noc@provedor.example"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NOC_CONSOLE_SMTP_PASSWORD", PASSWORD)
    engine = create_db_engine(sqlite_url)
    ctx = ServiceContext(engine, hasher=FAST_HASHER)
    delivered = queue_link(ctx)
    echoed = queue_link(ctx, analyst=delivered.analyst)
    retried = queue_link(ctx, analyst=delivered.analyst)
    smtp.handler.plan.extend(  # by id: the first is accepted, the other two echo their link
        ["ok", f"550 5.7.1 rejected {echoed.url}", f"451 4.7.1 token {retried.token} greylisted"]
    )
    try:
        result = run_cli("mailer", "--once", "--db", sqlite_url)
        assert result.code == 0, result.err
        assert outbox_row(ctx, delivered.outbox_id).state == OutboxState.SENT
        assert outbox_row(ctx, echoed.outbox_id).state == OutboxState.FAILED
        assert outbox_row(ctx, retried.outbox_id).state == OutboxState.RETRYING
        for link in (echoed, retried):  # the row's reply, shown to the analyst, is clean too
            assert link.token not in (outbox_row(ctx, link.outbox_id).last_error or "")
    finally:
        engine.dispose()
    for handler in logging.getLogger().handlers:
        handler.flush()
    (log_file,) = private_dirs.rglob("noc-console.log")
    text = log_file.read_text(encoding="utf-8")
    assert f"outbox #{delivered.outbox_id} sent" in text  # the action and the row...
    assert f"outbox #{echoed.outbox_id} attempt 1 refused" in text
    assert f"outbox #{retried.outbox_id} attempt 1 failed (temporary)" in text
    for link in (delivered, echoed, retried):  # ...never the link or its token
        assert files_containing(private_dirs, link.token) == []
        assert link.url not in text and link.token not in result.text
