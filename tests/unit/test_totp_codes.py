"""TOTP arithmetic with a fixed clock: the ±1 step window, replay, recovery-code shape, the QR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from noc_console.services.totp import codes
from noc_console.services.totp.qr import qr_lines

NOW = datetime(2026, 11, 25, 13, 10, 5, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_current_and_neighbour_steps_are_accepted() -> None:
    step = codes.step_at(NOW)
    for offset in (-1, 0, 1):
        moment = NOW + timedelta(seconds=30 * offset)
        assert codes.matching_step(SECRET, code_at(moment), NOW, None) == step + offset


def test_two_steps_away_is_refused() -> None:
    for offset in (-2, 2):
        moment = NOW + timedelta(seconds=30 * offset)
        assert codes.matching_step(SECRET, code_at(moment), NOW, None) is None


def test_a_code_of_an_accepted_step_is_a_replay() -> None:
    step = codes.matching_step(SECRET, code_at(NOW), NOW, None)
    assert step is not None
    assert codes.matching_step(SECRET, code_at(NOW), NOW, step) is None
    earlier = NOW - timedelta(seconds=30)
    assert codes.matching_step(SECRET, code_at(earlier), NOW, step) is None
    later = NOW + timedelta(seconds=30)
    assert codes.matching_step(SECRET, code_at(later), NOW, step) == step + 1


def test_spaces_are_ignored_and_junk_is_refused() -> None:
    typed = code_at(NOW)
    assert codes.matching_step(SECRET, f"{typed[:3]} {typed[3:]}", NOW, None) is not None
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "*)(uid=*"):
        assert codes.matching_step(SECRET, junk, NOW, None) is None


def test_recovery_codes_are_ten_distinct_and_unambiguous() -> None:
    made = codes.new_recovery_codes()
    assert len(made) == 10 and len(set(made)) == 10
    for code in made:
        assert codes.looks_like_recovery(code) and not codes.looks_like_totp(code)
        assert not set(code) & set("01ilo")


def test_secret_in_groups_and_uri() -> None:
    secret = codes.new_secret()
    assert len(secret) == 32
    assert codes.grouped(secret).replace(" ", "") == secret
    assert all(len(group) == 4 for group in codes.grouped(secret).split())
    uri = codes.provisioning_uri(secret, "sara.super")
    assert uri.startswith("otpauth://totp/") and "issuer=NOC%20Console" in uri


def test_qr_is_half_blocks_of_even_width() -> None:
    lines = qr_lines(codes.provisioning_uri(SECRET, "sara.super"))
    assert len({len(line) for line in lines}) == 1
    assert set("".join(lines)) <= set("█▀▄ ")
    assert lines[0] == "█" * len(lines[0])  # the quiet zone is light
