"""Reading reset links again every few seconds, only while one of them can still change.

The Users tab and the reset wizard follow links on a timer. A link that was
sent, failed or expired stays so; only a new link changes what they show, and
the view that issues one reads it at once. Reading final links every few
seconds would be a query for nothing from every open console, so the timer
pauses once every link shown is final and starts again when an answer shows one
that is not (or the view issues a new one).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump


class LinkPoll:
    """The timer of one view's link reads, paused while nothing it shows can change."""

    def __init__(self, node: MessagePump, interval: float, read: Callable[[], object]) -> None:
        self._timer = node.set_interval(interval, read, name="reset-links")
        self.paused = False

    def follow(self, settled: bool) -> None:
        """After each answer: pause while ``settled``, else keep (or start again) reading."""
        if settled and not self.paused:
            self._timer.pause()
        elif not settled and self.paused:
            self._timer.reset()  # a whole interval from now, not a catch-up read at once
        self.paused = settled
