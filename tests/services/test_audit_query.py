"""Audit log query: supervisors only, filters, newest-first keyset pages, readable details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from noc_console.clock import FixedClock
from noc_console.errors import PermissionDenied, ValidationError
from noc_console.models import AuditEvent, Role
from noc_console.services import audit, audit_query
from noc_console.services.audit_query import AuditFilters, AuditRow
from noc_console.services.context import Principal, ServiceContext
from tests.support.factories import make_customer, make_operator, make_portal_user

NOW = FixedClock().now()
RESET_DETAILS = {"method": "temporary_password", "checks": ["name", "cnpj"], "sessions_ended": 2}


@dataclass(frozen=True)
class Log:
    customer_a: int
    customer_b: int
    supervisor: Principal
    otto: Principal
    analyst: Principal
    portal_user_id: int
    ids: dict[str, list[int]]


@pytest.fixture
def log(ctx: ServiceContext) -> Log:
    """Nine events over five days, five of them at the very same instant (ties)."""
    ids: dict[str, list[int]] = {}
    with ctx.sessions.begin() as s:
        a = make_customer(s, "Padaria São João Ltda")
        b = make_customer(s, "Oficina Boa Vista ME", trade_name=None)
        sup = make_operator(s, Role.SUPERVISOR, username="sup.ana")
        otto = make_operator(s, Role.OPERATOR, username="otto")
        analyst = make_operator(s, Role.ANALYST, username="ana.lista")
        portal = make_portal_user(s, a, login="joao.portal", password=None)

        def add(key: str, at: datetime, action: str, **kw: Any) -> None:
            event = audit.record(s, at=at, action=action, **kw)
            s.flush()
            ids.setdefault(key, []).append(event.id)

        add(
            "reset",
            NOW - timedelta(days=5),
            "password_reset",
            operator_id=otto.operator_id,
            customer_id=a.id,
            portal_user_id=portal.id,
            subject="portal:joao.portal",
            ticket_ref="INC-0001",
            reason="caller locked out",
            details=RESET_DETAILS,
        )
        add(
            "escalation",
            NOW - timedelta(days=4),
            "escalation_saved",
            operator_id=sup.operator_id,
            customer_id=b.id,
            details={
                "changed_levels": [2],
                "before": {"level2": {"delay_minutes": 15}},
                "after": {"level2": {"delay_minutes": 30}},
            },
        )
        for _ in range(5):
            add(
                "viewed",
                NOW - timedelta(days=3),
                "contract_values_viewed",
                operator_id=sup.operator_id,
                customer_id=a.id,
                details={"view": "list", "status": "all"},
            )
        add(
            "portal",
            NOW - timedelta(days=2),
            "contract_values_viewed",
            portal_user_id=portal.id,
            customer_id=a.id,
            details={"view": "totals"},
        )
        add("login", NOW - timedelta(days=1), "operator_login", operator_id=otto.operator_id)
        return Log(a.id, b.id, sup, otto, analyst, portal.id, ids)


def _all(
    ctx: ServiceContext, viewer: Principal, filters: AuditFilters, page_size: int
) -> list[AuditRow]:
    rows: list[AuditRow] = []
    cursor = None
    while True:
        page = audit_query.query(ctx, viewer, filters, cursor=cursor, page_size=page_size)
        assert page.rows or cursor is None
        assert len(page.rows) == page_size or page.next_cursor is None
        rows += page.rows
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _count(ctx: ServiceContext, action: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    with ctx.read_sessions() as s:
        return int(s.scalar(stmt) or 0)


def _expected(ctx: ServiceContext, ids: list[int] | None = None) -> list[int]:
    with ctx.read_sessions() as s:
        events = list(s.scalars(select(AuditEvent)))
    if ids is not None:
        events = [e for e in events if e.id in ids]
    return [e.id for e in sorted(events, key=lambda e: (e.occurred_at, e.id), reverse=True)]


# --------------------------------------------------------------------------- pages


def test_newest_first_pages_are_disjoint_complete_and_stable_with_ties(
    ctx: ServiceContext, log: Log
) -> None:
    expected = _expected(ctx)
    assert len(expected) == 9
    for page_size in (1, 2, 4, 9, 100):
        got = [r.id for r in _all(ctx, log.supervisor, AuditFilters(), page_size)]
        assert got == expected, page_size
    # The five events of the same instant come newest id first.
    viewed = [r for r in _all(ctx, log.supervisor, AuditFilters(), 3) if r.id in log.ids["viewed"]]
    assert [r.id for r in viewed] == sorted(log.ids["viewed"], reverse=True)


def test_rows_carry_names_and_the_event_fields(ctx: ServiceContext, log: Log) -> None:
    rows = {r.id: r for r in _all(ctx, log.supervisor, AuditFilters(), 100)}
    reset = rows[log.ids["reset"][0]]
    assert reset.operator_username == "otto"
    assert reset.portal_login == "joao.portal"
    assert reset.customer_id == log.customer_a
    assert reset.customer_name == "Padaria São João Ltda"
    assert (reset.subject, reset.ticket_ref, reset.reason) == (
        "portal:joao.portal",
        "INC-0001",
        "caller locked out",
    )
    assert reset.action == "password_reset"
    assert reset.occurred_at == NOW - timedelta(days=5)
    assert reset.occurred_at.tzinfo is not None
    portal = rows[log.ids["portal"][0]]
    assert portal.operator_username is None and portal.portal_login == "joao.portal"
    login = rows[log.ids["login"][0]]
    assert login.customer_id is None and login.customer_name is None


# --------------------------------------------------------------------------- filters


def test_filter_by_customer(ctx: ServiceContext, log: Log) -> None:
    got = [r.id for r in _all(ctx, log.supervisor, AuditFilters(customer_id=log.customer_a), 2)]
    assert got == _expected(ctx, log.ids["reset"] + log.ids["viewed"] + log.ids["portal"])
    got = [r.id for r in _all(ctx, log.supervisor, AuditFilters(customer_id=log.customer_b), 2)]
    assert got == log.ids["escalation"]


def test_filter_by_operator_id_or_username(ctx: ServiceContext, log: Log) -> None:
    by_id = _all(ctx, log.supervisor, AuditFilters(operator_id=log.otto.operator_id), 1)
    assert [r.id for r in by_id] == _expected(ctx, log.ids["reset"] + log.ids["login"])
    by_name = _all(ctx, log.supervisor, AuditFilters(operator_username="  OTTO "), 1)
    assert [r.id for r in by_name] == [r.id for r in by_id]
    assert _all(ctx, log.supervisor, AuditFilters(operator_username="nobody"), 5) == []
    both = AuditFilters(operator_id=log.supervisor.operator_id, operator_username="otto")
    assert _all(ctx, log.supervisor, both, 5) == []


def test_filter_by_action(ctx: ServiceContext, log: Log) -> None:
    got = _all(ctx, log.supervisor, AuditFilters(action="contract_values_viewed"), 4)
    assert [r.id for r in got] == _expected(ctx, log.ids["viewed"] + log.ids["portal"])
    assert all(r.action == "contract_values_viewed" for r in got)
    assert _all(ctx, log.supervisor, AuditFilters(action="contract_values"), 4) == []


def test_filter_by_period_since_inclusive_until_exclusive(ctx: ServiceContext, log: Log) -> None:
    three_days_ago = NOW - timedelta(days=3)
    since = _all(ctx, log.supervisor, AuditFilters(since=three_days_ago), 3)
    assert [r.id for r in since] == _expected(
        ctx, log.ids["viewed"] + log.ids["portal"] + log.ids["login"]
    )
    until = _all(ctx, log.supervisor, AuditFilters(until=three_days_ago), 3)
    assert [r.id for r in until] == _expected(ctx, log.ids["reset"] + log.ids["escalation"])
    window = AuditFilters(since=NOW - timedelta(days=4), until=NOW - timedelta(days=2))
    assert [r.id for r in _all(ctx, log.supervisor, window, 2)] == _expected(
        ctx, log.ids["escalation"] + log.ids["viewed"]
    )
    # Any time zone is accepted: the same instant in São Paulo time.
    sp = three_days_ago.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert [r.id for r in _all(ctx, log.supervisor, AuditFilters(since=sp), 3)] == [
        r.id for r in since
    ]


def test_filters_combine(ctx: ServiceContext, log: Log) -> None:
    filters = AuditFilters(
        customer_id=log.customer_a,
        operator_username="sup.ana",
        action="contract_values_viewed",
        since=NOW - timedelta(days=10),
        until=NOW,
    )
    assert [r.id for r in _all(ctx, log.supervisor, filters, 2)] == _expected(
        ctx, log.ids["viewed"]
    )


def test_invalid_filters_and_arguments_are_validation_errors(ctx: ServiceContext, log: Log) -> None:
    cases: list[tuple[AuditFilters, dict[str, Any], str]] = [
        (AuditFilters(since=datetime(2026, 1, 1)), {}, "since"),  # naive
        (AuditFilters(until=datetime(2026, 1, 1)), {}, "until"),
        (AuditFilters(since=NOW, until=NOW), {}, "until"),
        (AuditFilters(since=NOW, until=NOW - timedelta(days=1)), {}, "until"),
        (AuditFilters(action="x\x1b[2J"), {}, "action"),
        (AuditFilters(action="a" * 65), {}, "action"),
        (AuditFilters(operator_username="ab\x00"), {}, "operator_username"),
        (AuditFilters(customer_id="1"), {}, "customer_id"),  # type: ignore[arg-type]
        (AuditFilters(operator_id=True), {}, "operator_id"),
        (AuditFilters(), {"page_size": 0}, "page_size"),
        (AuditFilters(), {"page_size": 501}, "page_size"),
        (AuditFilters(), {"cursor": "garbage"}, "cursor"),
    ]
    for filters, kwargs, field in cases:
        with pytest.raises(ValidationError) as err:
            audit_query.query(ctx, log.supervisor, filters, **kwargs)
        assert field in err.value.fields, (filters, kwargs)


def test_a_cursor_only_continues_the_list_it_came_from(ctx: ServiceContext, log: Log) -> None:
    page = audit_query.query(ctx, log.supervisor, AuditFilters(), page_size=2)
    assert page.next_cursor
    with pytest.raises(ValidationError) as err:
        audit_query.query(
            ctx, log.supervisor, AuditFilters(action="operator_login"), cursor=page.next_cursor
        )
    assert "cursor" in err.value.fields


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(action=st.text(max_size=100), username=st.text(max_size=100))
def test_any_text_filter_gives_a_page_or_a_validation_error(
    ctx: ServiceContext, log: Log, action: str, username: str
) -> None:
    try:
        page = audit_query.query(
            ctx, log.supervisor, AuditFilters(action=action, operator_username=username)
        )
    except ValidationError as err:
        assert set(err.fields) <= {"action", "operator_username"}
    else:
        assert all(isinstance(r, AuditRow) for r in page.rows)


# --------------------------------------------------------------------------- details


def test_details_are_an_immutable_mapping_with_a_one_line_summary(
    ctx: ServiceContext, log: Log
) -> None:
    rows = {r.id: r for r in _all(ctx, log.supervisor, AuditFilters(), 100)}
    reset = rows[log.ids["reset"][0]]
    assert isinstance(reset.details, MappingProxyType)
    assert dict(reset.details) == {
        "method": "temporary_password",
        "checks": ("name", "cnpj"),
        "sessions_ended": 2,
    }
    with pytest.raises(TypeError):
        reset.details["method"] = "other"  # type: ignore[index]
    assert reset.summary == "method=temporary_password, checks=name+cnpj, sessions_ended=2"
    escalation = rows[log.ids["escalation"][0]]
    with pytest.raises(TypeError):
        escalation.details["before"]["level2"]["delay_minutes"] = 1
    assert escalation.summary == (
        "changed_levels=2, before.level2.delay_minutes=15, after.level2.delay_minutes=30"
    )


def test_summary_renders_control_characters_and_long_details_safely() -> None:
    summary = audit_query.summarize(
        {"name": "evil\x1b[2J\u202ename", "flag": True, "none": None, "empty": {}, "list": []}
    )
    assert "\x1b" not in summary and "\u202e" not in summary
    assert summary == "name=evil\\x1b[2J\\u202ename, flag=yes, none=-, empty=-, list=-"
    long = audit_query.summarize({"k": "x" * 1000})
    assert len(long) == audit_query.SUMMARY_MAX_LENGTH and long.endswith("…")


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", [Role.ANALYST, Role.OPERATOR])
def test_only_supervisors_may_read_the_log_and_refusals_are_audited(
    ctx: ServiceContext, log: Log, role: Role
) -> None:
    viewer = log.analyst if role is Role.ANALYST else log.otto
    with pytest.raises(PermissionDenied):
        audit_query.query(ctx, viewer, AuditFilters())
    with pytest.raises(PermissionDenied):
        audit_query.list_actions(ctx, viewer)
    with ctx.read_sessions() as s:
        denied = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "permission_denied")))
    assert len(denied) == 2
    assert all(e.operator_id == viewer.operator_id for e in denied)
    assert all(e.details["permission"] == "view_audit" for e in denied)


def test_reading_the_log_is_not_itself_audited(ctx: ServiceContext, log: Log) -> None:
    before = _count(ctx)
    _all(ctx, log.supervisor, AuditFilters(), 2)
    audit_query.list_actions(ctx, log.supervisor)
    assert _count(ctx) == before


def test_read_only_console_may_read_the_log(
    read_only_ctx: ServiceContext, ctx: ServiceContext, log: Log
) -> None:
    assert len(audit_query.query(read_only_ctx, log.supervisor).rows) == 9


def test_list_actions_is_distinct_and_sorted(ctx: ServiceContext, log: Log) -> None:
    assert audit_query.list_actions(ctx, log.supervisor) == (
        "contract_values_viewed",
        "escalation_saved",
        "operator_login",
        "password_reset",
    )


def test_list_actions_on_an_empty_log(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        sup = make_operator(s, Role.SUPERVISOR)
    assert audit_query.list_actions(ctx, sup) == ()
    assert audit_query.query(ctx, sup).rows == ()


def test_many_events_in_the_same_microsecond_page_correctly(ctx: ServiceContext) -> None:
    instant = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    with ctx.sessions.begin() as s:
        sup = make_operator(s, Role.SUPERVISOR)
        for i in range(25):
            audit.record(s, at=instant, action="bulk", details={"i": i})
    got = _all(ctx, sup, AuditFilters(action="bulk"), 4)
    assert [r.details["i"] for r in got] == list(range(24, -1, -1))
