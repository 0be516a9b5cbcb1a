"""Customer lookup and customer detail, on SQLite and PostgreSQL (through ``ctx``)."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select

from noc_console.clock import FixedClock
from noc_console.errors import NotFound, ValidationError
from noc_console.models import AuditEvent, PortalUser, Role
from noc_console.services import customers
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.customers import UserState
from noc_console.services.search import limits, lookup
from noc_console.services.search.dto import (
    RANK_EXACT,
    RANK_PARTIAL,
    RANK_PREFIX,
    RANK_SUBSTRING,
    RANK_WORDS,
    MatchField,
    SearchPage,
)
from tests.support.factories import (
    cnpj_for,
    make_chain,
    make_contract,
    make_customer,
    make_operator,
    make_portal_user,
)


def _search(ctx: ServiceContext, actor: Principal, term: str, **kw: Any) -> SearchPage:
    page = lookup.search(ctx, actor, term, **kw)
    assert isinstance(page, SearchPage)
    return page


def _names(page: SearchPage) -> list[str]:
    return [h.legal_name for h in page.hits]


def _reason(page: SearchPage, legal_name: str) -> tuple[str, str, int]:
    for hit in page.hits:
        if hit.legal_name == legal_name:
            return hit.match_field.value, hit.match_value, hit.rank
    raise AssertionError(f"{legal_name!r} not in {_names(page)}")


# --------------------------------------------------------------------------- every field


@pytest.fixture
def world(ctx: ServiceContext) -> dict[str, int]:
    """Three customers, each reachable through different fields."""
    with ctx.sessions.begin() as s:
        padaria = make_customer(
            s, "Padaria São João Ltda", trade_name="Pão Quente", cnpj="11222333000181"
        )
        acai = make_customer(s, "Açaí do Norte Comércio", trade_name="Açaí", cnpj="11444777000161")
        rede = make_customer(s, "Rede Fibra Sul", trade_name=None, cnpj="45723174000110")
        make_portal_user(
            s,
            padaria,
            full_name="Maria Antônia Prado",
            login="mprado",
            email="Financeiro.Prado@Padaria.com.br",
        )
        make_contract(s, acai, number="CT-2024-000123")
        make_chain(
            s,
            rede,
            [
                ("Beatriz Rocha", "+5511912345678", "noc@redefibra.net", 0),
                ("Otávio Lemos", None, "otavio.lemos@redefibra.net", 30),
            ],
        )
        return {"padaria": padaria.id, "acai": acai.id, "rede": rede.id}


FIELD_CASES = [
    # term, customer, field, value, rank (dto: 0 exact identifier, 1 every word whole, 2 prefix,
    # 5 substring; issue 16)
    ("padaria", "Padaria São João Ltda", "customer.legal_name", "Padaria São João Ltda", 1),
    ("joao ltda", "Padaria São João Ltda", "customer.legal_name", "Padaria São João Ltda", 1),
    ("pao quente", "Padaria São João Ltda", "customer.trade_name", "Pão Quente", 1),
    ("11222333000181", "Padaria São João Ltda", "customer.cnpj", "11.222.333/0001-81", 0),
    ("maria antonia", "Padaria São João Ltda", "portal_user.full_name", "Maria Antônia Prado", 1),
    ("antonia pra", "Padaria São João Ltda", "portal_user.full_name", "Maria Antônia Prado", 2),
    ("prado", "Padaria São João Ltda", "portal_user.full_name", "Maria Antônia Prado", 1),
    ("mprado", "Padaria São João Ltda", "portal_user.login", "mprado", 0),
    ("mpra", "Padaria São João Ltda", "portal_user.login", "mprado", 2),
    (
        "financeiro.prado@padaria.com.br",
        "Padaria São João Ltda",
        "portal_user.email",
        "Financeiro.Prado@Padaria.com.br",
        0,
    ),
    (
        "@padaria.com",
        "Padaria São João Ltda",
        "portal_user.email",
        "Financeiro.Prado@Padaria.com.br",
        5,
    ),
    ("CT-2024-000123", "Açaí do Norte Comércio", "contract.number", "CT-2024-000123", 0),
    ("ct-2024-000123", "Açaí do Norte Comércio", "contract.number", "CT-2024-000123", 0),
    ("ct-2024", "Açaí do Norte Comércio", "contract.number", "CT-2024-000123", 2),
    ("000123", "Açaí do Norte Comércio", "contract.number", "CT-2024-000123", 5),
    ("beatriz", "Rede Fibra Sul", "escalation_contact.name", "Beatriz Rocha", 1),
    ("otavio lem", "Rede Fibra Sul", "escalation_contact.name", "Otávio Lemos", 2),
    ("otavio", "Rede Fibra Sul", "escalation_contact.name", "Otávio Lemos", 1),
    ("rocha", "Rede Fibra Sul", "escalation_contact.name", "Beatriz Rocha", 1),
    ("(11) 91234-5678", "Rede Fibra Sul", "escalation_contact.phone", "+5511912345678", 0),
    ("+55 11 91234-5678", "Rede Fibra Sul", "escalation_contact.phone", "+5511912345678", 0),
    ("91234-5678", "Rede Fibra Sul", "escalation_contact.phone", "+5511912345678", 5),
    ("noc@redefibra.net", "Rede Fibra Sul", "escalation_contact.email", "noc@redefibra.net", 0),
    ("lemos@rede", "Rede Fibra Sul", "escalation_contact.email", "otavio.lemos@redefibra.net", 5),
]


def test_each_source_and_field_finds_its_customer(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    for term, name, field, value, rank in FIELD_CASES:
        page = _search(ctx, op, term)
        assert _reason(page, name) == (field, value, rank), term


def test_hit_carries_the_customer_and_the_matched_record(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    with ctx.sessions() as s:
        user_id = s.scalars(select(PortalUser.id).where(PortalUser.login == "mprado")).one()
    (hit,) = _search(ctx, op, "mprado").hits
    assert (hit.customer_id, hit.cnpj, hit.status, hit.trade_name) == (
        world["padaria"],
        "11222333000181",
        "active",
        "Pão Quente",
    )
    assert hit.match_record_id == user_id
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.rank = 9  # type: ignore[misc]


def test_accent_and_case_insensitive_both_ways(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Padaria São João", trade_name=None, cnpj=cnpj_for(1))
        make_customer(s, "Açaí Express", trade_name=None, cnpj=cnpj_for(2))
        make_customer(s, "SAO JOAO DISTRIBUIDORA", trade_name=None, cnpj=cnpj_for(3))
    assert set(_names(_search(ctx, op, "sao joao"))) == {
        "Padaria São João",
        "SAO JOAO DISTRIBUIDORA",
    }
    assert set(_names(_search(ctx, op, "SÃO JOÃO"))) == {
        "Padaria São João",
        "SAO JOAO DISTRIBUIDORA",
    }
    assert _names(_search(ctx, op, "acai")) == ["Açaí Express"]
    assert _names(_search(ctx, op, "AÇAÍ")) == ["Açaí Express"]
    # Every word first; a name holding only some of them after (issue 16).
    page = _search(ctx, op, "  PaDaRiA   são  ")
    assert _names(page) == ["Padaria São João", "SAO JOAO DISTRIBUIDORA"]
    assert [h.rank for h in page.hits] == [RANK_WORDS, RANK_PARTIAL]


def test_cnpj_with_and_without_punctuation_and_fragments(
    ctx: ServiceContext, op: Principal
) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Alvo Telecom", trade_name=None, cnpj="60701190000104")
        make_customer(s, "Outra Empresa", trade_name=None, cnpj="33000167000101")
    for term, rank in (
        ("60701190000104", RANK_EXACT),
        ("60.701.190/0001-04", RANK_EXACT),
        ("607", RANK_PREFIX),  # 3 digits
        ("60.701.190", RANK_PREFIX),  # 8 digits, punctuated
        ("60701190", RANK_PREFIX),
        ("01190", RANK_SUBSTRING),
        ("190/0001-04", RANK_SUBSTRING),
    ):
        page = _search(ctx, op, term)
        assert _names(page) == ["Alvo Telecom"], term
        assert _reason(page, "Alvo Telecom") == ("customer.cnpj", "60.701.190/0001-04", rank)
    # 14 digits that are nobody's CNPJ: no fuzzy match on a fragment of it
    assert _search(ctx, op, "60701190000105").hits == ()


# --------------------------------------------------------------------------- ranking


def test_whole_cnpj_is_that_customer_a_fragment_also_finds_names(
    ctx: ServiceContext, op: Principal
) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Zeta Provedor", trade_name=None, cnpj="19131243000197")
        make_customer(s, "AAA Loja 19131243000197", trade_name=None, cnpj=cnpj_for(7))
    page = _search(ctx, op, "19.131.243/0001-97")
    assert _names(page) == ["Zeta Provedor"]  # punctuated: a CNPJ, not a name fragment
    # A whole identifier that equals one is that customer: values merely containing it
    # are noise to an analyst with the customer on the phone (no substring stage).
    page = _search(ctx, op, "19131243000197")
    assert _names(page) == ["Zeta Provedor"]
    assert [h.rank for h in page.hits] == [RANK_EXACT]
    # A fragment still finds both: a CNPJ prefix, and a word of a name starting with it.
    page = _search(ctx, op, "1913124300")
    assert _names(page) == ["AAA Loja 19131243000197", "Zeta Provedor"]
    assert [h.rank for h in page.hits] == [RANK_PREFIX, RANK_PREFIX]
    assert page.hits[0].match_field is MatchField.LEGAL_NAME


def test_exact_login_ranks_above_substring_login(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        zulu = make_customer(s, "Zulu Redes", trade_name=None, cnpj=cnpj_for(1))
        alfa = make_customer(s, "Alfa Redes", trade_name=None, cnpj=cnpj_for(2))
        make_portal_user(s, zulu, full_name="Pessoa Um", login="ana", email="x1@zulu.com")
        make_portal_user(s, alfa, full_name="Pessoa Dois", login="mariana", email="x2@alfa.com")
    page = _search(ctx, op, "ANA")
    assert _names(page) == ["Zulu Redes", "Alfa Redes"]
    assert [(h.match_field.value, h.match_value, h.rank) for h in page.hits] == [
        ("portal_user.login", "ana", RANK_EXACT),
        ("portal_user.login", "mariana", RANK_SUBSTRING),
    ]


def test_whole_contract_number_is_that_contract_a_fragment_finds_all(
    ctx: ServiceContext, op: Principal
) -> None:
    with ctx.sessions.begin() as s:
        zulu = make_customer(s, "Zulu Redes", trade_name=None, cnpj=cnpj_for(1))
        alfa = make_customer(s, "Alfa Redes", trade_name=None, cnpj=cnpj_for(2))
        make_contract(s, zulu, number="CT-2024-000777")
        make_contract(s, alfa, number="OLD-CT-2024-000777")
    page = _search(ctx, op, "ct-2024-000777")  # the whole number: that contract only
    assert [(h.legal_name, h.rank) for h in page.hits] == [("Zulu Redes", RANK_EXACT)]
    page = _search(ctx, op, "ct-2024-00077")  # a fragment: every number containing it
    assert _names(page) == ["Zulu Redes", "Alfa Redes"]
    assert [h.rank for h in page.hits] == [RANK_PREFIX, RANK_SUBSTRING]


def test_prefix_ranks_above_substring_then_name_then_id(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Aaa Jabaquara", trade_name=None, cnpj=cnpj_for(1))  # substring
        make_customer(s, "Abacate Zeta", trade_name=None, cnpj=cnpj_for(2))  # prefix
        make_customer(s, "Abacate Alfa", trade_name=None, cnpj=cnpj_for(3))  # prefix
        twin1 = make_customer(s, "Bambu Aba", trade_name=None, cnpj=cnpj_for(4))
        twin2 = make_customer(s, "Bambu Aba", trade_name=None, cnpj=cnpj_for(5))
    page = _search(ctx, op, "aba")
    # A whole word, then the start of a word, then inside a word (issue 16).
    assert _names(page) == [
        "Bambu Aba",
        "Bambu Aba",
        "Abacate Alfa",
        "Abacate Zeta",
        "Aaa Jabaquara",
    ]
    assert [h.rank for h in page.hits] == [
        RANK_WORDS,
        RANK_WORDS,
        RANK_PREFIX,
        RANK_PREFIX,
        RANK_SUBSTRING,
    ]
    assert [h.customer_id for h in page.hits[:2]] == sorted([twin1.id, twin2.id])


def test_one_row_per_customer_with_its_best_reason(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        c = make_customer(s, "Vivo Fibra", trade_name="Fibra Vivo", cnpj=cnpj_for(1))
        make_portal_user(s, c, full_name="Fibra Pessoa", login="fibra", email="fibra@x.com")
        make_portal_user(s, c, full_name="Outra Fibra", login="xfibra", email="o@x.com")
        make_contract(s, c, number="FIBRA-1")
    page = _search(ctx, op, "fibra")
    assert len(page.hits) == 1
    assert (page.hits[0].match_field, page.hits[0].rank) == (MatchField.LOGIN, RANK_EXACT)


# --------------------------------------------------------------------------- literal input


def test_like_and_glob_metacharacters_and_quotes_are_literal(
    ctx: ServiceContext, op: Principal
) -> None:
    with ctx.sessions.begin() as s:
        for n, name in enumerate(
            (
                "100% Fibra_Ltda",
                "1000 Fibras Ltda",
                "FibraXLtda Serviços",
                "Rede D'Ávila",
                "Barra \\ Invertida",
                "Star*Net",
                "Starnet Brasil",
                "Colchete [a] Ltda",
                "Colchete A Ltda",
            ),
            start=1,
        ):
            make_customer(s, name, trade_name=None, cnpj=cnpj_for(n))
    cases = {
        # Names match by words (issue 16): '%' and '_' separate words, never wildcards.
        "100%": ["100% Fibra_Ltda", "1000 Fibras Ltda"],
        "fibra_ltda": ["100% Fibra_Ltda", "1000 Fibras Ltda"],
        "d'avila": ["Rede D'Ávila"],
        "'": [],
        "ra \\ inv": ["Barra \\ Invertida"],
        "tar*net": ["Star*Net"],
        "star?et": ["Star*Net", "Starnet Brasil"],  # the word 'star': some words matched
        "hete [a] lt": [],  # no word starts with 'hete'; 'a' and 'lt' alone say nothing
        # Inside a value only with three letters or digits in a row (pg_trgm's minimum):
        "a \\ i": [],
        "r*n": [],
        "[a]": [],
        "%": [],
        "_": [],
        "%%%": [],
        "___": [],
        "*": [],
        "\\": [],
    }
    for term, expected in cases.items():
        assert _names(_search(ctx, op, term)) == expected, term
    assert len(_search(ctx, op, "ltda").hits) == 5  # the wildcards above matched nothing extra


def test_short_terms_match_prefixes_only(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        abacaxi = make_customer(s, "Abacaxi Frutas", trade_name=None, cnpj=cnpj_for(1))
        make_customer(s, "Cabana Hostel", trade_name=None, cnpj=cnpj_for(2))
        other = make_customer(s, "Zeca Bar", trade_name="Absoluto", cnpj=cnpj_for(3))
        user_of = make_customer(s, "Xingu Net", trade_name=None, cnpj=cnpj_for(4))
        make_portal_user(s, user_of, full_name="Zabelê", login="abilio", email="z@x.com")
        make_portal_user(s, other, full_name="Sabrina", login="sabrina", email="ab@x.com")
    page = _search(ctx, op, "ab")
    assert _names(page) == ["Abacaxi Frutas", "Xingu Net", "Zeca Bar"]
    assert {h.legal_name: h.match_field for h in page.hits} == {
        "Abacaxi Frutas": MatchField.LEGAL_NAME,
        "Xingu Net": MatchField.LOGIN,
        "Zeca Bar": MatchField.TRADE_NAME,
    }
    assert all(h.rank == RANK_PREFIX for h in page.hits)
    assert _names(_search(ctx, op, "A")) == ["Abacaxi Frutas", "Xingu Net", "Zeca Bar"]
    assert _names(_search(ctx, op, "aba")) == ["Abacaxi Frutas", "Cabana Hostel"]
    assert _search(ctx, op, "ab").hits[0].customer_id == abacaxi.id
    assert _search(ctx, op, "ba").hits == ()  # 'Cabana', 'Zeca Bar': not prefixes


def test_short_digit_terms_match_cnpj_prefixes(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Banco Um", trade_name=None, cnpj="00000000000191")
        make_customer(s, "Outro", trade_name=None, cnpj="33000167000101")
    assert _names(_search(ctx, op, "00")) == ["Banco Um"]
    assert _names(_search(ctx, op, "3")) == ["Outro"]
    assert _search(ctx, op, "19").hits == ()  # inside the CNPJ, not a prefix


def test_prefix_ranges_without_an_upper_bound(ctx: ServiceContext, op: Principal) -> None:
    """'99…' and '…U+10FFFF' have no successor: the range is closed by an equality instead."""
    with ctx.sessions.begin() as s:
        make_customer(s, "Ponta \U0010ffff Final", trade_name=None, cnpj="99999999000191")
        make_customer(s, "Outra", trade_name=None, cnpj=cnpj_for(1))
    assert _names(_search(ctx, op, "99")) == ["Ponta \U0010ffff Final"]
    assert _names(_search(ctx, op, "999.999")) == ["Ponta \U0010ffff Final"]
    assert _names(_search(ctx, op, "ponta \U0010ffff")) == ["Ponta \U0010ffff Final"]
    assert _search(ctx, op, "\U0010ffff").hits == ()


# --------------------------------------------------------------------------- pagination


@pytest.fixture
def many(ctx: ServiceContext) -> list[int]:
    """25 customers matching 'rede' by prefix, substring, user login or contact name."""
    ids = []
    with ctx.sessions.begin() as s:
        for n in range(25):
            kind = n % 4
            name = {
                0: f"Rede Norte {n:02d}",
                1: f"Grande Rede {n:02d}",
                2: f"Provedor {n:02d}",
                3: f"Provedor Contato {n:02d}",
            }[kind]
            c = make_customer(s, name, trade_name=None, cnpj=cnpj_for(100 + n))
            if kind == 2:
                make_portal_user(
                    s, c, full_name=f"Pessoa {n}", login=f"rede{n:02d}", email=f"p{n}@x.com"
                )
            if kind == 3:
                make_chain(s, c, [(f"Contato Rede {n}", "+5511912345678", None, 0)])
            ids.append(c.id)
        make_customer(s, "Sem Relacao", trade_name=None, cnpj=cnpj_for(999))
    return ids


def test_pages_are_disjoint_complete_and_in_rank_order(
    ctx: ServiceContext, op: Principal, many: list[int]
) -> None:
    whole = _search(ctx, op, "rede", limit=200)
    assert sorted(h.customer_id for h in whole.hits) == sorted(many)
    assert whole.next_cursor is None and not whole.truncated

    pages: list[SearchPage] = []
    cursor = None
    while True:
        page = _search(ctx, op, "rede", limit=10, cursor=cursor)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    paged = [h for p in pages for h in p.hits]
    assert paged == list(whole.hits)  # same hits, same order: no gap, no duplicate
    ranks = [h.rank for h in paged]
    assert ranks == sorted(ranks)
    assert {h.match_field for h in paged} == {
        MatchField.LEGAL_NAME,
        MatchField.LOGIN,
        MatchField.CONTACT_NAME,
    }


def test_a_full_window_says_so(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        for n in range(limits.MIN_WINDOW + 1):
            make_customer(s, f"Rede Cheia {n:02d}", trade_name=None, cnpj=cnpj_for(n))
    small = _search(ctx, op, "rede cheia", limit=1)  # 20 candidates per source
    assert small.truncated and len(small.hits) == 1 and small.next_cursor
    seen: list[int] = []
    cursor: str | None = small.next_cursor
    while cursor:  # pages stay disjoint inside the frozen window
        page = _search(ctx, op, "rede cheia", limit=7, cursor=cursor)
        seen += [h.customer_id for h in page.hits]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) and small.hits[0].customer_id not in seen
    enough = next(n for n in range(1, 50) if limits.window_for(n) > limits.MIN_WINDOW + 1)
    big = _search(ctx, op, "rede cheia", limit=enough)  # every candidate fits the window
    assert not big.truncated
    assert len(_search(ctx, op, "rede cheia", limit=50).hits) == limits.MIN_WINDOW + 1


def test_cursor_is_checked(ctx: ServiceContext, op: Principal, many: list[int]) -> None:
    first = _search(ctx, op, "rede", limit=10)
    assert first.next_cursor
    for bad in ("not-a-cursor", "", "x" * 10_000, "eyJ2IjoxfQ", "W10"):
        with pytest.raises(ValidationError) as err:
            lookup.search(ctx, op, "rede", cursor=bad)
        assert "cursor" in err.value.fields
    with pytest.raises(ValidationError, match="another search"):
        lookup.search(ctx, op, "norte", cursor=first.next_cursor)


def test_limit_out_of_bounds_is_refused(ctx: ServiceContext, op: Principal) -> None:
    for limit in (0, -1, 201, 10**9, True, "10", 2.5, None):
        with pytest.raises(ValidationError) as err:
            lookup.search(ctx, op, "rede", limit=limit)  # type: ignore[arg-type]
        assert list(err.value.fields) == ["limit"], limit


def test_limit_bounds_are_inclusive(ctx: ServiceContext, op: Principal, many: list[int]) -> None:
    assert len(_search(ctx, op, "rede", limit=1).hits) == 1
    assert len(_search(ctx, op, "rede", limit=200).hits) == 25


# --------------------------------------------------------------------------- refused input


BAD_TERMS = [
    ("abc\x00def", "control characters"),
    ("\x1b[2Jsilva", "control characters"),
    ("silva\x07", "control characters"),
    ("a" * 100_000, "too long"),
    ("ç" * 201, "too long"),
    ("joão\ud800", "not valid text"),
]


def test_bad_terms_raise_validation_error_on_term(ctx: ServiceContext, op: Principal) -> None:
    for term, message in BAD_TERMS:
        with pytest.raises(ValidationError, match=message) as err:
            lookup.search(ctx, op, term)
        assert list(err.value.fields) == ["term"]
        assert term[:50] not in str(err.value)  # the message does not echo the input


def test_empty_terms_give_an_empty_page_without_a_query(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        for term in ("", "   ", "\t\n ", "\u0301\u0301", "\u200f"):
            page = lookup.search(ctx, op, term)
            assert page.hits == () and page.next_cursor is None
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    assert statements == []


def test_maximum_length_term_is_searched(ctx: ServiceContext, op: Principal) -> None:
    page = _search(ctx, op, "  " + "a" * 200 + "  ")
    assert page.term == "a" * 200 and page.hits == ()


# --------------------------------------------------------------------------- roles, audit, logs


def test_every_role_can_look_up(ctx: ServiceContext, world: dict[str, int]) -> None:
    for role in Role:
        with ctx.sessions.begin() as s:
            actor = make_operator(s, role)
        assert _names(_search(ctx, actor, "padaria")) == ["Padaria São João Ltda"]
        detail = customers.get_customer(ctx, actor, world["padaria"])
        assert detail.legal_name == "Padaria São João Ltda"


def test_lookup_works_in_read_only_mode(
    read_only_ctx: ServiceContext, ctx: ServiceContext, world: dict[str, int]
) -> None:
    with ctx.sessions.begin() as s:
        actor = make_operator(s, Role.ANALYST)
    assert _names(_search(read_only_ctx, actor, "padaria")) == ["Padaria São João Ltda"]
    assert customers.get_customer(read_only_ctx, actor, world["padaria"]).id == world["padaria"]


def test_searches_are_not_audited_and_terms_not_logged(
    ctx: ServiceContext, op: Principal, world: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="noc_console")
    _search(ctx, op, "Maria Antônia")
    _search(ctx, op, "financeiro.prado@padaria.com.br")
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
    text = "\n".join(r.getMessage() for r in caplog.records).lower()
    assert "lookup by" in text  # the debug line exists...
    assert "antônia" not in text and "antonia" not in text and "financeiro" not in text


# --------------------------------------------------------------------------- customer detail


def test_get_customer_detail(ctx: ServiceContext, op: Principal, clock: FixedClock) -> None:
    now = clock.now()
    with ctx.sessions.begin() as s:
        c = make_customer(s, "Padaria São João Ltda", trade_name="Pão", cnpj="11222333000181")
        make_chain(s, c)
        make_contract(s, c, status="active")
        make_contract(s, c, status="active")
        make_contract(s, c, status="inactive")
        other = make_customer(s, "Outra", trade_name=None, cnpj=cnpj_for(5))
        make_contract(s, other)
        make_portal_user(s, other, full_name="Não Aparece", login="outra")

        def user(name: str, level: int, **fields: Any) -> PortalUser:
            u = make_portal_user(s, c, full_name=name, login=fold_login(name), preposto_level=level)
            for key, value in fields.items():
                setattr(u, key, value)
            return u

        user("Zélia Ativa", 1, locked_until=now - timedelta(minutes=1), failed_login_count=2)
        user("Bruno Bloqueado", 1, locked_until=now + timedelta(minutes=10))
        user("Ana Temporária", 2, must_change_password=True,
             temp_password_expires_at=now + timedelta(hours=1))  # fmt: skip
        user("Caio Expirado", 2, must_change_password=True,
             temp_password_expires_at=now - timedelta(seconds=1))  # fmt: skip
        user("Duda Troca", 3, must_change_password=True)
        user("Edu Inativo", 3, is_active=False, locked_until=now + timedelta(minutes=10))

    detail = customers.get_customer(ctx, op, c.id)
    assert (detail.legal_name, detail.trade_name, detail.cnpj, detail.cnpj_formatted) == (
        "Padaria São João Ltda",
        "Pão",
        "11222333000181",
        "11.222.333/0001-81",
    )
    assert (detail.status, detail.timezone) == ("active", "America/Sao_Paulo")
    assert [(u.full_name, u.preposto_level, u.state) for u in detail.users] == [
        ("Bruno Bloqueado", 1, UserState.LOCKED),
        ("Zélia Ativa", 1, UserState.ACTIVE),
        ("Ana Temporária", 2, UserState.TEMPORARY_PASSWORD),
        ("Caio Expirado", 2, UserState.TEMPORARY_EXPIRED),
        ("Duda Troca", 3, UserState.MUST_CHANGE),
        ("Edu Inativo", 3, UserState.INACTIVE),
    ]
    zelia = detail.users[1]
    assert zelia.failed_login_count == 2 and zelia.is_active
    assert zelia.version == 2  # created, then updated once above (version_id_col)
    assert zelia.password_changed_at == FixedClock().now()
    assert detail.users[2].temp_password_expires_at == now + timedelta(hours=1)
    assert detail.escalation is not None
    assert detail.escalation.version == 1 and detail.escalation.updated_by == "test"
    assert [(lv.level, lv.name, lv.delay_minutes) for lv in detail.escalation.levels] == [
        (1, "Maria Souza", 0),
        (2, "Carlos Lima", 15),
        (3, "Beatriz Rocha", 60),
    ]
    assert detail.escalation.levels[1].phone == "+5511923456789"
    assert (detail.contracts.active, detail.contracts.inactive) == (2, 1)
    assert isinstance(detail.users, tuple) and isinstance(detail.escalation.levels, tuple)
    _assert_no_secret_or_money(detail)


def test_state_moves_with_the_clock(ctx: ServiceContext, op: Principal, clock: FixedClock) -> None:
    with ctx.sessions.begin() as s:
        c = make_customer(s, "Relógio", trade_name=None, cnpj=cnpj_for(1))
        u = make_portal_user(s, c, login="tic")
        u.must_change_password = True
        u.temp_password_expires_at = clock.now() + timedelta(hours=24)
    assert customers.get_customer(ctx, op, c.id).users[0].state is UserState.TEMPORARY_PASSWORD
    clock.advance(hours=24)
    assert customers.get_customer(ctx, op, c.id).users[0].state is UserState.TEMPORARY_EXPIRED


def test_customer_without_chain_users_or_contracts(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        c = make_customer(s, "Vazio", trade_name=None, cnpj=cnpj_for(1), status="suspended")
    detail = customers.get_customer(ctx, op, c.id)
    assert detail.users == () and detail.escalation is None
    assert (detail.contracts.active, detail.contracts.inactive, detail.contracts.total) == (0, 0, 0)
    assert detail.status == "suspended"


def test_unknown_customer_is_not_found(ctx: ServiceContext, op: Principal) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "Existe", trade_name=None, cnpj=cnpj_for(1))
    for bad_id in (987654, 0, -1, 2**63, 2**80, "1", None, 1.0, True):
        with pytest.raises(NotFound, match="customer not found"):
            customers.get_customer(ctx, op, bad_id)  # type: ignore[arg-type]


def fold_login(name: str) -> str:
    from noc_console.text import fold

    return fold(name).replace(" ", ".")


def _assert_no_secret_or_money(value: object) -> None:
    """Walk a DTO: no password hash field, no Decimal anywhere."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            assert "hash" not in f.name and "value" not in f.name, f.name
            _assert_no_secret_or_money(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            _assert_no_secret_or_money(item)
    else:
        assert not isinstance(value, Decimal)


# --------------------------------------------------------------------------- query plans


@pytest.fixture
def captured(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    """The search statements sent to the database, with their driver parameters."""
    found: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "AS record_id" in statement:
            found.append((statement, parameters))

    event.listen(ctx.engine, "before_cursor_execute", keep)
    yield found
    event.remove(ctx.engine, "before_cursor_execute", keep)


def _plan(ctx: ServiceContext, statement: str, parameters: Any) -> str:
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(str(r[3]) for r in rows)
        # Tiny test tables: make the planner show the index it would use at scale.
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return "\n".join(str(r[0]) for r in rows)


def _assert_no_table_scan(ctx: ServiceContext, plan: str) -> None:
    if ctx.engine.dialect.name == "sqlite":
        for line in plan.splitlines():
            if line.startswith("SCAN "):
                # a sub-query of the UNION, or an FTS5 scan that uses its index (M = MATCH)
                assert re.match(r"SCAN (b\d+|fts_\w+ VIRTUAL TABLE INDEX \d+:M)", line), line
        assert "TEMP B-TREE" not in plan
    else:
        assert "Seq Scan" not in plan


def test_substring_search_uses_the_trigram_objects(
    ctx: ServiceContext, op: Principal, world: dict[str, int], captured: list[tuple[str, Any]]
) -> None:
    # Inside a word only ('ntonia' of Antônia; also one typo from it): the trigram stage.
    assert _names(_search(ctx, op, "ntonia")) == ["Padaria São João Ltda"]
    (statement, parameters) = captured[-1]
    plan = _plan(ctx, statement, parameters)
    _assert_no_table_scan(ctx, plan)
    if ctx.engine.dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan
        for table in ("customers", "portal_users", "escalation_contacts"):
            assert re.search(rf"SCAN fts_{table} VIRTUAL TABLE INDEX \d+:M", plan), table
        # Contract numbers: a range of their suffixes (migration 0011).
        assert "SEARCH s USING PRIMARY KEY (field=? AND suffix>? AND suffix<?)" in plan
    else:
        # One trigram index per table over its searched columns (migration 0004).
        for index in (
            "trgm_customers_search",
            "trgm_portal_users_search",
            "trgm_escalation_contacts_search",
            "pk_identifier_suffixes",
        ):
            assert index in plan, index


def test_short_terms_use_btree_ranges_only(
    ctx: ServiceContext, op: Principal, world: dict[str, int], captured: list[tuple[str, Any]]
) -> None:
    assert _names(_search(ctx, op, "pa")) == ["Padaria São João Ltda"]
    (statement, parameters) = captured[-1]
    plan = _plan(ctx, statement, parameters)
    _assert_no_table_scan(ctx, plan)
    assert "VIRTUAL TABLE" not in plan and "trgm_customers" not in plan
    expected = "ix_customers_name_norm"
    assert expected in plan


def test_metacharacter_terms_still_use_the_index(
    ctx: ServiceContext, op: Principal, world: dict[str, int], captured: list[tuple[str, Any]]
) -> None:
    _search(ctx, op, "100%_x")
    assert captured
    for statement, parameters in list(captured):  # both stages
        _assert_no_table_scan(ctx, _plan(ctx, statement, parameters))


_SUBSTRING_SQL = re.compile(r"\b(I?LIKE|MATCH)\b")


def test_prefix_matches_that_fill_the_page_skip_the_substring_stage(
    ctx: ServiceContext, op: Principal, captured: list[tuple[str, Any]]
) -> None:
    with ctx.sessions.begin() as s:
        for n in range(4):
            make_customer(s, f"Rede Prefixo {n}", trade_name=None, cnpj=cnpj_for(n))
        make_customer(s, "Grande Abcrede", trade_name=None, cnpj=cnpj_for(9))  # substring only
    first = _search(ctx, op, "rede", limit=3)
    assert _names(first) == ["Rede Prefixo 0", "Rede Prefixo 1", "Rede Prefixo 2"]
    # One statement of equalities and prefix ranges: no trigram scan was needed.
    assert len(captured) == 1 and not _SUBSTRING_SQL.search(captured[0][0])
    second = _search(ctx, op, "rede", limit=3, cursor=first.next_cursor)
    assert _names(second) == ["Rede Prefixo 3", "Grande Abcrede"]
    assert [h.rank for h in second.hits] == [RANK_WORDS, RANK_SUBSTRING]
    assert second.next_cursor is None
    assert len(captured) == 3 and _SUBSTRING_SQL.search(captured[2][0])


def test_prefix_stage_finds_people_and_contacts_by_the_start_of_their_values(
    ctx: ServiceContext, op: Principal, captured: list[tuple[str, Any]]
) -> None:
    with ctx.sessions.begin() as s:
        alfa = make_customer(s, "Alfa Redes", trade_name=None, cnpj=cnpj_for(1))
        beta = make_customer(s, "Beta Redes", trade_name=None, cnpj=cnpj_for(2))
        gama = make_customer(s, "Gama Redes", trade_name=None, cnpj=cnpj_for(3))
        make_portal_user(s, alfa, full_name="Wanderléia Prado", login="wp", email="w@alfa.com")
        make_portal_user(s, beta, full_name="Outra Pessoa", login="op", email="wanderl@beta.com")
        make_chain(s, gama, [("Wanderley Souza", "+5511912345678", None, 0)])
    page = _search(ctx, op, "wanderl", limit=2)
    assert [(h.legal_name, h.match_field, h.rank) for h in page.hits] == [
        ("Alfa Redes", MatchField.USER_NAME, RANK_PREFIX),
        ("Beta Redes", MatchField.USER_EMAIL, RANK_PREFIX),
    ]
    assert len(captured) == 1  # a third prefix match is known: the page is full
    assert _names(_search(ctx, op, "wanderl")) == ["Alfa Redes", "Beta Redes", "Gama Redes"]
    phone = _search(ctx, op, "551191234")  # digits of the start of an E.164 phone
    assert [(h.legal_name, h.match_field, h.rank) for h in phone.hits] == [
        ("Gama Redes", MatchField.CONTACT_PHONE, RANK_PREFIX)
    ]


def test_a_whole_login_or_address_that_matches_is_that_person(
    ctx: ServiceContext, op: Principal, captured: list[tuple[str, Any]]
) -> None:
    with ctx.sessions.begin() as s:
        alfa = make_customer(s, "Alfa Redes", trade_name=None, cnpj=cnpj_for(1))
        beta = make_customer(s, "Beta Redes", trade_name=None, cnpj=cnpj_for(2))
        make_portal_user(
            s, alfa, full_name="Joana Lima", login="joana.lima", email="joana@alfa.com.br"
        )
        make_portal_user(
            s, beta, full_name="Ana Souza", login="mariajoana.lima", email="mariajoana@alfa.com.br"
        )
    for term in ("joana@alfa.com.br", "JOANA.LIMA"):
        captured.clear()
        page = _search(ctx, op, term)
        assert [(h.legal_name, h.rank) for h in page.hits] == [("Alfa Redes", RANK_EXACT)]
        assert not any(_SUBSTRING_SQL.search(statement) for statement, _ in captured)
    # Nobody's whole address or login: the values that contain it are still found.
    assert _names(_search(ctx, op, "oana@alfa.com.br")) == ["Alfa Redes", "Beta Redes"]
    assert _names(_search(ctx, op, "oana.lima")) == ["Alfa Redes", "Beta Redes"]


def test_a_term_without_three_letters_in_a_row_is_matched_by_prefix_only(
    ctx: ServiceContext, op: Principal, captured: list[tuple[str, Any]]
) -> None:
    with ctx.sessions.begin() as s:
        make_customer(s, "%_% Comercial", trade_name=None, cnpj=cnpj_for(1))
        make_customer(s, "Loja 100%_% Ltda", trade_name=None, cnpj=cnpj_for(2))
    # pg_trgm has no trigram to look up in '%_%' (its index would return every row for a
    # recheck); SQLite follows the same rule so both backends find the same customers.
    assert _names(_search(ctx, op, "%_%")) == ["%_% Comercial"]
    assert not any(_SUBSTRING_SQL.search(statement) for statement, _ in captured)
    assert _names(_search(ctx, op, "100%_%")) == ["Loja 100%_% Ltda"]


def test_a_company_domain_is_a_prefix_range_on_the_address_domain(
    ctx: ServiceContext, op: Principal, captured: list[tuple[str, Any]]
) -> None:
    with ctx.sessions.begin() as s:
        alfa = make_customer(s, "Alfa Redes", trade_name=None, cnpj=cnpj_for(1))
        beta = make_customer(s, "Beta Redes", trade_name=None, cnpj=cnpj_for(2))
        gama = make_customer(s, "Gama Redes", trade_name=None, cnpj=cnpj_for(3))
        make_portal_user(s, alfa, full_name="Ana", login="ana", email="ana@padaria.com.br")
        make_chain(s, beta, [("Bia", None, "bia@padaria.com.br", 0)])
        make_portal_user(s, gama, full_name="Caio", login="caio", email="caio@mypadaria.com.br")
    page = _search(ctx, op, "padaria.com")
    assert [(h.legal_name, h.match_field, h.match_value, h.rank) for h in page.hits] == [
        ("Alfa Redes", MatchField.USER_EMAIL, "ana@padaria.com.br", RANK_SUBSTRING),
        ("Beta Redes", MatchField.CONTACT_EMAIL, "bia@padaria.com.br", RANK_SUBSTRING),
    ]
    # The domain matched: the company is found; no trigram scan over every address.
    (statement, parameters) = captured[0]
    assert len(captured) == 1 and not _SUBSTRING_SQL.search(statement)
    plan = _plan(ctx, statement, parameters)
    _assert_no_table_scan(ctx, plan)
    assert "pfx_portal_users_email_domain" in plan
    assert "pfx_escalation_contacts_email_domain" in plan
    # Not the start of any domain: the addresses that contain it are still found.
    assert _names(_search(ctx, op, "adaria.com")) == ["Alfa Redes", "Beta Redes", "Gama Redes"]
