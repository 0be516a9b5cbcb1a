"""Assisted password reset: identity checks, the three methods, flags, locks, rate guard, audit."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import delete, event, func, select, text, update
from sqlalchemy.orm import Session

from noc_console.clock import FixedClock
from noc_console.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from noc_console.models import (
    AuditEvent,
    Customer,
    NotificationOutbox,
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
    Role,
)
from noc_console.services import password_reset as pr
from noc_console.services import portal_credentials
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset import IdentityChecks, ResetMethod, ResetResult
from noc_console.services.password_reset import temporary_password as temp_pw
from noc_console.services.policy import DEFAULT_POLICY, check_password
from noc_console.services.portal_credentials import HISTORY_KEEP_EXTRA
from tests.support.factories import (
    make_customer,
    make_operator,
    make_portal_session,
    make_portal_user,
)

OLD_PASSWORD = "senha-antiga-muito-longa-2024"
CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True)
TICKET = "INC-2026-0042"
REASON = "cliente ligou: esqueceu a senha e a conta está bloqueada"
FIXED = "Kx7m-Pq9r-Tz4w-Hb2n"
ERRORS: list[BaseException] = []  # every domain error the reset calls raised in this test
GROUPED = re.compile(rf"^[{pr.ALPHABET}]{{4}}(-[{pr.ALPHABET}]{{4}})*(-[{pr.ALPHABET}]{{1,3}})?$")


@dataclass
class World:
    customer_id: int
    user_id: int
    login: str
    analyst: Principal


@pytest.fixture
def world(ctx: ServiceContext, clock: FixedClock) -> World:
    """A locked portal user with two live sessions and one expired one; an analyst."""
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Padaria São João Ltda", trade_name="São João", clock=clock)
        user = make_portal_user(
            s,
            customer,
            login="joao.silva",
            email="joao.silva@empresa.com.br",
            password=OLD_PASSWORD,
            clock=clock,
        )
        user.failed_login_count = 5
        user.locked_until = clock.now() + timedelta(minutes=10)
        make_portal_session(s, user, clock=clock)
        make_portal_session(s, user, clock=clock)
        expired = make_portal_session(s, user, clock=clock)
        expired.expires_at = clock.now() - timedelta(minutes=1)
        analyst = make_operator(s, Role.ANALYST, clock=clock)
        return World(customer.id, user.id, user.login, analyst)


def do_reset(
    ctx: ServiceContext,
    w: World,
    method: ResetMethod = ResetMethod.TEMPORARY_PASSWORD,
    **kw: object,
) -> ResetResult:
    args: dict[str, object] = {
        "ticket_ref": TICKET,
        "reason": REASON,
        "identity_checks": CHECKS,
        "method": method,
    }
    args.update(kw)
    actor = args.pop("actor", w.analyst)
    try:
        return pr.reset(ctx, actor, w.user_id, **args)  # type: ignore[arg-type]
    except DomainError as err:
        ERRORS.append(err)
        raise


def user_row(ctx: ServiceContext, user_id: int) -> PortalUser:
    with ctx.sessions() as s:
        user = s.get(PortalUser, user_id)
        assert user is not None
        return user


def events(ctx: ServiceContext, action: str | None = None) -> list[AuditEvent]:
    with ctx.sessions() as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            q = q.where(AuditEvent.action == action)
        return list(s.scalars(q))


def count(ctx: ServiceContext, model: type) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def snapshot(ctx: ServiceContext, user_id: int) -> tuple[object, ...]:
    """Everything a refused reset must leave untouched."""
    u = user_row(ctx, user_id)
    with ctx.sessions() as s:
        revoked = s.scalar(select(func.count()).where(PortalSession.revoked_at.is_not(None)))
    return (
        u.password_hash,
        u.version,
        u.failed_login_count,
        u.locked_until,
        u.must_change_password,
        revoked,
        count(ctx, PasswordHistory),
        count(ctx, PasswordResetToken),
        count(ctx, NotificationOutbox),
        count(ctx, AuditEvent),
    )


# -- no secret anywhere --------------------------------------------------------------------------


def stored_secrets(ctx: ServiceContext) -> set[str]:
    """Every hash and token the database holds, and the tokens in the outbox links."""
    found: set[str] = set()
    with ctx.sessions() as s:
        found.update(h for h in s.scalars(select(PortalUser.password_hash)) if h)
        found.update(s.scalars(select(PasswordHistory.password_hash)))
        found.update(s.scalars(select(PasswordResetToken.token_hash)))
        found.update(s.scalars(select(PortalSession.token_hash)))
        for row in s.scalars(select(NotificationOutbox)):
            url = row.payload.get("url")
            if url:
                found.update(parse_qs(urlparse(url).query).get("token", []))
    return found


def leak_haystacks(
    ctx: ServiceContext, records: list[logging.LogRecord], errors: list[BaseException]
) -> list[str]:
    """What must never hold a secret: logs, audit rows, the outbox but its link, error texts."""
    hay = [r.getMessage() for r in records] + [repr(r.__dict__) for r in records]
    with ctx.sessions() as s:
        for ev in s.scalars(select(AuditEvent)):
            hay.append(repr((ev.action, ev.subject, ev.ticket_ref, ev.reason, ev.details)))
        for row in s.scalars(select(NotificationOutbox)):
            payload = {k: v for k, v in row.payload.items() if k != "url"}
            hay.append(repr((row.kind, row.recipient, payload, row.last_error)))
    for err in errors:
        hay.append(str(err))
        hay.append(repr(err))
        hay.append(repr(getattr(err, "fields", None)))
        hay.append(repr(getattr(err, "current", None)))
    return hay


def assert_no_leak(haystacks: list[str], secrets: set[str]) -> None:
    for secret in secrets:
        assert len(secret) >= 8
        for text_ in haystacks:
            assert secret not in text_, "a secret leaked into a log, audit row, outbox or error"


@pytest.fixture(autouse=True)
def no_secret_leaks(
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Around every reset test: no generated password, token or hash escapes anywhere.

    Every logger is captured at DEBUG except SQLAlchemy's, which stays at the
    WARNING level SQLAlchemy itself sets on import: at INFO (echo=True) it prints
    bound parameters, hashes and the outbox link included. The console never
    enables it; engines built with hide_parameters=True would not leak even then.
    """
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # see the docstring
    generated: list[str] = []
    real = temp_pw.generate_temporary_password

    def recording(policy: object) -> str:
        pw = real(policy)  # type: ignore[arg-type]
        generated.append(pw)
        return pw

    monkeypatch.setattr(temp_pw, "generate_temporary_password", recording)
    ERRORS.clear()
    # Asked for now, so the database outlives this fixture's teardown.
    ctx: ServiceContext | None = (
        request.getfixturevalue("ctx") if "ctx" in request.fixturenames else None
    )
    yield
    if ctx is None:
        return
    secrets = stored_secrets(ctx) | set(generated) | {FIXED}
    assert_no_leak(leak_haystacks(ctx, caplog.records, ERRORS), secrets)


