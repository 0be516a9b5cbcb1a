"""Contracts: keyset pages, filters, exact totals, value redaction, audit, CSV export."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, insert, select, update

from noc_console.clock import FixedClock
from noc_console.errors import NotFound, PermissionDenied, ValidationError
from noc_console.models import AuditEvent, Contract, PortalUser, Role
from noc_console.services import audit, contracts
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.contracts import ContractRow, ContractSort
from noc_console.services.contracts import export as contracts_export
from tests.support.factories import make_contract, make_customer, make_operator, make_portal_user

TODAY = FixedClock().now().date()  # 2026-11-25
SERVICES = ("Backup", "Firewall", "Link")
VALUES = ("100.00", "250.50", "100.00", "999.99")
STARTS = (date(2025, 1, 1), date(2025, 6, 1), date(2024, 3, 15), date(2025, 1, 1))
ENDS: tuple[date | None, ...] = (None, date(2026, 12, 1), date(2027, 1, 1), None, date(2026, 12, 1))
N_CONTRACTS = 30
INDEX_FOR_SORT = {
    ContractSort.NUMBER: "ix_contracts_customer_number",
    ContractSort.SERVICE: "ix_contracts_customer_service",
    ContractSort.START_DATE: "ix_contracts_customer_start",
    ContractSort.END_DATE: "ix_contracts_customer_end",
    ContractSort.VALUE: "ix_contracts_customer_value",
}


@dataclass(frozen=True)
class Seed:
    customer_id: int
    other_customer_id: int
    supervisor: Principal
    operator: Principal
    analyst: Principal


@pytest.fixture
def seed(ctx: ServiceContext) -> Seed:
    """30 contracts full of ties (3 services, 3 values, 4 start dates, NULL end dates),
    inserted out of number order, plus another customer's contracts that must never show."""
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Padaria São João Ltda")
        other = make_customer(s, "Outra Empresa SA", trade_name=None)
        for i in range(N_CONTRACTS):
            make_contract(
                s,
                customer,
                number=f"CT-{(i * 7) % N_CONTRACTS:04d}",
                service_name=SERVICES[i % 3],
                status="inactive" if i % 4 == 3 else "active",
                start=STARTS[i % 4],
                end=ENDS[i % 5],
                value=VALUES[i % 4],
                currency="USD" if i % 6 == 0 else "BRL",
            )
        for i in range(5):
            make_contract(s, other, number=f"OT-{i:04d}", service_name="Backup")
        return Seed(
            customer_id=customer.id,
            other_customer_id=other.id,
            supervisor=make_operator(s, Role.SUPERVISOR),
            operator=make_operator(s, Role.OPERATOR),
            analyst=make_operator(s, Role.ANALYST),
        )


