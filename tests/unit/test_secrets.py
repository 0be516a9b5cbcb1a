"""The keyring with and without a backend, and the masking of database URLs.

The in-memory keyring is installed for every test (autouse ``memory_keyring``);
``no_keyring`` swaps in keyring's own "fail" backend, which is what a headless
machine without a secret service gets.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import null

from noc_console import secrets
from noc_console.db import classify_error, mask_url
from noc_console.secrets import SERVICE, KeyringUnavailable
from tests.support.cli import BrokenKeyring
from tests.support.memory_keyring import MemoryKeyring

PG = "postgresql+psycopg://noc@db.example:6543/portal"


@pytest.fixture
def broken_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    yield
    keyring.set_keyring(previous)


# --------------------------------------------------------------------------- keyring present


def test_db_account_names_user_host_and_port() -> None:
    assert secrets.db_account(PG) == "noc@db.example:6543"
    assert secrets.db_account("postgresql+psycopg://noc@db.example/portal") == "noc@db.example"
    assert secrets.db_account("postgresql+psycopg:///portal") == "@localhost"


def test_db_password_round_trip(memory_keyring: MemoryKeyring) -> None:
    assert secrets.keyring_available()
    assert secrets.get_db_password(PG) is None
    secrets.set_db_password(PG, "s3cret-db-pw")
    assert memory_keyring.store == {(SERVICE, "noc@db.example:6543"): "s3cret-db-pw"}
    assert secrets.get_db_password(PG) == "s3cret-db-pw"
    # Same server, other database: same account, same password.
    assert secrets.get_db_password("postgresql+psycopg://noc@db.example:6543/other") == (
        "s3cret-db-pw"
    )
    # Another user or port is another account.
    assert secrets.get_db_password("postgresql+psycopg://ana@db.example:6543/portal") is None
    assert secrets.get_db_password("postgresql+psycopg://noc@db.example/portal") is None


def test_url_with_its_own_password_never_reads_the_keyring() -> None:
    secrets.set_db_password(PG, "from-keyring")
    with_pw = "postgresql+psycopg://noc:in-url@db.example:6543/portal"
    assert secrets.get_db_password(with_pw) is None


def test_delete_secret(memory_keyring: MemoryKeyring) -> None:
    secrets.set_secret("operator:ana@portal", "x")
    secrets.delete_secret("operator:ana@portal")
    assert memory_keyring.store == {}
    secrets.delete_secret("operator:ana@portal")  # nothing stored: still fine


# --------------------------------------------------------------------------- keyring absent


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_reads_are_empty_and_writes_refused() -> None:
    assert not secrets.keyring_available()
    assert secrets.get_db_password(PG) is None
    with pytest.raises(KeyringUnavailable, match="no system keyring"):
        secrets.set_db_password(PG, "pw")
    secrets.delete_secret(secrets.db_account(PG))  # no error


def test_a_backend_with_no_priority_counts_as_none() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        assert not secrets.keyring_available()
        with pytest.raises(KeyringUnavailable):
            secrets.set_db_password(PG, "pw")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.usefixtures("broken_keyring")
def test_a_failing_keyring_reads_as_empty_and_refuses_without_echoing() -> None:
    assert secrets.get_db_password(PG) is None
    with pytest.raises(KeyringUnavailable) as caught:
        secrets.set_db_password(PG, "never-echo-me")
    assert "never-echo-me" not in str(caught.value)
    secrets.delete_secret(secrets.db_account(PG))  # no error


# --------------------------------------------------------------------------- URL masking


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://noc:hunter2@db:5432/portal",
            "postgresql+psycopg://noc:***@db:5432/portal",
        ),
        ("postgresql+psycopg://noc@db/portal", "postgresql+psycopg://noc@db/portal"),
        (
            "postgresql+psycopg://noc:p%40ss%3Aw0rd@db/portal",
            "postgresql+psycopg://noc:***@db/portal",
        ),
        ("sqlite+pysqlite:////tmp/x.sqlite3", "sqlite+pysqlite:////tmp/x.sqlite3"),
        ("mysql+nodriver://u:secretpw@h/d", "mysql+nodriver://u:***@h/d"),
        ("not a url", "<invalid database URL>"),
        ("", "<invalid database URL>"),
        # A non-numeric port made make_url raise ValueError, which mask_url let escape.
        ("postgresql+psycopg://noc:hunter2@db:abc/portal", "<invalid database URL>"),
    ],
)
def test_mask_url(url: str, expected: str) -> None:
    assert mask_url(url) == expected


def test_classify_error_never_repeats_the_password() -> None:
    url = "postgresql+psycopg://noc:hunter2@db/portal"
    line = classify_error(RuntimeError("weird failure mentioning hunter2 here"), url)
    assert "hunter2" not in line
    assert "noc:***@db/portal" in line


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('FATAL:  password authentication failed for user "noc"', "refused the password"),
        ("fe_sendauth: no password supplied", "refused the password"),
        ('FATAL:  database "portal" does not exist', "database does not exist"),
        ("connection refused", "cannot reach"),
    ],
)
def test_classify_error_says_what_went_wrong(message: str, expected: str) -> None:
    line = classify_error(RuntimeError(message), "postgresql+psycopg://noc:hunter2@db/portal")
    assert expected in line
    assert "hunter2" not in line
