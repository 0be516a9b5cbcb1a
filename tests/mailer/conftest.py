from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from noc_console import cli
from noc_console.clock import FixedClock
from noc_console.mail_settings import MailSettings
from noc_console.services.context import ServiceContext
from tests.support.cli import CliResult
from tests.support.factories import FAST_HASHER
from tests.support.root_logging import reset_root_logger
from tests.support.smtp import USERNAME, SmtpServer, smtp_server


@pytest.fixture(autouse=True)
def _root_logger() -> Iterator[None]:
    """The mailer's CLI installs its own handlers: leave the test process's logging as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    reset_root_logger(handlers, level)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*argv: str) -> CliResult:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


def settings_for(server: SmtpServer, **changes: object) -> MailSettings:
    values: dict[str, object] = {
        "transport": "smtp",
        "host": server.host,
        "port": server.port,
        "security": "starttls",
        "username": USERNAME,
        "from_address": "noc@provedor.example",
        "from_name": "NOC Provedor",
        "timeout_s": 5.0,
        "ca_file": server.ca_file,
        "max_attempts": 3,
        "retry_base_s": 60.0,
        "retry_max_s": 600.0,
        "poll_interval_s": 0.05,
        "lease_s": 120.0,
    }
    values.update(changes)
    return MailSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def mail_settings(smtp: SmtpServer) -> MailSettings:
    return settings_for(smtp)


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> ServiceContext:
    return ServiceContext(engine, clock=clock, hasher=FAST_HASHER)