@pytest.fixture
def statements(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the services send, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(ctx.engine, "before_cursor_execute", capture)
    yield seen
    event.remove(ctx.engine, "before_cursor_execute", capture)


def _all_rows(
    ctx: ServiceContext, viewer: Any, customer_id: int, page_size: int, **kw: Any
) -> list[ContractRow]:
    rows: list[ContractRow] = []
    cursor = None
    while True:
        page = contracts.list_contracts(
            ctx, viewer, customer_id, cursor=cursor, page_size=page_size, **kw
        )
        assert page.rows or cursor is None, "no empty page after the first"
        assert len(page.rows) == page_size or page.next_cursor is None
        rows += page.rows
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _db_contracts(ctx: ServiceContext, customer_id: int) -> list[Contract]:
    with ctx.read_sessions() as s:
        return list(s.scalars(select(Contract).where(Contract.customer_id == customer_id)))


def _expected_ascending(items: list[Contract], sort: ContractSort) -> list[int]:
    def key(c: Contract) -> tuple[Any, ...]:
        if sort is ContractSort.NUMBER:
            return (c.number,)
        if sort is ContractSort.SERVICE:
            return (c.service_name, c.id)
        if sort is ContractSort.START_DATE:
            return (c.start_date, c.id)
        if sort is ContractSort.END_DATE:  # open-ended last
            return (c.end_date is None, c.end_date or date.min, c.id)
        return (c.monthly_value, c.id)

    return [c.id for c in sorted(items, key=key)]


def _events(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with ctx.read_sessions() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


# --------------------------------------------------------------------------- keyset pages


def test_every_sort_both_directions_pages_are_disjoint_complete_and_ordered(
    ctx: ServiceContext, seed: Seed
) -> None:
    items = _db_contracts(ctx, seed.customer_id)
    for sort in ContractSort:
        ascending = _expected_ascending(items, sort)
        for descending in (False, True):
            expected = list(reversed(ascending)) if descending else ascending
            for page_size in (1, 7, 30, 500):
                got = _all_rows(
                    ctx,
                    seed.supervisor,
                    seed.customer_id,
                    page_size,
                    sort=sort,
                    descending=descending,
                )
                ids = [r.id for r in got]
                assert len(ids) == len(set(ids)), (sort, descending, page_size)
                assert ids == expected, (sort, descending, page_size)


def test_open_ended_contracts_sort_last_ascending_and_first_descending(
    ctx: ServiceContext, seed: Seed
) -> None:
    up = _all_rows(ctx, seed.analyst, seed.customer_id, 4, sort=ContractSort.END_DATE)
    down = _all_rows(
        ctx, seed.analyst, seed.customer_id, 4, sort=ContractSort.END_DATE, descending=True
    )
    undated = sum(1 for r in up if r.end_date is None)
    assert undated == 12
    assert all(r.end_date is None for r in up[-undated:])
    assert all(r.end_date is not None for r in up[:-undated])
    assert all(r.end_date is None for r in down[:undated])
    # A page boundary that falls between dated and open-ended rows loses nothing.
    assert [r.id for r in down] == [r.id for r in reversed(up)]


def test_pages_use_no_offset_and_a_cursor_per_page(
    ctx: ServiceContext, seed: Seed, statements: list[tuple[str, Any]]
) -> None:
    for sort in ContractSort:
        _all_rows(ctx, seed.supervisor, seed.customer_id, 5, sort=sort)
    selects = [(s, p) for s, p in statements if "FROM contracts" in s]
    assert selects
    for sql, params in selects:
        if "OFFSET" in sql.upper():  # SQLite spells a bare LIMIT as 'LIMIT ? OFFSET ?' with 0
            assert sql.rstrip().endswith("OFFSET ?") and params[-1] == 0, sql


def test_pages_stay_stable_when_rows_are_added_before_the_cursor(
    ctx: ServiceContext, seed: Seed
) -> None:
    first = contracts.list_contracts(
        ctx, seed.analyst, seed.customer_id, sort=ContractSort.NUMBER, page_size=10
    )
    with ctx.sessions.begin() as s:
        from noc_console.models import Customer

        customer = s.get(Customer, seed.customer_id)
        assert customer is not None
        make_contract(s, customer, number="CT-0000-A")  # sorts inside the first page
    rest = _all_rows_from(ctx, seed.analyst, seed.customer_id, first.next_cursor)
    assert {r.number for r in first.rows}.isdisjoint({r.number for r in rest})
    assert len(first.rows) + len(rest) == N_CONTRACTS


def _all_rows_from(
    ctx: ServiceContext, viewer: Any, customer_id: int, cursor: str | None
) -> list[ContractRow]:
    rows: list[ContractRow] = []
    while cursor is not None:
        page = contracts.list_contracts(ctx, viewer, customer_id, cursor=cursor, page_size=10)
        rows += page.rows
        cursor = page.next_cursor
    return rows


@pytest.mark.parametrize("sort", list(ContractSort))
def test_next_page_query_uses_the_customer_sort_index(
    ctx: ServiceContext, seed: Seed, statements: list[tuple[str, Any]], sort: ContractSort
) -> None:
    """Issue 5 depends on it: the keyset query walks (customer_id, <sort>, id), no sort step."""
    bulk = [
        {
            "customer_id": seed.customer_id if i % 3 == 0 else seed.other_customer_id,
            "number": f"BULK-{i:05d}",
            "service_name": f"Svc {i % 17}",
            "status": "active",
            "start_date": date(2024, 1, 1) + timedelta(days=i % 50),
            "end_date": None if i % 4 else date(2027, 1, 1) + timedelta(days=i),
            "monthly_value": Decimal(f"{i % 23}.00"),
            "currency": "BRL",
            "created_at": FixedClock().now(),
        }
        for i in range(1500)
    ]
    with ctx.sessions.begin() as s:
        s.execute(insert(Contract), bulk)
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    first = contracts.list_contracts(ctx, seed.supervisor, seed.customer_id, sort=sort)
    for descending in (False, True):
        cursor = first.next_cursor
        if descending:
            cursor = contracts.list_contracts(
                ctx, seed.supervisor, seed.customer_id, sort=sort, descending=True
            ).next_cursor
        statements.clear()
        contracts.list_contracts(
            ctx, seed.supervisor, seed.customer_id, sort=sort, descending=descending, cursor=cursor
        )
        pages = [(q, p) for q, p in statements if "FROM contracts" in q and "ORDER BY" in q]
        assert pages
        plans = [_plan(ctx, sql, params) for sql, params in pages]
        for plan in plans:
            assert INDEX_FOR_SORT[sort] in plan, plan
            assert "Sort Key" not in plan and "TEMP B-TREE" not in plan, plan
            assert "customer_id = " in plan or "customer_id=?" in plan, plan
        if sort is not ContractSort.NUMBER:
            # The rows tied with the cursor's key are a seek on (customer_id, key, id) too,
            # not a walk from the start of the tie group (cost independent of position).
            assert any(re.search(r"AND \(?id [<>]|AND id[<>]\?", p) for p in plans), plans


def _plan(ctx: ServiceContext, sql: str, params: Any) -> str:
    with ctx.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Small tables: rule out the plans that only win at this size (and price pages
            # as on an SSD). A Sort would still appear (disabled, not impossible) if the
            # index could not deliver the order.
            for knob in ("seqscan", "bitmapscan", "sort"):
                conn.exec_driver_sql(f"SET enable_{knob} = off")
            conn.exec_driver_sql("SET random_page_cost = 1")
            return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
        return "\n".join(str(r[-1]) for r in rows)


# --------------------------------------------------------------------------- filters


def test_status_filter(ctx: ServiceContext, seed: Seed) -> None:
    items = _db_contracts(ctx, seed.customer_id)
    for status in ("active", "inactive"):
        got = _all_rows(ctx, seed.analyst, seed.customer_id, 7, status=status)
        assert {r.id for r in got} == {c.id for c in items if c.status == status}
        assert all(r.status == status for r in got)
    assert len(_all_rows(ctx, seed.analyst, seed.customer_id, 7, status="all")) == N_CONTRACTS


def test_text_filter_is_case_insensitive_on_number_and_service(
    ctx: ServiceContext, seed: Seed
) -> None:
    by_service = _all_rows(ctx, seed.analyst, seed.customer_id, 50, text="  fIrEwAlL ")
    assert len(by_service) == 10 and all(r.service_name == "Firewall" for r in by_service)
    by_number = _all_rows(ctx, seed.analyst, seed.customer_id, 50, text="ct-0007")
    assert [r.number for r in by_number] == ["CT-0007"]
    both = _all_rows(ctx, seed.analyst, seed.customer_id, 50, text="k", status="inactive")
    assert {r.service_name for r in both} <= {"Backup", "Link"}
    assert all(r.status == "inactive" for r in both)
    assert contracts.list_contracts(ctx, seed.analyst, seed.customer_id, text="nothing").rows == ()


def test_like_metacharacters_in_text_are_literal(ctx: ServiceContext, seed: Seed) -> None:
    with ctx.sessions.begin() as s:
        from noc_console.models import Customer

        customer = s.get(Customer, seed.customer_id)
        assert customer is not None
        make_contract(s, customer, number="PCT-1", service_name="Desconto 50% anual")
        make_contract(s, customer, number="UND-1", service_name="Plano a_b")
        make_contract(s, customer, number="BSL-1", service_name="Caminho C:\\rede")
        make_contract(s, customer, number="QTE-1", service_name='O\'Brien "VIP"')

    def numbers(term: str) -> list[str]:
        rows = _all_rows(ctx, seed.analyst, seed.customer_id, 50, text=term)
        return sorted(r.number for r in rows)

    assert numbers("%") == ["PCT-1"]
    assert numbers("50%") == ["PCT-1"]
    assert numbers("_") == ["UND-1"]
    assert numbers("a_b") == ["UND-1"]
    assert numbers("\\") == ["BSL-1"]
    assert numbers("c:\\r") == ["BSL-1"]
    assert numbers("o'brien \"vip") == ["QTE-1"]
    assert numbers("%%") == []


def test_text_with_control_characters_or_too_long_is_refused(
    ctx: ServiceContext, seed: Seed
) -> None:
    for bad in ("abc\x00", "\x1b[2J", "x" * 201):
        with pytest.raises(ValidationError) as err:
            contracts.list_contracts(ctx, seed.analyst, seed.customer_id, text=bad)
        assert "text" in err.value.fields


def test_bad_arguments_are_validation_errors(ctx: ServiceContext, seed: Seed) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "deleted"}, "status"),
        ({"sort": "color"}, "sort"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": ""}, "cursor"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as err:
            contracts.list_contracts(ctx, seed.supervisor, seed.customer_id, **kwargs)
        assert field in err.value.fields, kwargs
    assert len(contracts.list_contracts(ctx, seed.analyst, seed.customer_id, page_size=1).rows) == 1
    page = contracts.list_contracts(ctx, seed.analyst, seed.customer_id, page_size=500)
    assert len(page.rows) == N_CONTRACTS


def test_a_cursor_only_continues_the_list_it_came_from(ctx: ServiceContext, seed: Seed) -> None:
    page = contracts.list_contracts(ctx, seed.analyst, seed.customer_id, page_size=5)
    assert page.next_cursor
    for changed in (
        {"sort": ContractSort.SERVICE},
        {"descending": True},
        {"status": "active"},
        {"text": "CT"},
    ):
        with pytest.raises(ValidationError) as err:
            contracts.list_contracts(
                ctx, seed.analyst, seed.customer_id, cursor=page.next_cursor, **changed
            )
        assert "cursor" in err.value.fields


def _reforge(cursor: str, **changes: Any) -> str:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload.update(changes)
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_forged_cursor_is_a_validation_error_not_a_crash(ctx: ServiceContext, seed: Seed) -> None:
    by_value = contracts.list_contracts(
        ctx, seed.supervisor, seed.customer_id, sort=ContractSort.VALUE, page_size=3
    )
    by_number = contracts.list_contracts(ctx, seed.supervisor, seed.customer_id, page_size=3)
    assert by_value.next_cursor and by_number.next_cursor
    forged = [
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k="1.234")),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k="1e20")),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k="NaN")),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k="-1")),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k=5)),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, k=None)),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, i=2**70)),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, i="7")),
        (ContractSort.VALUE, _reforge(by_value.next_cursor, v=2)),
        (ContractSort.NUMBER, _reforge(by_number.next_cursor, k="x" * 10_000)),
    ]
    for sort, cursor in forged:
        with pytest.raises(ValidationError) as err:
            contracts.list_contracts(
                ctx, seed.supervisor, seed.customer_id, sort=sort, cursor=cursor
            )
        assert "cursor" in err.value.fields, cursor
    # An honest edit of the key still works: the marker is a position, not a secret.
    page = contracts.list_contracts(
        ctx,
        seed.supervisor,
        seed.customer_id,
        sort=ContractSort.VALUE,
        cursor=_reforge(by_value.next_cursor, k="250.50", i=0),
    )
    assert all(
        r.monthly_value is not None and r.monthly_value >= Decimal("250.50") for r in page.rows
    )


