"""Directory sign-in against a real OpenLDAP (tests/support/ldap.py), both database backends.

Bind by template and by search, group → role, role change at the next sign-in,
removal and directory-disabled people refused and disabled, ``operator sync``,
a dead directory (fail-over, then a clear message within the timeout, while
break-glass still works), wrong passwords counted by the lockout, and LDAP
injection in the username.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from noc_console.auth_settings import AuthSettings, LdapSettings
from noc_console.errors import AuthenticationFailed
from noc_console.models import DIRECTORY_PASSWORD, AuditEvent, Operator, Role
from noc_console.services import signin
from noc_console.services.auth import MAX_FAILED_LOGINS
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.directory import accounts
from noc_console.services.directory.client import DirectoryClient
from tests.support.factories import make_operator
from tests.support.ldap import PEOPLE, SERVICE_PASSWORD, Slapd, dead_url, password_of


def _identity(
    ldap: LdapSettings, tmp_path: Path, *, local: str = "break-glass", service: bool = True
) -> signin.Identity:
    return signin.Identity(
        auth=AuthSettings(local=local, require_totp=(), ldap=ldap),  # type: ignore[arg-type]
        key_path=tmp_path / "auth.key",
        directory=DirectoryClient(ldap, (lambda: SERVICE_PASSWORD) if service else None),
    )


@pytest.fixture
def identity(slapd: Slapd, tmp_path: Path) -> signin.Identity:
    return _identity(slapd.settings(), tmp_path)


def _operator(ctx: ServiceContext, username: str) -> Operator | None:
    with ctx.sessions() as s:
        op = s.scalars(select(Operator).where(Operator.username == username)).one_or_none()
        if op is not None:
            s.expunge(op)
        return op


def _actions(ctx: ServiceContext, subject: str) -> list[tuple[str, dict[str, object]]]:
    with ctx.sessions() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.subject == subject).order_by(AuditEvent.id)
        )
        return [(e.action, dict(e.details or {})) for e in rows]


def _sign_in(ctx: ServiceContext, identity: signin.Identity, username: str) -> Principal:
    who = signin.sign_in(ctx, identity, username, password_of(username))
    assert isinstance(who, Principal)
    return who


def test_first_sign_in_by_search_creates_the_operator(
    ctx: ServiceContext, identity: signin.Identity
) -> None:
    who = _sign_in(ctx, identity, "otto.operador")
    assert (who.role, who.source, who.break_glass) == (Role.OPERATOR, "ldap", False)
    op = _operator(ctx, "otto.operador")
    assert op is not None
    assert (op.display_name, op.email, op.source) == (
        "Otto Operador",
        "otto.operador@noc.example",
        "ldap",
    )
    assert op.directory_dn == f"uid=otto.operador,{PEOPLE}"
    assert op.password_hash == DIRECTORY_PASSWORD  # no copy of the directory password
    assert [a for a, _d in _actions(ctx, "op:otto.operador")] == [
        "operator_created",
        "operator_login",
    ]


def test_bind_by_template_without_a_service_account(
    ctx: ServiceContext, slapd: Slapd, tmp_path: Path
) -> None:
    ldap = slapd.settings(bind_dn_template=f"uid={{username}},{PEOPLE}", service_dn=None)
    identity = _identity(ldap, tmp_path, service=False)
    assert _sign_in(ctx, identity, "max.multi").role is Role.SUPERVISOR  # highest group wins
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        signin.sign_in(ctx, identity, "max.multi", "not-the-password")
    # A template bind cannot tell a typo from a removal: one wrong password is counted by
    # the lockout and never disables the account.
    op = _operator(ctx, "max.multi")
    assert op is not None and op.is_active and op.failed_login_count == 1
    assert _sign_in(ctx, identity, "max.multi").role is Role.SUPERVISOR


def test_groups_from_member_of_style_mapping_by_name(
    ctx: ServiceContext, slapd: Slapd, tmp_path: Path
) -> None:
    ldap = slapd.settings(roles={"analyst": ("noc-analysts",), "operator": ("NOC-Operators",)})
    identity = _identity(ldap, tmp_path)
    assert _sign_in(ctx, identity, "ana.analista").role is Role.ANALYST
    assert _sign_in(ctx, identity, "otto.operador").role is Role.OPERATOR


def test_no_group_no_entry_and_disabled_in_the_directory(
    ctx: ServiceContext, identity: signin.Identity
) -> None:
    for username in ("nina.nogroup", "dora.disabled"):
        with pytest.raises(AuthenticationFailed, match="does not allow you"):
            signin.sign_in(ctx, identity, username, password_of(username))
        assert _operator(ctx, username) is None


def test_role_change_on_next_sign_in_and_removal_disables(
    ctx: ServiceContext, identity: signin.Identity, slapd: Slapd
) -> None:
    slapd.add_person("rita.rotating", ("operator",))
    assert _sign_in(ctx, identity, "rita.rotating").role is Role.OPERATOR
    slapd.set_member("rita.rotating", "supervisor", member=True)
    assert _sign_in(ctx, identity, "rita.rotating").role is Role.SUPERVISOR
    assert (
        "operator_role_changed",
        {"by": "directory", "before": "operator", "after": "supervisor"},
    ) in _actions(ctx, "op:rita.rotating")
    slapd.set_member("rita.rotating", "supervisor", member=False)
    slapd.set_member("rita.rotating", "operator", member=False)
    with pytest.raises(AuthenticationFailed, match="does not allow you"):
        signin.sign_in(ctx, identity, "rita.rotating", password_of("rita.rotating"))
    op = _operator(ctx, "rita.rotating")
    assert op is not None and not op.is_active
    disabled = [d for a, d in _actions(ctx, "op:rita.rotating") if a == "operator_disabled"]
    assert disabled == [{"by": "directory", "why": "not_in_groups", "before": True, "after": False}]


def test_operator_sync_disables_who_the_directory_no_longer_grants(
    ctx: ServiceContext, identity: signin.Identity, slapd: Slapd
) -> None:
    slapd.add_person("sam.sync", ("analyst",))
    slapd.add_person("gus.gone", ("operator",))
    for username in ("sam.sync", "gus.gone", "sara.super"):
        _sign_in(ctx, identity, username)
    slapd.set_member("sam.sync", "operator", member=True)
    slapd.delete_person("gus.gone")
    assert identity.directory is not None
    report = accounts.sync(ctx, identity.directory)
    assert report.checked == 3
    assert report.disabled == ("gus.gone",)
    assert report.role_changes == (("sam.sync", "analyst", "operator"),)
    gone = _operator(ctx, "gus.gone")
    assert gone is not None and not gone.is_active
    with pytest.raises(AuthenticationFailed):
        signin.sign_in(ctx, identity, "gus.gone", password_of("gus.gone"))


def test_wrong_directory_password_is_counted_by_the_lockout(
    ctx: ServiceContext, identity: signin.Identity
) -> None:
    _sign_in(ctx, identity, "ana.analista")
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            signin.sign_in(ctx, identity, "ana.analista", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="locked"):
        signin.sign_in(ctx, identity, "ana.analista", password_of("ana.analista"))


@pytest.mark.parametrize(
    "username",
    ["*)(uid=*", "*", "otto.operador)(|(uid=*", "otto\x00", "(uid=otto.operador)", "ot\\2a"],
)
def test_ldap_injection_in_the_username_is_refused_or_escaped(
    ctx: ServiceContext, identity: signin.Identity, username: str
) -> None:
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        signin.sign_in(ctx, identity, username, password_of("otto.operador"))
    with ctx.sessions() as s:
        assert s.scalars(select(Operator)).all() == []


def test_fail_over_to_the_next_server(ctx: ServiceContext, slapd: Slapd, tmp_path: Path) -> None:
    identity = _identity(slapd.settings(urls=(dead_url(), slapd.url)), tmp_path)
    assert _sign_in(ctx, identity, "otto.operador").role is Role.OPERATOR


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (a hung directory)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"ldap://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_directory_down_says_so_within_the_timeout_and_break_glass_works(
    ctx: ServiceContext, slapd: Slapd, tmp_path: Path, silent_server: str
) -> None:
    ldap = slapd.settings(
        urls=(dead_url(), silent_server), connect_timeout=1.0, receive_timeout=1.0
    )
    identity = _identity(ldap, tmp_path)
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="glass")
        s.scalars(select(Operator).where(Operator.username == "glass")).one().break_glass = True
    started = time.monotonic()
    with pytest.raises(AuthenticationFailed) as failed:
        signin.sign_in(ctx, identity, "otto.operador", password_of("otto.operador"))
    assert time.monotonic() - started < 15  # returns: a hung server does not hang the login
    assert "did not answer" in str(failed.value)
    assert "Break-glass" in str(failed.value)
    who = signin.sign_in(ctx, identity, "glass", "operator-password-123")
    assert isinstance(who, Principal) and who.break_glass and who.source == "local"


def test_a_certificate_from_another_ca_is_refused(
    ctx: ServiceContext, slapd: Slapd, tmp_path: Path
) -> None:
    import trustme

    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    identity = _identity(slapd.settings(ca_file=str(other)), tmp_path)
    with pytest.raises(AuthenticationFailed, match="did not answer"):
        signin.sign_in(ctx, identity, "otto.operador", password_of("otto.operador"))


def test_local_accounts_are_taken_over_when_local_sign_in_is_off(
    ctx: ServiceContext, slapd: Slapd, tmp_path: Path
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.ANALYST, username="otto.operador")
    identity = _identity(slapd.settings(), tmp_path, local="off")
    with pytest.raises(AuthenticationFailed):
        signin.sign_in(ctx, identity, "otto.operador", "operator-password-123")
    who = _sign_in(ctx, identity, "otto.operador")
    assert (who.role, who.source) == (Role.OPERATOR, "ldap")
    assert any(a == "operator_linked_to_directory" for a, _ in _actions(ctx, "op:otto.operador"))


def test_all_local_keeps_local_passwords(ctx: ServiceContext, slapd: Slapd, tmp_path: Path) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.ANALYST, username="ana.analista")
    identity = replace(_identity(slapd.settings(), tmp_path, local="all"))
    who = signin.sign_in(ctx, identity, "ana.analista", "operator-password-123")
    assert isinstance(who, Principal) and who.source == "local" and not who.break_glass


def test_operator_sync_command(
    ctx: ServiceContext,
    identity: signin.Identity,
    slapd: Slapd,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from noc_console import cli
    from noc_console.config import app_paths

    slapd.add_person("cid.cron", ("operator",))
    _sign_in(ctx, identity, "cid.cron")
    slapd.set_member("cid.cron", "operator", member=False)
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    roles = "\n".join(f'{r} = ["{dn}"]' for r, dn in slapd.settings().roles.items())
    config.write_text(
        f"""[auth.ldap]
url = "{slapd.url}"
start_tls = true
ca_file = "{slapd.ca_file}"
base_dn = "{PEOPLE}"
service_dn = "{slapd.settings().service_dn}"
group_base_dn = "{slapd.settings().group_base_dn}"
group_filter = "(member={{dn}})"

[auth.ldap.roles]
{roles}
"""
    )
    monkeypatch.setenv("NOC_CONSOLE_LDAP_BIND_PASSWORD", SERVICE_PASSWORD)
    code = cli.main(["operator", "sync", "--db", db_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "disabled: cid.cron" in out.out
    assert SERVICE_PASSWORD not in out.out + out.err
    op = _operator(ctx, "cid.cron")
    assert op is not None and not op.is_active
