"""Contracts of a customer: keyset pages, SQL totals, CSV export; values redacted at the source.

Contract values are the portal's most sensitive figure: only supervisors (and,
on the portal, level-1 prepostos) may see them. The rule is applied where the
data is read: for anyone else the value column is never selected, never used
to sort (an order by value leaks the values' ranking) and never reaches a DTO
or a file. Whoever does see values leaves an audit event, without amounts.

Pages are keyset pages over the (customer_id, <sort column>, id) indexes, so
the hundredth page of a 20,000-contract customer costs what the first does.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, Row, func, literal, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from noc_console.errors import NotFound, PermissionDenied, ValidationError
from noc_console.i18n import _
from noc_console.models import Contract, ContractStatus, Customer, Money, PortalUser
from noc_console.models.base import CENT
from noc_console.services import audit, permissions
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.validation import clean_text

log = logging.getLogger(__name__)

StatusFilter = Literal["active", "inactive", "all"]
STATUS_FILTERS: tuple[str, ...] = ("active", "inactive", "all")
MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
EXPORT_PAGE_SIZE = 500
MAX_TEXT_LENGTH = 200
# Flags for contracts about to end, nearest first: (days, bucket).
ENDING_BUCKETS: tuple[int, ...] = (30, 60, 90)
MONTHS_PER_YEAR = 12
_CURSOR_VERSION = 1
MAX_MONEY = Decimal(10) ** 12  # NUMERIC(14,2)
MAX_KEY_LENGTH = 200  # the longest sortable text column (service_name)
# Text cells a spreadsheet would run as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ContractSort(StrEnum):
    NUMBER = "number"
    SERVICE = "service"
    START_DATE = "start_date"
    END_DATE = "end_date"
    VALUE = "value"


_SORT_COLUMN: dict[ContractSort, InstrumentedAttribute[Any]] = {
    ContractSort.NUMBER: Contract.number,
    ContractSort.SERVICE: Contract.service_name,
    ContractSort.START_DATE: Contract.start_date,
    ContractSort.END_DATE: Contract.end_date,
    ContractSort.VALUE: Contract.monthly_value,
}


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


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    values_included: bool


# --------------------------------------------------------------------------- access


@dataclass(frozen=True)
class _Access:
    """Who is looking, resolved once per call: audit identity and the value rule."""

    operator_id: int | None
    portal_user_id: int | None
    values_visible: bool


def _authorize(
    ctx: ServiceContext, viewer: Principal | PortalPrincipal, customer_id: int
) -> _Access:
    if isinstance(viewer, Principal):
        permissions.require(ctx, viewer, Permission.VIEW_CONTRACTS, customer_id=customer_id)
        visible = permissions.allowed(
            viewer.role, Permission.VIEW_CONTRACT_VALUES, read_only=ctx.read_only
        )
        return _Access(viewer.operator_id, None, visible)
    if isinstance(viewer, PortalPrincipal):
        return _authorize_portal(ctx, viewer, customer_id)
    raise PermissionDenied(_("unknown kind of user; contracts are not shown"))


def _authorize_portal(ctx: ServiceContext, viewer: PortalPrincipal, customer_id: int) -> _Access:
    """The preposto level is re-read: a level changed since login applies at once."""
    with ctx.read_sessions() as session:
        user = session.get(PortalUser, viewer.portal_user_id)
        current = (
            replace(viewer, preposto_level=user.preposto_level, customer_id=user.customer_id)
            if user is not None and user.is_active
            else None
        )
    why: str | None = None
    if current is None:
        why = "inactive"
    elif current.customer_id != viewer.customer_id:
        why = "customer_changed"
    elif not permissions.portal_allowed(current, Permission.VIEW_CONTRACTS):
        why = "role"
    elif customer_id != current.customer_id:
        why = "other_customer"
    if why is None and current is not None:
        visible = permissions.portal_allowed(current, Permission.VIEW_CONTRACT_VALUES)
        return _Access(None, current.portal_user_id, visible)
    with ctx.sessions.begin() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            action="permission_denied",
            portal_user_id=viewer.portal_user_id,
            customer_id=customer_id,
            subject=viewer.label,
            details={"permission": Permission.VIEW_CONTRACTS.value, "why": why},
        )
    log.info(
        "permission denied: %s view contracts of customer %s (%s)", viewer.label, customer_id, why
    )
    if why == "other_customer":
        raise PermissionDenied(_("you may only see your own company's contracts"))
    raise PermissionDenied(_("this portal user may not see contracts"))


def _record_values_viewed(
    ctx: ServiceContext, access: _Access, customer_id: int, details: dict[str, Any]
) -> None:
    with ctx.sessions.begin() as session:
        audit.record(
            session,
            at=ctx.clock.now(),
            action="contract_values_viewed",
            operator_id=access.operator_id,
            portal_user_id=access.portal_user_id,
            customer_id=customer_id,
            details=details,
        )


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class _Query:
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


def _validated_query(
    access: _Access,
    customer_id: int,
    status: str,
    text: str,
    sort: ContractSort | str,
    descending: bool,
) -> _Query:
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
    return _Query(
        customer_id=customer_id,
        status=status,
        text=cleaned,
        sort=chosen,
        descending=bool(descending),
        with_values=access.values_visible,
    )


def _check_page_size(page_size: int) -> None:
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


def _require_customer(session: Session, customer_id: int) -> None:
    if isinstance(customer_id, bool) or not isinstance(customer_id, int):
        raise NotFound(_("customer not found"))
    if session.get(Customer, customer_id) is None:
        raise NotFound(_("customer not found"))


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --------------------------------------------------------------------------- cursor


@dataclass(frozen=True)
class _Position:
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


def _encode_cursor(query: _Query, position: _Position) -> str:
    payload = {
        "v": _CURSOR_VERSION,
        "f": query.fingerprint,
        "k": _encode_key(query.sort, position.key),
        "i": position.id,
    }
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": [_("this page marker is not valid for this list; start from the first page")]}
    )


def _decode_cursor(query: _Query, cursor: str) -> _Position:
    try:
        if not isinstance(cursor, str) or len(cursor) > 2048:
            raise ValueError("cursor")
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
            raise ValueError("version")
        if payload.get("f") != query.fingerprint:
            raise ValueError("fingerprint")
        row_id = payload.get("i")
        if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 <= row_id < 2**63:
            raise ValueError("id")
        return _Position(_decode_key(query.sort, payload.get("k")), row_id)
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidOperation):
        raise _bad_cursor() from None


# --------------------------------------------------------------------------- queries


def _where(query: _Query) -> list[ColumnElement[bool]]:
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


def _columns(with_values: bool) -> list[Any]:
    """The value column is only selected for a viewer who may see it."""
    cols: list[Any] = [
        Contract.id,
        Contract.number,
        Contract.service_name,
        Contract.status,
        Contract.start_date,
        Contract.end_date,
        Contract.currency,
    ]
    if with_values:
        cols.append(Contract.monthly_value)
    return cols


def _segments(query: _Query, after: _Position | None) -> list[list[ColumnElement[bool]]]:
    """The list after ``after`` as consecutive ranges of the (customer_id, sort, id) index.

    Each range is a plain index seek on both backends (equality, then one range
    bound), so a page costs the same wherever it starts. A row-value comparison
    ``(sort, id) > (k, i)`` would be shorter, but SQLite seeks on ``sort > k``
    only and then walks every tie before the cursor. Open-ended contracts (NULL
    end date) come after every dated one ascending and first descending; each
    backend orders NULLs its own way, so they are a range of their own.
    """
    col = _SORT_COLUMN[query.sort]
    nullable = query.sort is ContractSort.END_DATE
    desc = query.descending

    def beyond(left: InstrumentedAttribute[Any], right: Any) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], left < right if desc else left > right)

    if after is None:
        if not nullable:
            return [[]]
        dated: list[ColumnElement[bool]] = [col.is_not(None)]
        undated: list[ColumnElement[bool]] = [col.is_(None)]
        return [undated, dated] if desc else [dated, undated]
    if after.key is None:  # inside the open-ended block
        rest = [[col.is_(None), beyond(Contract.id, after.id)]]
        return [*rest, [col.is_not(None)]] if desc else rest
    bound = literal(after.key, type_=col.type)
    segments: list[list[ColumnElement[bool]]] = []
    if query.sort is not ContractSort.NUMBER:  # numbers are unique: no ties to finish
        segments.append([col == bound, beyond(Contract.id, after.id)])
    segments.append([beyond(col, bound)])  # also excludes NULLs, which compare to nothing
    if nullable and not desc:
        segments.append([col.is_(None)])
    return segments


def _fetch(session: Session, query: _Query, after: _Position | None, limit: int) -> list[Row[Any]]:
    """Up to ``limit`` rows after ``after`` in the list order, range by range."""
    col = _SORT_COLUMN[query.sort]
    # The number is unique (and its index has no id column): it is a total order alone.
    keys = (col,) if query.sort is ContractSort.NUMBER else (col, Contract.id)
    order = [k.desc() if query.descending else k.asc() for k in keys]
    rows: list[Row[Any]] = []
    for extra in _segments(query, after):
        if len(rows) >= limit:
            break
        stmt = (
            select(*_columns(query.with_values))
            .where(*_where(query), *extra)
            .order_by(*order)
            .limit(limit - len(rows))
        )
        rows += session.execute(stmt).all()
    return rows


def _sort_key(query: _Query, row: Row[Any]) -> Any:
    return {
        ContractSort.NUMBER: row.number,
        ContractSort.SERVICE: row.service_name,
        ContractSort.START_DATE: row.start_date,
        ContractSort.END_DATE: row.end_date,
        ContractSort.VALUE: row.monthly_value if query.with_values else None,
    }[query.sort]


def _ending_bucket(status: str, days_to_end: int | None) -> int | None:
    if status != ContractStatus.ACTIVE or days_to_end is None or days_to_end < 0:
        return None
    for bucket in ENDING_BUCKETS:
        if days_to_end <= bucket:
            return bucket
    return None


def _to_row(row: Row[Any], with_values: bool, today: date) -> ContractRow:
    days = (row.end_date - today).days if row.end_date is not None else None
    monthly: Decimal | None = row.monthly_value if with_values else None
    return ContractRow(
        id=row.id,
        number=row.number,
        service_name=row.service_name,
        status=ContractStatus(row.status),
        start_date=row.start_date,
        end_date=row.end_date,
        monthly_value=monthly,
        annual_value=None if monthly is None else monthly * MONTHS_PER_YEAR,
        currency=row.currency,
        ends_within_days=_ending_bucket(row.status, days),
        days_to_end=days,
    )


def _page(
    session: Session, query: _Query, after: _Position | None, page_size: int, today: date
) -> tuple[tuple[ContractRow, ...], _Position | None]:
    fetched = _fetch(session, query, after, page_size + 1)
    more = len(fetched) > page_size
    fetched = fetched[:page_size]
    rows = tuple(_to_row(r, query.with_values, today) for r in fetched)
    last = fetched[-1] if more else None
    position = None if last is None else _Position(_sort_key(query, last), last.id)
    return rows, position


# --------------------------------------------------------------------------- public API


def list_contracts(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    *,
    status: StatusFilter = "all",
    text: str = "",
    sort: ContractSort = ContractSort.NUMBER,
    descending: bool = False,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ContractPage:
    """One page of a customer's contracts; pass ``next_cursor`` back for the next one.

    A first page shown with values is audited ('contract_values_viewed'); the
    pages after it continue the same viewing and are not.
    """
    access = _authorize(ctx, viewer, customer_id)
    query = _validated_query(access, customer_id, status, text, sort, descending)
    _check_page_size(page_size)
    after = None if cursor is None else _decode_cursor(query, cursor)
    today = ctx.clock.now().date()
    with ctx.read_sessions() as session:
        _require_customer(session, customer_id)
        rows, position = _page(session, query, after, page_size, today)
    if access.values_visible and cursor is None:
        _record_values_viewed(
            ctx,
            access,
            customer_id,
            {"view": "list", "status": query.status, "sort": query.sort.value, "text": query.text},
        )
    return ContractPage(
        rows=rows,
        next_cursor=None if position is None else _encode_cursor(query, position),
        values_visible=access.values_visible,
    )


def contract_totals(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    *,
    status: StatusFilter = "all",
    text: str = "",
) -> ContractTotals:
    """Count and monthly/annual totals per status and currency, by SQL aggregates only.

    Sums are exact: Money makes SUM integer cents on SQLite and NUMERIC on
    PostgreSQL, both read back as Decimal. Without the right to see values only
    the counts are computed; the value column is not read at all.
    """
    access = _authorize(ctx, viewer, customer_id)
    query = _validated_query(access, customer_id, status, text, ContractSort.NUMBER, False)
    # count(*): PostgreSQL answers from ix_contracts_totals alone (no heap visit for id).
    cols: list[Any] = [Contract.status, Contract.currency, func.count()]
    if access.values_visible:
        cols.append(type_coerce(func.sum(Contract.monthly_value), Money()))
    stmt = (
        select(*cols)
        .where(*_where(query))
        .group_by(Contract.status, Contract.currency)
        .order_by(Contract.status, Contract.currency)
    )
    with ctx.read_sessions() as session:
        _require_customer(session, customer_id)
        result = session.execute(stmt).all()
    lines: list[TotalLine] = []
    for row in result:
        monthly: Decimal | None = row[3] if access.values_visible else None
        if access.values_visible and monthly is None:
            monthly = Decimal("0.00")
        lines.append(
            TotalLine(
                status=ContractStatus(row[0]),
                currency=row[1],
                count=int(row[2]),
                monthly=monthly,
                annual=None if monthly is None else monthly * MONTHS_PER_YEAR,
            )
        )
    if access.values_visible:
        _record_values_viewed(
            ctx, access, customer_id, {"view": "totals", "status": query.status, "text": query.text}
        )
    return ContractTotals(lines=tuple(lines), values_visible=access.values_visible)


# --------------------------------------------------------------------------- CSV export

CSV_COLUMNS: tuple[str, ...] = (
    "number",
    "service_name",
    "status",
    "start_date",
    "end_date",
    "currency",
    "days_to_end",
    "ends_within_days",
)
CSV_VALUE_COLUMNS: tuple[str, ...] = ("monthly_value", "annual_value")
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (accents) correctly


def _safe_cell(text: str) -> str:
    """A text cell a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _csv_record(row: ContractRow, with_values: bool) -> list[str]:
    record = [
        _safe_cell(row.number),
        _safe_cell(row.service_name),
        row.status.value,
        row.start_date.isoformat(),
        row.end_date.isoformat() if row.end_date else "",
        row.currency,
        "" if row.days_to_end is None else str(row.days_to_end),
        "" if row.ends_within_days is None else str(row.ends_within_days),
    ]
    if with_values:
        record += [
            "" if row.monthly_value is None else f"{row.monthly_value:f}",
            "" if row.annual_value is None else f"{row.annual_value:f}",
        ]
    return record


