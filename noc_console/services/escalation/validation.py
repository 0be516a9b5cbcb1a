"""The chain rules the portal also enforces: one contact per level, no gaps, valid waits.

``validate_levels`` is public and pure so the editor can run it on every
keystroke and show exactly the messages a save would give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import MAX_LEVEL
from noc_console.services.escalation.dto import (
    CONTACT_FIELDS,
    DEFAULT_BOUNDS,
    Contact,
    ContactInput,
    DelayBounds,
)
from noc_console.services.validation import clean_text, normalize_email, normalize_phone
from noc_console.text import fold

NAME_MAX = 200
ROLE_TITLE_MAX = 120
EMAIL_MAX = 254

# A wait is typed by a person: '15', ' 15 ', '+15'. Nine digits is far past any bound,
# and keeps int() away from 100 KB digit strings.
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_LONG_INTEGER = re.compile(r"[+-]?[0-9]+")
# Line/paragraph separators would break a table row; lone surrogates cannot be stored.
_REFUSED_CATEGORIES = ("Zl", "Zp", "Cs")
# The audit log refuses anything that looks like an argon2 hash, so we refuse it first.
_HASH_PREFIX = "$argon2"


def _field(level: int, name: str) -> str:
    return f"level{level}.{name}"


def _check_chars(value: str) -> None:
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError(_("contains line breaks or invalid characters"))
    if value.startswith(_HASH_PREFIX):
        raise ValueError(_("looks like a password hash; not accepted"))


def _text(value: object, max_length: int) -> str:
    """clean_text plus the few characters a single-line field must not hold."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("must be text"))
    text = clean_text(value, max_length=max_length)
    _check_chars(text)
    return text


def _name(value: object) -> str:
    text = _text(value, NAME_MAX)
    # fold() drops format characters and combining marks: a name made only of
    # those would look empty on screen.
    if not fold(text):
        raise ValueError(_("enter the contact's name"))
    return text


def _phone(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(_("not a phone number"))
    _check_chars(value)
    return normalize_phone(value)


def _email(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(_("not a valid e-mail address"))
    _check_chars(value.strip())
    email = normalize_email(value)
    if len(email) > EMAIL_MAX:
        raise ValueError(_("too long (at most {n} characters)").format(n=EMAIL_MAX))
    _check_chars(email)
    return email


def _parse_minutes(value: object) -> int | None:
    """A whole number of minutes, or None when it is not one (blank is handled by callers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e9 else None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if _LONG_INTEGER.fullmatch(text):
            return 10**9 if not text.startswith("-") else -(10**9)  # out of any bound
    return None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _delay(level: int, value: object, bounds: DelayBounds) -> int:
    if level == 1:
        if _is_blank(value) or _parse_minutes(value) == 0:
            return 0
        raise ValueError(_("level 1 is contacted immediately: its wait must be 0"))
    if _is_blank(value):
        raise ValueError(_("enter the wait in minutes before this level is contacted"))
    minutes = _parse_minutes(value)
    if minutes is None:
        raise ValueError(_("the wait must be a whole number of minutes"))
    if not bounds.min_minutes <= minutes <= bounds.max_minutes:
        raise ValueError(
            _("the wait must be between {low} and {high} minutes").format(
                low=bounds.min_minutes, high=bounds.max_minutes
            )
        )
    return minutes


def _structure(levels: Sequence[ContactInput], errors: dict[str, list[str]]) -> list[int]:
    """Level numbers: 1-3, once each, no gaps. Returns the levels whose fields to check."""
    seen: list[int] = []
    for item in levels:
        level = getattr(item, "level", None)
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            errors.setdefault("levels", []).append(
                _("level {level} does not exist: use levels 1 to {max}").format(
                    level=str(level)[:20], max=MAX_LEVEL
                )
            )
            continue
        if level in seen:
            errors.setdefault("levels", []).append(
                _("level {level} has more than one contact: only one per level").format(level=level)
            )
            continue
        seen.append(level)
    for level in sorted(seen):
        if level > 1 and level - 1 not in seen:
            errors.setdefault("levels", []).append(
                _("level {level} needs a level {previous} contact first").format(
                    level=level, previous=level - 1
                )
            )
    return seen


def same_person(contacts: Sequence[Contact]) -> list[str]:
    """A warning per pair of levels that look like one person (same name, phone or e-mail)."""
    warnings: list[str] = []
    for i, a in enumerate(contacts):
        for b in contacts[i + 1 :]:
            same: list[str] = []
            if fold(a.name) == fold(b.name):
                same.append(_("name"))
            if a.phone and a.phone == b.phone:
                same.append(_("phone"))
            if a.email and b.email and a.email.casefold() == b.email.casefold():
                same.append(_("e-mail"))
            if same:
                warnings.append(
                    _("levels {a} and {b} look like the same person (same {what})").format(
                        a=a.level, b=b.level, what=", ".join(same)
                    )
                )
    return warnings


def validate_levels(
    levels: Sequence[ContactInput], bounds: DelayBounds = DEFAULT_BOUNDS
) -> tuple[tuple[Contact, ...], tuple[str, ...]]:
    """Normalise a whole chain or raise ValidationError with every problem, per field.

    Keys: 'levels' for the shape of the chain, 'level<N>.<field>' for a field.
    The same person on two levels is a warning, not an error: a small customer
    may really have one person on call. An empty list is valid (no chain).
    """
    errors: dict[str, list[str]] = {}
    valid_levels = _structure(levels, errors)
    contacts: list[Contact] = []
    for item in levels:
        level = getattr(item, "level", None)
        if not isinstance(level, int) or level not in valid_levels:
            continue
        if any(c.level == level for c in contacts):
            continue  # the duplicate is reported under 'levels'
        values: dict[str, Any] = {}
        for name, check in (
            ("name", _name),
            ("role_title", lambda v: _text(v, ROLE_TITLE_MAX) or None),
            ("phone", _phone),
            ("email", _email),
            ("delay_minutes", lambda v, lv=level: _delay(lv, v, bounds)),
        ):
            try:
                values[name] = check(getattr(item, name, None))
            except ValueError as err:
                errors.setdefault(_field(level, name), []).append(str(err))
        bad_channel = _field(level, "phone") in errors or _field(level, "email") in errors
        if not bad_channel and not values.get("phone") and not values.get("email"):
            message = _("enter a phone or an e-mail (at least one)")
            errors.setdefault(_field(level, "phone"), []).append(message)
            errors.setdefault(_field(level, "email"), []).append(message)
        if len(values) == len(CONTACT_FIELDS) and not any(
            key.startswith(f"level{level}.") for key in errors
        ):
            contacts.append(Contact(level=level, **values))
    if errors:
        raise ValidationError(errors)
    contacts.sort(key=lambda c: c.level)
    return tuple(contacts), tuple(same_person(contacts))
