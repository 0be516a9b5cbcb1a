"""The command line: exit codes, one-line errors with the password masked, the
password rules of every database command, and the first-run demo database.

main() runs in-process; prompts are scripted (getpass is replaced) and the
terminal is faked (sys.stdin), so no test ever waits for input. The TUI never
starts: ``console.launch`` is replaced wherever the console would open.
"""

from __future__ import annotations

import getpass
import logging
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from noc_console import cli, config, db, migrate, secrets
from noc_console.cli import connecting, console, embedded, seeding
from noc_console.config import Settings
from noc_console.errors import DatabaseUnavailable
from noc_console.models import Operator
from tests.support.cli import BrokenKeyring, CliResult, FakeStdin, ScriptedGetpass, files_containing
from tests.support.databases import PG_ENV, PostgresTemplate, postgres_admin_url
from tests.support.memory_keyring import MemoryKeyring
from tests.support.root_logging import reset_root_logger

OP_PASSWORD = "Correct-Horse-42"  # long enough for operators (12+)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """main() routes logging to a file in the test's private dirs; undo it afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    reset_root_logger(handlers, level)
    logging.captureWarnings(False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*argv: str) -> CliResult:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> ScriptedGetpass:
    fake = ScriptedGetpass()
    monkeypatch.setattr(getpass, "getpass", fake)
    return fake


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=True))


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=False))


@pytest.fixture
def paths() -> config.AppPaths:
    return config.app_paths()


@pytest.fixture
def fast_argon2(paths: config.AppPaths) -> None:
    """Operator hashing through the config file: fast, and proves the CLI honours it."""
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(
        "[security.argon2]\ntime_cost = 1\nmemory_cost = 1024\nparallelism = 1\n"
    )


@pytest.fixture
def pg_url(postgres_template: PostgresTemplate | None) -> Iterator[str]:
    if postgres_template is None:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    url = postgres_template.new_url()
    yield url
    postgres_template.drop(url)


@dataclass
class Launches:
    """Stands in for console.launch: records what the console would have been opened with."""

    calls: list[tuple[Settings, str | None]] = field(default_factory=list)
    code: int = 0

    def __call__(self, settings: Settings, *, db_password: str | None) -> int:
        self.calls.append((settings, db_password))
        return self.code


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> Launches:
    fake = Launches()
    monkeypatch.setattr(console, "launch", fake)
    return fake


@dataclass
class ConnectionSpy:
    """Stands in for db.check_connection: records the password of every attempt.

    ``refuse`` decides which passwords the "server" rejects as missing or
    wrong; otherwise the real check runs when ``real`` is set.
    """

    refuse: Callable[[str | None], bool] = lambda _pw: False
    real: bool = False
    passwords: list[str | None] = field(default_factory=list)

    def __call__(self, engine: Engine) -> None:
        password = engine.url.password
        self.passwords.append(password)
        if self.refuse(password):
            raise DatabaseUnavailable(
                f"the server refused the password for {db.mask_url(engine.url)}",
                needs_password=True,
            )
        if self.real:
            _real_check_connection(engine)


_real_check_connection = db.check_connection


def spy_connections(monkeypatch: pytest.MonkeyPatch, spy: ConnectionSpy) -> ConnectionSpy:
    monkeypatch.setattr(db, "check_connection", spy)
    return spy


def count(url: str, table: str) -> int:
    engine = db.create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> None:
    engine = db.create_db_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def insert_customer(url: str) -> None:
    execute(
        url,
        "INSERT INTO customers (legal_name, cnpj, status, timezone, created_at, name_norm,"
        " trade_name_norm) VALUES ('ACME', '11222333000181', 'active', 'America/Sao_Paulo',"
        " '2026-01-01 00:00:00', 'acme', '')",
    )


def migrate_to_head(url: str) -> None:
    engine = db.create_db_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def half_made_embedded_demo(paths: config.AppPaths) -> None:
    """An embedded demo database whose first seeding stopped after a customer was written."""
    url = f"sqlite+pysqlite:///{paths.embedded_db}"
    migrate_to_head(url)
    insert_customer(url)


def write_config(paths: config.AppPaths, content: str) -> None:
    """The console's config file with ``content``, in folders that did not exist yet."""
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.write_text(content)


