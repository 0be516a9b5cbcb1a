"""Contracts of a customer: keyset pages, SQL totals, CSV export; values redacted at the source.

Contract values are the portal's most sensitive figure: only supervisors (and,
on the portal, level-1 prepostos) may see them. The rule is applied where the
data is read (``access``): for anyone else the value column is never selected,
never used to sort (an order by value leaks the values' ranking) and never
reaches a DTO or a file. Whoever does see values leaves an audit event,
without amounts.
"""

from noc_console.services.contracts.dto import (
    STATUS_FILTERS,
    ContractPage,
    ContractRow,
    ContractSort,
    ContractTotals,
    StatusFilter,
    TotalLine,
)
from noc_console.services.contracts.export import (
    CSV_COLUMNS,
    CSV_VALUE_COLUMNS,
    ExportResult,
    export_csv,
)
from noc_console.services.contracts.paging import list_contracts
from noc_console.services.contracts.query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from noc_console.services.contracts.totals import contract_totals

__all__ = [
    "CSV_COLUMNS",
    "CSV_VALUE_COLUMNS",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STATUS_FILTERS",
    "ContractPage",
    "ContractRow",
    "ContractSort",
    "ContractTotals",
    "ExportResult",
    "StatusFilter",
    "TotalLine",
    "contract_totals",
    "export_csv",
    "list_contracts",
]
