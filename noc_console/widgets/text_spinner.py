"""A one-line "working…" spinner drawn with text: it buys a faster login screen start-up.

Textual's LoadingIndicator brings its own stylesheet and redraws a gradient
many times a second from the moment it is mounted; the login screen shows one
from its first paint (connecting to the database), where every rule parsed
delays that paint. This one is a Static that cycles braille frames, and only
while it is displayed. ``benchmarks/stand_ins.py`` measures it against the stock
LoadingIndicator.
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
