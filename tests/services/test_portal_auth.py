"""Portal side: login (lockout, temporary passwords, rehash), change password, reset links,
and the assisted reset proven end to end through them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from noc_console.clock import FixedClock
from noc_console.config import Argon2Params
from noc_console.errors import AuthenticationFailed, DomainError, ValidationError
from noc_console.models import (
    AuditEvent,
    NotificationOutbox,
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
    Role,
)
from noc_console.services import password_reset as pr
from noc_console.services import portal_auth as pa
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.portal_auth import LoginStatus
from noc_console.services.portal_credentials import HISTORY_KEEP_EXTRA
from tests.services.test_password_reset import assert_no_leak, leak_haystacks, stored_secrets
from tests.support.factories import (
    make_customer,
    make_operator,
    make_portal_session,
    make_portal_user,
)

OLD = "senha-antiga-muito-longa-2024"
NEW = "cavalo correto bateria grampo"
NEWER = "girassol azul no telhado vermelho"
LOGIN = "maria.souza"
ERRORS: list[BaseException] = []
TYPED: list[str] = []  # every password typed in this test: none may leak either


@dataclass
class World:
    user_id: int
    customer_id: int
    analyst: Principal


@pytest.fixture
def world(ctx: ServiceContext, clock: FixedClock) -> World:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Transportes Rápidos Ltda", trade_name="Rapidez", clock=clock)
        user = make_portal_user(
            s, customer, login=LOGIN, full_name="Maria Souza", password=OLD, clock=clock
        )
        make_portal_session(s, user, clock=clock)
        analyst = make_operator(s, Role.ANALYST, clock=clock)
        return World(user.id, customer.id, analyst)


@pytest.fixture(autouse=True)
def no_secret_leaks(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """As in the reset tests: no password, token or hash in logs, audit, outbox or errors."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # see test_password_reset
    ERRORS.clear()
    TYPED.clear()
    ctx: ServiceContext | None = (
        request.getfixturevalue("ctx") if "ctx" in request.fixturenames else None
    )
    yield
    if ctx is None:
        return
    secrets = stored_secrets(ctx) | {p for p in TYPED if len(p) >= 8}
    assert_no_leak(leak_haystacks(ctx, caplog.records, ERRORS), secrets)


def login(ctx: ServiceContext, who: str, password: str) -> pa.LoginResult:
    TYPED.append(password)
    try:
        result = pa.login(ctx, who, password)
    except DomainError as err:
        ERRORS.append(err)
        raise
    if result.session_token:
        TYPED.append(result.session_token)
    return result


def change(ctx: ServiceContext, who: str, old: str, new: str, **kw: str) -> None:
    TYPED.extend([old, new])
    try:
        pa.change_password(ctx, who, old, new, **kw)
    except DomainError as err:
        ERRORS.append(err)
        raise


def complete(ctx: ServiceContext, token: str, new: str) -> None:
    TYPED.extend([token, new])
    try:
        pa.complete_reset(ctx, token, new)
    except DomainError as err:
        ERRORS.append(err)
        raise


def assisted(ctx: ServiceContext, w: World, method: ResetMethod) -> pr.ResetResult:
    result = pr.reset(
        ctx,
        w.analyst,
        w.user_id,
        ticket_ref="INC-2026-0042",
        reason="a cliente ligou",
        identity_checks=IdentityChecks(name_matches=True, cnpj_confirmed=True),
        method=method,
    )
    if result.temporary_password:
        TYPED.append(result.temporary_password)
    return result


def user_row(ctx: ServiceContext, user_id: int) -> PortalUser:
    with ctx.sessions() as s:
        user = s.get(PortalUser, user_id)
        assert user is not None
        return user


def actions(ctx: ServiceContext) -> list[str]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def last_event(ctx: ServiceContext) -> AuditEvent:
    with ctx.sessions() as s:
        return s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[return-value]


def active_sessions(ctx: ServiceContext, user_id: int) -> int:
    with ctx.sessions() as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    PortalSession.portal_user_id == user_id, PortalSession.revoked_at.is_(None)
                )
            )
            or 0
        )


