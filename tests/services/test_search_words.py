"""Names by word, in any order, typos forgiven (issue 16), on both backends: the words kept
in step on every write, the migration's back-fill, the ranking and the label of a typo."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, event, select, text

from noc_console import migrate
from noc_console.models import (
    NameKind,
    NameVocabulary,
    NameWord,
    NameWordKey,
    NameWordPair,
    PortalUser,
)
from noc_console.models.name_words import deletion_keys, name_words, split_words
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.search import lookup
from noc_console.services.search.dto import (
    RANK_PARTIAL,
    RANK_PREFIX,
    RANK_SIMILAR,
    RANK_WORDS,
    MatchField,
)
from noc_console.services.search.names import within_one_edit
from tests.support.factories import (
    cnpj_for,
    make_chain,
    make_customer,
    make_portal_user,
)
from tests.support.migrations import upgraded_from


def _words(ctx: ServiceContext, kind: NameKind, record_id: int) -> set[str]:
    with ctx.sessions() as s:
        rows = s.scalars(
            select(NameWord.word).where(NameWord.kind == kind, NameWord.record_id == record_id)
        )
        return set(rows)


def _pairs(ctx: ServiceContext, kind: NameKind, record_id: int) -> set[tuple[str, str]]:
    with ctx.sessions() as s:
        rows = s.execute(
            select(NameWordPair.word, NameWordPair.other).where(
                NameWordPair.kind == kind, NameWordPair.record_id == record_id
            )
        )
        return {(a, b) for a, b in rows}


def _every_pair(*words: str) -> set[tuple[str, str]]:
    return {(a, b) for a in words for b in words if a != b}


def _hits(ctx: ServiceContext, op: Principal, term: str) -> list[tuple[str, int]]:
    return [(h.legal_name, h.rank) for h in lookup.search(ctx, op, term).hits]


# --------------------------------------------------------------------------- pure rules


def test_words_of_a_name_are_folded_split_and_distinct() -> None:
    assert name_words("Padaria São-José Ltda. (Padaria)") == ["padaria", "sao", "jose", "ltda"]
    assert name_words("D'Ávila & Filhos") == ["d", "avila", "filhos"]
    assert name_words(None) == []


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_names_split_as_the_word_pattern_does(text: str) -> None:
    from noc_console.models.name_words import _WORD

    assert split_words(text) == _WORD.findall(text)


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("padaria", "padaria", True),
        ("padria", "padaria", True),  # delete
        ("padarria", "padaria", True),  # insert
        ("pedaria", "padaria", True),  # substitute
        ("paadria", "padaria", True),  # swap of neighbours
        ("concecao", "conceicao", True),
        ("pdria", "padaria", False),  # two edits
        ("abca", "bcaa", False),  # keys meet, two edits apart: the re-check drops it
    ],
)
def test_one_edit_and_the_deletion_keys_that_find_it(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near
    if near:  # symmetric delete never misses a word one edit away
        assert deletion_keys(a) & deletion_keys(b)


# --------------------------------------------------------------------------- kept in step


def test_every_write_keeps_the_words_in_step(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Padaria São José", trade_name="Pão Quente", cnpj=cnpj_for(1))
        user = make_portal_user(s, customer, full_name="Conceição Aparecida", login="ca")
        make_chain(s, customer, [("Otávio Lemos", "+5511912345678", None, 0)])
        cid, uid = customer.id, user.id
    assert _words(ctx, NameKind.LEGAL_NAME, cid) == {"padaria", "sao", "jose"}
    assert _words(ctx, NameKind.TRADE_NAME, cid) == {"pao", "quente"}
    assert _words(ctx, NameKind.USER_NAME, uid) == {"conceicao", "aparecida"}
    assert _pairs(ctx, NameKind.LEGAL_NAME, cid) == _every_pair("padaria", "sao", "jose")
    assert _pairs(ctx, NameKind.USER_NAME, uid) == _every_pair("conceicao", "aparecida")
    with ctx.sessions() as s:
        vocabulary = set(s.scalars(select(NameVocabulary.word)))
        assert {"padaria", "pao", "conceicao", "otavio", "lemos"} <= vocabulary
        contact = s.scalars(select(NameWord).where(NameWord.kind == NameKind.CONTACT_NAME)).all()
        assert {w.word for w in contact} == {"otavio", "lemos"}
        assert {w.customer_id for w in contact} == {cid}
        keys = set(s.scalars(select(NameWordKey.key).where(NameWordKey.word == "padaria")))
        assert keys == deletion_keys("padaria")
    with ctx.sessions.begin() as s:
        u = s.get(PortalUser, uid)
        assert u is not None
        u.failed_login_count = 3  # not a name: the words stay as they are
    assert _words(ctx, NameKind.USER_NAME, uid) == {"conceicao", "aparecida"}
    with ctx.sessions.begin() as s:
        u = s.get(PortalUser, uid)
        assert u is not None
        u.full_name = "Maria da Conceição"
    assert _words(ctx, NameKind.USER_NAME, uid) == {"maria", "da", "conceicao"}
    # The old name's pairs are gone, not only its words.
    assert _pairs(ctx, NameKind.USER_NAME, uid) == _every_pair("maria", "da", "conceicao")
    with ctx.sessions.begin() as s:
        s.delete(s.get(PortalUser, uid))
    assert _words(ctx, NameKind.USER_NAME, uid) == set()
    assert _pairs(ctx, NameKind.USER_NAME, uid) == set()
    assert _pairs(ctx, NameKind.LEGAL_NAME, cid) == _every_pair("padaria", "sao", "jose")


def test_the_migration_fills_the_words_of_rows_written_before_it(fresh_db_url: str) -> None:
    with upgraded_from(  # back to before the word tables
        fresh_db_url,
        "0008",
        customer_id=7,
        legal_name="Padaria São José",
        name_norm="padaria sao jose",
        cnpj=cnpj_for(7),
    ) as engine:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT word, kind, customer_id FROM name_words")).all()
            pairs = conn.execute(text("SELECT word, other, record_id FROM name_word_pairs")).all()
            vocabulary = conn.execute(text("SELECT word FROM name_vocabulary")).scalars().all()
        assert sorted(rows) == [("jose", 1, 7), ("padaria", 1, 7), ("sao", 1, 7)]
        assert sorted(pairs) == [
            ("jose", "padaria", 7), ("jose", "sao", 7), ("padaria", "jose", 7),
            ("padaria", "sao", 7), ("sao", "jose", 7), ("sao", "padaria", 7),
        ]  # fmt: skip
        assert sorted(vocabulary) == ["jose", "padaria", "sao"]
        assert migrate.differences(engine) == []


# --------------------------------------------------------------------------- finding


@pytest.fixture
def world(ctx: ServiceContext) -> dict[str, int]:
    with ctx.sessions.begin() as s:
        sj = make_customer(s, "Padaria São José Ltda", trade_name=None, cnpj=cnpj_for(1))
        sp = make_customer(s, "Padaria São Paulo", trade_name=None, cnpj=cnpj_for(2))
        cc = make_customer(s, "Concreto Central", trade_name=None, cnpj=cnpj_for(3))
        make_portal_user(s, cc, full_name="Maria da Conceição", login="mconceicao")
        make_customer(s, "Josefina Padaria Artesanal", trade_name=None, cnpj=cnpj_for(4))
        return {"sj": sj.id, "sp": sp.id, "cc": cc.id}


def test_words_in_any_order_without_accents_truncated(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    assert _hits(ctx, op, "jose padar")[:2] == [
        ("Josefina Padaria Artesanal", RANK_PREFIX),
        ("Padaria São José Ltda", RANK_PREFIX),
    ]
    assert _hits(ctx, op, "JOSÉ PADARIA")[0] == ("Padaria São José Ltda", RANK_WORDS)
    # Both hold the two words; the name with fewer other words is the closer one.
    assert _hits(ctx, op, "sao padaria") == [
        ("Padaria São Paulo", RANK_WORDS),
        ("Padaria São José Ltda", RANK_WORDS),
        ("Josefina Padaria Artesanal", RANK_PARTIAL),
    ]


def test_among_equal_ranks_the_name_closest_to_what_was_said_comes_first(
    ctx: ServiceContext, op: Principal
) -> None:
    """Ties a caller's words can break: fewer words reversed, fewer letters left unsaid,
    and the short words of a whole legal name (past the six that search) held."""
    with ctx.sessions.begin() as s:
        for i, name in enumerate((
            "Lucas Câmara Loureiro",
            "Lucas Loureiro Câmara",
            "Juliana Martins",
            "Júlia Martins",
            "Hospital e Maternidade Iguaçu de Rio Branco EPP",
            "Hospital e Maternidade Iguaçu de Rio Branco S.A.",
            "Maria Silva",
            "Márcia Silva",
        )):  # fmt: skip
            make_customer(s, name, trade_name=None, cnpj=cnpj_for(20 + i))
    # The surnames said first is one pair of words reversed; every word reversed is three.
    assert _hits(ctx, op, "loureiro camara lucas")[:2] == [
        ("Lucas Loureiro Câmara", RANK_WORDS),
        ("Lucas Câmara Loureiro", RANK_WORDS),
    ]
    # 'juli' leaves one letter of Júlia unsaid, three of Juliana.
    assert _hits(ctx, op, "juli marti")[:2] == [
        ("Júlia Martins", RANK_PREFIX),
        ("Juliana Martins", RANK_PREFIX),
    ]
    # One word misheard is closer than two (and Márcia sorts first by name).
    assert _hits(ctx, op, "maria slva")[:2] == [
        ("Maria Silva", RANK_SIMILAR),
        ("Márcia Silva", RANK_SIMILAR),
    ]
    # Nine words: 'e', 's' and 'a' do not search, but S.A. holds them and EPP does not.
    assert _hits(ctx, op, "hospital e maternidade iguacu de rio branco s.a.")[:2] == [
        ("Hospital e Maternidade Iguaçu de Rio Branco S.A.", RANK_WORDS),
        ("Hospital e Maternidade Iguaçu de Rio Branco EPP", RANK_WORDS),
    ]


def test_a_typo_is_forgiven_labelled_and_ranked_after_exact_words(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    page = lookup.search(ctx, op, "maria concecao")
    first = page.hits[0]
    assert (first.legal_name, first.rank, first.match_field) == (
        "Concreto Central",
        RANK_SIMILAR,
        MatchField.USER_NAME,
    )
    assert first.match_value == "Maria da Conceição" and first.similar_to == "Conceição"
    page = lookup.search(ctx, op, "padria")
    assert {h.rank for h in page.hits} == {RANK_SIMILAR}
    assert {h.similar_to for h in page.hits} == {"Padaria"}
    # Exact words first: 'padaria' found by itself is never a typo match.
    exact = lookup.search(ctx, op, "padaria").hits
    assert exact and all(h.similar_to is None for h in exact)


def test_an_identifier_is_never_a_typo(
    ctx: ServiceContext, op: Principal, world: dict[str, int]
) -> None:
    assert lookup.search(ctx, op, "mconceicao").hits[0].match_field is MatchField.LOGIN
    assert _hits(ctx, op, "padria.com") == []  # read from a screen, not heard: no typos


def test_a_typo_lookup_uses_indexes_only(
    ctx: ServiceContext, op: Principal, world: dict[str, int], engine: Engine
) -> None:
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        lookup.search(ctx, op, "maria concecao")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # The words one typo away (name_word_keys) and those the typed words start
    # (name_vocabulary) are looked up first, then named as values of a pair range.
    assert any("name_word_keys" in st and "name_vocabulary" in st for st, _p in captured)
    assert any("name_word_pairs" in statement for statement, _p in captured)
    searched = [(st, p) for st, p in captured if "name_" in st]
    assert len(searched) >= 2
    with engine.connect() as conn:
        for statement, params in searched:
            _assert_index_served(conn, engine.dialect.name, statement, params)


def _assert_index_served(conn: Any, dialect: str, statement: str, params: Any) -> None:
    """No scan of a word table: neither a table scan nor a walk of a whole index (what
    PostgreSQL chose when the typo's words were a sub-query of the branch)."""
    if dialect == "sqlite":
        plan = "\n".join(
            str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        )
        # The word tables are read under the aliases w, o and v: "SCAN w" names no table.
        scans = [line.split()[1] for line in plan.splitlines() if line.strip().startswith("SCAN")]
        assert not any(t in ("w", "o", "v") or t.startswith("name_") for t in scans), plan
        return
    conn.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: ask what it can
    lines = [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement, params)]
    plan = "\n".join(lines)
    assert "Seq Scan on name_" not in plan, plan
    for i, line in enumerate(lines):
        if "Scan using" in line and " on name_" in line:
            details = []
            for detail in lines[i + 1 :]:
                if "->" in detail:
                    break
                details.append(detail)
            assert any("Index Cond" in d for d in details), plan


