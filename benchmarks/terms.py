"""The lookup query mix: search terms drawn from the data itself (issue 5, item 3).

Why drawn from the data: a lookup is only as fast as its worst realistic term,
and realistic means what an analyst types while a customer is on the phone: a
piece of the company name (with or without the accents), the first letter or
two, some digits of the CNPJ, an e-mail, a contract number read from an
invoice, a phone number, or something that is not in the database at all.
The mix is deterministic for a seed, so two runs measure the same terms.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, func, select

from noc_console.models import Contract, Customer, EscalationContact, PortalUser
from noc_console.text import fold, format_cnpj

# (kind, share of the mix); the shares of the 200-term mix of issue 5.
MIX: tuple[tuple[str, int], ...] = (
    ("name_accented", 30),
    ("name_plain", 30),
    ("prefix_1", 10),
    ("prefix_2", 15),
    ("cnpj", 30),
    ("email", 25),
    ("contract", 20),
    ("login", 10),
    ("user_name", 10),
    ("phone", 5),
    ("no_match", 15),
)

# Terms that match nothing: rare letters, a wildcard that must stay literal, a quote,
# letters from other scripts, long digit runs no CNPJ or phone contains.
_NO_MATCH: tuple[str, ...] = (
    "zzqxv",
    "qwkjh",
    "xyzzy",
    "kkwwyy",
    "jjjqqq",
    "%_%",
    "o'brien ltda",
    "Ωμέγα",
    "Привет",
    "zzz@nowhere",
    "Ñoqui Ýxz",
    "vvvbbb",
    "qxq-0000",
    "wxyz wxyz",
    "ÿÿÿÿ",
)


@dataclass(frozen=True)
class Term:
    kind: str
    text: str


def _sample_rows(
    engine: Engine, model: Any, columns: Sequence[str], n: int, rng: random.Random
) -> list[Row[Any]]:
    """n rows picked by random ids (ids are dense: the generator writes them in order)."""
    with engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(model.id), func.max(model.id))).one()
        ids = sorted({rng.randint(lo, hi) for _ in range(n * 2)})
        cols = [getattr(model, c) for c in columns]
        rows = list(conn.execute(select(*cols).where(model.id.in_(ids))).all())
        conn.rollback()
    rng.shuffle(rows)
    return rows[:n]


def _words_with(text: str, rng: random.Random, *, accented: bool) -> str:
    """One or two consecutive words of a name, preferring one with an accent."""
    words = [w for w in text.replace(".", " ").split() if len(w) >= 3]
    if not words:
        return text
    if accented:
        idx = [i for i, w in enumerate(words) if fold(w) != w.lower()]
        i = rng.choice(idx) if idx else rng.randrange(len(words))
    else:
        i = rng.randrange(len(words))
    if rng.random() < 0.5 and i + 1 < len(words):
        return f"{words[i]} {words[i + 1]}"
    return words[i]


def _counts(n_terms: int) -> list[tuple[str, int]]:
    total = sum(share for _k, share in MIX)
    counts = [(kind, max(1, round(share * n_terms / total))) for kind, share in MIX]
    return counts


def draw_terms(engine: Engine, n_terms: int = 200, seed: int = 5) -> list[Term]:
    """The mix, in a shuffled but fixed order (no kind is measured all in a row)."""
    rng = random.Random(f"noc-console-bench/{seed}")
    counts = dict(_counts(n_terms))
    customers = _sample_rows(
        engine, Customer, ("legal_name", "trade_name", "cnpj"), 3 * max(counts.values()), rng
    )
    users = _sample_rows(engine, PortalUser, ("full_name", "login", "email"), 40, rng)
    contracts = _sample_rows(engine, Contract, ("number",), counts["contract"], rng)
    contacts = _sample_rows(engine, EscalationContact, ("phone",), 40, rng)
    phones = [row.phone for row in contacts if row.phone]
    terms: list[Term] = []

    def add(kind: str, text: str) -> None:
        terms.append(Term(kind, text))

    for i in range(counts["name_accented"]):
        row = customers[i % len(customers)]
        source = row.trade_name if row.trade_name and rng.random() < 0.3 else row.legal_name
        fragment = _words_with(source, rng, accented=True)
        add("name_accented", fragment.lower() if rng.random() < 0.5 else fragment)
    for i in range(counts["name_plain"]):
        row = customers[-1 - i % len(customers)]
        add("name_plain", fold(_words_with(row.legal_name, rng, accented=True)))
    letters = "abcdefghijlmnoprstv"
    for _ in range(counts["prefix_1"]):
        add("prefix_1", rng.choice(letters) if rng.random() < 0.8 else str(rng.randrange(10)))
    for i in range(counts["prefix_2"]):
        row = customers[(7 * i) % len(customers)]
        word = rng.choice([w for w in row.legal_name.split() if len(w) >= 2] or ["pa"])
        two = word[:2] if rng.random() < 0.8 else row.cnpj[:2]
        add("prefix_2", two.lower() if rng.random() < 0.7 else two)
    for i in range(counts["cnpj"]):
        cnpj = customers[(3 * i + 1) % len(customers)].cnpj
        length = 3 + i % 12  # every length from 3 to 14 digits
        start = rng.randrange(0, 15 - length)
        fragment = cnpj[start : start + length]
        if length == 14 and i % 2:
            fragment = format_cnpj(cnpj)  # pasted from a document, with punctuation
        elif start == 0 and length >= 5 and i % 3 == 0:
            formatted = format_cnpj(cnpj)
            # The formatted prefix holding exactly those digits ("12.345.6").
            seen = 0
            for pos, ch in enumerate(formatted):
                seen += ch.isdigit()
                if seen == length:
                    fragment = formatted[: pos + 1]
                    break
        add("cnpj", fragment)
    for i in range(counts["email"]):
        email = users[i % len(users)].email
        local, _at, domain = email.partition("@")
        shape = i % 4
        fragment = (
            email
            if shape == 0
            else local
            if shape == 1
            else domain
            if shape == 2
            else f"{local.split('.')[0]}@{domain.split('.')[0][:6]}"
        )
        add("email", fragment if "@" in fragment or shape != 3 else local)
    for i, row in enumerate(contracts[: counts["contract"]]):
        number = row.number
        shape = i % 3
        add("contract", number if shape == 0 else number.lower() if shape == 1 else number[-6:])
    for i in range(counts["login"]):
        add("login", users[-1 - i % len(users)].login)
    for i in range(counts["user_name"]):
        name = users[(5 * i) % len(users)].full_name
        parts = name.split()
        add("user_name", " ".join(parts[:2]) if len(parts) > 1 else name)
    for i in range(counts["phone"]):
        if not phones:
            break
        phone = phones[i % len(phones)]
        national = phone[3:]  # +55 DD NNNNNNNNN
        shape = i % 3
        if shape == 0:
            add("phone", phone)
        elif shape == 1:
            add("phone", f"({national[:2]}) {national[2:-4]}-{national[-4:]}")
        else:
            add("phone", national)
    for i in range(counts["no_match"]):
        add("no_match", _NO_MATCH[i % len(_NO_MATCH)])
    rng.shuffle(terms)
    return terms[:n_terms] if len(terms) > n_terms else terms