def test_the_leak_check_itself_catches_a_leak(ctx: ServiceContext, world: World) -> None:
    result = do_reset(ctx, world)
    assert result.temporary_password
    records = [
        logging.LogRecord(
            "x", logging.DEBUG, __file__, 1, "oops %s", (result.temporary_password,), None
        )
    ]
    with pytest.raises(AssertionError):
        assert_no_leak(leak_haystacks(ctx, records, []), {result.temporary_password})


# -- temporary password --------------------------------------------------------------------------


def test_temporary_password_reset(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    before = user_row(ctx, world.user_id)
    result = do_reset(ctx, world)
    pw = result.temporary_password
    assert pw and GROUPED.match(pw) and len(pw) >= DEFAULT_POLICY.min_length
    user = user_row(ctx, world.user_id)
    assert ctx.hasher.verify(user.password_hash, pw)
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert pw not in user.password_hash
    assert user.must_change_password is True
    assert user.temp_password_expires_at == clock.now() + timedelta(hours=24)
    assert result.temp_password_expires_at == user.temp_password_expires_at
    assert user.password_changed_at == clock.now()
    assert user.version == before.version + 1 == result.version
    with ctx.sessions() as s:
        history = list(s.scalars(select(PasswordHistory.password_hash)))
    assert history == [before.password_hash]
    assert (result.method, result.login, result.customer_id) == (
        ResetMethod.TEMPORARY_PASSWORD,
        "joao.silva",
        world.customer_id,
    )


def test_temporary_password_ttl_follows_the_policy(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(temp_password_ttl_hours=2))
    result = do_reset(ctx, world)
    assert result.temp_password_expires_at == clock.now() + timedelta(hours=2)


def test_result_repr_and_str_hide_the_password(ctx: ServiceContext, world: World) -> None:
    result = do_reset(ctx, world)
    assert result.temporary_password
    assert result.temporary_password not in repr(result)
    assert result.temporary_password not in str(result)
    assert "temporary_password=" not in repr(result)


def test_fixed_generator_seam(ctx: ServiceContext, world: World) -> None:
    result = do_reset(ctx, world, generate=lambda policy: FIXED)
    assert result.temporary_password == FIXED
    assert ctx.hasher.verify(user_row(ctx, world.user_id).password_hash, FIXED)


def test_generated_password_is_regenerated_until_it_satisfies_the_policy(
    ctx: ServiceContext, world: World
) -> None:
    produced = iter(["senha123", "joao.silva-joao.silva-1", FIXED])
    result = do_reset(ctx, world, generate=lambda policy: next(produced))
    assert result.temporary_password == FIXED  # the short and the context one were refused


def test_a_generator_that_never_satisfies_the_policy_is_refused_cleanly(
    ctx: ServiceContext, world: World
) -> None:
    before = snapshot(ctx, world.user_id)
    with pytest.raises(ValidationError) as err:
        do_reset(ctx, world, generate=lambda policy: "senha123")
    assert "method" in err.value.fields
    assert "senha123" not in str(err.value)
    assert snapshot(ctx, world.user_id) == before


def test_generated_passwords_satisfy_the_policy_and_the_alphabet() -> None:
    ambiguous = set("0Oo1lIi5Ss2Zz8Bb")
    samples = [temp_pw.generate_temporary_password(DEFAULT_POLICY) for _ in range(200)]
    for pw in samples:
        assert check_password(DEFAULT_POLICY, pw) == (), pw
        assert GROUPED.match(pw), pw
        assert not ambiguous & set(pw)
        assert set(pw) <= set(pr.ALPHABET) | {"-"}
        assert len(pw) == 19 and pw.count("-") == 3
    assert len(set(samples)) == 200


@pytest.mark.parametrize(("min_length", "max_length"), [(15, 128), (24, 128), (64, 64), (128, 128)])
def test_generated_length_follows_min_and_max(min_length: int, max_length: int) -> None:
    policy = replace(DEFAULT_POLICY, min_length=min_length, max_length=max_length)
    for _ in range(20):
        pw = temp_pw.generate_temporary_password(policy)
        assert min_length <= len(pw) <= max_length
        assert GROUPED.match(pw)
        assert not [v for v in check_password(policy, pw) if v.code in ("too_short", "too_long")]


def test_composition_rules_are_met_when_configured(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        s.execute(
            update(PasswordPolicy).values(
                require_lower=True, require_upper=True, require_digit=True, require_symbol=True
            )
        )
    for _ in range(3):
        result = do_reset(ctx, world)
        assert result.temporary_password
        pw = result.temporary_password
        assert any(c.islower() for c in pw) and any(c.isupper() for c in pw)
        assert any(c.isdigit() for c in pw) and "-" in pw


def test_history_is_trimmed(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(history_count=1, max_resets_per_hour=100))
    for _ in range(6):
        clock.advance(minutes=1)
        do_reset(ctx, world)
    assert count(ctx, PasswordHistory) == 1 + HISTORY_KEEP_EXTRA


# -- reset link ----------------------------------------------------------------------------------


def _outbox(ctx: ServiceContext) -> list[NotificationOutbox]:
    with ctx.sessions() as s:
        return list(s.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id)))


