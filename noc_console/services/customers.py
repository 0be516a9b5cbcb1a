"""Customer lookup (one search box) and the customer detail behind a result.

The lookup is the console's home screen and runs on every keystroke, on a
database of a real portal's size (issue 5: p95 <= 10 ms at 100k customers and
1M portal users). So it never scans a table:

* every source (a field of customers, portal users, contracts or escalation
  contacts) is its own index-served sub-query with its own LIMIT, glued with
  UNION ALL into one statement (one round trip) and merged in Python; no OR
  across tables, no COUNT;
* 1-2 character terms only use PREFIX ranges on btree indexes (an index range,
  never ``LIKE '%ab%'``);
* terms with three letters or digits in a row also match substrings through
  the trigram objects, in a second round trip that runs only when the first
  (equalities and prefix ranges) has not filled the page (see
  ``_needs_substrings``). On
  SQLite: one FTS5 ``MATCH`` of the term as a quoted phrase per trigram table
  (a trigram phrase is a literal substring in any column of the row; quoting
  leaves no metacharacter). Not ``col LIKE/GLOB``: FTS5 serves those too, but a
  column filter walks the doclists of trigrams that are common in the *other*
  columns (every e-mail contains 'empresa'...): 40 ms for nothing at 1M users,
  where the phrase takes 0.3 ms; and FTS5 cannot use ``LIKE ... ESCAPE`` at
  all. On PostgreSQL: ``col LIKE '%term%'`` (backslash-escaped) per column,
  served by its pg_trgm GIN index;
* every matched value is re-checked and ranked in Python, column by column;
* user text only ever travels as bound parameters; the SQL text is built from
  constants of this module.

Each source contributes at most ``window`` candidates (4 x limit by default);
the merged candidates are ranked (exact identifier, then prefix, then
substring; ties by folded legal name -- so 'Água' sorts with 'agua', not
after 'Zeta' -- then legal name, then id) and paginated with an
opaque cursor that freezes the window, so pages are disjoint, complete and in
rank order within it. ``SearchPage.truncated`` says a source filled its window:
there may be more matches than the pages show, and the operator should type
more of the term.

Searches are not audited (one per keystroke would drown the audit log) and
their terms are never logged: a term is often a person's name, e-mail or
phone. Only its length and the hit count go to the debug log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _
from noc_console.migrations import search_objects
from noc_console.models import (
    Contract,
    ContractStatus,
    Customer,
    EscalationChain,
    EscalationContact,
    PortalUser,
)
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.validation import clean_text, normalize_phone
from noc_console.text import digits, fold, format_cnpj

log = logging.getLogger(__name__)

MAX_TERM_LENGTH = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Substring (trigram) matching needs three characters: a trigram index cannot
# answer fewer, and '%ab%' would be a table scan.
MIN_SUBSTRING_LENGTH = 3
# Candidates per source = WINDOW_FACTOR x limit (at least MIN_WINDOW).
WINDOW_FACTOR = 4
MIN_WINDOW = 20
MAX_WINDOW = WINDOW_FACTOR * MAX_LIMIT
MAX_CURSOR_LENGTH = 4096
_MAX_DB_ID = 2**63 - 1
# A phone number has at most 15 digits (E.164); a trunk prefix may add two.
_MAX_PHONE_DIGITS = 17

RANK_EXACT = 0
RANK_PREFIX = 1
RANK_SUBSTRING = 2

_CNPJ_CHARS = frozenset("0123456789./- ")
_PHONE_CHARS = frozenset("0123456789+-(). ")
_LIKE_SPECIAL = frozenset("\\%_")
# Three letters or digits in a row: the least a pg_trgm index can look up.
_TRIGRAM_RUN = re.compile(r"[^\W_]{3}")
# Shaped like (the start of) an e-mail domain: 'empresa.com.br', 'padaria.co'.
_DOMAIN = re.compile(r"[^@\s.]+(\.[^@\s.]*)+")
# Shaped like an identifier, not like a name: no space; a digit or one of @ . - _
_IDENTIFIER = re.compile(r"(?=.*[\d@._-])\S+")
_MAX_CHAR = 0x10FFFF


# --------------------------------------------------------------------------- DTOs


class MatchField(StrEnum):
    """Which field of which record made a customer match (shown as the reason)."""

    CNPJ = "customer.cnpj"
    LEGAL_NAME = "customer.legal_name"
    TRADE_NAME = "customer.trade_name"
    CONTRACT_NUMBER = "contract.number"
    LOGIN = "portal_user.login"
    USER_EMAIL = "portal_user.email"
    USER_NAME = "portal_user.full_name"
    CONTACT_PHONE = "escalation_contact.phone"
    CONTACT_EMAIL = "escalation_contact.email"
    CONTACT_NAME = "escalation_contact.name"


@dataclass(frozen=True)
class CustomerHit:
    """One customer in the results, with the best reason it matched.

    ``rank`` is RANK_EXACT (an identifier equals the term: CNPJ, contract
    number, login, an e-mail or a contact's phone), RANK_PREFIX or
    RANK_SUBSTRING. ``match_value`` is the matched value as stored (the user's
    login, the contact's name, the formatted CNPJ...), never a secret;
    ``match_record_id`` is the id of the record that matched (the customer, the
    portal user, the contract or the escalation contact).
    """

    customer_id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    status: str
    match_field: MatchField
    match_value: str
    rank: int
    match_record_id: int | None = None


@dataclass(frozen=True)
class SearchPage:
    term: str
    hits: tuple[CustomerHit, ...]
    next_cursor: str | None
    # A source filled its candidate window: more customers may match than the
    # pages can show; a longer term narrows the search.
    truncated: bool = False


class UserState(StrEnum):
    INACTIVE = "inactive"
    LOCKED = "locked"
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a state name
    TEMPORARY_EXPIRED = "temporary_expired"
    MUST_CHANGE = "must_change"
    ACTIVE = "active"


@dataclass(frozen=True)
class PortalUserInfo:
    id: int
    full_name: str
    login: str
    email: str
    phone: str | None
    preposto_level: int
    is_active: bool
    locked_until: datetime | None
    must_change_password: bool
    temp_password_expires_at: datetime | None
    password_changed_at: datetime | None
    failed_login_count: int
    version: int
    state: UserState


@dataclass(frozen=True)
class EscalationLevelInfo:
    level: int
    name: str
    role_title: str | None
    phone: str | None
    email: str | None
    delay_minutes: int


@dataclass(frozen=True)
class EscalationSummary:
    version: int
    updated_at: datetime
    updated_by: str | None
    levels: tuple[EscalationLevelInfo, ...]


@dataclass(frozen=True)
class ContractCounts:
    """How many contracts, never what they are worth (values need another permission)."""

    active: int
    inactive: int

    @property
    def total(self) -> int:
        return self.active + self.inactive


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    cnpj_formatted: str
    status: str
    timezone: str
    created_at: datetime
    users: tuple[PortalUserInfo, ...]
    escalation: EscalationSummary | None
    contracts: ContractCounts


# --------------------------------------------------------------------------- user state


def user_state(
    *,
    is_active: bool,
    locked_until: datetime | None,
    must_change_password: bool,
    temp_password_expires_at: datetime | None,
    now: datetime,
) -> UserState:
    """The one word the Users tab shows; the first condition that holds wins."""
    if not is_active:
        return UserState.INACTIVE
    if locked_until is not None and locked_until > now:
        return UserState.LOCKED
    if must_change_password:
        if temp_password_expires_at is None:
            return UserState.MUST_CHANGE
        if temp_password_expires_at > now:
            return UserState.TEMPORARY_PASSWORD
        return UserState.TEMPORARY_EXPIRED
    return UserState.ACTIVE


# --------------------------------------------------------------------------- term handling


@dataclass(frozen=True)
class _Term:
    """The forms of one search term each source compares against."""

    cleaned: str  # what the operator typed, trimmed (returned in SearchPage.term)
    folded: str  # case- and accent-folded: names, logins, e-mails
    upper: str  # contract numbers are stored upper-case
    lower: str  # logins are stored lower()-ed, not folded
    cnpj: str | None  # digits, when the term looks like a CNPJ (fragment)
    phone_digits: str | None  # digits, when the term looks like a phone (fragment)
    phone_e164: str | None  # the term as a complete phone number

    @property
    def short(self) -> bool:
        return len(self.folded) < MIN_SUBSTRING_LENGTH


def _clean_term(term: object) -> str:
    if term is None:
        return ""
    if not isinstance(term, str):
        raise ValidationError({"term": [_("the search term must be text")]})
    if any(unicodedata.category(ch) == "Cs" for ch in term):
        raise ValidationError({"term": [_("contains characters that are not valid text")]})
    try:
        return clean_text(term, max_length=MAX_TERM_LENGTH)
    except ValueError as err:
        raise ValidationError({"term": [str(err)]}) from None


def _parse_term(cleaned: str) -> _Term:
    folded = fold(cleaned)
    term_digits = digits(cleaned)
    chars = set(cleaned)
    cnpj: str | None = None
    long_enough = len(term_digits) >= MIN_SUBSTRING_LENGTH or len(folded) < MIN_SUBSTRING_LENGTH
    if term_digits and chars <= _CNPJ_CHARS and long_enough and len(term_digits) <= 14:
        cnpj = term_digits
    phone_digits: str | None = None
    phone_e164: str | None = None
    if (
        chars <= _PHONE_CHARS
        and MIN_SUBSTRING_LENGTH <= len(term_digits) <= _MAX_PHONE_DIGITS
        and len(folded) >= MIN_SUBSTRING_LENGTH
    ):
        phone_digits = term_digits
        try:
            phone_e164 = normalize_phone(cleaned)
        except ValueError:
            phone_e164 = None
    return _Term(
        cleaned=cleaned,
        folded=folded,
        upper=folded.upper(),
        lower=cleaned.lower(),
        cnpj=cnpj,
        phone_digits=phone_digits,
        phone_e164=phone_e164,
    )


def _escape_like(value: str) -> str:
    """Backslash is PostgreSQL's default LIKE escape: '%', '_' and '\\' become literal."""
    return "".join("\\" + ch if ch in _LIKE_SPECIAL else ch for ch in value)


def _fts_phrase(value: str) -> str:
    """An FTS5 string: everything between double quotes is literal ('"' is doubled)."""
    return '"' + value.replace('"', '""') + '"'


def _successor(value: str) -> str | None:
    """The smallest string greater than every string starting with ``value``
    (code-point order, which is SQLite's BINARY and PostgreSQL's ~<~ order)."""
    stripped = value.rstrip(chr(_MAX_CHAR))
    if not stripped:
        return None
    nxt = ord(stripped[-1]) + 1
    if 0xD800 <= nxt <= 0xDFFF:  # surrogates cannot be stored; skip to the next scalar
        nxt = 0xE000
    return stripped[:-1] + chr(nxt)


def _digits_successor(value: str) -> str | None:
    """'123' -> '124', '129' -> '130': a bound that orders right under any collation,
    since CNPJs are digits only (None when every digit is 9: no upper bound)."""
    if not value or set(value) == {"9"}:
        return None
    return str(int(value) + 1).zfill(len(value))


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class _Source:
    field: MatchField
    table: str
    alias: str
    joins: str  # from ``alias`` to ``customers c``
    column: str  # the indexed (folded or canonical) column, unqualified
    display: str  # the column shown as match_value, unqualified
    ident: bool  # equality is an exact (rank 0) match
    priority: int  # which reason to show when two fields tie on rank

    @property
    def norm(self) -> str:
        return f"{self.alias}.{self.column}"

    def from_clause(self) -> str:
        return f"{self.table} {self.alias}{self.joins}"

    @property
    def fts_table(self) -> str:
        return f"fts_{self.table}"

    def fts_from_clause(self) -> str:
        # No alias on the FTS table: MATCH needs its hidden column, named after the table.
        return (
            f"{self.fts_table} JOIN {self.table} {self.alias}"
            f" ON {self.alias}.id = {self.fts_table}.rowid{self.joins}"
        )


_USER_JOIN = " JOIN customers c ON c.id = u.customer_id"
_CONTRACT_JOIN = " JOIN customers c ON c.id = k.customer_id"
_CONTACT_JOIN = (
    " JOIN escalation_chains h ON h.id = e.chain_id JOIN customers c ON c.id = h.customer_id"
)


_SOURCES: dict[MatchField, _Source] = {}
# In priority order: when two fields tie on rank, the earlier one is the reason shown.
for _priority, _args in enumerate((
    (MatchField.CNPJ, "customers", "c", "", "cnpj", "cnpj", True),
    (MatchField.CONTRACT_NUMBER, "contracts", "k", _CONTRACT_JOIN, "number", "number", True),
    (MatchField.LOGIN, "portal_users", "u", _USER_JOIN, "login", "login", True),
    (MatchField.LEGAL_NAME, "customers", "c", "", "name_norm", "legal_name", False),
    (MatchField.TRADE_NAME, "customers", "c", "", "trade_name_norm", "trade_name", False),
    (MatchField.USER_EMAIL, "portal_users", "u", _USER_JOIN, "email_norm", "email", True),
    (MatchField.USER_NAME, "portal_users", "u", _USER_JOIN, "name_norm", "full_name", False),
    (MatchField.CONTACT_PHONE, "escalation_contacts", "e", _CONTACT_JOIN, "phone", "phone", True),
    (MatchField.CONTACT_EMAIL, "escalation_contacts", "e", _CONTACT_JOIN, "email_norm", "email",
     True),
    (MatchField.CONTACT_NAME, "escalation_contacts", "e", _CONTACT_JOIN, "name_norm", "name",
     False),
)):  # fmt: skip
    _SOURCES[_args[0]] = _Source(*_args, priority=_priority)
del _priority, _args

# An exact match on one of these ends the search (see _needs_substrings).
_PERSON_IDENTIFIERS = frozenset({MatchField.LOGIN, MatchField.USER_EMAIL, MatchField.CONTACT_EMAIL})

_CUSTOMER_COLUMNS = (
    "c.id AS customer_id, c.legal_name AS legal_name, c.trade_name AS trade_name,"
    " c.cnpj AS cnpj, c.status AS status, c.name_norm AS name_norm,"
    " c.trade_name_norm AS trade_name_norm"
)

# Sources whose PostgreSQL btree is a text_pattern_ops index (prefix by ~>=~ / ~<~).
# PostgreSQL text_pattern_ops indexes (models + pfx_portal_users_login in search_objects).
_PATTERN_OPS = frozenset(
    {
        MatchField.LEGAL_NAME,
        MatchField.TRADE_NAME,
        MatchField.CONTRACT_NUMBER,
        MatchField.LOGIN,
        MatchField.USER_NAME,
        MatchField.USER_EMAIL,
        MatchField.CONTACT_NAME,
        MatchField.CONTACT_EMAIL,
        MatchField.CONTACT_PHONE,
    }
)


# A row of the UNION carries up to this many (normalised, displayed) value pairs: an
# SQLite FTS branch returns every searched column of its table, checked in Python.
_MAX_COLUMNS = 3


@dataclass(frozen=True)
class _Branch:
    sources: tuple[_Source, ...]  # the value pairs of each row, in order
    sql: str  # SELECT ... FROM ... WHERE ... [ORDER BY ...] (LIMIT added when assembled)
    params: dict[str, Any]  # the bound values its placeholders name


class _QueryBuilder:
    """Builds the UNION ALL of per-source sub-queries for one term and one backend."""

    def __init__(self, term: _Term, dialect: str) -> None:
        self.term = term
        self.sqlite = dialect == "sqlite"
        self._pending: dict[str, Any] = {}
        self.branches: list[_Branch] = []
        self.domain_branches: set[int] = set()

    # -- helpers

    def _select(
        self,
        sources: tuple[_Source, ...],
        from_clause: str,
        where: str,
        order: str = "",
    ) -> None:
        # Every piece is a constant of this module or a ":name" placeholder; user text
        # only ever reaches the database through self.params.
        alias = sources[0].alias
        pairs = [f"{s.norm} AS n{i}, {alias}.{s.display} AS d{i}" for i, s in enumerate(sources)]
        pairs += [
            f"CAST(NULL AS TEXT) AS n{i}, CAST(NULL AS TEXT) AS d{i}"
            for i in range(len(sources), _MAX_COLUMNS)
        ]
        columns = (
            f"{len(self.branches)} AS branch, {alias}.id AS record_id, {', '.join(pairs)},"
            f" {_CUSTOMER_COLUMNS}"
        )
        sql = f"SELECT {columns} FROM {from_clause} WHERE {where}"  # noqa: S608
        if order:
            sql += f" ORDER BY {order}"
        self.branches.append(_Branch(sources, sql, self._pending))
        self._pending = {}

    def _param(self, name: str, value: Any) -> str:
        self._pending[name] = value
        return f":{name}"

    # -- the kinds of sub-query: equality, prefix range, trigram substring

    def equal(self, field: MatchField, *values: str) -> None:
        source = _SOURCES[field]
        names = [self._param(f"eq_{field.name.lower()}_{i}", v) for i, v in enumerate(values)]
        where = (
            f"{source.norm} = {names[0]}"
            if len(names) == 1
            else f"{source.norm} IN ({', '.join(names)})"
        )
        self._select((source,), source.from_clause(), where)

    def prefix(
        self,
        field: MatchField,
        value: str,
        *,
        digits_only: bool = False,
        expression: str | None = None,
        key: str | None = None,
    ) -> None:
        """An index range: ``lo <= col < successor(lo)``, never a scan.

        ``expression`` replaces the column by an indexed expression of it (the
        e-mail domain); the row still carries the column, which is what ranks.
        """
        source = _SOURCES[field]
        key = key or field.name.lower()
        lo = self._param(f"lo_{key}", value)
        hi_value = _digits_successor(value) if digits_only else _successor(value)
        col = expression or source.norm
        if self.sqlite or digits_only:
            # SQLite compares BINARY (code points); digits order alike under any collation.
            ge, lt = ">=", "<"
            # Login and CNPJ are unique: the column alone orders them (PostgreSQL would
            # sort every match to add the id); SQLite's index carries the rowid anyway.
            order = f"{col}, {source.alias}.id" if self.sqlite and not source.ident else col
        else:
            # PostgreSQL: every prefix column has a text_pattern_ops index, which orders by
            # code point whatever the database collation; these operators use it.
            assert field in _PATTERN_OPS, field
            ge, lt, order = "~>=~", "~<~", f"{col} USING ~<~"
        if hi_value is None:
            n = self._param(f"n_{key}", len(value))
            left = f"substr({col}, 1, {n})" if self.sqlite else f"left({col}, {n})"
            where = f"{col} {ge} {lo} AND {left} = {lo}"
        else:
            hi = self._param(f"hi_{key}", hi_value)
            where = f"{col} {ge} {lo} AND {col} {lt} {hi}"
        self._select((source,), source.from_clause(), where, order)

    def substring(self, fields: tuple[MatchField, ...], value: str) -> None:
        """PostgreSQL: ``LIKE`` on the table's search expression, served by its one pg_trgm
        GIN index (migration 0004); Python tells the columns apart, as for FTS5."""
        sources = tuple(_SOURCES[f] for f in fields)
        first = sources[0]
        expression = search_objects.search_expression(first.table, first.alias)
        pattern = self._param(f"like_{len(self.branches)}", f"%{_escape_like(value)}%")
        # Contract numbers are stored upper-case: ILIKE (pg_trgm serves it too).
        op = "ILIKE" if first.table == "contracts" else "LIKE"
        self._select(sources, first.from_clause(), f"{expression} {op} {pattern}")

    def domain(self, field: MatchField, value: str) -> None:
        """Addresses whose domain starts with the term: a btree range on the domain part."""
        source = _SOURCES[field]
        dialect = "sqlite" if self.sqlite else "postgresql"
        expression = search_objects.email_domain_expression(dialect, source.alias)
        self.prefix(field, value, expression=expression, key=f"domain_{field.name.lower()}")
        self.domain_branches.add(len(self.branches) - 1)

    def fts(self, fields: tuple[MatchField, ...], value: str) -> None:
        """SQLite: the term as an FTS5 trigram phrase, a literal substring of any column."""
        sources = tuple(_SOURCES[f] for f in fields)
        table = sources[0].fts_table
        phrase = self._param(f"fts_{len(self.branches)}", _fts_phrase(value))
        self._select(sources, sources[0].fts_from_clause(), f"{table} MATCH {phrase}")

    # -- the plan for one term

    def direct(self) -> list[_Branch]:
        """Stage 1: equalities and prefix ranges, a btree range each (~1 ms in all).

        Every field the substring stage searches has a prefix branch here on the
        same normalised value its ranker compares, so every match that ranks
        exact or prefix is found by this stage; the substring stage can only
        add matches that rank below all of them.
        """
        first = len(self.branches)
        t = self.term
        folded = t.folded
        self.equal(MatchField.LOGIN, *dict.fromkeys((folded, t.lower)))
        self.prefix(MatchField.LEGAL_NAME, folded)
        self.prefix(MatchField.TRADE_NAME, folded)
        self.prefix(MatchField.LOGIN, folded)
        self.prefix(MatchField.CONTRACT_NUMBER, t.upper)
        if t.cnpj:
            self.prefix(MatchField.CNPJ, t.cnpj, digits_only=True)
        if not t.short:
            self.equal(MatchField.USER_EMAIL, folded)
            self.equal(MatchField.CONTACT_EMAIL, folded)
            if t.phone_e164:
                self.equal(MatchField.CONTACT_PHONE, t.phone_e164)
            self.prefix(MatchField.USER_NAME, folded)
            self.prefix(MatchField.USER_EMAIL, folded)
            self.prefix(MatchField.CONTACT_NAME, folded)
            self.prefix(MatchField.CONTACT_EMAIL, folded)
            if t.phone_digits:
                # Phones are stored as E.164: '+' and the digits the ranker compares.
                self.prefix(MatchField.CONTACT_PHONE, "+" + t.phone_digits)
            if t.cnpj is None and _DOMAIN.fullmatch(folded):
                self.domain(MatchField.USER_EMAIL, folded)
                self.domain(MatchField.CONTACT_EMAIL, folded)
        return self.branches[first:]

    def substrings(self) -> list[_Branch]:
        """Stage 2: the term anywhere in a value, through the trigram objects."""
        first = len(self.branches)
        t = self.term
        folded = t.folded
        if t.short:
            return []
        cnpj = t.cnpj if t.cnpj and len(t.cnpj) >= MIN_SUBSTRING_LENGTH else None
        # Text is searched inside values only when it has three letters or digits in a row:
        # pg_trgm finds no trigram to look up in '%_%', '@.' or 'a b' and its GIN scan
        # would return every row for a recheck (1.5 s at 1M users). SQLite follows the
        # same rule so that both backends find the same customers.
        words = _TRIGRAM_RUN.search(folded) is not None
        # One probe per table (and per form of the term), the same plan on both backends:
        # SQLite an FTS5 phrase, PostgreSQL its table's one trigram index; Python tells the
        # columns apart.
        search = self.fts if self.sqlite else self.substring
        if words:
            search((MatchField.LEGAL_NAME, MatchField.TRADE_NAME, MatchField.CNPJ), folded)
            search((MatchField.USER_NAME, MatchField.LOGIN, MatchField.USER_EMAIL), folded)
            search(
                (MatchField.CONTACT_NAME, MatchField.CONTACT_PHONE, MatchField.CONTACT_EMAIL),
                folded,
            )
            search((MatchField.CONTRACT_NUMBER,), folded)
        if cnpj and (cnpj != folded or not words):
            search((MatchField.CNPJ,), cnpj)
        if t.phone_digits and (t.phone_digits != folded or not words):
            search((MatchField.CONTACT_PHONE,), t.phone_digits)
        return self.branches[first:]

    def statement(self, branches: Sequence[_Branch], window: int) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"window": window}
        for branch in branches:
            params.update(branch.params)
        parts = [
            f"SELECT * FROM ({branch.sql} LIMIT :window) AS b{i}"  # noqa: S608
            for i, branch in enumerate(branches)
        ]
        return "\nUNION ALL\n".join(parts), params


# --------------------------------------------------------------------------- ranking


Ranker = Callable[[str | None], int | None]


def _ranker(
    probe: str,
    *,
    ident: bool,
    allow_substring: bool,
    transform: Callable[[str], str] | None = None,
) -> Ranker:
    on_equal = RANK_EXACT if ident else RANK_PREFIX

    def rank(value: str | None) -> int | None:
        if not value:
            return None
        if transform is not None:
            value = transform(value)
        if value == probe:
            return on_equal
        if value.startswith(probe):
            return RANK_PREFIX
        if allow_substring and probe in value:
            return RANK_SUBSTRING
        return None

    return rank


def _rankers(term: _Term) -> dict[MatchField, Ranker]:
    """How to rank a matched value of each field, decided in Python from the value itself
    (so the rank does not depend on which sub-query found the row, and any row a
    sub-query returned that does not literally match is dropped)."""
    substring = not term.short
    rankers: dict[MatchField, Ranker] = {}
    for field, source in _SOURCES.items():
        if field in (MatchField.CNPJ, MatchField.CONTACT_PHONE, MatchField.CONTRACT_NUMBER):
            continue
        rankers[field] = _ranker(term.folded, ident=source.ident, allow_substring=substring)
    if term.lower != term.folded:  # logins are lower()-ed, not folded: 'joão' stays 'joão'
        by_fold, by_lower = rankers[MatchField.LOGIN], term.lower

        def login(value: str | None) -> int | None:
            return RANK_EXACT if value == by_lower else by_fold(value)

        rankers[MatchField.LOGIN] = login
    rankers[MatchField.CONTRACT_NUMBER] = _ranker(
        term.upper, ident=True, allow_substring=substring, transform=str.upper
    )
    if term.cnpj:
        rankers[MatchField.CNPJ] = _ranker(
            term.cnpj,
            ident=True,
            allow_substring=substring and len(term.cnpj) >= MIN_SUBSTRING_LENGTH,
        )
    if term.phone_digits:
        by_digits = _ranker(
            term.phone_digits, ident=True, allow_substring=substring, transform=digits
        )
        e164 = term.phone_e164

        def phone(value: str | None) -> int | None:
            return RANK_EXACT if e164 and value == e164 else by_digits(value)

        rankers[MatchField.CONTACT_PHONE] = phone
    return rankers


@dataclass(slots=True)
class _Candidate:
    customer_id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    status: str
    name_norm: str
    best: tuple[int, int, str, int] | None = None  # rank, priority, value, record id
    display: str = ""
    field: MatchField = MatchField.LEGAL_NAME

    def offer(self, source: _Source, rank: int, norm: str, display: str, record_id: int) -> None:
        key = (rank, source.priority, norm, record_id)
        if self.best is None or key < self.best:
            self.best = key
            self.field = source.field
            self.display = display

    @property
    def sort_key(self) -> tuple[int, str, str, int]:
        assert self.best is not None
        return (self.best[0], self.name_norm, self.legal_name, self.customer_id)

    def hit(self) -> CustomerHit:
        assert self.best is not None
        return CustomerHit(
            customer_id=self.customer_id,
            legal_name=self.legal_name,
            trade_name=self.trade_name,
            cnpj=self.cnpj,
            status=self.status,
            match_field=self.field,
            match_value=format_cnpj(self.display)
            if self.field is MatchField.CNPJ
            else self.display,
            rank=self.best[0],
            match_record_id=self.best[3],
        )


# Positions in a row of the UNION (see _QueryBuilder._select).
_BRANCH, _RECORD, _PAIRS = 0, 1, 2
_CUSTOMER = _PAIRS + 2 * _MAX_COLUMNS
_LEGAL, _TRADE, _CNPJ, _STATUS, _NAME_NORM, _TRADE_NORM = range(_CUSTOMER + 1, _CUSTOMER + 7)


def _merge(rows: Sequence[Row[Any]], branches: Sequence[_Branch], term: _Term) -> list[_Candidate]:
    rankers = _rankers(term)
    # Per branch: (source, ranker, position of its normalised value) for the fields that can match.
    plans = [
        [
            (source, rankers[source.field], _PAIRS + 2 * i)
            for i, source in enumerate(branch.sources)
            if source.field in rankers
        ]
        for branch in branches
    ]
    own = [
        (_SOURCES[field], rankers[field], norm, display)
        for field, norm, display in (
            (MatchField.CNPJ, _CNPJ, _CNPJ),
            (MatchField.LEGAL_NAME, _NAME_NORM, _LEGAL),
            (MatchField.TRADE_NAME, _TRADE_NORM, _TRADE),
        )
        if field in rankers
    ]
    candidates: dict[int, _Candidate] = {}
    for row in rows:
        cid = row[_CUSTOMER]
        cand = candidates.get(cid)
        if cand is None:
            cand = _Candidate(
                customer_id=cid,
                legal_name=row[_LEGAL],
                trade_name=row[_TRADE],
                cnpj=row[_CNPJ],
                status=row[_STATUS],
                name_norm=row[_NAME_NORM] or "",
            )
            candidates[cid] = cand
            # The customer's own fields are in hand: rank them too, whatever found it.
            for source, rank_of, norm, display in own:
                rank = rank_of(row[norm])
                if rank is not None:
                    cand.offer(source, rank, row[norm], row[display] or "", cid)
        for source, rank_of, pos in plans[row[_BRANCH]]:
            rank = rank_of(row[pos])
            if rank is not None:
                cand.offer(source, rank, row[pos], row[pos + 1] or "", row[_RECORD])
    return [c for c in candidates.values() if c.best is not None]


# --------------------------------------------------------------------------- cursor


def _term_tag(term: _Term) -> str:
    return hashlib.sha256(term.folded.encode()).hexdigest()[:16]


def _encode_cursor(term: _Term, window: int, key: tuple[int, str, str, int]) -> str:
    payload = {"v": 1, "t": _term_tag(term), "w": window, "k": list(key)}
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("this page marker is not valid; search again")]})