def link_token(ctx: ServiceContext) -> str:
    with ctx.sessions() as s:
        row = s.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id.desc())).first()
        assert row is not None
        token = str(parse_qs(urlparse(row.payload["url"]).query)["token"][0])
    TYPED.append(token)
    return token


def state(ctx: ServiceContext, user_id: int) -> tuple[object, ...]:
    u = user_row(ctx, user_id)
    with ctx.sessions() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (AuditEvent, PasswordHistory, PortalSession)
        )
        used = s.scalar(select(func.count()).where(PasswordResetToken.used_at.is_not(None)))
        revoked = s.scalar(select(func.count()).where(PortalSession.revoked_at.is_not(None)))
    return (u.password_hash, u.must_change_password, u.failed_login_count, *counts, used, revoked)


# -- login ---------------------------------------------------------------------------------------


def test_login_opens_a_session(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    result = login(ctx, "  Maria.Souza ", OLD)
    assert result.status is LoginStatus.OK
    assert result.principal.portal_user_id == world.user_id
    assert result.principal.login == LOGIN and result.principal.customer_id == world.customer_id
    token = result.session_token
    assert token and token not in repr(result)
    assert result.session_expires_at == clock.now() + timedelta(hours=pa.SESSION_HOURS)
    with ctx.sessions() as s:
        row = s.scalars(
            select(PortalSession).where(
                PortalSession.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
        ).one()
    assert row.portal_user_id == world.user_id and row.expires_at == result.session_expires_at
    assert pa.resolve_session(ctx, token) == result.principal
    ev = last_event(ctx)
    assert (ev.action, ev.portal_user_id, ev.subject) == (
        "portal_login",
        world.user_id,
        "portal:maria.souza",
    )


def test_unknown_login_and_wrong_password_read_the_same(ctx: ServiceContext, world: World) -> None:
    with pytest.raises(AuthenticationFailed) as unknown:
        login(ctx, "nobody", OLD)
    with pytest.raises(AuthenticationFailed) as wrong:
        login(ctx, LOGIN, "uma senha errada qualquer")
    assert str(unknown.value) == str(wrong.value) == pa.wrong_credentials()
    assert actions(ctx) == ["portal_login_failed"] * 2
    assert last_event(ctx).details["why"] == "wrong_password"


def test_lockout_after_max_failed_logins(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="wrong login"):
            login(ctx, LOGIN, "uma senha errada qualquer")
    with pytest.raises(AuthenticationFailed, match="locked for 15 minutes"):
        login(ctx, LOGIN, "uma senha errada qualquer")
    user = user_row(ctx, world.user_id)
    assert user.locked_until == clock.now() + timedelta(minutes=15)
    with pytest.raises(AuthenticationFailed, match="locked"):
        login(ctx, LOGIN, OLD)  # the right password does not get through a lock
    clock.advance(minutes=14)
    with pytest.raises(AuthenticationFailed, match="locked for 1 more minute;"):
        login(ctx, LOGIN, OLD)
    clock.advance(minutes=1)
    assert login(ctx, LOGIN, OLD).status is LoginStatus.OK
    user = user_row(ctx, world.user_id)
    assert (user.failed_login_count, user.locked_until) == (0, None)


def test_lockout_follows_the_policy(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(max_failed_logins=2, lockout_minutes=3))
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, "uma senha errada qualquer")
    with pytest.raises(AuthenticationFailed, match="locked for 3 minutes"):
        login(ctx, LOGIN, "uma senha errada qualquer")
    clock.advance(minutes=3)
    assert login(ctx, LOGIN, OLD).status is LoginStatus.OK


def test_a_success_resets_the_failure_count(ctx: ServiceContext, world: World) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(ctx, LOGIN, "uma senha errada qualquer")
    login(ctx, LOGIN, OLD)
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, "uma senha errada qualquer")  # counting starts again


def test_inactive_user_is_refused(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PortalUser).values(is_active=False))
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        login(ctx, LOGIN, OLD)
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, "uma senha errada qualquer")  # disabled is only told to the owner
    assert active_sessions(ctx, world.user_id) == 1  # the fixture's; none opened