def _token_from(row: NotificationOutbox) -> str:
    return str(parse_qs(urlparse(row.payload["url"]).query)["token"][0])


def test_reset_link(ctx: ServiceContext, world: World, clock: FixedClock) -> None:
    before = user_row(ctx, world.user_id)
    result = do_reset(ctx, world, ResetMethod.RESET_LINK)
    assert result.temporary_password is None
    assert result.email_masked == "j***@empresa.com.br"
    assert result.link_expires_at == clock.now() + timedelta(minutes=30)
    (mail,) = _outbox(ctx)
    assert (mail.kind, mail.recipient, mail.portal_user_id) == (
        "password_reset_link",
        "joao.silva@empresa.com.br",
        world.user_id,
    )
    assert mail.payload["login"] == "joao.silva"
    assert mail.payload["expires_at"] == result.link_expires_at.isoformat()
    token = _token_from(mail)
    assert len(token) >= 40
    assert mail.payload["url"] == ctx.portal_reset_url.format(token=token)
    with ctx.sessions() as s:
        (row,) = s.scalars(select(PasswordResetToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at == result.link_expires_at and row.used_at is None
    assert row.created_by_operator_id == world.analyst.operator_id
    # The operator never sees the token, and the password is untouched.
    assert token not in repr(result) and all(
        token not in str(getattr(result, f)) for f in result.__dataclass_fields__
    )
    user = user_row(ctx, world.user_id)
    assert user.password_hash == before.password_hash
    assert user.must_change_password is False


def test_a_new_link_invalidates_the_earlier_ones(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    do_reset(ctx, world, ResetMethod.RESET_LINK)
    clock.advance(minutes=1)
    do_reset(ctx, world, ResetMethod.RESET_LINK)
    with ctx.sessions() as s:
        rows = list(s.scalars(select(PasswordResetToken).order_by(PasswordResetToken.id)))
    assert rows[0].used_at == clock.now() and rows[1].used_at is None
    assert events(ctx, "password_reset")[1].details["earlier_links_invalidated"] == 1


def test_reset_link_ttl_follows_the_policy(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(reset_token_ttl_minutes=10))
    result = do_reset(ctx, world, ResetMethod.RESET_LINK)
    assert result.link_expires_at == clock.now() + timedelta(minutes=10)


def test_a_temporary_password_invalidates_pending_links(ctx: ServiceContext, world: World) -> None:
    do_reset(ctx, world, ResetMethod.RESET_LINK)
    do_reset(ctx, world)
    with ctx.sessions() as s:
        assert s.scalar(select(PasswordResetToken.used_at)) is not None


def test_mask_email() -> None:
    assert pr.mask_email("joao.silva@empresa.com.br") == "j***@empresa.com.br"
    assert pr.mask_email("a@b.co") == "a***@b.co"
    assert pr.mask_email("") == "***"
    assert pr.mask_email("not-an-email") == "***"


# -- unlock only, flags ----------------------------------------------------------------------------


def test_unlock_only_keeps_the_password(ctx: ServiceContext, world: World) -> None:
    before = user_row(ctx, world.user_id)
    result = do_reset(ctx, world, ResetMethod.UNLOCK_ONLY, end_sessions=False)
    user = user_row(ctx, world.user_id)
    assert user.password_hash == before.password_hash
    assert user.must_change_password is False and user.temp_password_expires_at is None
    assert (user.failed_login_count, user.locked_until) == (0, None)
    assert result.unlocked and result.temporary_password is None and result.sessions_ended == 0
    assert count(ctx, PasswordHistory) == 0 and count(ctx, NotificationOutbox) == 0
    (ev,) = events(ctx, "password_reset")
    assert ev.details["method"] == "unlock_only" and ev.details["was_locked"] is True


def test_unlock_only_always_unlocks(ctx: ServiceContext, world: World) -> None:
    assert do_reset(ctx, world, ResetMethod.UNLOCK_ONLY, unlock=False).unlocked
    user = user_row(ctx, world.user_id)
    assert (user.failed_login_count, user.locked_until) == (0, None)


def test_unlock_false_leaves_the_lock(ctx: ServiceContext, world: World) -> None:
    before = user_row(ctx, world.user_id)
    result = do_reset(ctx, world, unlock=False)
    user = user_row(ctx, world.user_id)
    assert (user.failed_login_count, user.locked_until) == (5, before.locked_until)
    assert result.unlocked is False


@pytest.mark.parametrize("method", list(ResetMethod))
def test_unlock_clears_the_lockout_for_every_method(
    ctx: ServiceContext, world: World, method: ResetMethod
) -> None:
    assert do_reset(ctx, world, method).unlocked
    user = user_row(ctx, world.user_id)
    assert (user.failed_login_count, user.locked_until) == (0, None)


def test_end_sessions_revokes_every_active_session(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    result = do_reset(ctx, world, ResetMethod.RESET_LINK)
    assert result.sessions_ended == 2  # the expired one is not "active"
    with ctx.sessions() as s:
        rows = list(s.scalars(select(PortalSession).order_by(PortalSession.id)))
    assert [r.revoked_at for r in rows[:2]] == [clock.now()] * 2
    assert {r.revoked_reason for r in rows[:2]} == {"assisted_reset"}
    assert events(ctx, "password_reset")[0].details["sessions_ended"] == 2


def test_end_sessions_false_keeps_them(ctx: ServiceContext, world: World) -> None:
    result = do_reset(ctx, world, end_sessions=False)
    assert result.sessions_ended == 0
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).where(PortalSession.revoked_at.is_not(None))) == 0


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ticket_ref": ""}, "ticket_ref"),
        ({"ticket_ref": "   "}, "ticket_ref"),
        ({"ticket_ref": "IN"}, "ticket_ref"),
        ({"ticket_ref": "X" * 65}, "ticket_ref"),
        ({"ticket_ref": "INC-1\x00"}, "ticket_ref"),
        ({"ticket_ref": None}, "ticket_ref"),
        ({"reason": ""}, "reason"),
        ({"reason": "r" * 501}, "reason"),
        ({"reason": "ok\x1b[2J"}, "reason"),
        (
            {"identity_checks": IdentityChecks(name_matches=False, cnpj_confirmed=True)},
            "name_matches",
        ),
        (
            {"identity_checks": IdentityChecks(name_matches=True, cnpj_confirmed=False)},
            "cnpj_confirmed",
        ),
        ({"method": "by_carrier_pigeon"}, "method"),
    ],
)
def test_refused_without_ticket_reason_or_identity_checks(
    ctx: ServiceContext, world: World, changes: dict[str, Any], field: str
) -> None:
    before = snapshot(ctx, world.user_id)
    with pytest.raises(ValidationError) as err:
        do_reset(ctx, world, **changes)
    assert field in err.value.fields and all(err.value.fields[field])
    assert snapshot(ctx, world.user_id) == before