def _decode_cursor(cursor: object, term: _Term) -> tuple[int, tuple[int, str, str, int]]:
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None
    if not isinstance(payload, dict) or payload.get("v") != 1:
        raise _bad_cursor()
    window, key = payload.get("w"), payload.get("k")
    if (
        type(window) is not int
        or not MIN_WINDOW <= window <= MAX_WINDOW
        or not isinstance(key, list)
        or len(key) != 4
        or type(key[0]) is not int
        or not isinstance(key[1], str)
        or not isinstance(key[2], str)
        or type(key[3]) is not int
    ):
        raise _bad_cursor()
    if payload.get("t") != _term_tag(term):
        raise ValidationError({"cursor": [_("this page marker belongs to another search")]})
    return window, (key[0], key[1], key[2], key[3])


# --------------------------------------------------------------------------- search


def _check_limit(limit: object) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(
            {"limit": [_("ask for between 1 and {n} results per page").format(n=MAX_LIMIT)]}
        )
    return limit


def _run(
    session: Session, builder: _QueryBuilder, branches: Sequence[_Branch], window: int
) -> list[Row[Any]]:
    """One round trip: the branches glued with UNION ALL."""
    sql, params = builder.statement(branches, window)
    return list(session.execute(text(sql), params).all())


def _ranked(
    rows: Sequence[Row[Any]],
    branches: Sequence[_Branch],
    term: _Term,
    after: tuple[int, str, str, int] | None,
) -> list[_Candidate]:
    ranked = sorted(_merge(rows, branches, term), key=lambda c: c.sort_key)
    if after is not None:
        ranked = [c for c in ranked if c.sort_key > after]
    return ranked


