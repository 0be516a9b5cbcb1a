"""Operator login: success, wrong password, lockout, inactive, rehash; all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from noc_console.clock import FixedClock
from noc_console.config import Argon2Params
from noc_console.errors import AuthenticationFailed
from noc_console.models import AuditEvent, Operator, Role
from noc_console.services import auth
from noc_console.services.context import ServiceContext
from noc_console.services.hashing import Hasher
from tests.support.factories import make_operator

PW = "operator-password-123"


def _events(ctx: ServiceContext, action: str) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def test_login_returns_principal_and_audits(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, Role.OPERATOR, username="otto")
    who = auth.login(ctx, "  OTTO ", PW)
    assert (who.username, who.role) == ("otto", Role.OPERATOR)
    assert _events(ctx, "operator_login") == 1


def test_unknown_user_and_wrong_password_read_the_same(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, username="ana")
    with pytest.raises(AuthenticationFailed) as unknown:
        auth.login(ctx, "nobody", PW)
    with pytest.raises(AuthenticationFailed) as wrong:
        auth.login(ctx, "ana", "wrong-password-xx")
    assert str(unknown.value) == str(wrong.value)
    assert _events(ctx, "operator_login_failed") == 2


def test_lockout_after_five_failures_then_unlocks_in_time(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, username="ana")
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            auth.login(ctx, "ana", "wrong-password-xx")
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login(ctx, "ana", PW)  # the right password does not get through a lock
    clock.advance(minutes=auth.LOCKOUT_MINUTES + 1)
    assert auth.login(ctx, "ana", PW).username == "ana"


def test_inactive_operator_cannot_log_in(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, username="ana")
        s.execute(Operator.__table__.update().values(is_active=False))
    with pytest.raises(AuthenticationFailed, match="disabled"):
        auth.login(ctx, "ana", PW)


def test_login_rehashes_an_older_parameter_hash(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, username="ana")  # hashed with the fast test parameters
    stronger = ServiceContext(
        ctx.engine, clock=ctx.clock, hasher=Hasher(Argon2Params(time_cost=2, memory_cost=2048))
    )
    auth.login(stronger, "ana", PW)
    with ctx.sessions() as s:
        stored = s.scalars(select(Operator.password_hash)).one()
    assert "m=2048,t=2" in stored
    assert auth.login(stronger, "ana", PW).username == "ana"


def test_no_password_in_audit_rows(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        make_operator(s, username="ana")
    auth.login(ctx, "ana", PW)
    with pytest.raises(AuthenticationFailed):
        auth.login(ctx, "ana", "typo-" + PW)
    with ctx.sessions() as s:
        rows = s.scalars(select(AuditEvent)).all()
    blob = repr([(r.subject, r.details, r.reason) for r in rows])
    assert PW not in blob and "$argon2" not in blob