def test_every_missing_item_is_reported_at_once(ctx: ServiceContext, world: World) -> None:
    with pytest.raises(ValidationError) as err:
        do_reset(ctx, world, ticket_ref="", reason="", identity_checks=IdentityChecks(False, False))
    assert {"ticket_ref", "reason", "name_matches", "cnpj_confirmed"} <= set(err.value.fields)


def test_boundaries_of_ticket_and_reason_are_accepted(ctx: ServiceContext, world: World) -> None:
    do_reset(ctx, world, ticket_ref="INC", reason="r" * 500)
    do_reset(ctx, world, ticket_ref="X" * 64, reason="ok")
    ev = events(ctx, "password_reset")
    assert (ev[0].ticket_ref, ev[1].ticket_ref) == ("INC", "X" * 64)


def test_callback_is_optional_and_checks_are_recorded(ctx: ServiceContext, world: World) -> None:
    do_reset(ctx, world, ResetMethod.UNLOCK_ONLY)
    do_reset(
        ctx,
        world,
        ResetMethod.UNLOCK_ONLY,
        identity_checks=IdentityChecks(name_matches=True, cnpj_confirmed=True, callback_done=True),
    )
    first, second = events(ctx, "password_reset")
    assert first.details["checks"] == {
        "name_matches": True,
        "cnpj_confirmed": True,
        "callback_done": False,
    }
    assert second.details["checks"]["callback_done"] is True


