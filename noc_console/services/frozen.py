"""Frozen DTOs copied from live records: the UI gets values, never ORM objects.

A read model's DTO mostly repeats the names of the row it is read from; this
copies those fields by name, so each DTO is built in one line that names only
what it computes (a state, a formatted value, a nested tuple).
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")


def freeze(dto: type[D], record: object, **computed: Any) -> D:
    """``dto`` built from the same-named attributes of ``record``, except those in
    ``computed``, which are passed as given."""
    copied = {
        f.name: getattr(record, f.name) for f in fields(dto) if f.init and f.name not in computed
    }
    return dto(**copied, **computed)


__all__ = ["freeze"]
