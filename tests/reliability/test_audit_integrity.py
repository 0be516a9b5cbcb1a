"""Issue 6.7 — the audit log is append-only, and every write path writes exactly one event.

Part one attacks ``audit_events`` the ways tests/db/test_schema.py does not
(it covers a plain UPDATE and DELETE): through the ORM the services use, a
targeted single-row UPDATE, an upsert, SQLite's INSERT OR REPLACE, TRUNCATE on
PostgreSQL, and deleting the subject an event points at.

Part two calls every write path of the services once, in a state prepared
beforehand, and asserts exactly one new event with the expected action; and
every read and every refusal once, asserting no event at all (a refused reset
or save leaves nothing, a search is not audited).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, exc, func, select, text, update

from noc_console.clock import FixedClock
from noc_console.errors import DomainError
from noc_console.models import AuditEvent, Customer, NotificationOutbox, PortalUser, Role
from noc_console.services import (
    audit,
    audit_query,
    auth,
    contracts,
    customers,
    escalation,
    operators,
    portal_auth,
    signin,
    system,
)
from noc_console.services import password_reset as pr
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.escalation import ContactInput
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.search import lookup
from tests.reliability.support.secret_scan import SecretVault
from tests.reliability.support.world import unique, unique_cnpj
from tests.support.factories import (
    make_chain,
    make_contract,
    make_customer,
    make_operator,
    make_portal_user,
)

OP_PASSWORD = "operator-password-123"
PORTAL_PASSWORD = "senha-antiga-muito-longa-2024"
NEW_PORTAL_PASSWORD = "cavalo bateria grampo correto 2026"
APPEND_ONLY = "append-only"

# --------------------------------------------------------------------------- append-only


def _one_event(ctx: ServiceContext, clock: FixedClock) -> int:
    with ctx.sessions.begin() as s:
        event = audit.record(s, at=clock.now(), action="operator_login", subject="op:x")
        s.flush()
        return event.id


def _unchanged(ctx: ServiceContext, event_id: int) -> None:
    with ctx.sessions() as s:
        row = s.get_one(AuditEvent, event_id)
        assert (row.action, row.subject) == ("operator_login", "op:x")
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_the_orm_cannot_edit_an_event(rctx: ServiceContext, clock: FixedClock) -> None:
    event_id = _one_event(rctx, clock)
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.sessions.begin() as s:
        s.get_one(AuditEvent, event_id).details = {"forged": True}
    _unchanged(rctx, event_id)


def test_the_orm_cannot_delete_an_event(rctx: ServiceContext, clock: FixedClock) -> None:
    event_id = _one_event(rctx, clock)
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.sessions.begin() as s:
        s.delete(s.get_one(AuditEvent, event_id))
    _unchanged(rctx, event_id)


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).where(AuditEvent.id == 1).values(action=AuditEvent.action),  # no-op
        update(AuditEvent).where(AuditEvent.id == 1).values(reason="edited"),
        delete(AuditEvent).where(AuditEvent.id == 1),
    ],
    ids=["noop-update", "targeted-update", "targeted-delete"],
)
def test_targeted_statements_fail(rctx: ServiceContext, clock: FixedClock, statement: Any) -> None:
    event_id = _one_event(rctx, clock)
    assert event_id == 1
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.engine.begin() as conn:
        conn.execute(statement)
    _unchanged(rctx, event_id)


def test_an_upsert_cannot_overwrite_an_event(rctx: ServiceContext, clock: FixedClock) -> None:
    event_id = _one_event(rctx, clock)
    sql = (
        "INSERT INTO audit_events (id, occurred_at, action, details)"
        " VALUES (:id, :at, 'forged', '{}')"
        " ON CONFLICT (id) DO UPDATE SET action = 'forged'"
    )
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.engine.begin() as conn:
        conn.execute(text(sql), {"id": event_id, "at": clock.now()})
    _unchanged(rctx, event_id)


def test_insert_or_replace_cannot_overwrite_an_event(
    rctx: ServiceContext, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    if rctx.engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    event_id = _one_event(rctx, clock)
    sql = (
        "INSERT OR REPLACE INTO audit_events (id, occurred_at, action, details)"
        " VALUES (:id, :at, 'forged', '{}')"
    )
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.engine.begin() as conn:
        conn.execute(text(sql), {"id": event_id, "at": clock.now()})
    _unchanged(rctx, event_id)


def test_truncate_fails_on_postgresql(rctx: ServiceContext, clock: FixedClock) -> None:
    if rctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is covered)")
    event_id = _one_event(rctx, clock)
    with pytest.raises(exc.DBAPIError, match=APPEND_ONLY), rctx.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_events"))
    _unchanged(rctx, event_id)


def test_deleting_what_an_event_points_at_leaves_the_event(
    rctx: ServiceContext, clock: FixedClock
) -> None:
    with rctx.sessions.begin() as s:
        customer = make_customer(s, clock=clock)
        user = make_portal_user(s, customer, clock=clock)
        audit.record(
            s,
            at=clock.now(),
            action="password_reset",
            customer_id=customer.id,
            portal_user_id=user.id,
        )
        ids = (customer.id, user.id)
    for model, key in ((PortalUser, ids[1]), (Customer, ids[0])):
        with pytest.raises(exc.IntegrityError), rctx.engine.begin() as conn:
            conn.execute(delete(model).where(model.id == key))
    with rctx.sessions() as s:
        event = s.scalars(select(AuditEvent)).one()
        assert (event.customer_id, event.portal_user_id) == ids


# --------------------------------------------------------------------------- one event per write


@dataclass(frozen=True)
class World:
    customer_id: int
    other_customer_id: int
    user_id: int
    login: str
    analyst: Principal
    operator: Principal
    supervisor: Principal
    portal: PortalPrincipal


@pytest.fixture
def world(mctx: ServiceContext, clock: FixedClock, vault: SecretVault) -> World:
    """People and records of this test only, on the module's shared database."""
    for secret in (OP_PASSWORD, PORTAL_PASSWORD, NEW_PORTAL_PASSWORD):
        vault.add(secret)
    with mctx.sessions.begin() as s:
        customer = make_customer(s, "Auditoria Total Ltda", cnpj=unique_cnpj(), clock=clock)
        other = make_customer(s, "Outra Empresa Ltda", cnpj=unique_cnpj(), clock=clock)
        user = make_portal_user(s, customer, login=unique("paula.portal"), clock=clock)
        make_chain(s, customer, clock=clock)
        make_contract(s, customer, number=unique("CT-A-").upper(), value="777.77")
        make_contract(s, customer, number=unique("CT-B-").upper(), value="888.88")
        return World(
            customer.id,
            other.id,
            user.id,
            user.login,
            make_operator(s, Role.ANALYST, username=unique("ana")),
            make_operator(s, Role.OPERATOR, username=unique("otto")),
            make_operator(s, Role.SUPERVISOR, username=unique("sofia")),
            PortalPrincipal(user.id, customer.id, user.login, user.preposto_level),
        )


CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True)
Action = Callable[[], object]
Prepare = Callable[[ServiceContext, World, Path], Action]


def _reset(method: ResetMethod) -> Prepare:
    def prepare(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
        return lambda: pr.reset(
            ctx,
            w.analyst,
            w.user_id,
            ticket_ref="INC-2026-0700",
            reason="auditoria",
            identity_checks=CHECKS,
            method=method,
        )

    return prepare


def _save_chain(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    levels = (ContactInput(1, "Plantão Novo", None, "+5511934567890", None, 0),)
    return lambda: escalation.save_chain(ctx, w.operator, w.customer_id, levels, 1)


def _failures_then(count: int, password: str) -> Prepare:
    def prepare(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
        for _ in range(count):
            with pytest.raises(DomainError):
                auth.login(ctx, w.analyst.username, "not-the-password")
        return lambda: auth.login(ctx, w.analyst.username, password)

    return prepare


def _temporary_then_login(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    result = _reset(ResetMethod.TEMPORARY_PASSWORD)(ctx, w, _tmp)()
    password = result.temporary_password  # type: ignore[attr-defined]
    return lambda: portal_auth.login(ctx, w.login, password)


def _link_then_complete(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    _reset(ResetMethod.RESET_LINK)(ctx, w, _tmp)()
    with ctx.sessions() as s:
        url = s.scalars(
            select(NotificationOutbox.payload).where(NotificationOutbox.portal_user_id == w.user_id)
        ).one()["url"]
    token = url.rsplit("token=", 1)[1]
    return lambda: portal_auth.complete_reset(ctx, token, NEW_PORTAL_PASSWORD)


def _disabled_then_enable(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    operators.set_operator_active(ctx, w.supervisor, w.analyst.operator_id, active=False)
    return lambda: operators.set_operator_active(
        ctx, w.supervisor, w.analyst.operator_id, active=True
    )


WRITES: dict[str, tuple[str, Prepare]] = {
    "reset temporary password": ("password_reset", _reset(ResetMethod.TEMPORARY_PASSWORD)),
    "reset link": ("password_reset", _reset(ResetMethod.RESET_LINK)),
    "reset unlock only": ("password_reset", _reset(ResetMethod.UNLOCK_ONLY)),
    "save chain": ("escalation_chain_saved", _save_chain),
    "export csv with values": (
        "contracts_exported",
        lambda c, w, p: lambda: contracts.export_csv(c, w.supervisor, w.customer_id, p / "a.csv"),
    ),
    "export csv without values": (
        "contracts_exported",
        lambda c, w, p: lambda: contracts.export_csv(c, w.analyst, w.customer_id, p / "b.csv"),
    ),
    "contract values viewed (list)": (
        "contract_values_viewed",
        lambda c, w, _p: lambda: contracts.list_contracts(c, w.supervisor, w.customer_id),
    ),
    "contract values viewed (totals)": (
        "contract_values_viewed",
        lambda c, w, _p: lambda: contracts.contract_totals(c, w.supervisor, w.customer_id),
    ),
    "contract values viewed (portal preposto 1)": (
        "contract_values_viewed",
        lambda c, w, _p: lambda: contracts.list_contracts(c, w.portal, w.customer_id),
    ),
    "operator login": ("operator_login", _failures_then(0, OP_PASSWORD)),
    "operator login failed": ("operator_login_failed", _failures_then(0, "wrong-password-00")),
    "operator login unknown user": (
        "operator_login_failed",
        lambda c, w, _p: lambda: auth.login(c, "ninguem", OP_PASSWORD),
    ),
    "operator login failure that locks": (
        "operator_login_failed",
        _failures_then(auth.MAX_FAILED_LOGINS - 1, "wrong-password-00"),
    ),
    "operator login while locked": (
        "operator_login_failed",
        _failures_then(auth.MAX_FAILED_LOGINS, OP_PASSWORD),
    ),
    "idle unlock": (
        "console_unlocked",
        lambda c, w, _p: lambda: signin.unlock(c, signin.Identity(), w.analyst, OP_PASSWORD),
    ),
    "idle unlock failed": (
        "console_unlock_failed",
        lambda c, w, _p: (
            lambda: signin.unlock(c, signin.Identity(), w.analyst, "wrong-password-00")
        ),
    ),
    "logout": ("operator_logout", lambda c, w, _p: lambda: system.record_logout(c, w.analyst)),
    "operator created": (
        "operator_created",
        lambda c, w, _p: (
            lambda: operators.add_operator(
                c,
                w.supervisor,
                username="nova",
                display_name="Nova",
                role="analyst",
                password="x" * 16,
            )
        ),
    ),
    "operator disabled": (
        "operator_disabled",
        lambda c, w, _p: (
            lambda: operators.set_operator_active(
                c, w.supervisor, w.analyst.operator_id, active=False
            )
        ),
    ),
    "operator enabled": ("operator_enabled", _disabled_then_enable),
    "portal login": (
        "portal_login",
        lambda c, w, _p: lambda: portal_auth.login(c, w.login, PORTAL_PASSWORD),
    ),
    "portal login with a temporary password": ("portal_login", _temporary_then_login),
    "portal login failed": (
        "portal_login_failed",
        lambda c, w, _p: lambda: portal_auth.login(c, w.login, "wrong-password-00"),
    ),
    "portal password changed": (
        "portal_password_changed",
        lambda c, w, _p: (
            lambda: portal_auth.change_password(c, w.login, PORTAL_PASSWORD, NEW_PORTAL_PASSWORD)
        ),
    ),
    "portal password change with a wrong old password": (
        "portal_password_change_failed",
        lambda c, w, _p: (
            lambda: portal_auth.change_password(
                c, w.login, "wrong-password-00", NEW_PORTAL_PASSWORD
            )
        ),
    ),
    "portal reset completed": ("portal_password_reset_completed", _link_then_complete),
    "permission denied (console)": (
        "permission_denied",
        lambda c, w, _p: lambda: escalation.save_chain(c, w.analyst, w.customer_id, (), 1),
    ),
    "permission denied (portal)": (
        "permission_denied",
        lambda c, w, _p: lambda: contracts.list_contracts(c, w.portal, w.other_customer_id),
    ),
}


def _after(ctx: ServiceContext, newest: int | None) -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.id > (newest or 0))))


def _newest(ctx: ServiceContext) -> int | None:
    with ctx.sessions() as s:
        return s.scalar(select(func.max(AuditEvent.id)))


@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_path_writes_exactly_one_event(
    mctx: ServiceContext, world: World, tmp_path: Path, path: str
) -> None:
    action, prepare = WRITES[path]
    call = prepare(mctx, world, tmp_path)
    newest = _newest(mctx)
    with contextlib.suppress(DomainError):  # failed logins, denials: the event is the point
        call()
    assert [e.action for e in _after(mctx, newest)] == [action]


def _conflicting_save(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    levels = (ContactInput(1, "Plantão", None, "+5511934567890", None, 0),)
    return lambda: escalation.save_chain(ctx, w.operator, w.customer_id, levels, 0)


def _rate_limited(ctx: ServiceContext, w: World, tmp: Path) -> Action:
    for _ in range(3):
        _reset(ResetMethod.UNLOCK_ONLY)(ctx, w, tmp)()
    return _reset(ResetMethod.UNLOCK_ONLY)(ctx, w, tmp)


def _first_page_then_next(ctx: ServiceContext, w: World, _tmp: Path) -> Action:
    page = contracts.list_contracts(ctx, w.supervisor, w.customer_id, page_size=1)
    return lambda: contracts.list_contracts(
        ctx, w.supervisor, w.customer_id, page_size=1, cursor=page.next_cursor
    )


NO_EVENT: dict[str, Prepare] = {
    "search": lambda c, w, _p: lambda: lookup.search(c, w.analyst, "auditoria"),
    "customer view": lambda c, w, _p: lambda: customers.get_customer(c, w.analyst, w.customer_id),
    "chain view": lambda c, w, _p: lambda: escalation.get_chain(c, w.analyst, w.customer_id),
    "reset preview": lambda c, w, _p: lambda: pr.reset_preview(c, w.analyst, w.user_id),
    "contracts without values": lambda c, w, _p: (
        lambda: contracts.list_contracts(c, w.analyst, w.customer_id)
    ),
    "contract totals without values": lambda c, w, _p: (
        lambda: contracts.contract_totals(c, w.analyst, w.customer_id)
    ),
    "next page of a viewing already audited": _first_page_then_next,
    "audit log": lambda c, w, _p: lambda: audit_query.query(c, w.supervisor),
    "audit actions": lambda c, w, _p: lambda: audit_query.list_actions(c, w.supervisor),
    "operator list": lambda c, w, _p: lambda: operators.list_all(c, w.supervisor),
    "reset refused: no ticket": lambda c, w, _p: (
        lambda: pr.reset(
            c,
            w.analyst,
            w.user_id,
            ticket_ref="",
            reason="x",
            identity_checks=CHECKS,
            method=ResetMethod.TEMPORARY_PASSWORD,
        )
    ),
    "reset refused: rate guard": _rate_limited,
    "save refused: invalid chain": lambda c, w, _p: (
        lambda: escalation.save_chain(
            c, w.operator, w.customer_id, (ContactInput(2, "Sem Nível 1"),), 1
        )
    ),
    "save refused: conflict": _conflicting_save,
    "password change refused by the policy": lambda c, w, _p: (
        lambda: portal_auth.change_password(c, w.login, PORTAL_PASSWORD, "curta")
    ),
    "reset link that does not exist": lambda c, w, _p: (
        lambda: portal_auth.complete_reset(c, "x" * 43, NEW_PORTAL_PASSWORD)
    ),
}


@pytest.mark.parametrize("path", list(NO_EVENT))
def test_reads_and_refusals_write_no_event(
    mctx: ServiceContext, world: World, tmp_path: Path, path: str
) -> None:
    call = NO_EVENT[path](mctx, world, tmp_path)
    newest = _newest(mctx)
    with contextlib.suppress(DomainError):
        call()
    assert _after(mctx, newest) == []
