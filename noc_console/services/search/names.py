"""Name matching: company, trade, portal-user and contact names, word by word, typos forgiven.

The operator types what a caller says: names heard over a bad line, out of
order, truncated, without accents, misspelled. So a name matches by its
*words* (``models.name_words``): every typed word must start some word of the
same name, in any order (``jose padar`` finds "Padaria São José"). Ranked:

* every typed word is a whole word of the name (RANK_WORDS);
* every typed word starts one (RANK_PREFIX, as an identifier's prefix);
* every typed word found, some only one edit (insert, delete, substitute,
  swap of neighbours) away from a word of the name (RANK_SIMILAR, shown as
  "similar to *padaria*"), looked for only when the words found too little
  to fill the page;
* only some typed words found (RANK_PARTIAL): the caller added a word the
  record does not have;
* the term inside the name (RANK_SUBSTRING, terms of three characters or
  more, as before).

A name the caller gave whole with one word misheard ranks above a name
missing one of the words: "maria concecao" is Maria da Conceição before
every other Maria.

Stage 1 asks for the names holding every word (one branch, driven by the
longest typed word, the likeliest to be rare); stage 2 adds the names holding
some of the words and those one typo away. Terms of one or two characters
still match the start of company names only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from noc_console.models.name_words import MIN_TYPO_WORD, split_words
from noc_console.services.search.dto import (
    RANK_PARTIAL,
    RANK_PREFIX,
    RANK_SIMILAR,
    RANK_SUBSTRING,
    RANK_WORDS,
    MatchField,
)
from noc_console.services.search.limits import MIN_SUBSTRING_LENGTH, MIN_TYPO_LENGTH
from noc_console.services.search.query import QueryBuilder
from noc_console.services.search.rank import Ranker
from noc_console.services.search.terms import Term
from noc_console.text import fold

NAME_FIELDS = (
    MatchField.LEGAL_NAME,
    MatchField.TRADE_NAME,
    MatchField.USER_NAME,
    MatchField.CONTACT_NAME,
)
# closeness: the letters left unsaid are the low bits, below words and order.
_UNSAID_BITS = 6
_UNSAID_MAX = (1 << _UNSAID_BITS) - 1
# Terms of one or two characters: the start of company names only (a btree range each).
_COMPANY_NAMES = (MatchField.LEGAL_NAME, MatchField.TRADE_NAME)


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance of at most one: equal, or one character inserted,
    deleted or substituted, or two neighbours swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def typo_forgiven(word: str) -> bool:
    """Whether a typed word is long enough to look for the words one typo away."""
    return len(word) >= MIN_TYPO_LENGTH


def _similar(typed: str, stored: str) -> bool:
    return len(stored) >= MIN_TYPO_WORD and within_one_edit(typed, stored)


def typo_words(term: Term) -> tuple[str, ...]:
    """The typed words stage 2 forgives a typo in (none for a term read from a screen)."""
    if term.identifier_shaped or not searchable(term):
        return ()
    return tuple(w for w in term.words if typo_forgiven(w))


def similar_sets(
    words: Sequence[str], pairs: Iterable[Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Typed word -> the stored words truly one typo from it, from the ``(key, word)``
    rows that share a deletion key with it (a shared key is necessary, not sufficient).
    Words starting with the typed one are left out: they match it as a prefix."""
    stored = {p[1] for p in pairs}
    return {
        typed: tuple(sorted(w for w in stored if not w.startswith(typed) and _similar(typed, w)))
        for typed in words
    }


def searchable(term: Term) -> bool:
    """Whether the term has a word to look names up by: one of three characters or more
    (people's names are searched from three, as before; '[a]' or 'r*n' is no name)."""
    return not term.short and any(len(w) >= MIN_SUBSTRING_LENGTH for w in term.words)


def driver(words: tuple[str, ...]) -> int:
    """The word that drives a name search: the longest (the likeliest to be rare)."""
    return max(range(len(words)), key=lambda i: (len(words[i]), -i))


def add_direct(builder: QueryBuilder) -> None:
    """Stage 1: names holding every typed word (by prefix); short terms: company names'
    starts."""
    term = builder.term
    if not searchable(term):
        # No word to look up ('pa', '%_%'): the start of a company's name, as typed.
        for field in _COMPANY_NAMES:
            builder.prefix(field, term.folded)
        return
    if not term.identifier_shaped:
        _all_words(builder)


def pair_words(term: Term) -> tuple[str, ...]:
    """The typed words whose stored forms a lookup names (a term of two words or more)."""
    return term.words if len(term.words) > 1 and searchable(term) else ()