def test_inactive_user_is_refused(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PortalUser).values(is_active=False))
    before = snapshot(ctx, world.user_id)
    with pytest.raises(ValidationError, match="deactivated") as err:
        do_reset(ctx, world)
    assert "user" in err.value.fields
    assert snapshot(ctx, world.user_id) == before


def test_unknown_user(ctx: ServiceContext, world: World) -> None:
    with pytest.raises(NotFound):
        pr.reset(
            ctx,
            world.analyst,
            987_654,
            ticket_ref=TICKET,
            reason=REASON,
            identity_checks=CHECKS,
            method=ResetMethod.UNLOCK_ONLY,
        )


def test_expected_version_mismatch_is_a_conflict_and_writes_nothing(
    ctx: ServiceContext, world: World
) -> None:
    version = user_row(ctx, world.user_id).version
    before = snapshot(ctx, world.user_id)
    with pytest.raises(ConflictError) as err:
        do_reset(ctx, world, expected_version=version - 1)
    assert isinstance(err.value.current, pr.ResetPreview)
    assert err.value.current.version == version
    assert snapshot(ctx, world.user_id) == before
    assert do_reset(ctx, world, expected_version=version).version == version + 1


def test_a_concurrent_writer_detected_at_flush_is_a_conflict(
    ctx: ServiceContext, world: World
) -> None:
    """The ORM version column: someone bumps the row between our read and our write."""

    def sneak_in(session: Session, _flush: object, _instances: object) -> None:
        session.connection().execute(text("UPDATE portal_users SET version = version + 1"))

    before = snapshot(ctx, world.user_id)
    event.listen(ctx.sessions, "before_flush", sneak_in)
    try:
        with pytest.raises(ConflictError):
            do_reset(ctx, world)
    finally:
        event.remove(ctx.sessions, "before_flush", sneak_in)
    assert snapshot(ctx, world.user_id) == before


# -- rate guard ----------------------------------------------------------------------------------


