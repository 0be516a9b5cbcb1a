"""The SQL of a lookup: index-served sub-queries glued with UNION ALL into one statement.

Each sub-query (a branch) is an equality, a prefix range, a trigram probe or an
e-mail-domain range on one indexed column, with its own LIMIT, so the whole
stage is one round trip and no branch ever scans a table. Every piece of SQL
text is a constant of this package or a ``:name`` placeholder: user text only
ever reaches the database as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from noc_console.migrations import search_objects
from noc_console.models.identifier_suffixes import SuffixField
from noc_console.models.name_words import NameKind, deletion_keys
from noc_console.services.search.dto import MatchField
from noc_console.services.search.limits import FORMS_CAP, narrow_window
from noc_console.services.search.patterns import (
    digits_successor,
    escape_like,
    fts_phrase,
    successor,
)
from noc_console.services.search.sources import PATTERN_OPS, SOURCES, Source
from noc_console.services.search.terms import Term

# A row of the UNION carries up to this many (normalised, displayed) value pairs: an
# SQLite FTS branch returns every searched column of its table, checked in Python.
MAX_COLUMNS = 3

# The customer's own columns, joined once to the rows of every branch (``statement``):
# a join per branch cost PostgreSQL's planner more than the branches' execution.
_CUSTOMER_COLUMNS = (
    "c.legal_name AS legal_name, c.trade_name AS trade_name, c.cnpj AS cnpj,"
    " c.status AS status, c.name_norm AS name_norm, c.trade_name_norm AS trade_name_norm"
)

# A branch's own LIMIT inside its SQL, written in when the window is known (``statement``).
_WINDOW_MARK = "/*window*/"
# PostgreSQL: up to this many (first, second) couples of a pair branch are an equality
# range each (``QueryBuilder._pg_pairs``).
PAIR_COUPLES_CAP = 16

_SUFFIX_FIELDS = {MatchField[field.name]: field for field in SuffixField}  # same names

# Positions in a row of the statement (see QueryBuilder._select): the branch, the matched
# record's id, the value pairs, the customer's id, then the customer's own columns.
BRANCH, RECORD, PAIRS = 0, 1, 2
CUSTOMER = PAIRS + 2 * MAX_COLUMNS
LEGAL, TRADE, CNPJ, STATUS, NAME_NORM, TRADE_NORM = range(CUSTOMER + 1, CUSTOMER + 7)


def _names_from(table: str) -> str:
    """A word table (alias ``w``) with the user or contact each row names."""
    return (
        f"{table} w"
        f" LEFT JOIN portal_users u ON w.kind = {int(NameKind.USER_NAME)}"
        " AND u.id = w.record_id"
        f" LEFT JOIN escalation_contacts e ON w.kind = {int(NameKind.CONTACT_NAME)}"
        " AND e.id = w.record_id"
    )


@dataclass(frozen=True)
class Branch:
    """One sub-query of the UNION and the sources whose value pairs its rows carry."""

    sources: tuple[Source, ...]  # the value pairs of each row, in order
    sql: str  # SELECT ... FROM ... WHERE ... [ORDER BY ...] (LIMIT added when assembled)
    params: dict[str, Any]  # the bound values its placeholders name
    # A name holding only some of the typed words ranks below every other name match, and
    # a common word ('maria') holds a whole window of them: such a branch brings back one
    # page (``limits.narrow_window``), not a window, so Python ranks a page, not thousands.
    narrow: bool = False


class QueryBuilder:
    """Builds the UNION ALL of per-source sub-queries for one term and one backend."""

    def __init__(self, term: Term, dialect: str) -> None:
        self.term = term
        self.sqlite = dialect == "sqlite"
        self._pending: dict[str, Any] = {}
        self.branches: list[Branch] = []
        self.domain_branches: set[int] = set()
        # Typed word -> the stored words one typo from it (not starting with it), looked up
        # before stage 2 is built (``similar_statement``): the branches then name those words
        # as values, which both planners serve from the word index. Asked for inside the
        # branches instead, PostgreSQL's planner walked the whole name_words table.
        self.similar: dict[str, tuple[str, ...]] = {}
        # Typed word -> the stored words starting with it (``name_vocabulary``), None when
        # more than FORMS_CAP do; looked up with ``similar`` (``resolve_statement``). Two
        # typed words with their forms known are one range of ``name_word_pairs``.
        self.forms: dict[str, tuple[str, ...] | None] = {}
        self.resolved = False

    # -- helpers

    def _select(
        self,
        sources: tuple[Source, ...],
        from_clause: str,
        where: str,
        order: str = "",
        record: str = "",
        *,
        customer: str = "",
        narrow: bool = False,
    ) -> None:
        # Every piece is a constant of this package or a ":name" placeholder; user text
        # only ever reaches the database through self.params. Each source's pair is read
        # through its own alias (a word branch joins users and contacts side by side).
        pairs = [f"{s.norm} AS n{i}, {s.alias}.{s.display} AS d{i}" for i, s in enumerate(sources)]
        pairs += [
            f"CAST(NULL AS TEXT) AS n{i}, CAST(NULL AS TEXT) AS d{i}"
            for i in range(len(sources), MAX_COLUMNS)
        ]
        record = record or f"{sources[0].alias}.id"
        customer = customer or sources[0].customer
        columns = (
            f"{len(self.branches)} AS branch, {record} AS record_id, {', '.join(pairs)},"
            f" {customer} AS customer_id"
        )
        sql = f"SELECT {columns} FROM {from_clause} WHERE {where}"  # noqa: S608
        if order:
            sql += f" ORDER BY {order}"
        self.branches.append(Branch(sources, sql, self._pending, narrow))
        self._pending = {}

    def _param(self, name: str, value: Any) -> str:
        self._pending[name] = value
        return f":{name}"

    # -- the kinds of sub-query: equality, prefix range, trigram substring

    def equal(self, field: MatchField, *values: str) -> None:
        source = SOURCES[field]
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
        source = SOURCES[field]
        key = key or field.name.lower()
        lo = self._param(f"lo_{key}", value)
        hi_value = digits_successor(value) if digits_only else successor(value)
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
            assert field in PATTERN_OPS, field
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
        sources = tuple(SOURCES[f] for f in fields)
        first = sources[0]
        expression = search_objects.search_expression(first.table, first.alias)
        pattern = self._param(f"like_{len(self.branches)}", f"%{escape_like(value)}%")
        # Contract numbers are stored upper-case: ILIKE (pg_trgm serves it too).
        op = "ILIKE" if first.table == "contracts" else "LIKE"
        self._select(sources, first.from_clause(), f"{expression} {op} {pattern}")

    def domain(self, field: MatchField, value: str) -> None:
        """Addresses whose domain starts with the term: a btree range on the domain part."""
        source = SOURCES[field]
        dialect = "sqlite" if self.sqlite else "postgresql"
        expression = search_objects.email_domain_expression(dialect, source.alias)
        self.prefix(field, value, expression=expression, key=f"domain_{field.name.lower()}")
        self.domain_branches.add(len(self.branches) - 1)

    def fts(self, fields: tuple[MatchField, ...], value: str) -> None:
        """SQLite: the term as an FTS5 trigram phrase, a literal substring of any column."""
        sources = tuple(SOURCES[f] for f in fields)
        table = sources[0].fts_table
        phrase = self._param(f"fts_{len(self.branches)}", fts_phrase(value))
        self._select(sources, sources[0].fts_from_clause(), f"{table} MATCH {phrase}")

    def suffix(self, field: MatchField, value: str) -> None:
        """``value`` inside a CNPJ, contract number or contact phone: a prefix range of the
        ``identifier_suffixes`` btree (the value starts some suffix of the identifier),
        walked in its order and stopped by LIMIT however many identifiers hold it."""
        source = SOURCES[field]
        lo = self._param(f"sx_lo_{len(self.branches)}", value)
        f = self._param(f"sx_f_{len(self.branches)}", int(_SUFFIX_FIELDS[field]))
        hi_value = successor(value)
        # Code points on both backends: SQLite compares BINARY, and the PostgreSQL column
        # has collation "C", so its primary key serves the range and the order.
        where = f"s.field = {f} AND s.suffix >= {lo}"
        if hi_value is None:
            n = self._param(f"sx_n_{len(self.branches)}", len(value))
            where += f" AND {self._left('s.suffix', n)} = {lo}"
        else:
            where += f" AND s.suffix < {self._param(f'sx_hi_{len(self.branches)}', hi_value)}"
        from_clause = (
            f"identifier_suffixes s JOIN {source.table} {source.alias}"
            f" ON {source.alias}.id = s.record_id"
        )
        record, customer = "s.record_id", "s.customer_id"
        self._select((source,), from_clause, where, "s.suffix", record, customer=customer)

    def trigram(self, fields: tuple[MatchField, ...], value: str) -> None:
        """``value`` inside any of ``fields`` (one table's): this backend's trigram probe."""
        if self.sqlite:
            self.fts(fields, value)
        else:
            self.substring(fields, value)

    # -- name words: a btree range (or the words one typo away) per typed word

    def _word_range(self, column: str, word: str, name: str = "") -> str:
        """``column`` starts with ``word``: an index range on the driving word."""
        name = name or f"{len(self.branches)}_{len(self._pending)}"
        lo = self._param(f"wlo_{name}", word)
        hi_value = successor(word)
        if hi_value is None:
            n = self._param(f"wn_{name}", len(word))
            return f"{self._left(column, n)} = {lo}"
        hi = self._param(f"whi_{name}", hi_value)
        ge, lt = (">=", "<") if self.sqlite else ("~>=~", "~<~")
        return f"{column} {ge} {lo} AND {column} {lt} {hi}"

    def _left(self, column: str, n: str) -> str:
        return f"substr({column}, 1, {n})" if self.sqlite else f"left({column}, {n})"

    def resolve_statement(
        self, typos: Sequence[str], prefixes: Sequence[str]
    ) -> tuple[str, dict[str, Any]] | None:
        """One round trip naming the stored words the typed ones may stand for:

        * ``(0, key, word)``: the stored words sharing a one-deletion key with any of
          ``typos`` (symmetric delete: an equality per key on name_word_keys' btree),
          which ``names.similar_sets`` re-checks and hands to ``similar``;
        * ``(1 + i, '', word)``: up to FORMS_CAP + 1 stored words starting with
          ``prefixes[i]`` (a range of name_vocabulary), for ``forms``.
        """
        parts: list[str] = []
        params: dict[str, Any] = {}
        keys = sorted({k for w in typos for k in deletion_keys(w)})
        if keys:
            params.update({f"sk_{i}": k for i, k in enumerate(keys)})
            placeholders = ", ".join(f":sk_{i}" for i in range(len(keys)))
            parts.append(
                "SELECT 0 AS tag, key AS key, word AS word FROM name_word_keys"  # noqa: S608
                f" WHERE key IN ({placeholders})"
            )
        pending, self._pending = self._pending, {}
        for i, prefix in enumerate(prefixes):
            where = self._word_range("v.word", prefix, name=f"vf{i}")
            parts.append(
                f"SELECT * FROM (SELECT {i + 1} AS tag, '' AS key, v.word AS word"  # noqa: S608
                f" FROM name_vocabulary v WHERE {where} LIMIT {FORMS_CAP + 1}) AS f{i}"
            )
        params.update(self._pending)
        self._pending = pending
        if not parts:
            return None
        return "\nUNION ALL\n".join(parts), params

    def _word_similar(self, column: str, word: str) -> str | None:
        """``column`` is one of the stored words one typo from ``word`` (None: there are
        none); an equality per word on the word index."""
        found = self.similar.get(word, ())
        if not found:
            return None
        base = f"ws_{len(self.branches)}_{len(self._pending)}"
        names = [self._param(f"{base}_{i}", w) for i, w in enumerate(found)]
        return f"{column} IN ({', '.join(names)})"

    def _also_has(self, word: str, *, similar: bool) -> str:
        """The same name also has a word starting with ``word`` (or one typo from it)."""
        # left(word, n) = word, not a range: a range would let PostgreSQL walk that word's
        # whole range in the word index for every probe (it judges both one row).
        p = self._param(f"wp_{len(self.branches)}_{len(self._pending)}", word)
        n = self._param(f"wn_{len(self.branches)}_{len(self._pending)}", len(word))
        cond = f"{self._left('o.word', n)} = {p}"
        alike = self._word_similar("o.word", word) if similar else None
        if alike:
            cond = f"(({cond}) OR {alike})"
        return (
            "EXISTS (SELECT 1 FROM name_words o WHERE o.kind = w.kind"  # noqa: S608
            f" AND o.record_id = w.record_id AND {cond}{self._per_row})"
        )

    @property
    def _per_row(self) -> str:
        """PostgreSQL: keep an EXISTS a probe of the primary key per driving row (OFFSET 0
        stops the planner turning it into a join): misjudging the driving range as one
        row, it hashed a scan of the whole table (100,000 users: 90 ms) or joined on the
        other word's range (1 M users: 7,314 index entries per row, 3 s)."""
        return "" if self.sqlite else " OFFSET 0"

    def words(
        self,
        driver: str,
        others: Sequence[str] = (),
        *,
        similar_driver: bool = False,
        similar_others: frozenset[str] = frozenset(),
        narrow: bool = False,
    ) -> None:
        """Names with a word starting with ``driver`` (or, ``similar_driver``, one typo
        from it) that also have a word starting with each of ``others`` (or one typo
        from those in ``similar_others``).

        One branch over every kind of name: the driving range walks
        ``ix_name_words_word`` in word order, so ``LIMIT`` stops it early however
        common the word is, and exact words come before longer ones; each other
        word is one probe of the primary key within the record. ``narrow``: the
        branch brings back a page, not a window (``Branch.narrow``).
        """
        users, contacts = SOURCES[MatchField.USER_NAME], SOURCES[MatchField.CONTACT_NAME]
        from_clause = _names_from("name_words")
        if similar_driver:
            # The words one typo away, not the word itself or its longer forms (``similar``
            # holds none of those): they are exact or prefix matches, found by the other
            # branches (a common first name would otherwise bring its whole window back).
            alike = self._word_similar("w.word", driver)
            if alike is None:
                return  # no stored word is one typo from it: nothing to find
            where = alike
            order = ""
        else:
            where = self._word_range("w.word", driver)
            order = "w.word" if self.sqlite else "w.word USING ~<~"
        for other in others:
            where += " AND " + self._also_has(other, similar=other in similar_others)
        self._select(
            (users, contacts),
            from_clause,
            where,
            order,
            record="w.record_id",
            customer="w.customer_id",
            narrow=narrow,
        )

    def _values(self, column: str, values: Sequence[str], name: str) -> str:
        names = [self._param(f"{name}_{i}", v) for i, v in enumerate(values)]
        return f"{column} IN ({', '.join(names)})"

    def pairs(
        self,
        first: Sequence[str],
        second: Sequence[str],
        others: Sequence[str] = (),
        *,
        similar_others: frozenset[str] = frozenset(),
    ) -> None:
        """Names holding one of the stored words ``first`` and one of ``second`` (the forms
        of two typed words) and a word starting with each of ``others`` (or one typo from
        those in ``similar_others``).

        One btree range of ``name_word_pairs`` per (first, second) couple: the names holding
        both words, however common each one is (a name of several common words no longer
        walks every holder of one of them); the other words are probes of the primary key
        within the record, as in ``words``.
        """
        if not first or not second:
            return  # a typed word no stored word stands for: no name holds them all
        users, contacts = SOURCES[MatchField.USER_NAME], SOURCES[MatchField.CONTACT_NAME]
        base = f"pf_{len(self.branches)}"
        also = "".join(
            " AND " + self._also_has(other, similar=other in similar_others) for other in others
        )
        # The primary key's order: the stored words in order, so a typed word's exact form
        # ('maria') comes before its longer ones ('mariana') when a window is not enough.
        order = "w.word, w.other"
        if self.sqlite:
            # SQLite walks the IN lists in index order, and knows it: no sort.
            where = (
                self._values("w.word", sorted(first), f"{base}a")
                + " AND "
                + self._values("w.other", sorted(second), f"{base}b")
                + also
            )
            from_clause = _names_from("name_word_pairs")
        else:
            from_clause = self._pg_pairs(sorted(first), sorted(second), also, base, order)
            where = "TRUE"
        self._select(
            (users, contacts),
            from_clause,
            where,
            order,
            record="w.record_id",
            customer="w.customer_id",
        )

    def _pg_pairs(
        self, first: Sequence[str], second: Sequence[str], also: str, base: str, order: str
    ) -> str:
        """PostgreSQL: the pair rows as a derived table ``w``, limited before the users and
        contacts are joined. With IN lists on both words its planner cannot read the
        primary key in order: at 5 M users 'escritorio contabil' sorted the 19,922 rows of
        two couples after joining each to its user and contact (105 ms). A few couples are
        each an equality range, which is in order and stops at the window (0.3 ms); many
        are one range sorted alone, before the joins."""
        limit = _WINDOW_MARK
        couples = [(a, b) for a in first for b in second]
        if len(couples) <= PAIR_COUPLES_CAP:
            parts = []
            for i, (a, b) in enumerate(couples):
                pa = self._param(f"{base}a{i}", a)
                pb = self._param(f"{base}b{i}", b)
                parts.append(
                    f"SELECT * FROM (SELECT w.* FROM name_word_pairs w"  # noqa: S608
                    f" WHERE w.word = {pa} AND w.other = {pb}{also} LIMIT {limit}) AS c{i}"
                )
            inner = f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS w"  # noqa: S608
        else:
            where = (
                self._values("w.word", first, f"{base}a")
                + " AND "
                + self._values("w.other", second, f"{base}b")
            )
            inner = f"SELECT w.* FROM name_word_pairs w WHERE {where}{also}"  # noqa: S608
        return _names_from(f"({inner} ORDER BY {order} LIMIT {limit})")

    # -- one round trip

    def statement(self, branches: Sequence[Branch], window: int) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {}
        for branch in branches:
            params.update(branch.params)
        # The limits are written into the text (ints of ours, never user text), so a plan
        # PostgreSQL keeps for a prepared statement knows where each branch stops.
        limits = {False: int(window), True: int(narrow_window(window))}
        parts = [
            f"SELECT * FROM ({branch.sql} LIMIT {limits[branch.narrow]}) AS b{i}".replace(  # noqa: S608
                _WINDOW_MARK, str(limits[branch.narrow])
            )
            for i, branch in enumerate(branches)
        ]
        union = "\nUNION ALL\n".join(parts)
        # The customers once, by primary key, for the few rows the branches bring back.
        # SQLite's CROSS JOIN keeps that order (its planner could otherwise walk customers
        # and probe the union); PostgreSQL's planner finds it alone.
        join = "CROSS JOIN customers c ON" if self.sqlite else "JOIN customers c ON"
        sql = (
            f"SELECT found.*, {_CUSTOMER_COLUMNS} FROM (\n{union}\n) AS found"  # noqa: S608
            f" {join} c.id = found.customer_id"
        )
        return sql, params


__all__ = [
    "BRANCH",
    "CNPJ",
    "CUSTOMER",
    "LEGAL",
    "MAX_COLUMNS",
    "NAME_NORM",
    "PAIRS",
    "RECORD",
    "STATUS",
    "TRADE",
    "TRADE_NORM",
    "Branch",
    "QueryBuilder",
]
