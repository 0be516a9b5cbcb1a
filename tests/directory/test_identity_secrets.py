"""No identity secret leaks: directory passwords, the service account's password, TOTP
secrets, codes, recovery codes and the console key never reach the log, the audit log,
an exception's text or a DTO's repr (the secrets tests of issue 15).
"""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from noc_console.auth_settings import AuthSettings
from noc_console.clock import FixedClock
from noc_console.errors import AuthenticationFailed, DomainError
from noc_console.models import Operator, Role
from noc_console.services import signin
from noc_console.services.context import ServiceContext
from noc_console.services.directory import accounts
from noc_console.services.directory.client import DirectoryClient
from noc_console.services.totp import factor
from tests.reliability.support.secret_scan import database_texts, record_domain_errors
from tests.support.factories import make_operator
from tests.support.ldap import SERVICE_PASSWORD, Slapd, dead_url, password_of

LOCAL_PASSWORD = "operator-password-123"


def test_no_identity_secret_in_logs_audit_errors_or_reprs(
    ctx: ServiceContext,
    slapd: Slapd,
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    key_path = tmp_path / "auth.key"
    ldap = slapd.settings()
    identity = signin.Identity(
        auth=AuthSettings(local="break-glass", ldap=ldap),
        key_path=key_path,
        directory=DirectoryClient(ldap, lambda: SERVICE_PASSWORD),
    )
    with ctx.sessions.begin() as s:
        make_operator(s, Role.SUPERVISOR, username="glass")
        s.scalars(select(Operator).where(Operator.username == "glass")).one().break_glass = True
    secrets: list[str] = [SERVICE_PASSWORD, LOCAL_PASSWORD]
    reprs: list[str] = []
    with record_domain_errors() as errors:
        # enrolment, a code, a recovery code, a replayed and a wrong code
        pending = signin.sign_in(ctx, identity, "glass", LOCAL_PASSWORD)
        assert isinstance(pending, signin.SecondFactorNeeded)
        offer = factor.new_offer("glass")
        first = pyotp.TOTP(offer.secret).at(clock.now())
        _who, recovery = signin.finish_with_enrolment(ctx, identity, pending, offer, first)
        reprs += [repr(offer), repr(recovery), repr(identity.vault)]
        secrets += [offer.secret, first, *recovery.codes]
        clock.advance(minutes=1)
        pending = signin.sign_in(ctx, identity, "glass", LOCAL_PASSWORD)
        assert isinstance(pending, signin.SecondFactorNeeded)
        second = pyotp.TOTP(offer.secret).at(clock.now())
        secrets.append(second)
        signin.finish_with_code(ctx, identity, pending, second)
        for code in (second, recovery.codes[0], recovery.codes[0], "999999"):
            pending = signin.sign_in(ctx, identity, "glass", LOCAL_PASSWORD)
            assert isinstance(pending, signin.SecondFactorNeeded)
            with contextlib.suppress(AuthenticationFailed):
                signin.finish_with_code(ctx, identity, pending, code)
        # the directory: right and wrong passwords, a password typed as a username, sync, down
        for username in ("otto.operador", "sara.super", "dora.disabled"):
            secrets.append(password_of(username))
            with contextlib.suppress(AuthenticationFailed):
                signin.sign_in(ctx, identity, username, password_of(username))
        with pytest.raises(AuthenticationFailed):
            signin.sign_in(ctx, identity, "otto.operador", "wrong-guess")
        with pytest.raises(AuthenticationFailed):
            signin.sign_in(ctx, identity, password_of("sara.super"), "x")
        assert identity.directory is not None
        accounts.sync(ctx, identity.directory)
        down = signin.Identity(
            auth=identity.auth,
            key_path=key_path,
            directory=DirectoryClient(slapd.settings(urls=(dead_url(),)), lambda: SERVICE_PASSWORD),
        )
        with pytest.raises(AuthenticationFailed):
            signin.sign_in(ctx, down, "otto.operador", password_of("otto.operador"))
    key = key_path.read_bytes().strip()
    secrets += [key.decode(), base64.urlsafe_b64decode(key).hex()]
    places = [
        *database_texts(ctx.engine),
        ("log", caplog.text),
        *((f"error {type(e).__name__}", str(e)) for e in errors),
        *(("repr", r) for r in reprs),
    ]
    assert errors, "the scenario raised domain errors to scan"
    for secret in secrets:
        for where, text in places:
            assert secret not in text, f"a secret ({len(secret)} chars) leaked into {where}"
    with ctx.sessions() as s:
        stored = s.scalars(select(Operator.totp_secret).where(Operator.username == "glass")).one()
    assert stored and offer.secret not in stored and isinstance(errors[0], DomainError)
