"""When to try a message again: exponential backoff with full jitter, and when to stop.

Several mailers (or one restarted in a loop) must not hammer a server that is
down at the same instants, so each delay is drawn at random below an
exponentially growing cap ("full jitter"), never under a floor of half the
step so a retry is not immediate.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_s: float = 60.0
    max_s: float = 3600.0

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1-based): a random point in
        [step/2, step], step = base · 2^(attempt-1), capped at ``max_s``."""
        step = min(self.base_s * (2 ** max(attempt - 1, 0)), self.max_s)
        return timedelta(seconds=step / 2 + draw() * step / 2)

    def gives_up_after(self, attempt: int) -> bool:
        """True when ``attempt`` was the last one allowed."""
        return attempt >= self.max_attempts