def pair_plan(builder: QueryBuilder) -> tuple[str, str, list[str]] | None:
    """The two typed words a ``name_word_pairs`` range is driven by (the longest two whose
    stored forms are known: the likeliest to be rare) and the others; None: one word, or
    too many stored words start with the typed ones ('ma'), so a word's range is walked."""
    words = builder.term.words
    known = [i for i, w in enumerate(words) if builder.forms.get(w) is not None]
    if len(words) < 2 or len(known) < 2:
        return None
    a, b = sorted(known, key=lambda i: (-len(words[i]), i))[:2]
    return words[a], words[b], [w for i, w in enumerate(words) if i not in (a, b)]


def _second_forms(builder: QueryBuilder, word: str, typos: frozenset[str]) -> tuple[str, ...]:
    forms = builder.forms.get(word) or ()
    return forms + (builder.similar.get(word, ()) if word in typos else ())


def _all_words(builder: QueryBuilder) -> None:
    # The other words may be one typo off already here: the walk of the driving word's range
    # is the costly part of a lookup (every name holding a common word), so it is done once,
    # not again in stage 2 for the typos; the ranker puts those names after the others.
    words = builder.term.words
    typos = frozenset(typo_words(builder.term))
    plan = pair_plan(builder)
    if plan is not None:
        a, b, others = plan
        second = _second_forms(builder, b, typos)
        builder.pairs(builder.forms[a] or (), second, others, similar_others=typos)
        return
    first = driver(words)
    builder.words(
        words[first], [w for i, w in enumerate(words) if i != first], similar_others=typos
    )


def add_more(builder: QueryBuilder) -> None:
    """Stage 2: names holding some of the words, and names one typo away from them.

    A term shaped like an identifier ('maria.souza', a CNPJ, '@padaria.com')
    looks for names holding all its words only here, when no identifier equals
    it (a whole CNPJ is that customer, not a company with the number in its
    name), and never for some of its words or typos: it was read, not heard.
    """
    term = builder.term
    words = term.words
    if not searchable(term):
        return
    if term.identifier_shaped:
        _all_words(builder)
        return
    if len(words) > 1:
        # Names holding only some of the words rank below all others: a page of each.
        for word in words:
            if len(word) >= MIN_SUBSTRING_LENGTH:
                builder.words(word, narrow=True)
    # Every word found, some one typo off: a name holding them all holds one of the driving
    # word's forms; stage 1 walked the names starting with it (the others forgiven a typo
    # there), so what is left is the words one typo from it -- one walk, not one per word.
    typos = frozenset(typo_words(term))
    plan = pair_plan(builder)
    if plan is not None:  # the first word's typo forms with the second's every form
        a, b, others = plan
        if a in typos:
            second = _second_forms(builder, b, typos)
            builder.pairs(builder.similar.get(a, ()), second, others, similar_others=typos)
        return
    first = driver(words)
    if words[first] in typos:
        others = [w for i, w in enumerate(words) if i != first]
        builder.words(words[first], others, similar_driver=True, similar_others=typos)


