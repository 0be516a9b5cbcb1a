"""Search-term handling under any input (hypothesis): a page or a ValidationError, never
anything else; and what is found is exactly what a literal, folded comparison says."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from noc_console.errors import ValidationError
from noc_console.models import Customer, Role
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.customers import UserState, user_state
from noc_console.services.search import lookup
from noc_console.services.search.dto import RANK_EXACT, RANK_SUBSTRING, SearchPage
from noc_console.services.search.patterns import (
    digits_successor,
    escape_like,
    fts_phrase,
    successor,
)
from noc_console.text import digits, fold
from tests.support.factories import (
    cnpj_for,
    make_chain,
    make_contract,
    make_customer,
    make_operator,
    make_portal_user,
)

DB_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
METACHARACTERS = [*"%_\\'\"*?[]^!-.()/@+ ", "''", "%%", "\\%", "[*]", "--", ";", "/*"]

# Every kind of character a person (or a paste) can produce, control and surrogates included.
ANY_CHAR = st.characters(categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Co", "Cn"])
TERMS = st.one_of(
    st.text(),
    st.text(alphabet=ANY_CHAR, max_size=60),
    st.lists(st.sampled_from(METACHARACTERS), max_size=12).map("".join),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=5),
        st.sampled_from(["sao joao", "ltda", "11.222", "ct-2024", "@", "+55 11", "ab"]),
        st.text(alphabet=ANY_CHAR, max_size=5),
    ),
    st.integers(min_value=150, max_value=120_000).map(lambda n: "x" * n),
)


@pytest.fixture
def actor(ctx: ServiceContext) -> Principal:
    with ctx.sessions.begin() as s:
        return make_operator(s, Role.ANALYST)


@pytest.fixture
def seeded(ctx: ServiceContext, actor: Principal) -> tuple[ServiceContext, Principal]:
    with ctx.sessions.begin() as s:
        for n, name in enumerate(
            ("Padaria São João Ltda", "100% Fibra_Ltda", "Açaí [Norte] *Net*", "O'Brien \\ Cia"),
            start=1,
        ):
            c = make_customer(s, name, trade_name=f"Loja {n}", cnpj=cnpj_for(n))
            make_portal_user(s, c, full_name=f"Usuária {name}", login=f"user{n}")
            make_contract(s, c, number=f"CT-2024-{n:06d}")
        make_chain(s, c)
    return ctx, actor


@DB_SETTINGS
@given(term=TERMS, limit=st.sampled_from([1, 3, 50, 200]))
def test_any_term_gives_a_page_or_a_validation_error(
    seeded: tuple[ServiceContext, Principal], term: str, limit: int
) -> None:
    ctx, actor = seeded
    try:
        page = lookup.search(ctx, actor, term, limit=limit)
    except ValidationError as err:
        assert list(err.fields) == ["term"]
        assert err.fields["term"] and all(isinstance(m, str) and m for m in err.fields["term"])
        return
    assert isinstance(page, SearchPage)
    assert len(page.hits) <= limit
    ids = [h.customer_id for h in page.hits]
    assert len(ids) == len(set(ids))
    ranks = [h.rank for h in page.hits]
    assert ranks == sorted(ranks) and set(ranks) <= set(range(RANK_SUBSTRING + 1))
    if page.next_cursor is not None:  # the cursor of any page is accepted for the same term
        nxt = lookup.search(ctx, actor, term, limit=limit, cursor=page.next_cursor)
        assert not set(ids) & {h.customer_id for h in nxt.hits}


# --------------------------------------------------------------------------- the oracle

NAME_CHARS = st.one_of(
    st.sampled_from([*"%_\\'\"*?[]^!.-/ abcçãéíõüAÇÉß0123456789", "ﬁ", "İ", "\u0301"]),
    st.characters(categories=["L", "M", "N", "P", "S", "Zs", "Cf"]),
)


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, or a and b differ by one swap of neighbours (plainly)."""
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
        )
        return len(diff) == 1 or swapped
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def expected_match(name: str, cnpj: str, term: str) -> bool:
    """The rule (issue 16), written plainly. A term with a word of 3+ letters or digits
    finds a name when every typed word starts a word of the name; or (a term not shaped
    like an identifier) when one typed word of 3+ characters does, or one of 4+ is one
    edit from a word of 3+; or when the name contains the term (3 letters or digits in a
    row, no space unless the term is shaped like a CNPJ or a phone). Other terms: the
    folded name starts with the term. CNPJ digits when the term is made of CNPJ
    characters."""
    folded = fold(term)
    if not folded:
        return False
    name_norm = fold(name)
    short = len(folded) < 3
    run = re.search(r"[^\W_]{3}", folded) is not None  # three letters or digits in a row
    typed = list(dict.fromkeys(re.findall(r"[^\W_]+", folded)))[:6]
    stored = re.findall(r"[^\W_]+", name_norm)
    ident = re.fullmatch(r"(?=.*[\d@._-])\S+", folded) is not None
    d = digits(term)
    grouped = bool(d) and (
        set(term.strip()) <= set("0123456789./- ") or set(term.strip()) <= set("0123456789+-(). ")
    )
    if not short and any(len(t) >= 3 for t in typed):

        def starts(t: str) -> bool:
            return any(w.startswith(t) for w in stored)

        if all(starts(t) for t in typed):
            return True
        if not ident and (
            any(len(t) >= 3 and starts(t) for t in typed)
            or any(
                len(t) >= 4 and any(len(w) >= 3 and _one_edit(t, w) for w in stored) for t in typed
            )
        ):
            return True
        if run and (" " not in folded or grouped) and folded in name_norm:
            return True
    elif name_norm.startswith(folded):
        return True
    if d and set(term.strip()) <= set("0123456789./- ") and len(d) <= 14:
        if cnpj.startswith(d):
            return len(d) >= 3 or short
        return len(d) >= 3 and not short and d in cnpj
    return False


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.text(alphabet=NAME_CHARS, min_size=1, max_size=40), data=st.data())
def test_found_exactly_when_the_folded_literal_rule_says_so(
    ctx: ServiceContext, actor: Principal, name: str, data: st.DataObject
) -> None:
    name = name.strip()
    assume(name and len(fold(name)) <= 200)  # name_norm is VARCHAR(200); see the report
    start = data.draw(st.integers(0, len(name)), label="start")
    end = data.draw(st.integers(start, len(name)), label="end")
    term = data.draw(
        st.one_of(
            st.just(name[start:end]),
            st.just(name[start:end].upper()),
            st.text(alphabet=NAME_CHARS, max_size=6),
        ),
        label="term",
    )
    cnpj = "60701190000104"
    with ctx.sessions.begin() as s:
        customer_id = make_customer(s, name, trade_name=None, cnpj=cnpj).id
    try:
        page = lookup.search(ctx, actor, term, limit=200)
        found = customer_id in {h.customer_id for h in page.hits}
        assert found == expected_match(name, cnpj, term), (name, term)
        if found:
            (hit,) = page.hits
            assert hit.rank <= RANK_SUBSTRING
            if hit.rank == RANK_EXACT:
                assert digits(term) == cnpj
    finally:
        with ctx.sessions.begin() as s:
            s.delete(s.get(Customer, customer_id))


