"""Text fields shared by every form of the console."""

from __future__ import annotations

from textual.widgets import Input


class Field(Input):
    """An Input whose cursor does not blink in headless runs.

    Tests and snapshot tests run headless; a blinking cursor would make a
    screenshot depend on the exact millisecond it was taken.
    """

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False
