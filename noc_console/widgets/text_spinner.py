"""A one-line "working…" spinner drawn with text, for the login screen.

Textual's LoadingIndicator brings its own stylesheet and a gradient redrawn
16 times a second; the login screen shows one from its very first paint
(connecting to the database), where every widget and every rule parsed
counts against the start-up target (benchmarks/RESULTS.md). This one is a
Static that cycles braille frames, and only while it is displayed.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
FRAME_SECONDS = 0.1


class TextSpinner(Static):
    """Shown and spinning after ``spin(True)``; hidden, with no timer, after ``spin(False)``."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(FRAMES[0], id=id, classes=classes)
        self._frame = 0
        self._timer: Timer | None = None

    def spin(self, active: bool) -> None:
        self.display = active
        if active and self._timer is None:
            self._timer = self.set_interval(FRAME_SECONDS, self._next_frame)
        elif not active and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _next_frame(self) -> None:
        self._frame = (self._frame + 1) % len(FRAMES)
        self.update(FRAMES[self._frame])
