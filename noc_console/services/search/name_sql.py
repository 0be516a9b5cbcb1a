"""The SQL of the name-word branches: ranges of ``name_words`` and ``name_word_pairs``, and
the round trip that names the stored words the typed ones may stand for.

A mixin of ``query.QueryBuilder``, which holds the branches and the bound
parameters; every piece of SQL text here is a constant or a ``:name``
placeholder, as there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from noc_console.models.name_words import NameKind, deletion_keys
from noc_console.services.search.dto import MatchField
from noc_console.services.search.limits import FORMS_CAP
from noc_console.services.search.patterns import successor
from noc_console.services.search.sources import SOURCES, Source

# A branch's own LIMIT inside its SQL, written in when the window is known
# (``QueryBuilder.statement``).
WINDOW_MARK = "/*window*/"
# PostgreSQL: up to this many (first, second) couples of a pair branch are an equality
# range each (``NameSql._pg_pairs``).
PAIR_COUPLES_CAP = 16


def _names_from(table: str) -> str:
    """A word table (alias ``w``) with the user or contact each row names."""
    return (
        f"{table} w"
        f" LEFT JOIN portal_users u ON w.kind = {int(NameKind.USER_NAME)}"
        " AND u.id = w.record_id"
        f" LEFT JOIN escalation_contacts e ON w.kind = {int(NameKind.CONTACT_NAME)}"
        " AND e.id = w.record_id"
    )


class NameSql:
    """Name-word branches, for a builder that keeps ``branches`` and its pending
    parameters and adds a branch with ``_select``."""

    sqlite: bool
    branches: Sequence[object]
    similar: dict[str, tuple[str, ...]]
    _pending: dict[str, Any]

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
        raise NotImplementedError

    def _param(self, name: str, value: Any) -> str:
        self._pending[name] = value
        return f":{name}"

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
        self._select_names(from_clause, where, order, narrow=narrow)

    def _select_names(
        self, from_clause: str, where: str, order: str, *, narrow: bool = False
    ) -> None:
        """A branch over a word table ``w``: each row a user's or a contact's name (a
        company's comes with the customer's own columns), led back by the row's customer."""
        users, contacts = SOURCES[MatchField.USER_NAME], SOURCES[MatchField.CONTACT_NAME]
        record, customer = "w.record_id", "w.customer_id"
        self._select(
            (users, contacts), from_clause, where, order, record, customer=customer, narrow=narrow
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
        self._select_names(from_clause, where, order)

    def _pg_pairs(
        self, first: Sequence[str], second: Sequence[str], also: str, base: str, order: str
    ) -> str:
        """PostgreSQL: the pair rows as a derived table ``w``, limited before the users and
        contacts are joined. With IN lists on both words its planner cannot read the
        primary key in order: at 5 M users 'escritorio contabil' sorted the 19,922 rows of
        two couples after joining each to its user and contact (105 ms). A few couples are
        each an equality range, which is in order and stops at the window (0.3 ms); many
        are one range sorted alone, before the joins."""
        limit = WINDOW_MARK
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


__all__ = ["PAIR_COUPLES_CAP", "WINDOW_MARK", "NameSql"]
