"""Fragments of identifiers through their suffixes (issue 16), on both backends: the suffixes
kept in step on every write, the migration's back-fill, and a fragment found by a btree
range instead of the trigram postings of every CNPJ and phone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, event, select, text

from noc_console import migrate
from noc_console.models import EscalationContact, IdentifierSuffix, SuffixField
from noc_console.models.identifier_suffixes import fill_suffixes, suffixes
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.search import lookup
from noc_console.services.search.dto import RANK_SUBSTRING, MatchField
from tests.support.factories import (
    cnpj_for,
    make_chain,
    make_contract,
    make_customer,
)
from tests.support.migrations import upgraded_from


def _stored(ctx: ServiceContext, field: SuffixField, record_id: int) -> set[str]:
    with ctx.sessions() as s:
        rows = s.scalars(
            select(IdentifierSuffix.suffix).where(
                IdentifierSuffix.field == int(field), IdentifierSuffix.record_id == record_id
            )
        )
        return set(rows)


def test_suffixes_are_those_of_three_characters_or_more() -> None:
    assert suffixes("CT-1234") == ["CT-1234", "T-1234", "-1234", "1234", "234"]
    assert suffixes("12") == [] and suffixes(None) == []


def test_suffixes_follow_every_write_of_cnpj_contract_and_phone(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, cnpj=cnpj_for(1))
        contract = make_contract(s, customer, number="CT-2024-000777")
        chain = make_chain(s, customer)
        phoned = chain.contacts[0]
        ids = (customer.id, contract.id, phoned.id)
    cid, kid, eid = ids
    assert _stored(ctx, SuffixField.CNPJ, cid) == set(suffixes(cnpj_for(1)))
    assert _stored(ctx, SuffixField.CONTRACT_NUMBER, kid) == set(suffixes("CT-2024-000777"))
    assert _stored(ctx, SuffixField.CONTACT_PHONE, eid) == set(suffixes("+5511912345678"))

    with ctx.sessions.begin() as s:  # every value changes: the old suffixes go
        s.get_one(type(customer), cid).cnpj = cnpj_for(2)
        s.get_one(type(contract), kid).number = "CT-2025-000888"
        s.get_one(EscalationContact, eid).phone = "+5521987654321"
    assert _stored(ctx, SuffixField.CNPJ, cid) == set(suffixes(cnpj_for(2)))
    assert _stored(ctx, SuffixField.CONTRACT_NUMBER, kid) == set(suffixes("CT-2025-000888"))
    assert _stored(ctx, SuffixField.CONTACT_PHONE, eid) == set(suffixes("+5521987654321"))

    with ctx.sessions.begin() as s:  # a contact by e-mail only has no phone suffix
        contact = s.get_one(EscalationContact, eid)
        contact.email = contact.email or "maria@empresa.com.br"
        contact.phone = None
    assert _stored(ctx, SuffixField.CONTACT_PHONE, eid) == set()

    with ctx.sessions.begin() as s:
        s.delete(s.get_one(type(contract), kid))
    assert _stored(ctx, SuffixField.CONTRACT_NUMBER, kid) == set()


def _owners(ctx: ServiceContext, field: SuffixField, record_id: int) -> set[int]:
    with ctx.sessions() as s:
        rows = s.scalars(
            select(IdentifierSuffix.customer_id).where(
                IdentifierSuffix.field == int(field), IdentifierSuffix.record_id == record_id
            )
        )
        return set(rows)


def test_a_contract_or_contact_moved_to_another_customer_leads_to_it(
    ctx: ServiceContext,
) -> None:
    with ctx.sessions.begin() as s:
        first = make_customer(s, cnpj=cnpj_for(1))
        second = make_customer(s, "Oficina Norte", cnpj=cnpj_for(2))
        contract = make_contract(s, first, number="CT-2024-000777")
        contact = make_chain(s, first).contacts[0]
        empty = make_chain(s, second, [])
        ids = (first.id, second.id, contract.id, contact.id, empty.id)
    first_id, second_id, kid, eid, chain_id = ids
    assert _owners(ctx, SuffixField.CONTRACT_NUMBER, kid) == {first_id}
    assert _owners(ctx, SuffixField.CONTACT_PHONE, eid) == {first_id}
    with ctx.sessions.begin() as s:  # the values stay, the owners change
        s.get_one(type(contract), kid).customer_id = second_id
        s.get_one(EscalationContact, eid).chain_id = chain_id
    assert _owners(ctx, SuffixField.CONTRACT_NUMBER, kid) == {second_id}
    assert _owners(ctx, SuffixField.CONTACT_PHONE, eid) == {second_id}
    assert _stored(ctx, SuffixField.CONTRACT_NUMBER, kid) == set(suffixes("CT-2024-000777"))


def test_the_bulk_fill_writes_what_the_model_events_write(ctx: ServiceContext) -> None:
    """``fill_suffixes`` (the demo's bulk load, migration 0011) against the events, for the
    three fields: CNPJ, the contract number upper-cased, the phone through its chain."""
    with ctx.sessions.begin() as s:
        customer = make_customer(s, cnpj=cnpj_for(1))
        make_contract(s, customer, number="ct-2024-000777")
        make_chain(s, customer)
    with ctx.engine.begin() as conn:
        table = select(IdentifierSuffix.__table__)
        by_events = set(conn.execute(table).all())
        conn.execute(delete(IdentifierSuffix))
        fill_suffixes(conn)
        by_fill = set(conn.execute(table).all())
    assert {row.field for row in by_events} == {int(f) for f in SuffixField}
    assert "CT-2024-000777" in {row.suffix for row in by_events}
    assert by_fill == by_events


def test_the_migration_fills_the_suffixes_of_rows_written_before_it(fresh_db_url: str) -> None:
    with upgraded_from(  # back to before the suffix table
        fresh_db_url,
        "0010",
        customer_id=7,
        legal_name="Padaria",
        name_norm="padaria",
        cnpj=cnpj_for(7),
    ) as engine:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT field, suffix, record_id, customer_id FROM identifier_suffixes")
            ).all()
        assert sorted(rows) == sorted((1, s, 7, 7) for s in suffixes(cnpj_for(7)))
        assert migrate.differences(engine) == []


@pytest.fixture
def world(ctx: ServiceContext) -> dict[str, int]:
    with ctx.sessions.begin() as s:
        padaria = make_customer(s, "Padaria Central", trade_name=None, cnpj="12345678000195")
        make_contract(s, padaria, number="CT-2019-010432")
        make_chain(s, padaria, [("Maria Souza", "+5547994969051", None, 0)])
        other = make_customer(s, "Oficina Norte", trade_name=None, cnpj=cnpj_for(3))
        return {"padaria": padaria.id, "other": other.id}


@pytest.mark.parametrize(
    ("term", "field", "shown"),
    [
        ("5678000", MatchField.CNPJ, "12.345.678/0001-95"),  # the middle of the CNPJ
        ("678/0001", MatchField.CNPJ, "12.345.678/0001-95"),  # as printed, in part
        ("010432", MatchField.CONTRACT_NUMBER, "CT-2019-010432"),  # the contract's end
        ("9-0104", MatchField.CONTRACT_NUMBER, "CT-2019-010432"),
        ("9496905", MatchField.CONTACT_PHONE, "+5547994969051"),  # digits of the phone
    ],
)
def test_a_fragment_inside_an_identifier_finds_its_customer(
    ctx: ServiceContext,
    op: Principal,
    world: dict[str, int],
    term: str,
    field: MatchField,
    shown: str,
) -> None:
    hits = lookup.search(ctx, op, term).hits
    assert [h.customer_id for h in hits] == [world["padaria"]]
    assert (hits[0].match_field, hits[0].match_value, hits[0].rank) == (
        field,
        shown,
        RANK_SUBSTRING,
    )


def test_digits_are_looked_for_by_suffix_ranges_not_trigram_postings(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    captured: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if "AS record_id" in statement:
            captured.append((statement, params))

    event.listen(ctx.engine, "before_cursor_execute", keep)
    try:
        lookup.search(ctx, op, "5678000")
    finally:
        event.remove(ctx.engine, "before_cursor_execute", keep)
    stage_2 = captured[-1][0]
    assert stage_2.count("identifier_suffixes") == 3  # CNPJ, contract number, phone
    # Only logins and e-mails are still probed by trigram for digits.
    if ctx.engine.dialect.name == "sqlite":
        assert "fts_portal_users" in stage_2
        assert "fts_customers" not in stage_2 and "fts_escalation_contacts" not in stage_2
    else:
        assert stage_2.count(" LIKE ") == 1
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "sqlite":
            plan = "\n".join(
                str(r[3])
                for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stage_2, captured[-1][1])
            )
            assert plan.count("SEARCH s USING PRIMARY KEY (field=? AND suffix>? AND suffix<?)") == 3
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: ask what it can
            plan = "\n".join(
                str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + stage_2, captured[-1][1])
            )
            assert "Seq Scan" not in plan
            assert plan.count("pk_identifier_suffixes") == 3
