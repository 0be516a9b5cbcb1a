"""Operator management from the console: supervisors only, audited, no self-lockout."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from noc_console.errors import (
    AuthenticationFailed,
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from noc_console.models import AuditEvent, Role
from noc_console.services import auth, operators
from noc_console.services.context import ServiceContext
from tests.support.factories import make_operator

NEW_PW = "a-long-operator-password"


def _count(ctx: ServiceContext, action: str) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def test_supervisor_adds_and_disables_an_operator(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR)
    info = operators.add_operator(
        ctx, boss, username="Nova.Analista", display_name="Nova", role="analyst", password=NEW_PW
    )
    assert (info.username, info.role) == ("nova.analista", Role.ANALYST)
    assert auth.login(ctx, "nova.analista", NEW_PW).role is Role.ANALYST
    operators.set_operator_active(ctx, boss, info.id, active=False)
    with pytest.raises(AuthenticationFailed):
        auth.login(ctx, "nova.analista", NEW_PW)
    assert _count(ctx, "operator_created") == 1
    assert _count(ctx, "operator_disabled") == 1
    assert sorted(o.username for o in operators.list_all(ctx, boss)) == sorted(
        [boss.username, "nova.analista"]
    )


@pytest.mark.parametrize("role", [Role.ANALYST, Role.OPERATOR])
def test_only_supervisors_manage_operators(ctx: ServiceContext, role: Role) -> None:
    with ctx.sessions.begin() as s:
        who = make_operator(s, role)
    with pytest.raises(PermissionDenied):
        operators.add_operator(
            ctx, who, username="x.y", display_name="X", role="supervisor", password=NEW_PW
        )
    with pytest.raises(PermissionDenied):
        operators.list_all(ctx, who)
    assert _count(ctx, "permission_denied") == 2
    assert _count(ctx, "operator_created") == 0


def test_read_only_refuses_operator_changes(read_only_ctx: ServiceContext) -> None:
    with read_only_ctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied, match="read-only"):
        operators.add_operator(
            read_only_ctx, boss, username="x.y", display_name="X", role="analyst", password=NEW_PW
        )


def test_bad_input_duplicates_and_self_disable_are_refused(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR, username="boss")
    with pytest.raises(ValidationError) as err:
        operators.add_operator(
            ctx, boss, username="1bad name", display_name="", role="root", password="short"
        )
    assert set(err.value.fields) == {"username", "role", "password"}
    with pytest.raises(ConflictError):
        operators.add_operator(
            ctx, boss, username="boss", display_name="B", role="analyst", password=NEW_PW
        )
    with pytest.raises(ValidationError):
        operators.set_operator_active(ctx, boss, boss.operator_id, active=False)
    assert _count(ctx, "operator_created") == 0


def test_denial_for_an_unknown_customer_id_is_still_audited(ctx: ServiceContext) -> None:
    from noc_console.services.permissions import Permission, require

    with ctx.sessions.begin() as s:
        who = make_operator(s, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        require(ctx, who, Permission.EDIT_ESCALATION, customer_id=987654)
    with ctx.sessions() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "permission_denied")).one()
    assert row.customer_id is None and row.details["customer_id"] == 987654


def test_break_glass_is_for_local_accounts_only_and_audited(ctx: ServiceContext) -> None:
    from noc_console.errors import NotFound
    from noc_console.models import Operator

    with ctx.sessions.begin() as s:
        make_operator(s, Role.ANALYST, username="glass")
        make_operator(s, Role.ANALYST, username="dir")
        directory = s.scalars(select(Operator).where(Operator.username == "dir")).one()
        directory.source, directory.directory_dn = "ldap", "uid=dir,dc=example"
    assert operators.set_break_glass(ctx, " Glass ", on=True) is False
    assert operators.set_break_glass(ctx, "glass", on=True) is True
    with pytest.raises(NotFound, match="no operator named nobody"):
        operators.set_break_glass(ctx, "nobody", on=True)
    with pytest.raises(ValidationError, match="only local accounts") as refused:
        operators.set_break_glass(ctx, "dir", on=True)
    assert refused.value.fields == {}  # one line on the command line, not "field: message"
    with ctx.sessions() as s:
        flags = dict(s.execute(select(Operator.username, Operator.break_glass)).tuples().all())
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "operator_break_glass_set")
            .order_by(AuditEvent.id)
        ).all()
    assert flags == {"glass": True, "dir": False}
    assert [(e.operator_id, e.subject, e.details) for e in events] == [
        (None, "op:glass", {"before": False, "after": True, "via": "command line"}),
        (None, "op:glass", {"before": True, "after": True, "via": "command line"}),
    ]
