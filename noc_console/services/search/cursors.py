"""Page markers of a lookup: opaque, bound to the term, and freezing the candidate window.

The marker carries the window its first page used and the last hit's sort
key, so later pages rank the same candidates and are disjoint, complete and
in rank order; it carries a tag of the term, never the term itself (a term is
often a person's name, e-mail or phone).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.services.search.limits import MAX_WINDOW, MIN_WINDOW
from noc_console.services.search.merge import SortKey
from noc_console.services.search.terms import Term

MAX_CURSOR_LENGTH = 4096


def _term_tag(term: Term) -> str:
    return hashlib.sha256(term.folded.encode()).hexdigest()[:16]


def encode_cursor(term: Term, window: int, key: SortKey) -> str:
    """The marker of the page after the hit whose sort key is ``key``."""
    payload = {"v": 2, "t": _term_tag(term), "w": window, "k": list(key)}
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("this page marker is not valid; search again")]})


def decode_cursor(cursor: object, term: Term) -> tuple[int, SortKey]:
    """The window and the last sort key of a marker of this term's search."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None
    if not isinstance(payload, dict) or payload.get("v") != 2:
        raise _bad_cursor()
    window, key = payload.get("w"), payload.get("k")
    if (
        type(window) is not int
        or not MIN_WINDOW <= window <= MAX_WINDOW
        or not isinstance(key, list)
        or len(key) != 5
        or type(key[0]) is not int
        or type(key[1]) is not int
        or not isinstance(key[2], str)
        or not isinstance(key[3], str)
        or type(key[4]) is not int
    ):
        raise _bad_cursor()
    if payload.get("t") != _term_tag(term):
        raise ValidationError({"cursor": [_("this page marker belongs to another search")]})
    return window, (key[0], key[1], key[2], key[3], key[4])


__all__ = ["MAX_CURSOR_LENGTH", "decode_cursor", "encode_cursor"]