@DB_SETTINGS
@given(haystack=st.text(alphabet=NAME_CHARS, max_size=20), data=st.data())
def test_substring_patterns_are_literal_in_the_database(
    ctx: ServiceContext, haystack: str, data: st.DataObject
) -> None:
    """What the search sends for a 3+ character term: an FTS5 phrase on SQLite, a LIKE
    pattern on PostgreSQL. Python re-checks every value afterwards, so this is the test
    that proves the database itself treats the term literally (a wildcard match would
    not show in the results but would eat the candidate window)."""
    haystack = fold(haystack)
    start = data.draw(st.integers(0, len(haystack)))
    needle = data.draw(
        st.one_of(
            st.just(haystack[start : start + 4]),
            st.lists(st.sampled_from([*METACHARACTERS, "a", "b"]), min_size=1).map("".join),
        )
    )
    assume(len(needle) >= 3)
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.probe USING fts5(a, tokenize='trigram')"
            )
            conn.exec_driver_sql("DELETE FROM temp.probe")
            conn.execute(text("INSERT INTO temp.probe(a) VALUES (:h)"), {"h": haystack})
            found = conn.execute(
                text("SELECT count(*) FROM temp.probe WHERE probe MATCH :q"),
                {"q": fts_phrase(needle)},
            ).scalar()
        else:
            found = conn.execute(
                text("SELECT :h LIKE :p"), {"h": haystack, "p": f"%{escape_like(needle)}%"}
            ).scalar()
        conn.rollback()
    if needle.isascii() and haystack.isascii():
        assert bool(found) == (needle in haystack), (haystack, needle)
    else:  # FTS5 folds some letters Python's casefold leaves apart: no false negative
        assert bool(found) or needle not in haystack, (haystack, needle)


# --------------------------------------------------------------------------- pure properties


@settings(max_examples=500, deadline=None)
@given(prefix=st.text(min_size=1, max_size=6), value=st.text(max_size=10))
def test_range_bounds_select_exactly_the_prefixed_strings(prefix: str, value: str) -> None:
    """The prefix range [p, successor(p)) in code-point order == startswith(p)."""
    hi = successor(prefix)
    assume(hi is not None)  # only for a prefix made of U+10FFFF (covered below)
    assert hi is not None
    assert (prefix <= value < hi) == value.startswith(prefix)
    assert not any(unicodedata.category(c) == "Cs" for c in hi)


def test_successor_edges() -> None:
    assert successor("ab") == "ac"
    assert successor("a\U0010ffff") == "b"
    assert successor("\U0010ffff") is None
    assert successor("a\ud7ff") == "a\ue000"


@given(prefix=st.text(alphabet="0123456789", min_size=1, max_size=14),
       value=st.text(alphabet="0123456789", min_size=14, max_size=14))  # fmt: skip
def test_digit_bounds_select_exactly_the_prefixed_cnpjs(prefix: str, value: str) -> None:
    hi = digits_successor(prefix)
    in_range = value >= prefix and (hi is None or value < hi)
    assert in_range == value.startswith(prefix)


NOW = datetime(2026, 11, 25, 13, 10, tzinfo=UTC)
TIMES = (None, NOW - timedelta(seconds=1), NOW, NOW + timedelta(seconds=1))


def test_user_state_priority_over_every_combination() -> None:
    for active, locked, must, temp in product((True, False), TIMES, (True, False), TIMES):
        state = user_state(
            is_active=active,
            locked_until=locked,
            must_change_password=must,
            temp_password_expires_at=temp,
            now=NOW,
        )
        if not active:
            assert state is UserState.INACTIVE
        elif locked is not None and locked > NOW:
            assert state is UserState.LOCKED
        elif must and temp is None:
            assert state is UserState.MUST_CHANGE
        elif must and temp is not None and temp > NOW:
            assert state is UserState.TEMPORARY_PASSWORD
        elif must:
            assert state is UserState.TEMPORARY_EXPIRED  # expiry at 'now' is already expired
        else:
            assert state is UserState.ACTIVE