def test_must_change_password_answers_change_required_without_session(
    ctx: ServiceContext, world: World
) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PortalUser).values(must_change_password=True))
    result = login(ctx, LOGIN, OLD)
    assert result.status is LoginStatus.CHANGE_REQUIRED and result.session_token is None
    assert active_sessions(ctx, world.user_id) == 1
    assert last_event(ctx).details == {"status": "change_required"}


def test_login_rehashes_an_older_parameter_hash(ctx: ServiceContext, world: World) -> None:
    stronger = ServiceContext(
        ctx.engine, clock=ctx.clock, hasher=Hasher(Argon2Params(time_cost=2, memory_cost=2048))
    )
    login(stronger, LOGIN, OLD)
    stored = user_row(ctx, world.user_id).password_hash
    assert stored and "m=2048,t=2" in stored
    assert login(stronger, LOGIN, OLD).status is LoginStatus.OK


def test_resolve_session_refuses_unknown_and_expired(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    token = login(ctx, LOGIN, OLD).session_token
    assert token
    for bad in ("", "x" * 1000, "not-a-token", "\x00"):
        with pytest.raises(AuthenticationFailed):
            pa.resolve_session(ctx, bad)
    clock.advance(hours=pa.SESSION_HOURS)
    with pytest.raises(AuthenticationFailed):
        pa.resolve_session(ctx, token)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(who=st.text(max_size=300), password=st.text(max_size=300))
def test_login_with_any_input_fails_cleanly(ctx: ServiceContext, who: str, password: str) -> None:
    with pytest.raises(AuthenticationFailed):
        pa.login(ctx, who + "\x00", password)
    with pytest.raises(AuthenticationFailed):
        pa.login(ctx, "z" * 130 + who, password)


def test_login_with_huge_or_unencodable_input(ctx: ServiceContext, world: World) -> None:
    for who, pw in (
        (LOGIN, "x" * 100_000),
        (LOGIN, "\ud800"),
        ("\ud800", OLD),
        ("a" * 100_000, OLD),
    ):
        with pytest.raises(AuthenticationFailed):
            pa.login(ctx, who, pw)


# -- change password -----------------------------------------------------------------------------


def test_change_password(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    kept = login(ctx, LOGIN, OLD).session_token
    assert kept
    before = user_row(ctx, world.user_id)
    change(ctx, LOGIN, OLD, NEW, keep_session_token=kept)
    user = user_row(ctx, world.user_id)
    assert ctx.hasher.verify(user.password_hash, NEW)
    assert user.password_changed_at == clock.now()
    assert user.version == before.version + 1
    with ctx.sessions() as s:
        assert list(s.scalars(select(PasswordHistory.password_hash))) == [before.password_hash]
    assert pa.resolve_session(ctx, kept).login == LOGIN  # the session it was changed from
    assert active_sessions(ctx, world.user_id) == 1  # the fixture's other session ended
    ev = last_event(ctx)
    assert ev.action == "portal_password_changed"
    assert ev.details == {"was_temporary": False, "sessions_ended": 1}
    with pytest.raises(AuthenticationFailed):
        login(ctx, LOGIN, OLD)
    assert login(ctx, LOGIN, NEW).status is LoginStatus.OK


def test_change_password_reports_every_violation_and_writes_nothing(
    ctx: ServiceContext, world: World
) -> None:
    before = state(ctx, world.user_id)
    with pytest.raises(ValidationError) as err:
        change(ctx, LOGIN, OLD, "souza123")
    messages = err.value.fields["new_password"]
    assert len(messages) >= 3  # too short, common, context
    assert set(err.value.fields) == {"new_password"}
    assert state(ctx, world.user_id) == before


def test_change_password_refuses_the_current_and_history(ctx: ServiceContext, world: World) -> None:
    with pytest.raises(ValidationError, match="reuse"):
        change(ctx, LOGIN, OLD, OLD)
    change(ctx, LOGIN, OLD, NEW)
    with pytest.raises(ValidationError, match="reuse"):
        change(ctx, LOGIN, NEW, OLD)


def test_history_is_trimmed_on_change(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(history_count=1))
    phrases = [
        f"frase numero {n} de teste comprida" for n in ("um", "dois", "tres", "quatro", "cinco")
    ]
    current = OLD
    for phrase in phrases:
        change(ctx, LOGIN, current, phrase)
        current = phrase
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PasswordHistory)) == 1 + HISTORY_KEEP_EXTRA
    change(ctx, LOGIN, current, OLD)  # history 1: the oldest may come back


