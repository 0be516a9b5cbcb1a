"""People: Brazilian personal names and phone numbers, shared by portal users and contacts."""

from __future__ import annotations

import random
from collections.abc import Sequence

from noc_console.demo.vocabulary import (
    FEMALE_NAMES,
    FEMALE_SECOND,
    MALE_NAMES,
    MALE_SECOND,
    PARTICLE_SURNAMES,
    SURNAMES,
)
from noc_console.text import fold


class Names:
    """Brazilian personal names, folded once per part (folding is the hot path at 1M users)."""

    def __init__(self) -> None:
        def folded(names: Sequence[str]) -> list[tuple[str, str]]:
            # The login uses the last word: "da Silva" -> "silva".
            return [(n, fold(n).split()[-1]) for n in names]

        self.given = (
            (folded(FEMALE_NAMES), folded(FEMALE_SECOND)),
            (folded(MALE_NAMES), folded(MALE_SECOND)),
        )
        self.last = folded(SURNAMES)
        self.last_particle = folded(PARTICLE_SURNAMES)

    def draw(self, rng: random.Random) -> tuple[str, str, str]:
        """(full name, folded first name, folded last surname): the two parts make logins."""
        firsts, seconds = self.given[rng.random() < 0.5]
        first, first_f = rng.choice(firsts)
        parts = [first]
        if rng.random() < 0.3:
            second = rng.choice(seconds)[0]
            if second != first:
                parts.append(second)
        if rng.random() < 0.55:
            parts.append(rng.choice(self.last)[0])
        last, last_f = rng.choice(self.last_particle if rng.random() < 0.2 else self.last)
        while last == parts[-1]:  # "Conceição Conceição" or "Silva Silva"
            last, last_f = rng.choice(self.last)
        parts.append(last)
        return " ".join(parts), first_f, last_f


def phone_number(rng: random.Random, ddd: str) -> str:
    """E.164 Brazilian number: mostly mobiles (9 digits starting with 9), some landlines."""
    if rng.random() < 0.8:
        return f"+55{ddd}9{rng.randint(6, 9)}{rng.randrange(10_000_000):07d}"
    return f"+55{ddd}{rng.randint(2, 5)}{rng.randrange(10_000_000):07d}"
