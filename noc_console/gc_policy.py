"""The garbage-collector policy of the console: it buys key presses free of full-collection stalls.

Why: CPython's cyclic collector runs a full (generation-2) collection now and
then, and a full collection walks every live object. After login the console
holds a great many of them (Textual, SQLAlchemy and its ORM metadata, the
screens), so each one freezes the UI for a visible moment, and with the default
thresholds they land while the operator types or scrolls.
``benchmarks/stand_ins.py`` measures the console with and without this policy;
the figures that shaped it are in benchmarks/RESULTS.md.

The policy, in the order the app applies it:

* ``started()``, when the app starts (before its first screen is composed): a
  much higher threshold for full collections (``FULL_THRESHOLD``), so one
  practically never runs on its own; ``collect_if_due()`` takes over that job
  at moments nobody waits for a frame (below). The young generations keep
  Python's thresholds: their collections are small. Raising those too let the
  middle generation grow large, and its collections, no longer small, landed
  on keys. Start-up gains too: composing the login screen used to trigger a
  full collection before the first paint.
* ``freeze()``, when the database connection is ready (SQLAlchemy, the
  driver and the models were just loaded): ``gc.freeze()`` moves every object
  alive now to the permanent generation, which no collection walks again.
  No collection first: the operator may be typing on the login screen.
* ``settle()``, once the lookup screen is shown after login: unfreeze,
  one full collection (so the garbage of start-up and login is freed, not
  frozen), freeze again. This is the one pause the policy allows, at login,
  after the lookup screen is painted.
* ``collect_if_due()``, right after a screen change is painted, and through
  ``idle()`` when no key or click came for ``IDLE_COLLECT_SECONDS``: one full
  collection, if the old generation grew as much as Python would have waited
  for before its own (``COLLECT_AFTER``). Full collections thus keep Python's
  rhythm, and the memory profile that goes with it, but move to moments where
  the operator is reading a new screen or doing nothing, and walk only what
  was made since login. Without them the garbage of closed screens and of
  Textual's render caches stayed until the end, and the console's memory grew
  with every screen visited and every page scrolled.
* ``undo()``, when the app exits: unfreeze and restore the thresholds it
  found, so a process that builds many apps (the test suite) gets its
  collector back as it was.

The policy is process-wide by nature (there is one collector): one app
applies it at a time (a newer app's ``started()`` undoes an older one's, should
the older one never have exited), and an app built with ``gc_policy=False``
never touches the collector.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_owner: GcPolicy | None = None
"""The policy that changed the collector settings (one at a time: there is one collector)."""

FULL_THRESHOLD = 1000
"""Middle-generation collections before a full one (Python's default: 10). With the
young threshold at its default, that is a full collection after millions of
allocations at the earliest (CPython also waits until the objects promoted since the
last one are a quarter of the old generation): none while typing or scrolling."""

COLLECT_AFTER = 10
"""Middle-generation collections since the last full one before ``collect_if_due()``
runs one: Python's own full-collection threshold. An idle console takes minutes to
get there, so it does not keep collecting."""

IDLE_COLLECT_SECONDS = 3.0
"""Seconds without a key or click before ``idle()`` may run a full collection."""


class GcPolicy:
    """The collector settings of one console app; every method is a no-op when disabled."""

    def __init__(self, *, enabled: bool, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled
        self.monotonic = monotonic
        self.active = False
        """True between ``started()`` and ``undo()``: this app owns the collector settings."""
        self._saved_thresholds: tuple[int, int, int] | None = None
        self._froze = False

    def started(self) -> None:
        """Raise the full-collection threshold (the app calls it on load, before its first
        screen)."""
        global _owner
        if not self.enabled or self.active:
            return
        if _owner is not None:  # another app's policy (one never unmounted, in tests): undone
            _owner.undo()
        _owner = self
        young, middle, full = self._saved_thresholds = gc.get_threshold()
        gc.set_threshold(young, middle, max(full, FULL_THRESHOLD))
        self.active = True

    def freeze(self, reason: str) -> None:
        """Move every object alive now out of all later collections (cheap: no collection)."""
        if not self.active:
            return
        gc.freeze()
        self._froze = True
        log.debug("gc: froze after %s", reason)

    def settle(self, reason: str) -> None:
        """Free the garbage made so far, then freeze what is left (one full collection)."""
        if not self.active:
            return
        started = self.monotonic()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self._froze = True
        took_ms = (self.monotonic() - started) * 1000
        log.debug("gc: %d unreachable freed, froze after %s, %.0f ms", found, reason, took_ms)

    def collect_if_due(self, reason: str = "") -> bool:
        """One full collection if the old generation grew enough since the last; True if run."""
        if not self.active or gc.get_count()[2] < COLLECT_AFTER:
            return False
        started = self.monotonic()
        found = gc.collect()
        took_ms = (self.monotonic() - started) * 1000
        log.debug("gc: %d unreachable freed at %s, %.0f ms", found, reason, took_ms)
        return True

    def idle(self, idle_seconds: float) -> bool:
        """``collect_if_due()`` once the operator has been idle for a while; True if run."""
        if idle_seconds < IDLE_COLLECT_SECONDS:
            return False
        return self.collect_if_due("idle")

    def undo(self) -> None:
        """Give the process its collector back as this app found it."""
        global _owner
        if not self.active:
            return
        _owner = None
        if self._froze:
            gc.unfreeze()
            self._froze = False
        if self._saved_thresholds is not None:
            gc.set_threshold(*self._saved_thresholds)
            self._saved_thresholds = None
        self.active = False