def test_rate_guard_refuses_the_fourth_reset_within_the_hour(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    start = clock.now()
    for _ in range(3):
        do_reset(ctx, world, ResetMethod.UNLOCK_ONLY)
        clock.advance(minutes=10)
    before = snapshot(ctx, world.user_id)
    with pytest.raises(RateLimited) as err:
        do_reset(ctx, world)
    message = str(err.value)
    assert "3 times" in message and f"{start + timedelta(hours=1):%H:%M}" in message
    assert isinstance(err.value, pr.ResetRateLimited)
    assert err.value.retry_at == start + timedelta(hours=1)
    assert snapshot(ctx, world.user_id) == before
    clock.current = start + timedelta(hours=1)  # the first reset leaves the window
    do_reset(ctx, world)


def test_rate_guard_is_per_user_and_follows_the_policy(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(max_resets_per_hour=1))
        other = make_portal_user(s, make_customer(s, "Outra Empresa SA", trade_name=None))
        other_id = other.id
    do_reset(ctx, world, ResetMethod.UNLOCK_ONLY)
    with pytest.raises(RateLimited, match="reset 1 time in the last hour"):
        do_reset(ctx, world, ResetMethod.UNLOCK_ONLY)
    pr.reset(
        ctx,
        world.analyst,
        other_id,
        ticket_ref=TICKET,
        reason=REASON,
        identity_checks=CHECKS,
        method=ResetMethod.UNLOCK_ONLY,
    )


def test_rate_guard_holds_under_concurrency(ctx: ServiceContext, world: World) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        try:
            do_reset(ctx, world, ResetMethod.UNLOCK_ONLY, end_sessions=False)
            result = "ok"
        except RateLimited:
            result = "limited"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["limited"] * 3 + ["ok"] * 3
    assert len(events(ctx, "password_reset")) == 3


# -- permissions and audit -----------------------------------------------------------------------


def test_an_analyst_operator_and_supervisor_may_reset(ctx: ServiceContext, world: World) -> None:
    with ctx.sessions.begin() as s:
        others = [make_operator(s, Role.OPERATOR), make_operator(s, Role.SUPERVISOR)]
    for actor in (world.analyst, *others):
        do_reset(ctx, world, ResetMethod.UNLOCK_ONLY, actor=actor)
    assert [e.operator_id for e in events(ctx, "password_reset")] == [
        world.analyst.operator_id,
        *(o.operator_id for o in others),
    ]


def test_read_only_refuses_and_audits_only_the_denial(
    ctx: ServiceContext, read_only_ctx: ServiceContext, world: World
) -> None:
    before = snapshot(ctx, world.user_id)
    for method in ResetMethod:
        with pytest.raises(PermissionDenied, match="read-only"):
            do_reset(read_only_ctx, world, method)
    after = snapshot(ctx, world.user_id)
    assert after[:-1] == before[:-1]  # nothing but audit rows changed
    new = events(ctx)[-3:]
    assert len(events(ctx)) == int(str(before[-1])) + 3
    assert {e.action for e in new} == {"permission_denied"}
    assert all(e.operator_id == world.analyst.operator_id for e in new)
    assert all(e.details["why"] == "read_only" for e in new)


def test_one_audit_event_with_everything_and_no_secret(ctx: ServiceContext, world: World) -> None:
    before = len(events(ctx))
    result = do_reset(ctx, world, identity_checks=IdentityChecks(True, True, True))
    assert len(events(ctx)) == before + 1
    (ev,) = events(ctx, "password_reset")
    assert ev.id == result.audit_event_id
    assert (ev.operator_id, ev.customer_id, ev.portal_user_id) == (
        world.analyst.operator_id,
        world.customer_id,
        world.user_id,
    )
    assert (ev.subject, ev.ticket_ref, ev.reason) == ("portal:joao.silva", TICKET, REASON)
    assert ev.details["method"] == "temporary_password"
    assert ev.details["checks"] == {
        "name_matches": True,
        "cnpj_confirmed": True,
        "callback_done": True,
    }
    assert (ev.details["unlock"], ev.details["end_sessions"], ev.details["sessions_ended"]) == (
        True,
        True,
        2,
    )
    assert result.temporary_password and result.temporary_password not in repr(ev.details)
    assert "$argon2" not in repr(ev.details)


# -- preview -------------------------------------------------------------------------------------


def test_preview_for_the_wizard(
    ctx: ServiceContext, read_only_ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    p = pr.reset_preview(read_only_ctx, world.analyst, world.user_id)  # a read: allowed
    assert (p.login, p.full_name) == ("joao.silva", "João da Silva")
    assert (p.company_name, p.legal_name) == ("São João", "Padaria São João Ltda")
    assert re.fullmatch(r"\d\d\.\d{3}\.\d{3}/\d{4}-\d\d", p.cnpj_formatted)
    assert p.email_masked == "j***@empresa.com.br"
    assert p.phone_formatted == "(11) 98765-4321"
    assert p.locked_until == clock.now() + timedelta(minutes=10) and p.active_sessions == 2
    assert (p.temp_password_ttl_hours, p.reset_token_ttl_minutes) == (24, 30)
    assert (p.resets_left_this_hour, p.next_reset_at) == (3, None)
    for _ in range(3):
        do_reset(ctx, world, ResetMethod.UNLOCK_ONLY)
    p = pr.reset_preview(ctx, world.analyst, world.user_id)
    assert p.resets_left_this_hour == 0 and p.next_reset_at == clock.now() + timedelta(hours=1)
    assert p.locked_until is None and p.active_sessions == 0


def test_preview_unknown_user(ctx: ServiceContext, world: World) -> None:
    with pytest.raises(NotFound):
        pr.reset_preview(ctx, world.analyst, 424_242)


# -- fewer round trips (issue 5): same rows touched, same results --------------------------------


@contextmanager
def statements(ctx: ServiceContext) -> Iterator[list[str]]:
    """The SQL the engine sends meanwhile, whitespace folded (what was written, not how fast)."""
    seen: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)


def writes_to(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith(("UPDATE", "DELETE")) and f" {table} " in f"{s} "]


def history(ctx: ServiceContext, user_id: int) -> list[str]:
    """The user's history hashes, newest first (the order the trimming keeps them in)."""
    with ctx.sessions() as s:
        return list(
            s.scalars(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.portal_user_id == user_id)
                .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
            )
        )


