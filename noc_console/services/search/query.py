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
from noc_console.services.search.dto import MatchField
from noc_console.services.search.limits import narrow_window
from noc_console.services.search.name_sql import WINDOW_MARK, NameSql
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

_SUFFIX_FIELDS = {MatchField[field.name]: field for field in SuffixField}  # same names

# Positions in a row of the statement (see QueryBuilder._select): the branch, the matched
# record's id, the value pairs, the customer's id, then the customer's own columns.
BRANCH, RECORD, PAIRS = 0, 1, 2
CUSTOMER = PAIRS + 2 * MAX_COLUMNS
LEGAL, TRADE, CNPJ, STATUS, NAME_NORM, TRADE_NORM = range(CUSTOMER + 1, CUSTOMER + 7)


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


class QueryBuilder(NameSql):
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
                WINDOW_MARK, str(limits[branch.narrow])
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
