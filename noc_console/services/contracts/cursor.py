"""The contract list's page marker: the last row's sort key and id, tied to its list.

Every key read back is checked against what its column can hold, so a forged
marker can only ever be refused, never steer the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from noc_console.models.base import CENT
from noc_console.services import page_cursor
from noc_console.services.contracts.dto import ContractSort
from noc_console.services.contracts.query import Query

_CURSOR_VERSION = 1
_CURSOR_MAX_LENGTH = 2048
MAX_MONEY = Decimal(10) ** 12  # NUMERIC(14,2)
MAX_KEY_LENGTH = 200  # the longest sortable text column (service_name)
# A forged money key fails in Decimal, which raises an error of its own.
_DECODE_ERRORS: tuple[type[Exception], ...] = (*page_cursor.DECODE_ERRORS, InvalidOperation)


@dataclass(frozen=True)
class Position:
    """The last row handed out: its sort key (None = open-ended end date) and id."""

    key: Any
    id: int


def _encode_key(sort: ContractSort, value: Any) -> Any:
    if value is None:
        return None
    if sort in (ContractSort.START_DATE, ContractSort.END_DATE):
        return value.isoformat()
    if sort is ContractSort.VALUE:
        return str(value)
    return value


def _decode_key(sort: ContractSort, raw: Any) -> Any:
    if raw is None:
        if sort is not ContractSort.END_DATE:
            raise ValueError("null key")
        return None
    if not isinstance(raw, str):
        raise ValueError("key type")
    if sort in (ContractSort.START_DATE, ContractSort.END_DATE):
        return date.fromisoformat(raw)
    if sort is ContractSort.VALUE:
        amount = Decimal(raw)
        # What a Money column can hold: anything else could only be a forged marker.
        if not amount.is_finite() or not 0 <= amount < MAX_MONEY or amount != amount.quantize(CENT):
            raise ValueError("key value")
        return amount
    if len(raw) > MAX_KEY_LENGTH:
        raise ValueError("key length")
    return raw


def encode_cursor(query: Query, position: Position) -> str:
    fields = {"k": _encode_key(query.sort, position.key), "i": position.id}
    return page_cursor.encode(_CURSOR_VERSION, query.fingerprint, fields)


def decode_cursor(query: Query, cursor: str) -> Position:
    try:
        payload = page_cursor.decode(
            cursor, _CURSOR_VERSION, query.fingerprint, max_length=_CURSOR_MAX_LENGTH
        )
        row_id = payload.get("i")
        if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 <= row_id < 2**63:
            raise ValueError("id")
        return Position(_decode_key(query.sort, payload.get("k")), row_id)
    except _DECODE_ERRORS:
        raise page_cursor.invalid_cursor() from None