def seed_history(ctx: ServiceContext, user_id: int, clock: FixedClock, n: int) -> list[str]:
    """``n`` older history rows, one day apart; returned newest first."""
    hashes = [f"seeded-history-hash-{i:02d}" for i in range(n)]
    with ctx.sessions.begin() as s:
        for i, h in enumerate(hashes):
            s.add(
                PasswordHistory(
                    portal_user_id=user_id,
                    password_hash=h,
                    created_at=clock.now() - timedelta(days=n - i),
                )
            )
    return hashes[::-1]


def bare_user(ctx: ServiceContext, world: World, clock: FixedClock) -> World:
    """A user of the same customer with no session, no reset link and no history."""
    with ctx.sessions.begin() as s:
        customer = s.get(Customer, world.customer_id)
        assert customer is not None
        user = make_portal_user(s, customer, login="maria.souza", clock=clock)
        return replace(world, user_id=user.id, login=user.login)


def test_history_keeps_exactly_the_newest(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(history_count=2, max_resets_per_hour=100))
    replaced: list[str | None] = []
    for _ in range(7):
        clock.advance(minutes=1)
        replaced.append(user_row(ctx, world.user_id).password_hash)
        do_reset(ctx, world)
    keep = 2 + HISTORY_KEEP_EXTRA
    assert history(ctx, world.user_id) == replaced[::-1][:keep]


def test_a_surplus_of_history_is_trimmed_to_the_newest(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    """history_count lowered after many changes: one reset trims everything past the newest."""
    seeded = seed_history(ctx, world.user_id, clock, 10)
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(history_count=1))
    current = user_row(ctx, world.user_id).password_hash
    with statements(ctx) as seen:
        do_reset(ctx, world)
    assert len(writes_to(seen, "password_history")) == 1  # one DELETE, no id list read first
    assert history(ctx, world.user_id) == [current, *seeded[:HISTORY_KEEP_EXTRA]]


