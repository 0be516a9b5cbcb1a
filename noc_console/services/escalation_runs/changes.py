"""Hearing that runs changed, from another console or this one, without re-reading in a loop.

One background thread per feed, no Textual: the runtime turns its callbacks
into messages for the screens.

* PostgreSQL: ``LISTEN escalation_runs`` on a connection of its own (the
  triggers of migration 0006 send NOTIFY inside each changing transaction, so
  a notification arrives when the change is committed). If the connection
  drops (server restart, ``pg_terminate_backend``), the feed reconnects with a
  growing pause and reports ``reconnected=True``: notifications sent while it
  was away are lost, so the listener must re-read everything once.
* SQLite: ``PRAGMA data_version`` once a ``interval`` on one connection of its
  own. The number changes when another connection commits, so an unchanged
  number costs one tiny query and no re-read.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from noc_console.migrations.run_objects import CHANNEL

log = logging.getLogger(__name__)

OnChange = Callable[[bool], None]
"""Called from the feed's thread; the argument says "reconnected: re-read everything"."""

RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 5.0)
COALESCE_SECONDS = 0.05


class ChangeFeed:
    """Calls ``on_change`` whenever escalation runs may have changed."""

    def __init__(self, engine: Engine, on_change: OnChange, *, interval: float = 1.0) -> None:
        self.engine = engine
        self.on_change = on_change
        self.interval = interval
        self.listening = threading.Event()
        """Set while the feed is connected and listening (tests wait on it)."""
        self.connections = 0
        """How many times it connected: 1 at first, +1 per reconnect."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._raw: Any = None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name=f"escalation-feed-{self.backend}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._close()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._connect()
                self.connections += 1
                if self.connections > 1:
                    self.on_change(True)  # what happened while we were away
                failures = 0
                self.listening.set()
                if self.backend == "postgresql":
                    self._listen()
                else:
                    self._poll()
            except Exception as err:  # noqa: BLE001 - a feed must outlive any database error
                self.listening.clear()
                if self._stop.is_set():
                    break
                log.warning("escalation run feed lost its connection (%s)", type(err).__name__)
            self._close()
            pause = RETRY_PAUSES[min(failures, len(RETRY_PAUSES) - 1)]
            failures += 1
            self._stop.wait(pause)
        self.listening.clear()

    def _connect(self) -> None:
        raw = self.engine.raw_connection()
        raw.detach()  # ours alone, never handed back to the pool
        self._raw = raw
        dbapi: Any = raw.dbapi_connection
        if self.backend == "postgresql":
            dbapi.rollback()
            dbapi.autocommit = True
            dbapi.execute(f"LISTEN {CHANNEL}")

    def _close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to tell
                raw.close()

    def _listen(self) -> None:
        dbapi = self._raw.dbapi_connection
        while not self._stop.is_set():
            heard = False
            for _note in dbapi.notifies(timeout=self.interval, stop_after=1):
                heard = True
            if heard:
                # Coalesce a burst (one transaction touching many runs) into one re-read.
                for _note in dbapi.notifies(timeout=COALESCE_SECONDS):
                    pass
                self.on_change(False)
            else:
                dbapi.execute("SELECT 1")  # notice a dead connection while idle

    def _poll(self) -> None:
        dbapi = self._raw.dbapi_connection
        last = None
        while not self._stop.is_set():
            cursor = dbapi.execute("PRAGMA data_version")
            version = cursor.fetchone()[0]
            cursor.close()
            if last is not None and version != last:
                self.on_change(False)
            last = version
            self._stop.wait(self.interval)
