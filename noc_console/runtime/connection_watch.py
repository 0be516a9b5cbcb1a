"""Which connection attempt counts and whether the database is down: the supervision's rules.

Plain data, no Textual: the runtime's workers and timers (noc_console.runtime.database)
ask it what an answer means, so the rules can be tested without a running app.
"""

from __future__ import annotations


class ConnectionWatch:
    """Numbers the connection attempts and holds the reason of the current outage, if any."""

    def __init__(self) -> None:
        self.attempt = 0
        """The number of the latest attempt; an answer to an older one is stale."""
        self.problem: str | None = None
        """Why the database is unavailable (the banner shows it), or None when it answers."""

    def next_attempt(self) -> int:
        """Start a new attempt: every answer to the earlier ones is stale from now on."""
        self.attempt += 1
        return self.attempt

    def is_stale(self, attempt: int) -> bool:
        return attempt != self.attempt

    @property
    def is_down(self) -> bool:
        return self.problem is not None

    def report_problem(self, reason: str) -> bool:
        """Record an outage (or its newer reason); True when it is news, not a repeat."""
        news = self.problem is None
        self.problem = reason
        return news

    def answered(self) -> bool:
        """The database answered: True when that ends an outage."""
        if self.problem is None:
            return False
        self.problem = None
        return True

    def wants_health_check(self, *, logged_in: bool) -> bool:
        """The periodic check runs for a logged-in operator while no outage is being retried."""
        return logged_in and self.problem is None