def _iter_pages(
    ctx: ServiceContext, query: _Query, today: date
) -> Iterator[tuple[ContractRow, ...]]:
    """Every contract of the list, one keyset page at a time (never all rows in memory)."""
    after: _Position | None = None
    with ctx.read_sessions() as session:
        _require_customer(session, query.customer_id)
        while True:
            rows, after = _page(session, query, after, EXPORT_PAGE_SIZE, today)
            if rows:
                yield rows
            if after is None:
                return


def _path_error(message: str) -> ValidationError:
    return ValidationError({"path": [message]})


def _prepare_target(path: Path | str, overwrite: bool) -> Path:
    try:
        target = Path(path).expanduser()
        if target.is_dir():
            raise _path_error(_("this is a folder; give a file name"))
        if target.exists() and not overwrite:
            raise _path_error(_("this file already exists; choose another name or overwrite it"))
        target.parent.mkdir(parents=True, exist_ok=True)
    except (OSError, TypeError, ValueError) as err:
        raise _path_error(
            _("cannot write here: {why}").format(why=getattr(err, "strerror", None) or err)
        ) from None
    return target


def _publish(tmp: Path, target: Path, overwrite: bool) -> None:
    """Put the finished file in place in one step; without overwrite, never replace a file."""
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the name was taken meanwhile
    except FileExistsError:
        raise _path_error(
            _("this file already exists; choose another name or overwrite it")
        ) from None
    except OSError:  # file system without hard links
        if target.exists():
            raise _path_error(
                _("this file already exists; choose another name or overwrite it")
            ) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def export_csv(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    path: Path,
    *,
    status: StatusFilter = "all",
    text: str = "",
    sort: ContractSort = ContractSort.NUMBER,
    descending: bool = False,
    overwrite: bool = False,
) -> ExportResult:
    """Write the list as CSV (RFC 4180, comma, UTF-8 with BOM, ISO dates, '.' decimals).

    Without the right to see values the value columns are absent from the file
    (not blanked), so it stays machine-readable and holds no amount at all.
    The file appears complete or not at all: it is written beside the target
    under a temporary name and moved into place only after the audit event is
    recorded.
    """
    access = _authorize(ctx, viewer, customer_id)
    query = _validated_query(access, customer_id, status, text, sort, descending)
    target = _prepare_target(path, overwrite)
    today = ctx.clock.now().date()
    header = CSV_COLUMNS + (CSV_VALUE_COLUMNS if query.with_values else ())
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise _path_error(_("cannot write here: {why}").format(why=err.strerror or err)) from None
    tmp = Path(tmp_name)
    count = 0
    published = False
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            for rows in _iter_pages(ctx, query, today):
                writer.writerows(_csv_record(r, query.with_values) for r in rows)
                count += len(rows)
            handle.flush()
            os.fsync(handle.fileno())
        with ctx.sessions.begin() as session:
            audit.record(
                session,
                at=ctx.clock.now(),
                action="contracts_exported",
                operator_id=access.operator_id,
                portal_user_id=access.portal_user_id,
                customer_id=customer_id,
                subject=target.name[:200],
                details={
                    "rows": count,
                    "values_included": query.with_values,
                    "status": query.status,
                    "sort": query.sort.value,
                    "text": query.text,
                },
            )
            session.flush()
            _publish(tmp, target, overwrite)
            published = True
    except BaseException as err:
        if published:  # the audit event did not commit: no unaudited file may remain
            target.unlink(missing_ok=True)
        if isinstance(err, OSError):
            why = err.strerror or err
            raise _path_error(_("cannot write here: {why}").format(why=why)) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)
    log.info(
        "contracts of customer %s exported by %s: %d rows, values %s",
        customer_id,
        viewer.label,
        count,
        "included" if query.with_values else "omitted",
    )
    return ExportResult(path=target, rows=count, values_included=query.with_values)