class NameRanker:
    """How a folded name ranks against the term's words (None: no match).

    Called for every value of every row a lookup brings back (thousands in a
    stage 2), so what depends on the term alone is worked out once, and each
    distinct value is ranked once per lookup.
    """

    def __init__(self, term: Term) -> None:
        self.term = term
        self.words = term.words
        self.searchable = searchable(term)
        # An identifier-shaped term matches all its words or none, without typos: it was
        # read from a screen, not heard.
        self.typos = not term.identifier_shaped
        self.typo_words = frozenset(w for w in self.words if self.typos and typo_forgiven(w))
        # Typed words past MAX_TERM_WORDS ('e', 'de', 's', 'a' of a whole legal name): they
        # do not search, but a stored word they start is no word "nobody typed".
        self.spare = tuple(
            w for w in dict.fromkeys(split_words(term.folded)) if w not in self.words
        )
        self._seen: dict[str, int | None] = {}
        self._close: dict[str, int] = {}
        self._words_seen: dict[str, tuple[int, ...]] = {}

    def _status(self, stored: str) -> tuple[int, ...]:
        """What one stored word is to each typed word: 3 equal, 2 starts with it, 1 one
        typo away, 0 nothing (distinct words are few: each is worked out once)."""
        try:
            return self._words_seen[stored]
        except KeyError:
            status = tuple(
                3
                if typed == stored
                else 2
                if stored.startswith(typed)
                else 1
                if typed in self.typo_words
                and abs(len(stored) - len(typed)) <= 1
                and _similar(typed, stored)
                else 0
                for typed in self.words
            )
            self._words_seen[stored] = status
            return status

    def _rank_one(self, value: str) -> int | None:
        """``_rank`` for a term of one word (most lookups, and the ones that bring back the
        most rows): its best status over the name's words, and no closeness to work out."""
        best = 0
        for stored in split_words(value):
            status = self._status(stored)[0]
            if status > best:
                best = status
                if best == 3:
                    return RANK_WORDS
        if best:
            return RANK_PREFIX if best == 2 else RANK_SIMILAR
        return RANK_SUBSTRING if self.term.folded in value else None

    def __call__(self, value: str | None) -> int | None:
        if not value:
            return None
        try:
            return self._seen[value]
        except KeyError:
            rank = self._seen[value] = self._rank(value)
            return rank

    def closeness(self, value: str) -> int:
        """Within a rank, how far the name is from what was typed (0: the very name); always
        0 for a term of one word. Among a million names of a few hundred words:

        * three per typed word found only one typo away: for ``maria slva``, "Maria
          Silva" (one word misheard) comes before "Márcia Silva" (two);
        * two per word of the name nobody typed: "Vinícius Barbosa Leão" comes before
          "Vinícius Pedro Barbosa Leão" for ``vinicius leao barbosa``; likewise two per
          typed word past MAX_TERM_WORDS the name lacks ("... Ltda. ME" before "... Ltda"
          for a whole legal name typed with its ``ltda. me``);
        * one per pair of typed words the name holds the other way round: for
          ``loureiro camara lucas``, "Lucas Loureiro Câmara" (the surnames said first)
          comes before "Lucas Câmara Loureiro" (every word reversed);
        * then, finer than both, the letters a typed word's start leaves unsaid: for
          ``juli marti``, "Júlia Martins" comes before "Juliana Martins"."""
        if value not in self._close:
            self(value)
        return self._close.get(value, 0)

    def _distance(
        self, stored_words: list[str], used: set[int], where: list[int], best: list[int]
    ) -> int:
        """``closeness`` of a name of several typed words (see there), as one int."""
        lacking = 0
        if self.spare:  # the shortest typed words ('e', 'de', 's', 'a'): whole words only
            used |= {p for p, stored in enumerate(stored_words) if stored in self.spare}
            lacking = len(set(self.spare) - set(stored_words))
        extra = len(set(stored_words)) - len({stored_words[p] for p in used}) + lacking
        found_at = [p for p in where if p >= 0]
        swapped = sum(1 for i, a in enumerate(found_at) for b in found_at[i + 1 :] if a > b)
        unsaid = sum(
            len(stored_words[p]) - len(typed)
            for p, typed, status in zip(where, self.words, best, strict=True)
            if status == 2
        )
        misheard = best.count(1)  # typed words found only one typo away
        return ((3 * misheard + 2 * extra + swapped) << _UNSAID_BITS) + min(unsaid, _UNSAID_MAX)

    def _rank(self, value: str) -> int | None:
        term = self.term
        if not self.searchable:
            return RANK_PREFIX if value.startswith(term.folded) else None
        if not self.typo_words and not any(typed in value for typed in self.words):
            return None  # no stored word can start with a typed one, nor hold the term
        if len(self.words) == 1:
            return self._rank_one(value)
        best = [0] * len(self.words)
        where = [-1] * len(self.words)  # the first stored word each typed word found
        stored_words = split_words(value)
        used: set[int] = set()
        for position, stored in enumerate(stored_words):
            for i, status in enumerate(self._status(stored)):
                if status > best[i]:
                    best[i] = status
                    where[i] = position
                if status:
                    used.add(position)
        if len(self.words) > 1:  # one word says nothing of which of its names was meant
            self._close[value] = self._distance(stored_words, used, where, best)
        n = len(best)
        exact = best.count(3)
        prefix = best.count(2)
        similar = best.count(1)
        # A partial match needs a word of three characters or more: 'a' or 'lt' alone
        # says nothing.
        telling = any(
            b >= 2 and len(t) >= MIN_SUBSTRING_LENGTH for b, t in zip(best, self.words, strict=True)
        )
        found = exact + prefix + similar
        if n and exact == n:
            return RANK_WORDS
        if n and exact + prefix == n:
            return RANK_PREFIX
        if n and found == n:
            return RANK_SIMILAR
        if found and self.typos and (telling or similar):
            return RANK_PARTIAL
        return RANK_SUBSTRING if term.folded in value else None


def similar_word(term: Term, shown: str) -> str | None:
    """The word of a shown name (as written there) that a typed word was one typo from."""
    for token in shown.split():
        for word in split_words(fold(token)):
            for typed in term.words:
                if typo_forgiven(typed) and not word.startswith(typed) and _similar(typed, word):
                    return token.strip(".,;:()[]{}\"'")
    return None


def rankers(term: Term) -> dict[MatchField, Ranker]:
    """Every name field ranks by its words, with one cache for the lookup."""
    return dict.fromkeys(NAME_FIELDS, NameRanker(term))


__all__ = [
    "NAME_FIELDS",
    "NameRanker",
    "add_direct",
    "add_more",
    "driver",
    "pair_plan",
    "pair_words",
    "rankers",
    "searchable",
    "similar_word",
    "typo_forgiven",
    "within_one_edit",
]