def test_change_password_with_wrong_old_counts_as_a_failed_login(
    ctx: ServiceContext, world: World
) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            change(ctx, LOGIN, "uma senha errada qualquer", NEW)
    with pytest.raises(AuthenticationFailed, match="locked"):
        change(ctx, LOGIN, OLD, NEW)
    assert ctx.hasher.verify(user_row(ctx, world.user_id).password_hash, OLD)
    assert actions(ctx).count("portal_password_change_failed") == 6


# -- end to end: assisted reset with a temporary password -----------------------------------------


def test_temporary_password_end_to_end(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    session_before = login(ctx, LOGIN, OLD).session_token
    assert session_before
    temp = assisted(ctx, world, ResetMethod.TEMPORARY_PASSWORD).temporary_password
    assert temp
    # Old sessions are gone, the old password no longer works.
    with pytest.raises(AuthenticationFailed):
        pa.resolve_session(ctx, session_before)
    assert active_sessions(ctx, world.user_id) == 0
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, OLD)
    # The temporary password answers "change required", repeatedly, without a session.
    for _ in range(2):
        result = login(ctx, LOGIN, temp)
        assert result.status is LoginStatus.CHANGE_REQUIRED and result.session_token is None
        assert result.temp_password_expires_at == clock.now() + timedelta(hours=24)
    # The history refuses the old password; the temporary one cannot be kept either.
    with pytest.raises(ValidationError, match="reuse"):
        change(ctx, LOGIN, temp, OLD)
    with pytest.raises(ValidationError, match="reuse"):
        change(ctx, LOGIN, temp, temp)
    change(ctx, LOGIN, temp, NEW)
    user = user_row(ctx, world.user_id)
    assert user.must_change_password is False and user.temp_password_expires_at is None
    assert last_event(ctx).details["was_temporary"] is True
    # The temporary password no longer works; neither does the old one; the new one does.
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, temp)
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, OLD)
    result = login(ctx, LOGIN, NEW)
    assert result.status is LoginStatus.OK and result.session_token
    # The temporary hash did not take a history slot; the old password still did.
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PasswordHistory)) == 1
    with pytest.raises(ValidationError, match="reuse"):
        change(ctx, LOGIN, NEW, OLD)


