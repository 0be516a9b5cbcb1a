"""What the contract browser receives: rows, pages and totals, values already redacted.

A value field is None (never zero) when the viewer may not see values, so the
screen can say "restricted" instead of showing a misleading amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from noc_console.models import ContractStatus

StatusFilter = Literal["active", "inactive", "all"]
STATUS_FILTERS: tuple[str, ...] = ("active", "inactive", "all")
MONTHS_PER_YEAR = 12  # an annual value is the monthly one times this, rows and totals alike


class ContractSort(StrEnum):
    NUMBER = "number"
    SERVICE = "service"
    START_DATE = "start_date"
    END_DATE = "end_date"
    VALUE = "value"


@dataclass(frozen=True)
class ContractRow:
    id: int
    number: str
    service_name: str
    status: ContractStatus
    start_date: date
    end_date: date | None
    monthly_value: Decimal | None  # None: the viewer may not see values
    annual_value: Decimal | None
    currency: str
    ends_within_days: int | None  # 30, 60 or 90 for an active contract about to end
    days_to_end: int | None  # negative once the end date has passed; None when open-ended


@dataclass(frozen=True)
class ContractPage:
    rows: tuple[ContractRow, ...]
    next_cursor: str | None
    values_visible: bool


@dataclass(frozen=True)
class TotalLine:
    status: ContractStatus
    currency: str
    count: int
    monthly: Decimal | None
    annual: Decimal | None


@dataclass(frozen=True)
class ContractTotals:
    lines: tuple[TotalLine, ...]
    values_visible: bool