def test_history_within_the_limit_is_left_alone(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    seeded = seed_history(ctx, world.user_id, clock, 2)
    current = user_row(ctx, world.user_id).password_hash
    with statements(ctx) as seen:
        do_reset(ctx, world)
    assert writes_to(seen, "password_history") == []
    assert history(ctx, world.user_id) == [current, *seeded]


@pytest.mark.parametrize("has_password", [True, False])
def test_push_history_without_a_count_trims_too(
    ctx: ServiceContext, world: World, clock: FixedClock, has_password: bool
) -> None:
    """The portal's own password change calls it without a count (``existing`` left out)."""
    seeded = seed_history(ctx, world.user_id, clock, 9)
    policy = replace(DEFAULT_POLICY, history_count=3)
    with ctx.sessions.begin() as s, s.no_autoflush:
        user = s.get(PortalUser, world.user_id)
        assert user is not None
        if not has_password:
            user.password_hash = None
        current = user.password_hash
        portal_credentials.push_history(s, user, policy, clock.now())
    keep = 3 + HISTORY_KEEP_EXTRA
    expected = [current, *seeded[: keep - 1]] if has_password else seeded[:keep]
    assert history(ctx, world.user_id) == expected


def test_links_and_sessions_are_ended_when_present(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    do_reset(ctx, world, ResetMethod.RESET_LINK, end_sessions=False)
    clock.advance(minutes=1)
    with statements(ctx) as seen:
        result = do_reset(ctx, world)
    assert result.sessions_ended == 2  # the expired session is not active
    assert len(writes_to(seen, "password_reset_tokens")) == 1
    assert len(writes_to(seen, "portal_sessions")) == 1
    with ctx.sessions() as s:
        assert s.scalars(select(PasswordResetToken.used_at)).all() == [clock.now()]
        revoked = s.scalars(select(PortalSession.revoked_at).order_by(PortalSession.id)).all()
    assert revoked == [clock.now(), clock.now(), None]


@pytest.mark.parametrize("method", list(ResetMethod))
def test_nothing_to_end_writes_nothing_and_breaks_nothing(
    ctx: ServiceContext, world: World, clock: FixedClock, method: ResetMethod
) -> None:
    bare = bare_user(ctx, world, clock)
    with statements(ctx) as seen:
        result = do_reset(ctx, bare, method)
    assert result.sessions_ended == 0
    assert writes_to(seen, "portal_sessions") == []
    assert writes_to(seen, "password_reset_tokens") == []
    assert writes_to(seen, "password_history") == []
    (ev,) = events(ctx, "password_reset")
    assert ev.details["sessions_ended"] == 0
    if method is ResetMethod.RESET_LINK:
        assert ev.details["earlier_links_invalidated"] == 0
    if method is ResetMethod.TEMPORARY_PASSWORD:
        assert result.temporary_password
        assert ctx.hasher.verify(
            user_row(ctx, bare.user_id).password_hash, result.temporary_password
        )
        assert len(history(ctx, bare.user_id)) == 1


def test_the_company_is_part_of_the_context_words(ctx: ServiceContext, world: World) -> None:
    """The customer comes with the locked user row: its name still rules out a candidate."""
    produced = iter(["Padaria-Kx7m-Pq9r-Tz4w", FIXED])
    result = do_reset(ctx, world, generate=lambda policy: next(produced))
    assert result.temporary_password == FIXED


def test_a_missing_policy_row_means_the_defaults(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    with ctx.sessions.begin() as s:
        s.execute(delete(PasswordPolicy))
    result = do_reset(ctx, world)
    assert result.temp_password_expires_at == clock.now() + timedelta(
        hours=DEFAULT_POLICY.temp_password_ttl_hours
    )


def _wait_until_blocked(ctx: ServiceContext, thread: threading.Thread) -> None:
    """Give the reset time to queue behind the lock (PostgreSQL: until it is seen waiting)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and thread.is_alive():
        if ctx.engine.dialect.name != "postgresql":
            time.sleep(0.3)  # SQLite: it waits in BEGIN IMMEDIATE; nothing to observe
            return
        with ctx.engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE NOT l.granted AND a.datname = current_database()"
                )
            )
        if waiting:
            return
        time.sleep(0.02)


def test_a_session_opened_while_the_reset_waited_for_the_lock_is_ended(
    ctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    """A portal login holds the same row lock; the reset counts sessions after it has it."""
    bare = bare_user(ctx, world, clock)
    outcome: list[ResetResult | BaseException] = []
    with ctx.sessions.begin() as s:  # a login in progress: user row locked, session added
        user = s.scalars(
            select(PortalUser).where(PortalUser.id == bare.user_id).with_for_update()
        ).one()
        make_portal_session(s, user, clock=clock)

        def run() -> None:
            try:
                outcome.append(do_reset(ctx, bare, ResetMethod.UNLOCK_ONLY))
            except BaseException as err:  # handed to the main thread
                outcome.append(err)

        worker = threading.Thread(target=run)
        worker.start()
        _wait_until_blocked(ctx, worker)
    worker.join(timeout=30)
    (result,) = outcome
    assert isinstance(result, ResetResult) and result.sessions_ended == 1
    with ctx.sessions() as s:
        assert s.scalars(
            select(PortalSession.revoked_reason).where(PortalSession.portal_user_id == bare.user_id)
        ).all() == ["assisted_reset"]


def test_concurrent_links_leave_exactly_one_usable(ctx: ServiceContext, world: World) -> None:
    """Each reset counts the links and sessions under the lock, after the previous one committed."""
    results: list[ResetResult] = []
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def worker() -> None:
        barrier.wait()
        result = do_reset(ctx, world, ResetMethod.RESET_LINK)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 3
    with ctx.sessions() as s:
        used = s.scalars(select(PasswordResetToken.used_at)).all()
    assert sum(u is None for u in used) == 1 and len(used) == 3
    evs = events(ctx, "password_reset")
    assert sorted(e.details["earlier_links_invalidated"] for e in evs) == [0, 1, 1]
    assert sorted(r.sessions_ended for r in results) == [0, 0, 2]
