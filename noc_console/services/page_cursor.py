"""Page markers for keyset lists (contracts, the audit log): opaque, versioned, list-bound.

A marker is URL-safe base64 of a small JSON object. It carries a format version
and the fingerprint of the list it came from, so a marker kept from another
list, another filter or an older release is refused instead of misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from noc_console.errors import ValidationError
from noc_console.i18n import _

# Everything a damaged or forged marker can raise while it is being read.
DECODE_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, UnicodeError, binascii.Error)


def encode(version: int, fingerprint: str, fields: dict[str, Any]) -> str:
    """The marker for one position; ``fields`` hold the list's own keys (sort key, id)."""
    payload = {"v": version, "f": fingerprint, **fields}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: object, version: int, fingerprint: str, *, max_length: int) -> dict[str, Any]:
    """The marker's fields, or one of ``DECODE_ERRORS`` when it is not one of this list's."""
    if not isinstance(cursor, str) or len(cursor) > max_length:
        raise ValueError("cursor")
    padded = cursor + "=" * (-len(cursor) % 4)
    payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(payload, dict) or payload.get("v") != version:
        raise ValueError("version")
    if payload.get("f") != fingerprint:
        raise ValueError("fingerprint")
    return payload


def invalid_cursor() -> ValidationError:
    """What the caller hears about any refused marker: start over, nothing more."""
    return ValidationError(
        {"cursor": [_("this page marker is not valid for this list; start from the first page")]}
    )
