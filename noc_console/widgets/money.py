"""Money, counts and dates as table cells: Babel formats them for the UI language (``R$ 1.234,56``).

Amounts are ``Decimal`` from the DTOs and go straight to ``i18n.format_money``;
they are right-aligned so the decimal commas line up in a column.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.text import Text

from noc_console import i18n


def money(amount: Decimal, currency: str) -> str:
    """``R$ 1.234,56`` in pt_BR, ``R$1,234.56`` in en (Babel, per UI language)."""
    return i18n.format_money(amount, currency)


def money_cell(amount: Decimal | None, currency: str, *, style: str = "") -> Text:
    """A right-aligned amount; an empty cell when there is no amount to show."""
    shown = "" if amount is None else money(amount, currency)
    return Text(shown, style=style, justify="right", no_wrap=True, end="")


def _babel_locale() -> str:
    return "pt_BR" if i18n.current_language() == "pt_BR" else "en_US"


def count(value: int) -> str:
    """``100.000`` (pt_BR) / ``100,000`` (en): a whole number grouped for the UI language."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=_babel_locale()))


def short_date(value: date) -> str:
    """``25/11/2026`` (pt_BR) / ``11/25/26`` (en): Babel's short pattern for the UI language.

    Tables use it where ``i18n.format_date``'s medium form (``25 de nov. de 2026``)
    would not leave room for seven columns in 120 terminal cells.
    """
    from babel.dates import format_date

    return str(format_date(value, format="short", locale=_babel_locale()))
