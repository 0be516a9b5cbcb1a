"""Translations (gettext catalogs in noc_console/locale) and Babel formatting.

Every user-visible string goes through ``_()``; services use it too, so a
validation message reaches the screen already in the operator's language.
The language is process-wide: the app sets it at start-up and on a switch.
Babel is imported lazily: start-up time is benchmarked.
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "noc_console"
SUPPORTED = ("pt_BR", "en")
DEFAULT = "pt_BR"

_state: dict[str, object] = {
    "lang": DEFAULT,
    "translations": gettext.NullTranslations(),
}


def normalize_lang(value: str | None) -> str | None:
    """'pt-br', 'pt_BR.UTF-8', 'pt' -> 'pt_BR'; 'en_US' -> 'en'; unknown -> None."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if code.startswith("pt"):
        return "pt_BR"
    if code.startswith("en") or code in ("c", "posix"):
        return "en"
    return None


def detect_language(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """--lang / config first, then LC_ALL, LC_MESSAGES, LANG; pt_BR when in doubt."""
    chosen = normalize_lang(explicit)
    if chosen:
        return chosen
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        found = normalize_lang(env.get(var))
        if found:
            return found
    try:
        found = normalize_lang(locale.getlocale()[0])
    except ValueError:
        found = None
    return found or DEFAULT


def set_language(lang: str) -> str:
    code = normalize_lang(lang) or DEFAULT
    _state["lang"] = code
    _state["translations"] = gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True
    )
    return code


def current_language() -> str:
    return str(_state["lang"])


def _(message: str) -> str:
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark for extraction only; translated later with _()."""
    return message


def _babel_locale() -> str:
    return "pt_BR" if current_language() == "pt_BR" else "en_US"


def format_money(amount: Decimal, currency: str = "BRL") -> str:
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=_babel_locale()))


def format_date(value: date) -> str:
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(value, format="medium", locale=_babel_locale()))


def format_datetime(value: datetime, tz: str = "America/Sao_Paulo") -> str:
    from zoneinfo import ZoneInfo  # not on the way to the first paint

    from babel.dates import format_datetime as babel_format_datetime

    return str(
        babel_format_datetime(value, format="short", tzinfo=ZoneInfo(tz), locale=_babel_locale())
    )


def format_time(value: datetime, tz: str = "America/Sao_Paulo") -> str:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)).strftime("%H:%M")