def test_an_expired_temporary_password_is_refused(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    temp = assisted(ctx, world, ResetMethod.TEMPORARY_PASSWORD).temporary_password
    assert temp
    clock.advance(hours=24)
    with pytest.raises(AuthenticationFailed, match="temporary password expired; ask the NOC"):
        login(ctx, LOGIN, temp)
    with pytest.raises(AuthenticationFailed, match="temporary password expired"):
        change(ctx, LOGIN, temp, NEW)
    assert last_event(ctx).details["why"] == "temporary_expired"
    # A new assisted reset gets the user in again.
    clock.advance(hours=1)
    temp2 = assisted(ctx, world, ResetMethod.TEMPORARY_PASSWORD).temporary_password
    assert temp2 and login(ctx, LOGIN, temp2).status is LoginStatus.CHANGE_REQUIRED


def test_assisted_unlock_lets_a_locked_user_in(ctx: ServiceContext, world: World) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(ctx, LOGIN, "uma senha errada qualquer")
    with pytest.raises(AuthenticationFailed, match="locked"):
        login(ctx, LOGIN, OLD)
    assisted(ctx, world, ResetMethod.UNLOCK_ONLY)
    assert login(ctx, LOGIN, OLD).status is LoginStatus.OK


# -- end to end: reset link ----------------------------------------------------------------------


def test_reset_link_works_once(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    session_before = login(ctx, LOGIN, OLD).session_token
    assert session_before
    assisted(ctx, world, ResetMethod.RESET_LINK)
    token = link_token(ctx)
    complete(ctx, token, NEW)
    user = user_row(ctx, world.user_id)
    assert ctx.hasher.verify(user.password_hash, NEW) and user.must_change_password is False
    with ctx.sessions() as s:
        assert s.scalar(select(PasswordResetToken.used_at)) == clock.now()
    ev = last_event(ctx)
    assert ev.action == "portal_password_reset_completed" and ev.portal_user_id == world.user_id
    assert login(ctx, LOGIN, NEW).status is LoginStatus.OK
    with pytest.raises(AuthenticationFailed, match="wrong login"):
        login(ctx, LOGIN, OLD)
    before = state(ctx, world.user_id)
    with pytest.raises(AuthenticationFailed, match="already used"):
        complete(ctx, token, NEWER)
    assert state(ctx, world.user_id) == before  # nothing written


def test_reset_link_revokes_sessions(ctx: ServiceContext, world: World) -> None:
    pr.reset(
        ctx,
        world.analyst,
        world.user_id,
        ticket_ref="INC-1",
        reason="link sem encerrar sessões",
        identity_checks=IdentityChecks(True, True),
        method=ResetMethod.RESET_LINK,
        end_sessions=False,
    )
    assert active_sessions(ctx, world.user_id) == 1
    complete(ctx, link_token(ctx), NEW)
    assert active_sessions(ctx, world.user_id) == 0
    assert last_event(ctx).details == {"sessions_ended": 1}


def test_an_expired_link_fails(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    token = link_token(ctx)
    clock.advance(minutes=30)
    before = state(ctx, world.user_id)
    with pytest.raises(AuthenticationFailed, match="expired"):
        complete(ctx, token, NEW)
    assert state(ctx, world.user_id) == before


def test_an_earlier_link_stops_working_when_a_new_one_is_sent(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    first = link_token(ctx)
    clock.advance(minutes=1)
    assisted(ctx, world, ResetMethod.RESET_LINK)
    second = link_token(ctx)
    with pytest.raises(AuthenticationFailed):
        complete(ctx, first, NEW)
    complete(ctx, second, NEW)


def test_a_password_change_invalidates_pending_links(ctx: ServiceContext, world: World) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    token = link_token(ctx)
    change(ctx, LOGIN, OLD, NEW)
    with pytest.raises(AuthenticationFailed):
        complete(ctx, token, NEWER)


@pytest.mark.parametrize("token", ["", "nope", "x" * 300, "\x00\x00", "\ud800", "' OR 1=1 --"])
def test_an_invalid_link_fails_and_writes_nothing(
    ctx: ServiceContext, world: World, token: str
) -> None:
    before = state(ctx, world.user_id)
    with pytest.raises(AuthenticationFailed, match="not valid"):
        pa.complete_reset(ctx, token, NEW)
    assert state(ctx, world.user_id) == before


def test_a_policy_violation_keeps_the_link_usable(ctx: ServiceContext, world: World) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    token = link_token(ctx)
    before = state(ctx, world.user_id)
    with pytest.raises(ValidationError) as err:
        complete(ctx, token, "senha123")
    assert set(err.value.fields) == {"new_password"} and len(err.value.fields["new_password"]) >= 2
    with pytest.raises(ValidationError, match="reuse"):
        complete(ctx, token, OLD)  # history applies to links too
    assert state(ctx, world.user_id) == before
    complete(ctx, token, NEW)


def test_a_link_for_a_deactivated_user_fails(ctx: ServiceContext, world: World) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    token = link_token(ctx)
    with ctx.sessions.begin() as s:
        s.execute(update(PortalUser).values(is_active=False))
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        complete(ctx, token, NEW)


def test_a_link_unlocks_the_account(ctx: ServiceContext, world: World) -> None:
    assisted(ctx, world, ResetMethod.RESET_LINK)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(ctx, LOGIN, "uma senha errada qualquer")
    complete(ctx, link_token(ctx), NEW)
    assert login(ctx, LOGIN, NEW).status is LoginStatus.OK
