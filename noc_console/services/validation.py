"""Normalising and validating what people type: CNPJ, phone, e-mail, free text.

Each function returns the canonical form or raises ValueError with a
translated message; callers gather those into a ValidationError per field.
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.br import cnpj as stdnum_cnpj

from noc_console.i18n import _
from noc_console.text import digits

DEFAULT_REGION = "BR"
TICKET_MIN = 3


def normalize_cnpj(value: str) -> str:
    """'11.222.333/0001-81' -> '11222333000181', or ValueError."""
    d = digits(value)
    if len(d) != 14:
        raise ValueError(_("a CNPJ has 14 digits"))
    if not stdnum_cnpj.is_valid(d):
        raise ValueError(_("this CNPJ's check digits are wrong"))
    return d


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """Any reasonable Brazilian or international number -> E.164 ('+5511987654321')."""
    raw = clean_text(value)
    if not raw:
        raise ValueError(_("enter a phone number"))
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError(_("not a phone number")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("not a valid phone number (include the area code)"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """E.164 -> the national way of writing it for Brazil, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 55
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def normalize_email(value: str) -> str:
    """Syntax only (no DNS: the console must work offline); domain lower-cased."""
    raw = clean_text(value)
    if not raw:
        raise ValueError(_("enter an e-mail address"))
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(_("not a valid e-mail address")) from None


def clean_text(value: str | None, max_length: int = 200) -> str:
    """Trim, refuse control characters (escape sequences, NUL) and over-long input."""
    if value is None:
        return ""
    if len(value) > max_length * 4:  # refuse a huge paste before scanning it
        raise ValueError(_("too long (at most {n} characters)").format(n=max_length))
    text = value.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        # Cs: a lone surrogate cannot be stored or hashed; Cc: NUL, escapes, line breaks.
        raise ValueError(_("contains control characters"))
    if len(text) > max_length:
        raise ValueError(_("too long (at most {n} characters)").format(n=max_length))
    return text


def ticket_reference(value: str | None, max_length: int, *, required: str) -> str:
    """The incident or ticket reference an action is done under, or ValueError.

    A password reset and an escalation run both file one, and the audit log
    is searched by it, so both refuse the same too-short or hostile input;
    only ``required`` (what to type when it is missing) is each caller's own.
    """
    ticket = clean_text(value if isinstance(value, str) else None, max_length)
    if not ticket:
        raise ValueError(required)
    if len(ticket) < TICKET_MIN:
        raise ValueError(_("a ticket reference has at least {n} characters").format(n=TICKET_MIN))
    return ticket
