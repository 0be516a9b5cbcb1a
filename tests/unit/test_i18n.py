"""Translations: every message in the code is translated, the shipped .mo files match the .po
files, and the language is chosen in the documented order.

When a test here fails after adding a message, follow noc_console/locale/README.md
(extract, update, translate pt_BR, fill en, compile).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from noc_console import i18n

PACKAGE = Path(i18n.__file__).parent
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LANGS = ("pt_BR", "en")


def _code_msgids() -> set[str]:
    """What `pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2` finds in the package now."""
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _po(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "noc_console.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _translated(catalog: Catalog, msgid: str) -> bool:
    message = catalog[msgid]
    assert message is not None
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


@pytest.fixture(autouse=True)
def _restore_language() -> object:
    saved = dict(i18n._state)
    yield
    i18n._state.clear()
    i18n._state.update(saved)


def test_every_message_in_the_code_is_translated_to_pt_br() -> None:
    code = _code_msgids()
    assert code, "extraction found nothing: is babel.cfg's pattern still right?"
    catalog = _po("pt_BR")
    missing = sorted(m for m in code if m not in catalog)
    untranslated = sorted(m for m in code if m in catalog and not _translated(catalog, m))
    assert not missing, f"not in the pt_BR catalog (run pybabel update): {missing}"
    assert not untranslated, f"untranslated or fuzzy in pt_BR: {untranslated}"


def test_every_message_in_the_code_is_in_the_english_catalog() -> None:
    """English entries translate to themselves; an empty plural would show an empty message."""
    catalog = _po("en")
    code = _code_msgids()
    missing = sorted(m for m in code if m not in catalog)
    assert not missing, f"not in the en catalog (see noc_console/locale/README.md): {missing}"
    empty = sorted(m for m in code if not _translated(catalog, m))
    assert not empty, f"fill the en catalog (see noc_console/locale/README.md): {empty}"


def test_placeholders_survive_translation() -> None:
    """A translated '{n}' that became '{N}' would crash .format() at runtime."""
    import string

    def names(text: str) -> set[str]:
        return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}

    def texts(value: object) -> tuple[str, ...]:
        return tuple(value) if isinstance(value, tuple) else (str(value or ""),)

    wrong = []
    for message in _po("pt_BR"):
        if not message.id:
            continue
        expected = set().union(*(names(t) for t in texts(message.id)))
        for translated in texts(message.string):
            if translated and names(translated) - expected:
                wrong.append(message.id)
    assert not wrong, f"placeholders the English text does not have: {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_mo_matches_po(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    buffer = io.BytesIO()
    write_mo(buffer, _po(lang))
    buffer.seek(0)
    fresh = read_mo(buffer)
    with (folder / "noc_console.mo").open("rb") as fh:
        shipped = read_mo(fh)

    def hashable(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    def pairs(catalog: Catalog) -> dict[object, object]:
        return {hashable(m.id): hashable(m.string) for m in catalog if m.id}

    assert pairs(shipped) == pairs(fresh), (
        f"recompile: pybabel compile -d noc_console/locale -l {lang}"
    )


def test_translations_load_at_runtime() -> None:
    i18n.set_language("pt_BR")
    assert i18n._("Quit") == "Sair"
    i18n.set_language("en")
    assert i18n._("Quit") == "Quit"


def test_detect_language_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "pt_BR.UTF-8", "LANG": "pt_BR.UTF-8"}
    # The flag or config file wins over the environment.
    assert i18n.detect_language("pt-br", env) == "pt_BR"
    assert i18n.detect_language("en", {"LANG": "pt_BR.UTF-8"}) == "en"
    # Then LC_ALL, LC_MESSAGES, LANG, in that order.
    assert i18n.detect_language(None, env) == "en"
    assert i18n.detect_language(None, {"LC_MESSAGES": "en_GB", "LANG": "pt_BR"}) == "en"
    assert i18n.detect_language(None, {"LANG": "pt_PT.UTF-8"}) == "pt_BR"
    # An unsupported explicit value falls through to the environment.
    assert i18n.detect_language("de", {"LANG": "en_US"}) == "en"
    # Nothing usable anywhere: Brazilian Portuguese.
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: (None, None))
    assert i18n.detect_language(None, {}) == "pt_BR"
    assert i18n.detect_language(None, {"LANG": "de_DE.UTF-8"}) == "pt_BR"


def test_make_app_applies_the_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """settings.lang (flag, NOC_CONSOLE_LANG, config) first, then the environment, then pt_BR."""
    from noc_console.app import make_app
    from noc_console.config import load_settings

    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: (None, None))
    make_app(load_settings(db_flag=url))
    assert i18n.current_language() == "pt_BR"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    make_app(load_settings(db_flag=url))
    assert i18n.current_language() == "en"
    make_app(load_settings(db_flag=url, lang_flag="pt_BR"))
    assert i18n.current_language() == "pt_BR"
    make_app(load_settings(db_flag=url, env={"NOC_CONSOLE_LANG": "pt_BR"}))
    assert i18n.current_language() == "pt_BR"