def _needs_substrings(
    term: _Term, ranked: Sequence[_Candidate], limit: int, *, domain_found: bool
) -> bool:
    """Whether the page needs the substring stage (the trigram scans, 1-30 ms on 1M users).

    Not when the exact and prefix matches already fill the page and tell that
    another one follows: a substring match ranks below all of them, so it could
    only appear on a later page, which runs this stage itself. Not when a term
    shaped like an identifier (no space; a digit or one of ``@ . - _``: an
    e-mail address, a login, a contract number, a CNPJ, a phone) equals one:
    the analyst typed the exact thing read from an invoice or heard on the
    phone, and the values that merely contain it are noise (and the costliest
    search of all: every address shares '.com.br', every contract '2024').
    Likewise an address typed from its start ('julia@transp') that begins
    someone's address, and a company's domain ('padaria.com.br') that begins
    the domain of some addresses. A plain word that equals a login ('joao')
    still searches names: 'Padaria São João' is only found as a substring.
    """
    if term.short or len(ranked) > limit or domain_found:
        return False
    if _IDENTIFIER.fullmatch(term.folded) is None:
        return True
    best = [c.best[0] for c in ranked if c.best is not None]
    if "@" in term.folded:
        return not any(rank <= RANK_PREFIX for rank in best)
    return RANK_EXACT not in best


