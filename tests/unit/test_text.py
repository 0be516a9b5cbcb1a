from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from noc_console.text import digits, fold, format_cnpj


def test_fold_is_case_and_accent_insensitive() -> None:
    assert fold("São  JOÃO") == "sao joao"
    assert fold("Açaí Comércio") == "acai comercio"
    assert fold("STRASSE") == fold("Straße")
    assert fold(None) == ""


def test_fold_drops_control_and_format_characters() -> None:
    assert fold("a\x1b[2Jb\x00c\u200e") == "a[2jbc"


def test_digits_keeps_only_ascii_digits() -> None:
    assert digits("11.222.333/0001-81") == "11222333000181"
    assert digits("１２３") == "123"  # full-width digits normalise
    assert digits("٣") == ""  # other scripts' digits are not CNPJ digits


def test_format_cnpj() -> None:
    assert format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert format_cnpj("123") == "123"


@given(st.text())
def test_fold_is_idempotent_and_total(value: str) -> None:
    once = fold(value)
    assert fold(once) == once
    assert not any(ch in once for ch in "\x00\x1b")
