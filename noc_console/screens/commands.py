"""The command palette (ctrl+p): one provider that lists the console's own commands.

Commands are plain data (``PaletteCommand``). The app and the active screen
each offer theirs through a ``palette_commands()`` method, so a new screen
adds commands by returning more entries: no new provider class needed. A
command runs a Textual action string, the same action its key binding runs.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from noc_console.i18n import _


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry; ``title`` and ``help`` are msgids, translated when shown."""

    id: str
    title: str
    help: str
    action: str
    """A Textual action, e.g. "app.help" or "app.set_language('en')"."""


@runtime_checkable
class CommandSource(Protocol):
    def palette_commands(self) -> Iterable[PaletteCommand]: ...


def collect_commands(nodes: Iterable[DOMNode]) -> list[PaletteCommand]:
    """Commands of the given nodes (screen first, then app), first entry per id wins."""
    seen: set[str] = set()
    found: list[PaletteCommand] = []
    for node in nodes:
        if not isinstance(node, CommandSource):
            continue
        for command in node.palette_commands():
            if command.id not in seen:
                seen.add(command.id)
                found.append(command)
    return found


class ConsoleCommands(Provider):
    """Lists the commands of the screen the palette was opened from and of the app."""

    def _commands(self) -> list[PaletteCommand]:
        return collect_commands((self.screen, self.app))

    def _runner(self, command: PaletteCommand) -> partial[Coroutine[Any, Any, bool]]:
        return partial(self.app.run_action, command.action, self.screen)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                _(command.title),
                self._runner(command),
                help=_(command.help),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            title = _(command.title)
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    self._runner(command),
                    text=title,
                    help=_(command.help),
                )
