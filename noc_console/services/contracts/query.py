"""One contract list as asked for: checked filters, sort and page size, and its WHERE.

Sorting by value is refused outright for a viewer who may not see values:
an order by value would leak the values' ranking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import Contract, Customer
from noc_console.services.contracts.access import Access
from noc_console.services.contracts.dto import STATUS_FILTERS, ContractSort
from noc_console.services.validation import clean_text

MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
MAX_TEXT_LENGTH = 200


@dataclass(frozen=True)
class Query:
    customer_id: int
    status: str
    text: str
    sort: ContractSort
    descending: bool
    with_values: bool

    @property
    def fingerprint(self) -> str:
        """Ties a cursor to the list it came from, so a stale one is refused, not misread."""
        raw = f"{self.customer_id}\0{self.status}\0{self.text}\0{self.sort}\0{self.descending}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def validated_query(
    access: Access,
    customer_id: int,
    status: str,
    text: str,
    sort: ContractSort | str,
    descending: bool,
) -> Query:
    errors: dict[str, list[str]] = {}
    if status not in STATUS_FILTERS:
        errors["status"] = [_("choose active, inactive or all")]
    try:
        cleaned = clean_text(text, max_length=MAX_TEXT_LENGTH)
    except ValueError as err:
        errors["text"] = [str(err)]
        cleaned = ""
    except TypeError:
        errors["text"] = [_("not a text")]
        cleaned = ""
    try:
        chosen = ContractSort(sort)
    except ValueError:
        errors["sort"] = [_("sort by number, service, start date, end date or value")]
        chosen = ContractSort.NUMBER
    if chosen is ContractSort.VALUE and not access.values_visible:
        errors["sort"] = [_("contract values are restricted: you may not sort by value")]
    if errors:
        raise ValidationError(errors)
    return Query(
        customer_id=customer_id,
        status=status,
        text=cleaned,
        sort=chosen,
        descending=bool(descending),
        with_values=access.values_visible,
    )


def check_page_size(page_size: int) -> None:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValidationError({"page_size": [_("the page size must be a whole number")]})
    if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {
                "page_size": [
                    _("the page size must be between {low} and {high}").format(
                        low=MIN_PAGE_SIZE, high=MAX_PAGE_SIZE
                    )
                ]
            }
        )


def require_customer(session: Session, customer_id: int) -> None:
    if isinstance(customer_id, bool) or not isinstance(customer_id, int):
        raise NotFound(_("customer not found"))
    if session.get(Customer, customer_id) is None:
        raise NotFound(_("customer not found"))


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where(query: Query) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Contract.customer_id == query.customer_id]
    if query.status != "all":
        clauses.append(Contract.status == query.status)
    if query.text:
        # Lower-cased here too: SQLite's lower() folds ASCII only.
        pattern = f"%{_like_escape(query.text.lower())}%"
        clauses.append(
            Contract.number.ilike(pattern, escape="\\")
            | Contract.service_name.ilike(pattern, escape="\\")
        )
    return clauses