def test_unknown_customer_is_not_found(ctx: ServiceContext, seed: Seed) -> None:
    with pytest.raises(NotFound):
        contracts.list_contracts(ctx, seed.analyst, 999_999)
    with pytest.raises(NotFound):
        contracts.contract_totals(ctx, seed.analyst, 999_999)


def test_read_only_console_still_lists_contracts(
    read_only_ctx: ServiceContext, ctx: ServiceContext, seed: Seed
) -> None:
    page = contracts.list_contracts(read_only_ctx, seed.supervisor, seed.customer_id)
    assert len(page.rows) == N_CONTRACTS and page.values_visible


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300), cursor=st.one_of(st.none(), st.text(max_size=80)))
def test_any_text_or_cursor_gives_a_page_or_a_validation_error(
    ctx: ServiceContext, seed: Seed, text: str, cursor: str | None
) -> None:
    try:
        page = contracts.list_contracts(ctx, seed.analyst, seed.customer_id, text=text)
    except ValidationError as err:
        assert set(err.fields) == {"text"}
    else:
        assert all(isinstance(r, ContractRow) for r in page.rows)
    if cursor is not None:
        with pytest.raises(ValidationError):
            contracts.list_contracts(ctx, seed.analyst, seed.customer_id, cursor=cursor)


