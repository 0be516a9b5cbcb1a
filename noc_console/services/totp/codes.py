"""TOTP and recovery-code arithmetic, without the database (tested with a fixed clock).

A code is accepted for the current 30-second step and one step either side
(clocks drift; a code typed as the step turns still works), and only for a step
later than the last one accepted: a code seen over a shoulder, or replayed,
is refused even inside its window.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime

import pyotp

ISSUER = "NOC Console"
STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_HALF = 5


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app without a camera."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def normalise_code(code: str) -> str:
    """What the operator typed, without spaces and dashes (``123 456`` is ``123456``)."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def looks_like_totp(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The step ``code`` belongs to (within ±WINDOW, after ``last_step``), or None."""
    code = normalise_code(code)
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = step_at(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """``count`` codes like ``k7m2p-x9qrt`` (about 49 bits each: enough for single use)."""

    def half() -> str:
        return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_HALF))

    return [f"{half()}-{half()}" for _ in range(count)]


def looks_like_recovery(code: str) -> bool:
    code = normalise_code(code)
    allowed = set(_RECOVERY_ALPHABET) | set(string.digits)
    return len(code) == 2 * _RECOVERY_HALF and all(ch in allowed for ch in code)