def assert_one_clean_line(result: CliResult, *secrets_: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert "Traceback" not in result.err
    for secret in secrets_:
        assert secret not in result.text


# --------------------------------------------------------------------------- parsing


def test_help_and_version(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("--help")
    assert result.code == 0
    for word in ("db", "config", "demo", "operator", "--read-only", "--lang"):
        assert word in result.out
    result = run_cli("--version")
    assert (result.code, result.out.strip()) == (0, "noc-console 0.1.0")


@pytest.mark.parametrize(
    "argv",
    [
        ["db"],
        ["no-such-command"],
        ["--lang", "fr"],
        ["operator", "add", "ana"],  # --role is required
        ["operator", "add", "ana", "--role", "admin"],
        ["demo", "--customers", "-1"],
        ["demo", "--customers", "many"],
        ["--demo", "--db", "sqlite+pysqlite:///x.sqlite3"],
    ],
)
def test_usage_errors_exit_2(run_cli: Callable[..., CliResult], argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.code == 2
    assert result.out == ""
    assert "Traceback" not in result.err


def test_db_flag_before_or_after_the_subcommand(
    run_cli: Callable[..., CliResult], sqlite_url: str
) -> None:
    before = run_cli("--db", sqlite_url, "db", "current")
    after = run_cli("db", "current", "--db", sqlite_url)
    assert before.code == after.code == 0
    assert before.out == after.out
    assert f"current: {migrate.head_revision()}" in before.out
    # Given twice, the one after the subcommand wins (it was typed last).
    both = run_cli(
        "--db", "postgresql+psycopg://x@elsewhere/db", "config", "path", "--db", sqlite_url
    )
    assert db.mask_url(sqlite_url) in both.out
    assert "elsewhere" not in both.out


# --------------------------------------------------------------------------- config path


def test_config_path_lists_every_path(
    run_cli: Callable[..., CliResult], paths: config.AppPaths
) -> None:
    result = run_cli("config", "path")
    assert result.code == 0, result
    lines = result.out.splitlines()
    expected = {
        "config file": paths.config_file,
        "data dir": paths.data_dir,
        "log dir": paths.log_dir,
        "log file": paths.log_file,
        "embedded database": paths.embedded_db,
    }
    for label, path in expected.items():
        assert any(line.startswith(f"{label}:") and str(path) in line for line in lines), label
    assert f"{paths.config_file} (not found)" in result.out
    assert "(source: default, embedded demo database)" in result.out
    # A diagnostic changes nothing on disk, not even the log folder.
    assert not paths.log_dir.exists()
    assert not paths.data_dir.exists()


def test_config_path_names_the_source_and_masks_the_password(
    run_cli: Callable[..., CliResult], paths: config.AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(paths, '[database]\nurl = "postgresql+psycopg://f:filepw1@h/db"\n')
    result = run_cli("config", "path")
    assert f"{paths.config_file} (exists)" in result.out
    assert "postgresql+psycopg://f:***@h/db (source: file)" in result.out

    monkeypatch.setenv("NOC_CONSOLE_DATABASE_URL", "postgresql+psycopg://e:envpw2@h/db")
    result = run_cli("config", "path")
    assert "postgresql+psycopg://e:***@h/db (source: env)" in result.out

    result = run_cli("config", "path", "--db", "postgresql+psycopg://g:flagpw3@h/db")
    assert "postgresql+psycopg://g:***@h/db (source: flag)" in result.out
    for secret in ("filepw1", "envpw2", "flagpw3"):
        assert secret not in result.text


def test_config_path_still_shows_paths_when_the_config_is_broken(
    run_cli: Callable[..., CliResult], paths: config.AppPaths
) -> None:
    write_config(paths, "[database\n")
    result = run_cli("config", "path")
    assert result.code == 2
    assert str(paths.embedded_db) in result.out
    assert len(result.err_lines) == 1
    assert str(paths.config_file) in result.err


# --------------------------------------------------------------------------- one-line errors

DB_COMMANDS = [
    ["db", "current"],
    ["db", "upgrade"],
    ["db", "check"],
    ["operator", "list"],
    ["operator", "add", "ana", "--role", "analyst"],
]


@pytest.mark.parametrize(
    ("url", "secret", "says"),
    [
        ("postgresql+psycopg://nobody:s3cretpw@127.0.0.1:1/x", "s3cretpw", "cannot reach"),
        ("nonsense://", None, "unsupported database"),
        ("mysql+nodriver://u:secretpw@h/d", "secretpw", "unsupported database 'mysql'"),
        ("postgresql+nodriver://u:secretpw@h/d", "secretpw", "driver not installed"),
        ("postgresql+psycopg://u:secretpw@h:notaport/d", "secretpw", "not a valid database URL"),
        ("not a url at all", None, "not a valid database URL"),
    ],
)
@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_database_errors_are_one_line_with_the_password_masked(
    run_cli: Callable[..., CliResult],
    prompts: ScriptedGetpass,
    url: str,
    secret: str | None,
    says: str,
    command: list[str],
) -> None:
    result = run_cli("--db", url, *command)
    assert_one_clean_line(result, *([secret] if secret else []))
    assert says in result.err
    assert prompts.prompts == []


def test_acceptance_example_in_a_real_process() -> None:
    """The exact example of the brief, through ``python -m noc_console``: no traceback, no 'pw'."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "noc_console",
            "--db",
            "postgresql+psycopg://nobody:pw@127.0.0.1:1/x",
            "db",
            "current",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "pw" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nonexistent_postgresql_database(run_cli: Callable[..., CliResult]) -> None:
    admin = postgres_admin_url()
    if not admin:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    url = (
        make_url(admin)
        .set(database=f"noc_missing_{uuid.uuid4().hex[:8]}", password="s3cret-pg-pw")
        .render_as_string(hide_password=False)
    )
    result = run_cli("db", "current", "--db", url)
    assert_one_clean_line(result, "s3cret-pg-pw")
    assert "database does not exist" in result.err


def test_sqlite_file_in_an_impossible_folder(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli("db", "current", "--db", f"sqlite+pysqlite:///{blocker}/x.sqlite3")
    assert_one_clean_line(result)
    assert "a-file" in result.err


def test_broken_config_file_is_one_line(
    run_cli: Callable[..., CliResult], paths: config.AppPaths
) -> None:
    write_config(paths, "[database\nurl = ")
    result = run_cli("db", "current")
    assert_one_clean_line(result)
    assert str(paths.config_file) in result.err


def test_bad_environment_value_is_one_line(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, launches: Launches
) -> None:
    monkeypatch.setenv("NOC_CONSOLE_READ_ONLY", "maybe")
    assert_one_clean_line(run_cli("db", "current"))
    result = run_cli()  # opening the console: the same rule, before anything starts
    assert_one_clean_line(result)
    assert "NOC_CONSOLE_READ_ONLY" in result.err
    assert launches.calls == []


def test_unexpected_errors_are_one_line_and_logged(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    paths: config.AppPaths,
) -> None:
    def explode(_engine: Engine) -> str | None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(migrate, "current_revision", explode)
    result = run_cli("db", "current", "--db", sqlite_url)
    assert_one_clean_line(result)
    assert "RuntimeError: boom" in result.err
    assert str(paths.log_file) in result.err
    assert "Traceback" in paths.log_file.read_text()


# ------------------------------------------------------------------ db upgrade/current/check


def test_upgrade_current_and_check_on_an_empty_sqlite_file(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'new.sqlite3'}"
    head = migrate.head_revision()

    result = run_cli("db", "current", "--db", url)
    assert result.code == 0
    assert result.out.splitlines() == ["current: none", f"head:    {head}"]
    assert "db upgrade" in result.err

    result = run_cli("db", "upgrade", "--db", url)
    assert result.code == 0
    assert f"from none to revision {head}" in result.out

    result = run_cli("db", "current", "--db", url)
    assert result.out.splitlines() == [f"current: {head}", f"head:    {head}"]
    assert result.err == ""

    result = run_cli("db", "upgrade", "--db", url)
    assert (result.code, f"already at revision {head}" in result.out) == (0, True)

    result = run_cli("db", "check", "--db", url)
    assert (result.code, result.out) == (0, f"ok: schema matches revision {head}\n")


def test_check_names_a_dropped_index(run_cli: Callable[..., CliResult], fresh_db_url: str) -> None:
    assert run_cli("db", "check", "--db", fresh_db_url).code == 0
    execute(fresh_db_url, "DROP INDEX ix_contracts_totals")
    result = run_cli("db", "check", "--db", fresh_db_url)
    assert result.code == 1
    assert "ix_contracts_totals" in result.out
    assert "difference" in result.err
    assert not result.out.startswith("ok")


def test_check_on_an_unmigrated_database(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'empty.sqlite3'}"
    result = run_cli("db", "check", "--db", url)
    assert result.code == 1
    assert "revision none" in result.out


@pytest.mark.parametrize(
    "command", [["operator", "list"], ["operator", "add", "ana", "--role", "analyst"]]
)
def test_operator_commands_refuse_an_unmigrated_database(
    run_cli: Callable[..., CliResult], tmp_path: Path, prompts: ScriptedGetpass, command: list[str]
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'empty.sqlite3'}"
    result = run_cli(*command, "--db", url)
    assert_one_clean_line(result)
    assert "no schema yet" in result.err
    assert "db upgrade" in result.err


# --------------------------------------------------------------------------- connecting: passwords

PG_NO_PW = "postgresql+psycopg://noc@127.0.0.1:1/portal"  # never reached: connections are faked


def _run_for(url: str) -> cli.Run:
    return cli.Run(cli.build_parser().parse_args(["--db", url, "db", "current"]))


def test_no_password_is_needed_for_trust_peer_or_pgpass(
    monkeypatch: pytest.MonkeyPatch, prompts: ScriptedGetpass
) -> None:
    spy = spy_connections(monkeypatch, ConnectionSpy())
    connecting.connect(_run_for(PG_NO_PW)).dispose()
    assert spy.passwords == [None]
    assert prompts.prompts == []


def test_a_keyring_password_is_used_without_prompting(
    monkeypatch: pytest.MonkeyPatch, prompts: ScriptedGetpass, tty: None
) -> None:
    secrets.set_db_password(PG_NO_PW, "kr-pw-1")
    spy = spy_connections(monkeypatch, ConnectionSpy())
    engine = connecting.connect(_run_for(PG_NO_PW))
    assert engine.url.password == "kr-pw-1"
    engine.dispose()
    assert spy.passwords == ["kr-pw-1"]
    assert prompts.prompts == []


def test_a_demanded_password_is_asked_once_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, prompts: ScriptedGetpass, tty: None
) -> None:
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda pw: pw is None))
    prompts.answers.append("typed-pw-1")
    engine = connecting.connect(_run_for(PG_NO_PW))
    assert engine.url.password == "typed-pw-1"
    engine.dispose()
    assert spy.passwords == [None, "typed-pw-1"]
    assert prompts.prompts == ["Password for noc@127.0.0.1:1: "]


def test_without_a_terminal_a_demanded_password_fails_at_once(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    no_tty: None,
) -> None:
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda pw: pw is None))
    result = run_cli("--db", PG_NO_PW, "db", "current")
    assert_one_clean_line(result)
    assert "asks for a password" in result.err
    assert "set-password" in result.err
    assert spy.passwords == [None]
    assert prompts.prompts == []


def test_a_refused_keyring_password_is_asked_for_again(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    tty: None,
) -> None:
    secrets.set_db_password(PG_NO_PW, "stale-pw")
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda pw: pw in (None, "stale-pw")))
    prompts.answers.append("fresh-pw")
    connecting.connect(_run_for(PG_NO_PW)).dispose()
    assert spy.passwords == ["stale-pw", "fresh-pw"]
    err = capsys.readouterr().err
    assert "was refused" in err
    assert "stale-pw" not in err


def test_a_second_refusal_ends_with_one_line(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    tty: None,
) -> None:
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda _pw: True))
    prompts.answers.append("wrong-pw-9")
    result = run_cli("--db", PG_NO_PW, "db", "current")
    assert_one_clean_line(result, "wrong-pw-9")
    assert "refused the password" in result.err
    assert spy.passwords == [None, "wrong-pw-9"]
    assert len(prompts.prompts) == 1


def test_a_password_in_the_url_is_never_replaced_by_a_prompt(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    tty: None,
) -> None:
    secrets.set_db_password(PG_NO_PW, "kr-pw-2")
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda _pw: True))
    result = run_cli("--db", "postgresql+psycopg://noc:in-url-pw@127.0.0.1:1/portal", "db", "check")
    assert_one_clean_line(result, "in-url-pw", "kr-pw-2")
    assert spy.passwords == ["in-url-pw"]
    assert prompts.prompts == []


@pytest.mark.parametrize(("answer", "code"), [(EOFError(), 2), ("", 2), (KeyboardInterrupt(), 130)])
def test_giving_up_at_the_database_prompt(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    tty: None,
    answer: str | BaseException,
    code: int,
) -> None:
    spy_connections(monkeypatch, ConnectionSpy(refuse=lambda pw: pw is None))
    prompts.answers.append(answer)
    result = run_cli("--db", PG_NO_PW, "db", "current")
    assert result.code == code
    assert "Traceback" not in result.err
    assert len(result.err_lines) == 1


def test_sqlite_never_asks_the_keyring(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    def no_keyring_read(_url: Any) -> str | None:
        pytest.fail("the keyring was read for a SQLite database")

    monkeypatch.setattr(secrets, "get_db_password", no_keyring_read)
    assert run_cli("db", "current", "--db", sqlite_url).code == 0


def test_demanded_password_against_the_real_server(
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedGetpass,
    tty: None,
    pg_url: str,
) -> None:
    """The server uses trust auth, so the demand is faked; the retry is a real connection."""
    if make_url(pg_url).password:
        pytest.skip("the test server URL carries a password")
    spy = spy_connections(monkeypatch, ConnectionSpy(refuse=lambda pw: pw is None, real=True))
    prompts.answers.append("typed-real-pw")
    result = run_cli("db", "current", "--db", pg_url)
    assert result.code == 0, result
    assert f"current: {migrate.head_revision()}" in result.out
    assert spy.passwords == [None, "typed-real-pw"]
    assert "typed-real-pw" not in result.text


# --------------------------------------------------------------------------- db set-password


@pytest.fixture
def set_password(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass
) -> Callable[..., CliResult]:
    """``db set-password URL``, with ``answers`` queued for its prompts."""

    def run(*answers: str, url: str = PG_NO_PW) -> CliResult:
        prompts.answers += answers
        return run_cli("db", "set-password", url)

    return run


@pytest.mark.usefixtures("tty")
def test_set_password_stores_it_in_the_keyring(
    set_password: Callable[..., CliResult], prompts: ScriptedGetpass, memory_keyring: MemoryKeyring
) -> None:
    result = set_password("pg-pw-123", "pg-pw-123")
    assert result.code == 0, result
    assert "noc@127.0.0.1:1" in result.out
    assert "pg-pw-123" not in result.text
    assert len(prompts.prompts) == 2
    assert not any("pg-pw-123" in p for p in prompts.prompts)
    assert secrets.get_db_password(PG_NO_PW) == "pg-pw-123"


@pytest.mark.usefixtures("tty")
def test_set_password_refuses_a_mismatch(
    set_password: Callable[..., CliResult], memory_keyring: MemoryKeyring
) -> None:
    result = set_password("pg-pw-123", "pg-pw-124")
    assert_one_clean_line(result, "pg-pw-123", "pg-pw-124")
    assert "do not match" in result.err
    assert memory_keyring.store == {}


@pytest.mark.usefixtures("no_keyring", "tty")
def test_set_password_without_a_keyring(
    set_password: Callable[..., CliResult], prompts: ScriptedGetpass
) -> None:
    result = set_password()
    assert_one_clean_line(result)
    assert "no system keyring" in result.err
    assert "asked at connect time" in result.err
    assert prompts.prompts == []  # nothing to type when it cannot be kept


@pytest.mark.usefixtures("tty")
def test_set_password_with_a_failing_keyring_writes_it_nowhere(
    set_password: Callable[..., CliResult], tmp_path: Path, paths: config.AppPaths
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        result = set_password("typed-secret-pw", "typed-secret-pw")
    finally:
        keyring.set_keyring(previous)
    assert_one_clean_line(result, "typed-secret-pw")
    assert "asked at connect time" in result.err
    assert paths.log_file.exists()  # the log was written, and still holds no secret
    assert files_containing(tmp_path, "typed-secret-pw") == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite+pysqlite:///x.sqlite3", "only PostgreSQL"),
        ("postgresql+psycopg://noc:already-here@h/db", "without its password"),
        ("nonsense url", "not a valid database URL"),
    ],
)
@pytest.mark.usefixtures("tty")
def test_set_password_refuses_urls_it_cannot_use(
    set_password: Callable[..., CliResult], prompts: ScriptedGetpass, url: str, says: str
) -> None:
    result = set_password(url=url)
    assert_one_clean_line(result, "already-here")
    assert says in result.err
    assert prompts.prompts == []


@pytest.mark.usefixtures("no_tty")
def test_set_password_needs_a_terminal(
    set_password: Callable[..., CliResult], prompts: ScriptedGetpass
) -> None:
    result = set_password()
    assert_one_clean_line(result)
    assert "no terminal" in result.err
    assert prompts.prompts == []


# --------------------------------------------------------------------------- operators


@pytest.mark.usefixtures("fast_argon2", "tty")
def test_operator_add_then_list(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, db_url: str
) -> None:
    prompts.answers += [OP_PASSWORD, OP_PASSWORD]
    result = run_cli(
        "operator", "add", "Ana.Lima", "--role", "supervisor", "--name", "Ana Lima", "--db", db_url
    )
    assert result.code == 0, result
    assert "operator ana.lima (supervisor) created" in result.out
    assert OP_PASSWORD not in result.text

    result = run_cli("operator", "list", "--db", db_url)
    assert result.code == 0
    header, row = result.out.splitlines()
    assert header.split() == ["USERNAME", "NAME", "ROLE", "ACTIVE", "LOCKED"]
    assert row.split() == ["ana.lima", "Ana", "Lima", "supervisor", "yes", "no"]

    engine = db.create_db_engine(db_url)
    try:
        with db.session_factory(engine).begin() as session:
            stored = session.scalars(select(Operator.password_hash)).one()
    finally:
        engine.dispose()
    assert stored.startswith("$argon2id$") and "m=1024,t=1" in stored  # the config's params


@pytest.mark.usefixtures("fast_argon2", "tty")
def test_operator_list_says_who_is_locked(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    prompts.answers += [OP_PASSWORD, OP_PASSWORD]
    assert run_cli("operator", "add", "bob", "--role", "analyst", "--db", sqlite_url).code == 0
    engine = db.create_db_engine(sqlite_url)
    try:
        with db.session_factory(engine).begin() as session:
            session.scalars(select(Operator)).one().locked_until = datetime(
                2099, 1, 2, 3, 4, tzinfo=UTC
            )
    finally:
        engine.dispose()
    row = run_cli("operator", "list", "--db", sqlite_url).out.splitlines()[1]
    assert row.split() == ["bob", "bob", "analyst", "yes", "until", "2099-01-02", "03:04", "UTC"]


def test_operator_list_on_an_empty_database(
    run_cli: Callable[..., CliResult], sqlite_url: str
) -> None:
    result = run_cli("operator", "list", "--db", sqlite_url)
    assert result.code == 0
    assert "no operators yet" in result.out


@pytest.mark.usefixtures("fast_argon2", "tty")
def test_operator_add_duplicate(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    prompts.answers += [OP_PASSWORD] * 4
    assert run_cli("operator", "add", "ana", "--role", "analyst", "--db", sqlite_url).code == 0
    result = run_cli("operator", "add", "ANA", "--role", "operator", "--db", sqlite_url)
    assert_one_clean_line(result, OP_PASSWORD)
    assert "already exists" in result.err


@pytest.mark.parametrize(
    ("username", "password", "messages"),
    [
        ("ana", "short-pw", ["password: use at least 12 characters"]),
        ("9lives", OP_PASSWORD, ["username: use 2-64 lower-case letters"]),
        ("9lives", "short-pw", ["username: use 2-64", "password: use at least 12"]),
    ],
)
@pytest.mark.usefixtures("fast_argon2", "tty")
def test_operator_add_validation_one_line_per_message(
    run_cli: Callable[..., CliResult],
    prompts: ScriptedGetpass,
    sqlite_url: str,
    username: str,
    password: str,
    messages: list[str],
) -> None:
    prompts.answers += [password, password]
    result = run_cli("operator", "add", username, "--role", "analyst", "--db", sqlite_url)
    assert result.code == 2
    assert len(result.err_lines) == len(messages)
    for line, message in zip(result.err_lines, messages, strict=True):
        assert message in line
    assert password not in result.text
    assert count(sqlite_url, "operators") == 0


@pytest.mark.usefixtures("tty")
def test_operator_add_password_mismatch(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    prompts.answers += [OP_PASSWORD, OP_PASSWORD + "x"]
    result = run_cli("operator", "add", "ana", "--role", "analyst", "--db", sqlite_url)
    assert_one_clean_line(result, OP_PASSWORD)
    assert "do not match" in result.err
    assert count(sqlite_url, "operators") == 0


@pytest.mark.usefixtures("tty")
def test_ctrl_c_at_the_operator_prompt(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    prompts.answers += [OP_PASSWORD, KeyboardInterrupt()]
    result = run_cli("operator", "add", "ana", "--role", "analyst", "--db", sqlite_url)
    assert result.code == 130
    assert "Traceback" not in result.err
    assert count(sqlite_url, "operators") == 0


@pytest.mark.usefixtures("no_tty")
def test_operator_add_needs_a_terminal(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    result = run_cli("operator", "add", "ana", "--role", "analyst", "--db", sqlite_url)
    assert_one_clean_line(result)
    assert prompts.prompts == []


@pytest.mark.usefixtures("fast_argon2", "tty")
def test_operator_break_glass_on_off_audited_and_local_only(
    run_cli: Callable[..., CliResult], prompts: ScriptedGetpass, sqlite_url: str
) -> None:
    from noc_console.models import AuditEvent

    prompts.answers += [OP_PASSWORD] * 4
    assert run_cli("operator", "add", "ana", "--role", "analyst", "--db", sqlite_url).code == 0
    assert run_cli("operator", "add", "dir", "--role", "analyst", "--db", sqlite_url).code == 0
    execute(
        sqlite_url,
        "UPDATE operators SET source = 'ldap', directory_dn = 'uid=dir,dc=example'"
        " WHERE username = 'dir'",
    )
    on = run_cli("operator", "break-glass", " Ana ", "--db", sqlite_url)
    assert (on.code, on.out, on.err) == (0, "ana: break-glass on\n", "")
    off = run_cli("operator", "break-glass", "ana", "--off", "--db", sqlite_url)
    assert (off.code, off.out, off.err) == (0, "ana: break-glass off\n", "")
    unknown = run_cli("operator", "break-glass", "nobody", "--db", sqlite_url)
    assert (unknown.code, unknown.out) == (2, "")
    assert unknown.err == "noc-console: no operator named nobody\n"
    directory = run_cli("operator", "break-glass", "dir", "--db", sqlite_url)
    assert (directory.code, directory.out) == (2, "")
    assert directory.err == (
        "noc-console: dir signs in through the directory: only local accounts\n"
    )

    engine = db.create_db_engine(sqlite_url)
    try:
        with db.session_factory(engine)() as session:
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "operator_break_glass_set")
                .order_by(AuditEvent.id)
            ).all()
            glass = session.scalars(select(Operator.break_glass).order_by(Operator.username))
            assert list(glass) == [False, False]
            assert [(e.operator_id, e.subject, e.details) for e in events] == [
                (None, "op:ana", {"before": False, "after": True, "via": "command line"}),
                (None, "op:ana", {"before": True, "after": False, "via": "command line"}),
            ]
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- demo


@pytest.fixture
def demo() -> Any:
    return pytest.importorskip("noc_console.demo")


TINY = ("--customers", "3", "--users-per-customer", "2", "--contracts-per-customer", "2")


def test_demo_seeds_and_prints_the_logins(
    run_cli: Callable[..., CliResult], demo: Any, tmp_path: Path
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'demo.sqlite3'}"
    result = run_cli("demo", "--db", url, *TINY, "--seed", "7")
    assert result.code == 0, result
    assert count(url, "customers") == 3
    assert count(url, "portal_users") == 6
    assert count(url, "contracts") == 6
    assert "customers" in result.out
    for username, _display, role, password in demo.DEMO_OPERATORS:
        assert any(
            username in line and role in line and password in line
            for line in result.out.splitlines()
        ), username
    assert run_cli("db", "check", "--db", url).code == 0

    again = run_cli("demo", "--db", url, *TINY)
    assert_one_clean_line(again)
    assert "already holds" in again.err
    assert count(url, "customers") == 3


def test_demo_on_a_migrated_database(
    run_cli: Callable[..., CliResult], demo: Any, db_url: str
) -> None:
    result = run_cli("demo", "--db", db_url, *TINY)
    assert result.code == 0, result
    assert count(db_url, "customers") == 3


# --------------------------------------------------------------------------- opening the console


@pytest.fixture
def small_demo(demo: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """First-run seeding with tiny options; returns a list that counts the seedings."""
    seeded: list[int] = []
    real_seed = demo.seed_demo
    monkeypatch.setattr(
        demo,
        "DemoOptions",
        partial(demo.DemoOptions, customers=2, users_per_customer=1, contracts_per_customer=1),
    )

    def counting_seed(*args: Any, **kwargs: Any) -> Any:
        seeded.append(1)
        return real_seed(*args, **kwargs)

    monkeypatch.setattr(demo, "seed_demo", counting_seed)
    return seeded


def test_first_run_creates_the_demo_database_once(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    small_demo: list[int],
    paths: config.AppPaths,
    demo: Any,
) -> None:
    assert not paths.embedded_db.exists()
    result = run_cli()
    assert result.code == 0, result
    assert small_demo == [1]
    url = f"sqlite+pysqlite:///{paths.embedded_db}"
    assert count(url, "customers") == 2
    assert "First run" in result.err
    for username, _display, _role, password in demo.DEMO_OPERATORS:
        assert username in result.err and password in result.err
    settings, password = launches.calls[0]
    assert settings.is_embedded and settings.database_url == url
    assert password is None
    assert paths.log_file.exists()

    result = run_cli("--demo")  # same database: ready, so not seeded again
    assert result.code == 0
    assert small_demo == [1]
    assert result.err == ""
    assert len(launches.calls) == 2


def test_demo_flag_overrides_a_configured_database(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    small_demo: list[int],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
) -> None:
    monkeypatch.setenv("NOC_CONSOLE_DATABASE_URL", sqlite_url)
    assert run_cli("--demo").code == 0
    assert launches.calls[0][0].is_embedded
    assert small_demo == [1]
    assert count(sqlite_url, "customers") == 0


def test_a_refused_first_seeding_is_reported(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    demo: Any,
    monkeypatch: pytest.MonkeyPatch,
    paths: config.AppPaths,
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise demo.DatabaseNotEmpty("the database already holds the demo operator(s) ana")

    monkeypatch.setattr(demo, "seed_demo", refuse)
    result = run_cli()
    assert result.code == 2
    # The "First run" notice, then one line saying what to do.
    assert result.err_lines[0].startswith("First run")
    assert len(result.err_lines) == 2
    assert "is incomplete" in result.err_lines[1]
    assert "noc-console --demo demo --force" in result.err_lines[1]
    assert launches.calls == []


def test_an_interrupted_first_run_is_not_opened(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    paths: config.AppPaths,
    demo: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Customers but no end-of-seeding marker: the demo is half-made; say how to rebuild it."""
    half_made_embedded_demo(paths)

    def never(*_args: Any, **_kwargs: Any) -> Any:
        pytest.fail("a half-made demo database was seeded over")

    monkeypatch.setattr(demo, "seed_demo", never)
    result = run_cli()
    assert_one_clean_line(result)
    assert "--demo demo --force" in result.err
    assert launches.calls == []


def test_the_rebuild_hint_works(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    paths: config.AppPaths,
    small_demo: list[int],
) -> None:
    half_made_embedded_demo(paths)
    assert run_cli().code == 2
    result = run_cli("--demo", "demo", "--force", *TINY)
    assert result.code == 0, result
    assert run_cli().code == 0
    assert len(launches.calls) == 1


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_database_given_by_url_is_never_seeded(
    run_cli: Callable[..., CliResult],
    launches: Launches,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    paths: config.AppPaths,
    how: str,
) -> None:
    try:
        import noc_console.demo as demo_module
    except ImportError:
        pass
    else:

        def never(*_args: Any, **_kwargs: Any) -> Any:
            pytest.fail("a database given by URL was seeded")

        monkeypatch.setattr(demo_module, "seed_demo", never)
    if how == "flag":
        result = run_cli("--db", sqlite_url, "--lang", "en", "--read-only")
    else:
        monkeypatch.setenv("NOC_CONSOLE_DATABASE_URL", sqlite_url)
        result = run_cli("--lang", "en", "--read-only")
    assert result.code == 0, result
    assert result.out == result.err == ""
    ((settings, password),) = launches.calls
    assert (settings.database_url, settings.database_source) == (sqlite_url, how)
    assert not settings.is_embedded
    assert (settings.lang, settings.read_only) == ("en", True)
    assert password is None
    assert count(sqlite_url, "customers") == 0
    assert not paths.embedded_db.exists()


def test_the_console_gets_the_keyring_password_and_is_not_preconnected(
    run_cli: Callable[..., CliResult], launches: Launches, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(_engine: Engine) -> None:
        pytest.fail("the CLI connected before the console")

    monkeypatch.setattr(db, "check_connection", no_connect)
    assert run_cli("--db", PG_NO_PW).code == 0
    assert launches.calls[-1][1] is None
    secrets.set_db_password(PG_NO_PW, "kr-pw-3")
    result = run_cli("--db", PG_NO_PW)
    assert result.code == 0
    # The keyring is the console's to read (in its connect worker, after the first paint).
    assert launches.calls[-1][1] is None
    # A bad URL is not the CLI's to report here: the console shows it on its login screen.
    assert run_cli("--db", "nonsense url").code == 0


def test_the_console_exit_code_is_returned(
    run_cli: Callable[..., CliResult], launches: Launches, sqlite_url: str
) -> None:
    launches.code = 3
    assert run_cli("--db", sqlite_url).code == 3


def test_embedded_state(tmp_path: Path) -> None:
    path = tmp_path / "embedded.sqlite3"
    assert embedded.embedded_state(path) == "new"  # missing
    path.write_bytes(b"")
    assert embedded.embedded_state(path) == "new"  # empty file, no schema
    url = f"sqlite+pysqlite:///{path}"
    migrate_to_head(url)
    assert embedded.embedded_state(path) == "new"  # schema, no customers
    insert_customer(url)
    assert embedded.embedded_state(path) == "incomplete"  # customers, seeding never finished
    execute(
        url,
        "INSERT INTO audit_events (occurred_at, action, details)"
        f" VALUES ('2026-01-01 00:00:00', '{embedded.DEMO_SEEDED_ACTION}', '{{}}')",
    )
    assert embedded.embedded_state(path) == "ready"
    path.write_bytes(b"not a database at all, just bytes" * 100)
    assert embedded.embedded_state(path) == "new"  # and the migration then says what is wrong


def test_the_cli_knows_the_demo_marker() -> None:
    from noc_console.services import demo_marker

    assert embedded.DEMO_SEEDED_ACTION == demo_marker.DEMO_SEEDED_ACTION


def test_progress_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats stderr as a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    with seeding.progress_bar() as progress:
        progress("customers", 0, 3)
        progress("customers", 3, 3)
        progress("audit", 1, 2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "customers" in captured.err


def test_progress_bar_is_silent_in_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    with seeding.progress_bar() as progress:
        progress("customers", 1, 3)
    assert capsys.readouterr() == ("", "")


def test_embedded_demo_database_is_upgraded_on_open(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An embedded demo database from an older release is migrated by itself on start."""
    from noc_console import db, migrate
    from noc_console.config import load_settings

    launched: list[str] = []
    monkeypatch.setattr(console, "launch", lambda settings, db_password: launched.append("x") or 0)
    assert run_cli("--demo").code == 0  # first run: created and seeded
    url = load_settings(demo=True).database_url
    engine = db.create_db_engine(url)
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0001")
    assert migrate.current_revision(engine) == "0001"
    assert run_cli("--demo").code == 0
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
    assert launched == ["x", "x"]
