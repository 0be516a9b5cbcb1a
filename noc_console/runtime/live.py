"""One change watcher per console, shared by every screen that shows escalation runs.

The board and the run view subscribe when mounted and unsubscribe when
removed; the first subscriber starts the watcher (a ``ChangeFeed`` thread on
the session's engine: LISTEN/NOTIFY on PostgreSQL, ``PRAGMA data_version`` on
SQLite), the last one stops it, so a console that never opens the board pays
nothing. Each change becomes a ``RunsChanged`` message posted to every
subscriber (``post_message`` is thread-safe); the screens re-read in their
own workers.

Screens reach it as ``app.live`` (the app builds it); screens may not import
the runtime, so they use it through that attribute only.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from noc_console.screens.runs.messages import RunsChanged

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.message_pump import MessagePump

    from noc_console.services.escalation_runs.changes import ChangeFeed

log = logging.getLogger(__name__)


class LiveUpdates:
    def __init__(self, *, interval: float = 1.0) -> None:
        self.interval = interval
        self._subscribers: list[MessagePump] = []
        self._feed: ChangeFeed | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def feed(self) -> ChangeFeed | None:
        return self._feed

    def subscribe(self, target: MessagePump, engine: Engine) -> None:
        with self._lock:
            if target not in self._subscribers:
                self._subscribers.append(target)
            if self._feed is not None and self._engine is not engine:
                self._stop_feed()
            if self._feed is None:
                from noc_console.services.escalation_runs.changes import ChangeFeed

                self._engine = engine
                self._feed = ChangeFeed(engine, self._changed, interval=self.interval)
                self._feed.start()

    def unsubscribe(self, target: MessagePump) -> None:
        with self._lock:
            if target in self._subscribers:
                self._subscribers.remove(target)
            if not self._subscribers:
                self._stop_feed()

    def stop(self) -> None:
        with self._lock:
            self._subscribers.clear()
            self._stop_feed()

    def _stop_feed(self) -> None:
        feed, self._feed, self._engine = self._feed, None, None
        if feed is not None:
            threading.Thread(target=feed.stop, name="escalation-feed-stop", daemon=True).start()

    def _changed(self, reconnected: bool) -> None:
        with self._lock:
            targets = list(self._subscribers)
        for target in targets:
            try:
                target.post_message(RunsChanged(reconnected=reconnected))
            except Exception as err:  # noqa: BLE001 - a closing screen must not stop the feed
                log.debug("change not delivered (%s)", type(err).__name__)