# --------------------------------------------------------------------------- totals


def test_totals_are_exact_per_status_and_currency_with_large_values(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    big = [
        ("active", "BRL", "123456789012.34"),
        ("active", "BRL", "999999999999.99"),
        ("active", "BRL", "0.01"),
        ("active", "USD", "0.10"),
        ("active", "USD", "0.20"),
        ("inactive", "BRL", "123456789012.34"),
        ("inactive", "EUR", "33.33"),
    ]
    with ctx.sessions.begin() as s:
        customer = make_customer(s)
        supervisor = make_operator(s, Role.SUPERVISOR)
        for i, (status, currency, value) in enumerate(big):
            make_contract(
                s, customer, number=f"BIG-{i}", status=status, currency=currency, value=value
            )
        customer_id = customer.id
    totals = contracts.contract_totals(ctx, supervisor, customer_id)
    assert totals.values_visible
    got = {(t.status.value, t.currency): (t.count, t.monthly, t.annual) for t in totals.lines}
    expected: dict[tuple[str, str], tuple[int, Decimal, Decimal]] = {}
    for status, currency, value in big:
        n, m, _a = expected.get((status, currency), (0, Decimal("0.00"), Decimal("0.00")))
        expected[(status, currency)] = (n + 1, m + Decimal(value), (m + Decimal(value)) * 12)
    assert got == expected
    monthly = got[("active", "BRL")][1]
    assert isinstance(monthly, Decimal) and str(monthly) == "1123456789012.34"
    assert str(got[("active", "BRL")][2]) == "13481481468148.08"
    assert str(got[("active", "USD")][1]) == "0.30"  # 0.1 + 0.2 in float would not be


def test_totals_follow_status_and_text_filters(ctx: ServiceContext, seed: Seed) -> None:
    items = _db_contracts(ctx, seed.customer_id)
    totals = contracts.contract_totals(ctx, seed.supervisor, seed.customer_id, status="inactive")
    assert {t.status for t in totals.lines} == {"inactive"}
    assert sum(t.count for t in totals.lines) == sum(1 for c in items if c.status == "inactive")
    totals = contracts.contract_totals(ctx, seed.supervisor, seed.customer_id, text="link")
    links = [c for c in items if c.service_name == "Link"]
    assert sum(t.count for t in totals.lines) == len(links)
    assert sum(t.monthly or 0 for t in totals.lines) == sum(c.monthly_value for c in links)


def test_totals_are_one_aggregate_query_never_the_rows(
    ctx: ServiceContext, seed: Seed, statements: list[tuple[str, Any]]
) -> None:
    contracts.contract_totals(ctx, seed.supervisor, seed.customer_id)
    on_contracts = [s for s, _ in statements if "FROM contracts" in s]
    assert len(on_contracts) == 1
    sql = on_contracts[0].lower()
    assert "sum(contracts.monthly_value)" in sql and "count(" in sql and "group by" in sql
    assert "contracts.number" not in sql


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize("role", ["analyst", "operator"])
def test_non_supervisors_never_get_values(
    ctx: ServiceContext, seed: Seed, statements: list[tuple[str, Any]], role: str
) -> None:
    viewer = seed.analyst if role == "analyst" else seed.operator
    rows = _all_rows(ctx, viewer, seed.customer_id, 7)
    assert len(rows) == N_CONTRACTS
    assert all(r.monthly_value is None and r.annual_value is None for r in rows)
    page = contracts.list_contracts(ctx, viewer, seed.customer_id)
    assert page.values_visible is False
    totals = contracts.contract_totals(ctx, viewer, seed.customer_id)
    assert totals.values_visible is False
    assert all(t.monthly is None and t.annual is None for t in totals.lines)
    assert sum(t.count for t in totals.lines) == N_CONTRACTS  # counts still shown
    with pytest.raises(ValidationError) as err:
        contracts.list_contracts(ctx, viewer, seed.customer_id, sort=ContractSort.VALUE)
    assert "sort" in err.value.fields and "restricted" in err.value.fields["sort"][0]
    # The value column is not even read for them.
    assert not any("monthly_value" in s for s, _ in statements if "FROM contracts" in s)
    assert _events(ctx, "contract_values_viewed") == []


def test_supervisor_sees_values_and_viewing_is_audited_without_amounts(
    ctx: ServiceContext, seed: Seed
) -> None:
    first = contracts.list_contracts(ctx, seed.supervisor, seed.customer_id, page_size=10)
    assert first.values_visible
    assert all(r.monthly_value is not None for r in first.rows)
    assert all(r.annual_value == r.monthly_value * 12 for r in first.rows if r.monthly_value)
    assert len(_events(ctx, "contract_values_viewed")) == 1
    contracts.list_contracts(
        ctx, seed.supervisor, seed.customer_id, page_size=10, cursor=first.next_cursor
    )
    assert len(_events(ctx, "contract_values_viewed")) == 1  # next pages: same viewing
    totals = contracts.contract_totals(ctx, seed.supervisor, seed.customer_id)
    events = _events(ctx, "contract_values_viewed")
    assert len(events) == 2
    assert [e.details["view"] for e in events] == ["list", "totals"]
    assert all(e.operator_id == seed.supervisor.operator_id for e in events)
    assert all(e.customer_id == seed.customer_id for e in events)
    amounts = {str(Decimal(v)) for v in VALUES}
    amounts |= {str(Decimal(v) * 12) for v in VALUES}
    amounts |= {str(t.monthly) for t in totals.lines} | {str(t.annual) for t in totals.lines}
    blob = json.dumps([e.details for e in events]) + repr([(e.subject, e.reason) for e in events])
    for amount in amounts:
        assert amount not in blob
        assert amount.replace(".", "") not in blob  # nor as cents


# --------------------------------------------------------------------------- portal viewers


def _portal(ctx: ServiceContext, customer_id: int, level: int) -> PortalPrincipal:
    with ctx.sessions.begin() as s:
        from noc_console.models import Customer

        customer = s.get(Customer, customer_id)
        assert customer is not None
        user = make_portal_user(s, customer, preposto_level=level, password=None)
        return PortalPrincipal(
            portal_user_id=user.id,
            customer_id=customer.id,
            login=user.login,
            preposto_level=level,
        )


def test_portal_preposto_level_1_sees_values_and_is_audited(
    ctx: ServiceContext, seed: Seed
) -> None:
    user = _portal(ctx, seed.customer_id, 1)
    page = contracts.list_contracts(ctx, user, seed.customer_id, sort=ContractSort.VALUE)
    assert page.values_visible and all(r.monthly_value is not None for r in page.rows)
    totals = contracts.contract_totals(ctx, user, seed.customer_id)
    assert all(t.monthly is not None for t in totals.lines)
    events = _events(ctx, "contract_values_viewed")
    assert len(events) == 2
    assert all(e.portal_user_id == user.portal_user_id and e.operator_id is None for e in events)


@pytest.mark.parametrize("level", [2, 3])
def test_portal_prepostos_2_and_3_see_contracts_without_values(
    ctx: ServiceContext, seed: Seed, level: int
) -> None:
    user = _portal(ctx, seed.customer_id, level)
    rows = _all_rows(ctx, user, seed.customer_id, 50)
    assert len(rows) == N_CONTRACTS and all(r.monthly_value is None for r in rows)
    assert all(
        t.monthly is None for t in contracts.contract_totals(ctx, user, seed.customer_id).lines
    )
    with pytest.raises(ValidationError):
        contracts.list_contracts(ctx, user, seed.customer_id, sort=ContractSort.VALUE)


def test_portal_level_is_read_from_the_database_not_trusted_from_the_session(
    ctx: ServiceContext, seed: Seed
) -> None:
    user = _portal(ctx, seed.customer_id, 1)
    with ctx.sessions.begin() as s:
        s.execute(
            update(PortalUser)
            .where(PortalUser.id == user.portal_user_id)
            .values(preposto_level=2, version=PortalUser.version + 1)
        )
    page = contracts.list_contracts(ctx, user, seed.customer_id)
    assert not page.values_visible and all(r.monthly_value is None for r in page.rows)


def test_portal_user_of_another_customer_is_refused_and_audited(
    ctx: ServiceContext, seed: Seed, tmp_path: Path
) -> None:
    outsider = _portal(ctx, seed.other_customer_id, 1)
    with pytest.raises(PermissionDenied):
        contracts.list_contracts(ctx, outsider, seed.customer_id)
    with pytest.raises(PermissionDenied):
        contracts.contract_totals(ctx, outsider, seed.customer_id)
    with pytest.raises(PermissionDenied):
        contracts.export_csv(ctx, outsider, seed.customer_id, tmp_path / "x.csv")
    denied = _events(ctx, "permission_denied")
    assert len(denied) == 3
    assert all(e.portal_user_id == outsider.portal_user_id for e in denied)
    assert all(e.customer_id == seed.customer_id for e in denied)
    assert not (tmp_path / "x.csv").exists()
    # Forging the principal's customer does not help: the database says who they are.
    forged = PortalPrincipal(
        portal_user_id=outsider.portal_user_id,
        customer_id=seed.customer_id,
        login=outsider.login,
        preposto_level=1,
    )
    with pytest.raises(PermissionDenied):
        contracts.list_contracts(ctx, forged, seed.customer_id)


def test_inactive_portal_user_is_refused(ctx: ServiceContext, seed: Seed) -> None:
    user = _portal(ctx, seed.customer_id, 1)
    with ctx.sessions.begin() as s:
        s.execute(
            update(PortalUser)
            .where(PortalUser.id == user.portal_user_id)
            .values(is_active=False, version=PortalUser.version + 1)
        )
    with pytest.raises(PermissionDenied):
        contracts.list_contracts(ctx, user, seed.customer_id)


# --------------------------------------------------------------------------- ending soon


def test_ending_within_30_60_90_days_at_the_boundaries(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    offsets = [-1, 0, 30, 31, 60, 61, 90, 91, None]
    with ctx.sessions.begin() as s:
        customer = make_customer(s)
        analyst = make_operator(s, Role.ANALYST)
        for days in offsets:
            make_contract(
                s,
                customer,
                number=f"END{'open' if days is None else f'{days + 10:03d}'}",
                start=date(2024, 1, 1),
                end=None if days is None else TODAY + timedelta(days=days),
            )
        make_contract(
            s, customer, number="INACTIVE", status="inactive", start=date(2024, 1, 1),
            end=TODAY + timedelta(days=10),
        )  # fmt: skip
        customer_id = customer.id

    def flags() -> dict[str, tuple[int | None, int | None]]:
        rows = contracts.list_contracts(ctx, analyst, customer_id).rows
        return {r.number: (r.days_to_end, r.ends_within_days) for r in rows}

    assert flags() == {
        "END009": (-1, None),
        "END010": (0, 30),
        "END040": (30, 30),
        "END041": (31, 60),
        "END070": (60, 60),
        "END071": (61, 90),
        "END100": (90, 90),
        "END101": (91, None),
        "ENDopen": (None, None),
        "INACTIVE": (10, None),
    }
    clock.advance(days=1)
    after = flags()
    assert after["END041"] == (30, 30)
    assert after["END101"] == (90, 90)
    assert after["END010"] == (-1, None)


# --------------------------------------------------------------------------- CSV export


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_supervisor_export_has_values_and_is_audited_without_amounts(
    ctx: ServiceContext, seed: Seed, tmp_path: Path
) -> None:
    target = tmp_path / "deep" / "dir" / "contracts.csv"
    result = contracts.export_csv(
        ctx, seed.supervisor, seed.customer_id, target, sort=ContractSort.VALUE, descending=True
    )
    assert result.path == target and result.rows == N_CONTRACTS and result.values_included
    table = _read_csv(target)
    assert table[0] == list(contracts.CSV_COLUMNS + contracts.CSV_VALUE_COLUMNS)
    assert len(table) == N_CONTRACTS + 1
    listed = _all_rows(
        ctx, seed.supervisor, seed.customer_id, 500, sort=ContractSort.VALUE, descending=True
    )
    for line, row in zip(table[1:], listed, strict=True):
        assert line[0] == row.number and line[1] == row.service_name
        assert line[3] == row.start_date.isoformat()
        assert line[4] == (row.end_date.isoformat() if row.end_date else "")
        assert Decimal(line[8]) == row.monthly_value and "." in line[8] and "," not in line[8]
        assert Decimal(line[9]) == row.annual_value
    events = _events(ctx, "contracts_exported")
    assert len(events) == 1
    assert events[0].details["rows"] == N_CONTRACTS
    assert events[0].details["values_included"] is True
    blob = json.dumps(events[0].details)
    for v in VALUES:
        assert v not in blob and v.replace(".", "") not in blob
    assert not [p for p in target.parent.iterdir() if p.name != "contracts.csv"]


@pytest.mark.parametrize("role", ["analyst", "operator"])
def test_export_without_the_right_omits_value_columns_and_amounts(
    ctx: ServiceContext, seed: Seed, tmp_path: Path, role: str
) -> None:
    viewer = seed.analyst if role == "analyst" else seed.operator
    with ctx.sessions.begin() as s:
        from noc_console.models import Customer

        customer = s.get(Customer, seed.customer_id)
        assert customer is not None
        make_contract(s, customer, number="SECRET-1", value="987654321.87")
    target = tmp_path / "out.csv"
    result = contracts.export_csv(ctx, viewer, seed.customer_id, target)
    assert result.rows == N_CONTRACTS + 1 and not result.values_included
    table = _read_csv(target)
    assert table[0] == list(contracts.CSV_COLUMNS)
    assert all(len(line) == len(contracts.CSV_COLUMNS) for line in table)
    raw = target.read_bytes()
    for amount in (*VALUES, "987654321.87", "98765432187", "987654321,87", "11851851862.44"):
        assert amount.encode() not in raw
    for v in VALUES:
        assert v.replace(".", "").encode() not in raw
    assert _events(ctx, "contracts_exported")[0].details["values_included"] is False
    with pytest.raises(ValidationError):
        contracts.export_csv(
            ctx, viewer, seed.customer_id, tmp_path / "v.csv", sort=ContractSort.VALUE
        )


def test_export_refuses_to_overwrite_unless_asked(
    ctx: ServiceContext, seed: Seed, tmp_path: Path
) -> None:
    target = tmp_path / "contracts.csv"
    target.write_text("keep me")
    with pytest.raises(ValidationError) as err:
        contracts.export_csv(ctx, seed.analyst, seed.customer_id, target)
    assert "path" in err.value.fields
    assert target.read_text() == "keep me"
    with pytest.raises(ValidationError) as err:
        contracts.export_csv(ctx, seed.analyst, seed.customer_id, tmp_path)  # a folder
    assert "path" in err.value.fields
    assert _events(ctx, "contracts_exported") == []
    result = contracts.export_csv(ctx, seed.analyst, seed.customer_id, target, overwrite=True)
    assert result.rows == N_CONTRACTS
    assert len(_read_csv(target)) == N_CONTRACTS + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contracts.csv"]


def test_export_is_atomic_when_writing_fails(
    ctx: ServiceContext, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = contracts_export._csv_record
    calls = {"n": 0}

    def failing(row: ContractRow, with_values: bool) -> list[str]:
        calls["n"] += 1
        if calls["n"] > 20:
            raise RuntimeError("disk gone")
        return real(row, with_values)

    monkeypatch.setattr(contracts_export, "_csv_record", failing)
    monkeypatch.setattr(contracts_export, "EXPORT_PAGE_SIZE", 7)  # fail on a later page
    with pytest.raises(RuntimeError):
        contracts.export_csv(ctx, seed.analyst, seed.customer_id, tmp_path / "c.csv")
    assert list(tmp_path.iterdir()) == []
    assert _events(ctx, "contracts_exported") == []


def test_export_leaves_no_file_when_the_audit_event_fails(
    ctx: ServiceContext, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        contracts.export_csv(ctx, seed.supervisor, seed.customer_id, tmp_path / "c.csv")
    assert list(tmp_path.iterdir()) == []


def test_export_streams_through_keyset_pages(
    ctx: ServiceContext, seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    statements: list[tuple[str, Any]],
) -> None:  # fmt: skip
    monkeypatch.setattr(contracts_export, "EXPORT_PAGE_SIZE", 4)
    result = contracts.export_csv(ctx, seed.analyst, seed.customer_id, tmp_path / "c.csv")
    assert result.rows == N_CONTRACTS
    pages = [(s, p) for s, p in statements if "FROM contracts" in s and "ORDER BY" in s]
    assert len(pages) == 8  # 30 rows, 4 a page
    assert all(5 in (p.values() if isinstance(p, dict) else p) for _s, p in pages)  # LIMIT n+1


def test_export_neutralises_spreadsheet_formulas(
    ctx: ServiceContext, seed: Seed, tmp_path: Path
) -> None:
    with ctx.sessions.begin() as s:
        from noc_console.models import Customer

        customer = s.get(Customer, seed.customer_id)
        assert customer is not None
        make_contract(s, customer, number="=1+1", service_name='=HYPERLINK("http://x","y")')
        make_contract(s, customer, number="@SUM", service_name='São João, "filial"\nlinha 2')
    contracts.export_csv(ctx, seed.analyst, seed.customer_id, tmp_path / "c.csv", text="")
    lines = {line[0]: line for line in _read_csv(tmp_path / "c.csv")[1:]}
    assert lines["'=1+1"][1] == '\'=HYPERLINK("http://x","y")'
    assert lines["'@SUM"][1] == 'São João, "filial"\nlinha 2'


def test_no_value_column_in_any_statement_for_a_restricted_export(
    ctx: ServiceContext, seed: Seed, tmp_path: Path, statements: list[tuple[str, Any]]
) -> None:
    contracts.export_csv(ctx, seed.analyst, seed.customer_id, tmp_path / "c.csv")
    assert not any("monthly_value" in s for s, _ in statements if "FROM contracts" in s)


def test_counting_contracts_matches_the_database(ctx: ServiceContext, seed: Seed) -> None:
    with ctx.read_sessions() as s:
        n = s.scalar(
            select(func.count())
            .select_from(Contract)
            .where(Contract.customer_id == seed.customer_id)
        )
    totals = contracts.contract_totals(ctx, seed.analyst, seed.customer_id)
    assert sum(t.count for t in totals.lines) == n