def search(
    ctx: ServiceContext,
    actor: Principal,
    term: str,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> SearchPage:
    """Find customers by name, CNPJ, portal user, contract number or escalation contact."""
    permissions.require(ctx, actor, Permission.LOOKUP)
    cleaned = _clean_term(term)
    limit = _check_limit(limit)
    if not cleaned:
        return SearchPage(term="", hits=(), next_cursor=None)
    parsed = _parse_term(cleaned)
    if not parsed.folded:  # only accents / format characters: nothing to look for
        return SearchPage(term=cleaned, hits=(), next_cursor=None)
    window = max(MIN_WINDOW, WINDOW_FACTOR * limit)
    after: tuple[int, str, str, int] | None = None
    if cursor is not None:
        window, after = _decode_cursor(cursor, parsed)

    started = time.perf_counter()
    builder = _QueryBuilder(parsed, ctx.engine.dialect.name)
    with ctx.read_sessions() as session:
        branches = builder.direct()
        rows = _run(session, builder, branches, window)
        ranked = _ranked(rows, builder.branches, parsed, after)
        domain_found = any(row[_BRANCH] in builder.domain_branches for row in rows)
        if _needs_substrings(parsed, ranked, limit, domain_found=domain_found):
            more = builder.substrings()
            if more:
                branches += more
                rows += _run(session, builder, more, window)
                ranked = _ranked(rows, builder.branches, parsed, after)

    counts = [0] * len(builder.branches)
    for row in rows:
        counts[row[_BRANCH]] += 1
    truncated = any(n >= window for n in counts)
    page = ranked[:limit]
    next_cursor = _encode_cursor(parsed, window, page[-1].sort_key) if len(ranked) > limit else None
    log.debug(
        "lookup by %s: term of %d characters, %d sub-queries, %d rows, %d hits%s, %.1f ms",
        actor.label,
        len(cleaned),
        len(branches),
        len(rows),
        len(page),
        " (window full)" if truncated else "",
        (time.perf_counter() - started) * 1000,
    )
    return SearchPage(
        term=cleaned,
        hits=tuple(c.hit() for c in page),
        next_cursor=next_cursor,
        truncated=truncated,
    )


# --------------------------------------------------------------------------- detail


def _user_info(user: PortalUser, now: datetime) -> PortalUserInfo:
    return PortalUserInfo(
        id=user.id,
        full_name=user.full_name,
        login=user.login,
        email=user.email,
        phone=user.phone,
        preposto_level=user.preposto_level,
        is_active=user.is_active,
        locked_until=user.locked_until,
        must_change_password=user.must_change_password,
        temp_password_expires_at=user.temp_password_expires_at,
        password_changed_at=user.password_changed_at,
        failed_login_count=user.failed_login_count,
        version=user.version,
        state=user_state(
            is_active=user.is_active,
            locked_until=user.locked_until,
            must_change_password=user.must_change_password,
            temp_password_expires_at=user.temp_password_expires_at,
            now=now,
        ),
    )


def _escalation(session: Session, customer_id: int) -> EscalationSummary | None:
    chain = session.scalars(
        select(EscalationChain).where(EscalationChain.customer_id == customer_id)
    ).one_or_none()
    if chain is None:
        return None
    contacts = session.scalars(
        select(EscalationContact)
        .where(EscalationContact.chain_id == chain.id)
        .order_by(EscalationContact.level)
    ).all()
    return EscalationSummary(
        version=chain.version,
        updated_at=chain.updated_at,
        updated_by=chain.updated_by,
        levels=tuple(
            EscalationLevelInfo(
                level=c.level,
                name=c.name,
                role_title=c.role_title,
                phone=c.phone,
                email=c.email,
                delay_minutes=c.delay_minutes,
            )
            for c in contacts
        ),
    )


def _contract_counts(session: Session, customer_id: int) -> ContractCounts:
    # One customer's contracts, counted on ix_contracts_totals (customer_id, status, ...).
    rows = session.execute(
        select(Contract.status, func.count())
        .where(Contract.customer_id == customer_id)
        .group_by(Contract.status)
    ).all()
    by_status = {status: int(n) for status, n in rows}
    return ContractCounts(
        active=by_status.get(ContractStatus.ACTIVE.value, 0),
        inactive=by_status.get(ContractStatus.INACTIVE.value, 0),
    )


def get_customer(ctx: ServiceContext, actor: Principal, customer_id: int) -> CustomerDetail:
    """The customer view: the customer, its portal users, its chain, its contract counts."""
    # The id is named in ``subject``, not ``customer_id``: a denial for an id that does
    # not exist must still be recordable (customer_id is a foreign key).
    permissions.require(ctx, actor, Permission.LOOKUP, subject=f"customer:{customer_id!s:.40}")
    if type(customer_id) is not int or not 1 <= customer_id <= _MAX_DB_ID:
        raise NotFound(_("customer not found"))
    now = ctx.clock.now()
    with ctx.read_sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("customer not found"))
        users = session.scalars(
            select(PortalUser)
            .where(PortalUser.customer_id == customer_id)
            .order_by(PortalUser.preposto_level, PortalUser.name_norm, PortalUser.id)
        ).all()
        detail = CustomerDetail(
            id=customer.id,
            legal_name=customer.legal_name,
            trade_name=customer.trade_name,
            cnpj=customer.cnpj,
            cnpj_formatted=format_cnpj(customer.cnpj),
            status=customer.status,
            timezone=customer.timezone,
            created_at=customer.created_at,
            users=tuple(_user_info(u, now) for u in users),
            escalation=_escalation(session, customer_id),
            contracts=_contract_counts(session, customer_id),
        )
    log.debug("customer %d viewed by %s", customer_id, actor.label)
    return detail


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_TERM_LENGTH",
    "RANK_EXACT",
    "RANK_PREFIX",
    "RANK_SUBSTRING",
    "ContractCounts",
    "CustomerDetail",
    "CustomerHit",
    "EscalationLevelInfo",
    "EscalationSummary",
    "MatchField",
    "PortalUserInfo",
    "SearchPage",
    "UserState",
    "get_customer",
    "search",
    "user_state",
]
