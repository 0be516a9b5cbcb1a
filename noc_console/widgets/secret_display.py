"""A secret shown once, large and grouped, with a spelling helper for reading it aloud.

Made for the temporary password an analyst reads to a customer over the phone:
each character sits on its own high-contrast tile, groups are spaced apart,
and under the tiles every group is spelled out (``K KILO capital · x x-ray
small · 7 seven``) in the UI language, so nobody has to guess between an
upper- and a lower-case letter on a bad line.

The widget keeps the secret in exactly one attribute; ``clear()`` drops it
and repaints, so once the wizard is done the text is gone from the widget and
from its last frame.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from noc_console.i18n import N_, _
from noc_console.spelling import DIGIT_NAMES

NATO = {
    "a": "alfa", "b": "bravo", "c": "charlie", "d": "delta", "e": "echo", "f": "foxtrot",
    "g": "golf", "h": "hotel", "i": "india", "j": "juliett", "k": "kilo", "l": "lima",
    "m": "mike", "n": "november", "o": "oscar", "p": "papa", "q": "quebec", "r": "romeo",
    "s": "sierra", "t": "tango", "u": "uniform", "v": "victor", "w": "whiskey", "x": "x-ray",
    "y": "yankee", "z": "zulu",
}  # fmt: skip
"""The ICAO/NATO spelling alphabet: the same words in Portuguese and English."""

SYMBOL_NAMES = {
    "-": N_("dash"), "_": N_("underscore"), ".": N_("dot"), " ": N_("space"),
}  # fmt: skip

SEPARATOR = "-"


def spell_character(ch: str) -> str:
    """'K' -> 'K KILO capital', 'x' -> 'x x-ray small', '7' -> '7 seven'."""
    lower = ch.lower()
    if lower in NATO and ch.isascii():
        if ch.isupper():
            case = _("capital")  # a capital letter (pt_BR: maiúscula)
            return f"{ch} {NATO[lower].upper()} {case}"
        case = _("small")  # a small letter (pt_BR: minúscula)
        return f"{ch} {NATO[lower]} {case}"
    if ch in DIGIT_NAMES:
        return f"{ch} {_(DIGIT_NAMES[ch])}"
    if ch in SYMBOL_NAMES:
        return f"{ch} {_(SYMBOL_NAMES[ch])}"
    return ch


def groups(secret: str) -> list[str]:
    """The groups as the generator joined them ('Kx7m-Pr9t' -> ['Kx7m', 'Pr9t'])."""
    return [part for part in secret.split(SEPARATOR) if part] if secret else []


class SecretDisplay(Widget):
    """Tiles for the secret, then its spelling; empty (and showing nothing) once cleared."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "secret-display--tile",
        "secret-display--tile-edge",
        "secret-display--separator",
        "secret-display--spelling",
    }

    DEFAULT_CSS = """
    SecretDisplay {
        height: auto;
        width: 1fr;
        padding: 1 2;
    }
    SecretDisplay > .secret-display--tile {
        color: $background;
        background: $foreground;
        text-style: bold;
    }
    SecretDisplay > .secret-display--tile-edge {
        color: $foreground;
    }
    SecretDisplay > .secret-display--separator {
        color: $foreground;
        text-style: bold;
    }
    SecretDisplay > .secret-display--spelling {
        color: $text;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._secret = ""

    @property
    def has_secret(self) -> bool:
        return bool(self._secret)

    def reveal(self) -> str:
        """The secret itself, for the clipboard; never for logs or notifications."""
        return self._secret

    def show(self, secret: str) -> None:
        self._secret = secret
        self.refresh(layout=True)

    def clear(self) -> None:
        """Forget the secret and repaint blank: it cannot be shown again."""
        self._secret = ""
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        return self._build(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width or not self._secret:
            return 0
        console = self.app.console
        lines = console.render_lines(
            self._build(width), console.options.update_width(width), pad=False
        )
        return len(lines)

    def _tiles(self, secret: str, width: int) -> Text:
        """Tiles two rows tall (half blocks above and below), spaced if the width allows."""
        tile = self.get_component_rich_style("secret-display--tile")
        edge = self.get_component_rich_style("secret-display--tile-edge")
        separator = self.get_component_rich_style("secret-display--separator")
        if 3 * len(secret) > width:  # too narrow for tiles: one bold, spaced line
            return Text(" ".join(secret), style=separator, no_wrap=True, overflow="fold")
        gap = " " if 4 * len(secret) - 1 <= width else ""
        rows = [Text(no_wrap=True), Text(no_wrap=True), Text(no_wrap=True)]
        for position, ch in enumerate(secret):
            if position:
                for row in rows:
                    row.append(gap)
            if ch == SEPARATOR:
                rows[0].append("   ")
                rows[1].append(f" {ch} ", style=separator)
                rows[2].append("   ")
            else:
                rows[0].append("▄▄▄", style=edge)  # half blocks: the tile is two rows tall
                rows[1].append(f" {ch} ", style=tile)
                rows[2].append("▀▀▀", style=edge)
        return Text("\n").join(rows)

    def _build(self, width: int) -> RenderableType:
        secret = self._secret
        if not secret:
            return Text("")
        spelled = self.get_component_rich_style("secret-display--spelling")
        table = Table.grid(padding=(0, 3))
        table.add_column(no_wrap=True, style=spelled)
        table.add_column(ratio=1, style=spelled)
        for group in groups(secret):
            table.add_row(group, " · ".join(spell_character(ch) for ch in group))
        return Group(self._tiles(secret, max(width, 1)), Text(""), table)
