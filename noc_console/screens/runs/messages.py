"""The message the app's change watcher posts to the screens showing escalation runs."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class RunsChanged(Message):
    """Runs may have changed in the database; ``reconnected``: re-read everything."""

    reconnected: bool = False
