"""``[mail]`` settings, ``noc-console mail set-password``, ``portal complete-reset`` and the
demo's folder of .eml files, driven through the real command line."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from noc_console import secrets
from noc_console.config import ConfigError, load_settings
from noc_console.db import create_db_engine
from noc_console.mail_settings import MailSettings
from noc_console.services import portal_auth
from noc_console.services.context import ServiceContext
from noc_console.services.portal_auth import LoginStatus
from tests.mailer.links import queue_link
from tests.support.cli import CliResult, FakeStdin, ScriptedGetpass, files_containing
from tests.support.factories import FAST_HASHER

NEW_PASSWORD = "nova-senha-escolhida-no-portal-2026"


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> ScriptedGetpass:
    fake = ScriptedGetpass()
    monkeypatch.setattr(getpass, "getpass", fake)
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=True))
    return fake


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "noc-console" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_delivers_to_a_folder_and_a_server_database_to_smtp(private_dirs: Path) -> None:
    demo = load_settings(demo=True)
    assert demo.mail.transport == "folder"
    assert demo.mail.folder == demo.paths.data_dir / "mail"
    server = load_settings(db_flag="postgresql+psycopg://noc@db/portal")
    assert server.mail.transport == "smtp" and server.mail.port == 587


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[mail]\npassword = "x"\n', "not read from the file"),
        ('[mail]\nsecurity = "ssl"\n', "security must be one of"),
        ("[mail]\nport = 70000\n", "port must be at most"),
        ('[mail]\nfrom_address = "noc"\n', "not an e-mail address"),
        ("[mail]\ntimeout_seconds = 0\n", "timeout_seconds must be at least"),
    ],
)
def test_bad_mail_settings_are_refused_in_one_line(
    private_dirs: Path, toml: str, says: str
) -> None:
    write_config(private_dirs, toml)
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_settings()


def test_mail_set_password_stores_it_in_the_keyring(
    private_dirs: Path, run_cli: Callable[..., CliResult], prompts: ScriptedGetpass
) -> None:
    write_config(private_dirs, '[mail]\nhost = "smtp.example"\nusername = "noc@example"\n')
    prompts.answers.extend(["senha-smtp-1234", "senha-smtp-1234"])
    result = run_cli("mail", "set-password")
    assert result.code == 0, result.err
    account = MailSettings(host="smtp.example", username="noc@example").password_account
    assert secrets.get_secret(account) == "senha-smtp-1234"
    assert "senha-smtp-1234" not in result.text
    assert files_containing(private_dirs, "senha-smtp-1234") == []


def test_the_mailer_needs_a_password_when_a_username_is_set(
    private_dirs: Path, run_cli: Callable[..., CliResult], sqlite_url: str
) -> None:
    write_config(private_dirs, '[mail]\nhost = "smtp.example"\nusername = "noc@example"\n')
    result = run_cli("mailer", "--once", "--db", sqlite_url)
    assert result.code == 2
    assert result.err_lines == [
        "noc-console: no SMTP password for smtp:noc@example@smtp.example:587: store it with"
        " `noc-console mail set-password` or set NOC_CONSOLE_SMTP_PASSWORD"
    ]


def test_the_demo_loop_by_hand_folder_then_portal_complete_reset(
    private_dirs: Path,
    run_cli: Callable[..., CliResult],
    prompts: ScriptedGetpass,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    """mailer --once into the folder; the link from the .eml; portal complete-reset; login."""
    folder = tmp_path / "mail"
    write_config(private_dirs, f'[mail]\ntransport = "folder"\nfolder = "{folder}"\n')
    engine = create_db_engine(sqlite_url)
    ctx = ServiceContext(engine, hasher=FAST_HASHER)
    link = queue_link(ctx)
    result = run_cli("mailer", "--once", "--db", sqlite_url)
    assert result.code == 0, result.err
    assert "1 sent" in result.out
    (eml,) = folder.glob("*.eml")
    from email import message_from_bytes, policy

    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (url,) = re.findall(r"https://\S+token=[A-Za-z0-9_-]+", body)
    assert url == link.url
    prompts.answers.extend([NEW_PASSWORD, NEW_PASSWORD])
    result = run_cli("portal", "complete-reset", url, "--db", sqlite_url)
    assert result.code == 0, result.err
    assert link.token not in result.text and NEW_PASSWORD not in result.text
    login = portal_auth.login(ctx, _login(ctx, link.user_id), NEW_PASSWORD)
    assert login.status is LoginStatus.OK
    asked = len(prompts.prompts)
    result = run_cli("portal", "complete-reset", url, "--db", sqlite_url)  # used: refused
    assert result.code == 2 and "already used" in result.err
    assert len(prompts.prompts) == asked  # before any password was asked for
    assert link.token not in result.text
    engine.dispose()


def test_an_expired_link_is_refused_before_the_password_prompt(
    private_dirs: Path,
    run_cli: Callable[..., CliResult],
    prompts: ScriptedGetpass,
    sqlite_url: str,
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from noc_console.models import PasswordResetToken

    write_config(private_dirs, "")
    engine = create_db_engine(sqlite_url)
    ctx = ServiceContext(engine, hasher=FAST_HASHER)
    link = queue_link(ctx)
    portal_auth.check_reset_link(ctx, link.token)  # a good link passes the check...
    portal_auth.check_reset_link(ctx, link.token)  # ...and the check does not use it up
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordResetToken).values(expires_at=datetime.now(UTC) - timedelta(1)))
    result = run_cli("portal", "complete-reset", link.url, "--db", sqlite_url)
    assert result.code == 2 and "expired" in result.err, result.err
    assert prompts.prompts == []  # nobody typed a password for nothing
    assert link.token not in result.text
    engine.dispose()


def _login(ctx: ServiceContext, user_id: int) -> str:
    from noc_console.models import PortalUser

    with ctx.sessions() as s:
        return s.get_one(PortalUser, user_id).login


def test_config_path_says_where_mail_goes(
    private_dirs: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--demo", "config", "path")
    assert result.code == 0
    (line,) = [ln for ln in result.out.splitlines() if ln.startswith("mail goes to:")]
    assert line.endswith(str(private_dirs / "data" / "noc-console" / "mail"))