def test_any_two_words_of_a_long_name_find_it(ctx: ServiceContext, op: Principal) -> None:
    long_name = "Associação dos Produtores Rurais Unidos do Vale do Rio Pardo Irmãos Tavares"
    with ctx.sessions.begin() as s:
        make_customer(s, long_name, trade_name=None, cnpj=cnpj_for(8))
        make_customer(s, "Tavares Pardo Ltda", trade_name=None, cnpj=cnpj_for(9))
    assert _hits(ctx, op, "tavares irmaos") == [
        (long_name, RANK_WORDS),
        ("Tavares Pardo Ltda", RANK_PARTIAL),
    ]
    assert _hits(ctx, op, "pardo tavar")[:2] == [
        ("Tavares Pardo Ltda", RANK_PREFIX),
        (long_name, RANK_PREFIX),
    ]


def test_a_word_too_many_stored_words_start_walks_its_range_instead(
    ctx: ServiceContext, op: Principal, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """'ma' starts hundreds of names' words: past FORMS_CAP the lookup walks the range of
    the longer typed word, probing the short one, and finds the same names."""
    with_pairs = _hits(ctx, op, "ma conceicao")
    from noc_console.services.search import name_sql

    monkeypatch.setattr(lookup, "FORMS_CAP", 0)
    monkeypatch.setattr(name_sql, "FORMS_CAP", 0)
    assert _hits(ctx, op, "ma conceicao") == with_pairs == [("Concreto Central", RANK_PREFIX)]


def test_many_word_couples_find_what_a_few_find(
    ctx: ServiceContext, op: Principal, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL reads a few (word, other) couples as an equality range each and more as
    one range sorted before the joins: both shapes find the same names, in the same order."""
    from noc_console.services.search import name_sql

    few = [_hits(ctx, op, term) for term in ("padaria sao", "jose padar", "maria concecao")]
    monkeypatch.setattr(name_sql, "PAIR_COUPLES_CAP", 0)
    many = [_hits(ctx, op, term) for term in ("padaria sao", "jose padar", "maria concecao")]
    assert many == few and all(few)
