"""Text typed by people or stored in the database, made safe to put on screen.

Two dangers, both handled here once: Rich markup (a name like ``[bold]`` must
show its brackets, so values always travel as ``rich.text.Text``, never as
markup strings) and terminal control characters (``\\x1b[2J`` in a stored
name must not clear anyone's screen, and bidi overrides must not reorder what
the operator reads). Controls are shown as visible symbols, not dropped, so
the operator can tell that something odd was typed.
"""

from __future__ import annotations

from rich.text import Text

_DEL = 0x7F
# Bidirectional overrides/isolates ("Trojan Source"): they reorder the text around them.
_BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)
_REPLACEMENT = "\ufffd"


def printable(value: str | None) -> str:
    """The value with every control character replaced by a visible stand-in.

    C0 controls become their Unicode "control pictures" (␛ for ESC, ␊ for a
    line feed), DEL becomes ␡, C1 controls, bidi controls and line/paragraph
    separators become �. Everything else (accents, RTL letters, emoji) is kept.
    """
    if not value:
        return ""
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == _DEL:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0 or ch in _BIDI_CONTROLS or ch in "\u2028\u2029":
            out.append(_REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def literal(value: str | None, style: str = "") -> Text:
    """A one-line Text showing ``value`` exactly as typed (never parsed as markup)."""
    return Text(printable(value), style=style, no_wrap=True, overflow="ellipsis")
