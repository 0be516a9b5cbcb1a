"""Reading the audit log (supervisors only): filtered keyset pages, newest first.

Recording lives in services/audit.py; this module only reads. Looking at the
log is not itself audited: every page turn would add rows to the very list
being read, drowning what the log is for. Refusals are audited (by
permissions.require), so a non-supervisor's attempt still leaves a trace.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_, select, text
from sqlalchemy.orm import aliased

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import AuditEvent, Customer, Operator, PortalUser, UTCDateTime
from noc_console.services import page_cursor, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.validation import clean_text

MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
SUMMARY_MAX_LENGTH = 240
_CURSOR_VERSION = 1
_CURSOR_MAX_LENGTH = 1024


@dataclass(frozen=True)
class AuditFilters:
    """Every filter given is applied (AND); ``since`` is inclusive, ``until`` exclusive."""

    customer_id: int | None = None
    operator_id: int | None = None
    operator_username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    operator_username: str | None
    portal_login: str | None  # the acting portal user, for events from the portal side
    action: str
    customer_id: int | None
    customer_name: str | None
    subject: str | None
    ticket_ref: str | None
    reason: str | None
    details: Mapping[str, Any]  # read-only (MappingProxyType; lists become tuples)
    summary: str  # one line, e.g. "method=temporary_password, checks=name+cnpj"


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    next_cursor: str | None


# --------------------------------------------------------------------------- details


def freeze(value: Any) -> Any:
    """A deep read-only copy: the DTO must not let a screen edit what it shows."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _printable(value: str) -> str:
    """Control characters shown as escapes: a stored escape sequence must not reach a terminal."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf")
        else ch
        for ch in value
    )


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return "+".join(_scalar(v) for v in value) if value else "-"
    return _printable(str(value))


def _flatten(value: Mapping[str, Any], prefix: str = "") -> list[str]:
    parts: list[str] = []
    for key, item in value.items():
        name = f"{prefix}{_printable(str(key))}"
        if isinstance(item, Mapping):
            parts += _flatten(item, f"{name}.") if item else [f"{name}=-"]
        else:
            parts.append(f"{name}={_scalar(item)}")
    return parts


def summarize(details: Mapping[str, Any]) -> str:
    """'method=temporary_password, checks=name+cnpj, sessions_ended=2' (nested keys dotted)."""
    line = ", ".join(_flatten(details))
    if len(line) > SUMMARY_MAX_LENGTH:
        line = line[: SUMMARY_MAX_LENGTH - 1] + "…"
    return line


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class _Filters:
    customer_id: int | None
    operator_id: int | None
    operator_username: str | None
    action: str | None
    since: datetime | None
    until: datetime | None

    @property
    def fingerprint(self) -> str:
        raw = repr(
            (
                self.customer_id,
                self.operator_id,
                self.operator_username,
                self.action,
                self.since.isoformat() if self.since else None,
                self.until.isoformat() if self.until else None,
            )
        )
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _optional_id(value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("must be a whole number")]
        return None
    return value


def _optional_text(value: Any, field: str, errors: dict[str, list[str]], limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = [_("not a text")]
        return None
    try:
        cleaned = clean_text(value, max_length=limit)
    except ValueError as err:
        errors[field] = [str(err)]
        return None
    return cleaned or None


def _optional_time(value: Any, field: str, errors: dict[str, list[str]]) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        errors[field] = [_("give a date and time with its time zone")]
        return None
    return value


def _validated(filters: AuditFilters) -> _Filters:
    errors: dict[str, list[str]] = {}
    customer_id = _optional_id(filters.customer_id, "customer_id", errors)
    operator_id = _optional_id(filters.operator_id, "operator_id", errors)
    username = _optional_text(filters.operator_username, "operator_username", errors, 64)
    action = _optional_text(filters.action, "action", errors, 64)
    since = _optional_time(filters.since, "since", errors)
    until = _optional_time(filters.until, "until", errors)
    if since is not None and until is not None and since >= until:
        errors["until"] = [_("the end of the period must be after its start")]
    if errors:
        raise ValidationError(errors)
    return _Filters(
        customer_id=customer_id,
        operator_id=operator_id,
        operator_username=username.lower() if username else None,
        action=action,
        since=since,
        until=until,
    )


def _check_page_size(page_size: int) -> None:
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE
    ):
        raise ValidationError(
            {
                "page_size": [
                    _("the page size must be between {low} and {high}").format(
                        low=MIN_PAGE_SIZE, high=MAX_PAGE_SIZE
                    )
                ]
            }
        )


# --------------------------------------------------------------------------- cursor


def _encode_cursor(filters: _Filters, occurred_at: datetime, event_id: int) -> str:
    fields = {"t": occurred_at.isoformat(), "i": event_id}
    return page_cursor.encode(_CURSOR_VERSION, filters.fingerprint, fields)


def _decode_cursor(filters: _Filters, cursor: str) -> tuple[datetime, int]:
    try:
        payload = page_cursor.decode(
            cursor, _CURSOR_VERSION, filters.fingerprint, max_length=_CURSOR_MAX_LENGTH
        )
        event_id = payload.get("i")
        if isinstance(event_id, bool) or not isinstance(event_id, int):
            raise ValueError("id")
        when = datetime.fromisoformat(str(payload.get("t")))
        if when.tzinfo is None:
            raise ValueError("naive")
        return when, event_id
    except page_cursor.DECODE_ERRORS:
        raise page_cursor.invalid_cursor() from None


# --------------------------------------------------------------------------- public API


def _where(filters: _Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.customer_id is not None:
        clauses.append(AuditEvent.customer_id == filters.customer_id)
    if filters.operator_id is not None:
        clauses.append(AuditEvent.operator_id == filters.operator_id)
    if filters.operator_username is not None:
        # Resolved to the id first (usernames are unique) so ix_audit_events_operator applies.
        by_name = select(Operator.id).where(Operator.username == filters.operator_username)
        clauses.append(AuditEvent.operator_id == by_name.scalar_subquery())
    if filters.action is not None:
        clauses.append(AuditEvent.action == filters.action)
    if filters.since is not None:
        clauses.append(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        clauses.append(AuditEvent.occurred_at < filters.until)
    return clauses


def query(
    ctx: ServiceContext,
    viewer: Principal,
    filters: AuditFilters | None = None,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> AuditPage:
    """One page of audit events matching ``filters``, newest first (keyset on occurred_at, id)."""
    permissions.require(ctx, viewer, Permission.VIEW_AUDIT, subject="audit_log")
    checked = _validated(filters or AuditFilters())
    _check_page_size(page_size)
    after = None if cursor is None else _decode_cursor(checked, cursor)

    operator = aliased(Operator)
    portal_user = aliased(PortalUser)
    customer = aliased(Customer)
    stmt = (
        select(
            AuditEvent,
            operator.username,
            portal_user.login,
            customer.legal_name,
        )
        .outerjoin(operator, operator.id == AuditEvent.operator_id)
        .outerjoin(portal_user, portal_user.id == AuditEvent.portal_user_id)
        .outerjoin(customer, customer.id == AuditEvent.customer_id)
        .where(*_where(checked))
    )
    if after is not None:
        at, last_id = after
        bound = literal(at, type_=UTCDateTime())
        # Written so the leading range (occurred_at <= t) can use any occurred_at index.
        stmt = stmt.where(
            and_(
                AuditEvent.occurred_at <= bound,
                or_(AuditEvent.occurred_at < bound, AuditEvent.id < last_id),
            )
        )
    stmt = stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(page_size + 1)

    with ctx.read_sessions() as session:
        result = session.execute(stmt).all()
        rows = [
            AuditRow(
                id=event.id,
                occurred_at=event.occurred_at,
                operator_username=username,
                portal_login=login,
                action=event.action,
                customer_id=event.customer_id,
                customer_name=customer_name,
                subject=event.subject,
                ticket_ref=event.ticket_ref,
                reason=event.reason,
                details=freeze(event.details or {}),
                summary=summarize(event.details or {}),
            )
            for event, username, login, customer_name in result[:page_size]
        ]
    next_cursor = None
    if len(result) > page_size:
        last = rows[-1]
        next_cursor = _encode_cursor(checked, last.occurred_at, last.id)
    return AuditPage(rows=tuple(rows), next_cursor=next_cursor)


# Loose index scan: one index probe per distinct action instead of reading every event.
_DISTINCT_ACTIONS = text(
    "WITH RECURSIVE found(action) AS ("
    " SELECT min(action) FROM audit_events"
    " UNION ALL"
    " SELECT (SELECT min(e.action) FROM audit_events e WHERE e.action > found.action)"
    " FROM found WHERE found.action IS NOT NULL"
    ") SELECT action FROM found WHERE action IS NOT NULL ORDER BY action"
)


def list_actions(ctx: ServiceContext, viewer: Principal) -> tuple[str, ...]:
    """Every action present in the log, sorted, for the filter's choices."""
    permissions.require(ctx, viewer, Permission.VIEW_AUDIT, subject="audit_log")
    with ctx.read_sessions() as session:
        return tuple(str(a) for a in session.scalars(_DISTINCT_ACTIONS))
