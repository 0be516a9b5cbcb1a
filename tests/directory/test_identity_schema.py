"""Migration 0008's rules held by the database itself, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from noc_console.clock import FixedClock
from noc_console.db import session_factory

_INSERT = (
    "INSERT INTO operators (username, display_name, role, password_hash, is_active,"
    " failed_login_count, created_at, source, directory_dn, break_glass, totp_secret,"
    " totp_enrolled_at, totp_last_step) VALUES (:u, 'X', 'analyst', '!directory', true, 0,"
    " :now, :source, :dn, :glass, :secret, :enrolled, :step)"
)
_GOOD = {
    "source": "local",
    "dn": None,
    "glass": False,
    "secret": None,
    "enrolled": None,
    "step": None,
}

_COLUMN = {
    "source": "source",
    "dn": "directory_dn",
    "glass": "break_glass",
    "secret": "totp_secret",
    "step": "totp_last_step",
}


@pytest.mark.parametrize(
    "changes",
    [
        {"source": "kerberos"},
        {"source": "ldap"},  # a directory account without its DN
        {"dn": "uid=x,dc=example"},  # a local account with a DN
        {"source": "ldap", "dn": "uid=x,dc=example", "glass": True},  # break-glass is local
        {"secret": "v1:abcd:token"},  # a secret without its enrolment time
        {"step": -1},
    ],
)
def test_identity_checks(engine: Engine, changes: dict[str, object]) -> None:
    now = FixedClock().now()
    with session_factory(engine).begin() as s:
        s.execute(text(_INSERT), {**_GOOD, "u": "fine", "now": now})
    with pytest.raises(IntegrityError), session_factory(engine).begin() as s:
        s.execute(text(_INSERT), {**_GOOD, **changes, "u": "bad", "now": now})
    with pytest.raises(IntegrityError), session_factory(engine).begin() as s:
        update = ", ".join(f"{_COLUMN[k]} = :{k}" for k in changes)
        s.execute(text(f"UPDATE operators SET {update} WHERE username = 'fine'"), changes)
