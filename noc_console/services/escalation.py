"""Escalation chains: who the NOC calls, level by level, and when.

The portal and the console edit the same chain with the same rules, so the
rules live here once: ``validate_levels`` is public and pure so the editor can
run it on every keystroke and show exactly the messages a save would give.

A save replaces the whole chain in one transaction and is guarded by the
chain's version (optimistic lock): two operators editing the same customer
during an incident must see each other's work, never silently overwrite it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from noc_console.errors import ConflictError, NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import (
    MAX_LEVEL,
    Customer,
    EscalationChain,
    EscalationContact,
    PasswordPolicy,
)
from noc_console.models.customers import DEFAULT_TIMEZONE
from noc_console.services import audit, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.validation import clean_text, normalize_email, normalize_phone
from noc_console.text import fold

log = logging.getLogger(__name__)

NAME_MAX = 200
ROLE_TITLE_MAX = 120
EMAIL_MAX = 254
DEFAULT_MIN_DELAY = 1
DEFAULT_MAX_DELAY = 1440
AUDIT_ACTION = "escalation_chain_saved"

# A wait is typed by a person: '15', ' 15 ', '+15'. Nine digits is far past any bound,
# and keeps int() away from 100 KB digit strings.
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_LONG_INTEGER = re.compile(r"[+-]?[0-9]+")
# Line/paragraph separators would break a table row; lone surrogates cannot be stored.
_REFUSED_CATEGORIES = ("Zl", "Zp", "Cs")
# The audit log refuses anything that looks like an argon2 hash, so we refuse it first.
_HASH_PREFIX = "$argon2"

CONTACT_FIELDS = ("name", "role_title", "phone", "email", "delay_minutes")


# --------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class ContactInput:
    """One level as the operator typed it; every string may be messy."""

    level: int
    name: str
    role_title: str | None = None
    phone: str | None = None
    email: str | None = None
    delay_minutes: int | str | None = None


@dataclass(frozen=True)
class Contact:
    """One validated level: phone in E.164, e-mail normalised, delay in minutes."""

    level: int
    name: str
    role_title: str | None
    phone: str | None
    email: str | None
    delay_minutes: int


@dataclass(frozen=True)
class DelayBounds:
    """The wait before levels 2 and 3, from the password_policy row (the portal's rules)."""

    min_minutes: int = DEFAULT_MIN_DELAY
    max_minutes: int = DEFAULT_MAX_DELAY


DEFAULT_BOUNDS = DelayBounds()


@dataclass(frozen=True)
class ChainView:
    """A customer's chain as last committed; version 0 means no chain was ever saved.

    ``bounds`` travels with the chain so the editor validates live with the same
    limits a save will apply, without a second round trip.
    """

    customer_id: int
    customer_name: str
    timezone: str
    version: int
    updated_at: datetime | None
    updated_by: str | None
    contacts: tuple[Contact, ...]
    bounds: DelayBounds = field(default=DEFAULT_BOUNDS)

    def contact(self, level: int) -> Contact | None:
        return next((c for c in self.contacts if c.level == level), None)


@dataclass(frozen=True)
class SaveResult:
    chain: ChainView
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class TimelineStep:
    level: int
    name: str
    at: datetime  # aware, in the customer's time zone
    offset_minutes: int  # since the incident started


# --------------------------------------------------------------------- validation


def _field(level: int, name: str) -> str:
    return f"level{level}.{name}"


def _check_chars(value: str) -> None:
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError(_("contains line breaks or invalid characters"))
    if value.startswith(_HASH_PREFIX):
        raise ValueError(_("looks like a password hash; not accepted"))


def _text(value: object, max_length: int) -> str:
    """clean_text plus the few characters a single-line field must not hold."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("must be text"))
    text = clean_text(value, max_length=max_length)
    _check_chars(text)
    return text


def _name(value: object) -> str:
    text = _text(value, NAME_MAX)
    # fold() drops format characters and combining marks: a name made only of
    # those would look empty on screen.
    if not fold(text):
        raise ValueError(_("enter the contact's name"))
    return text


def _phone(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(_("not a phone number"))
    _check_chars(value)
    return normalize_phone(value)


def _email(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(_("not a valid e-mail address"))
    _check_chars(value.strip())
    email = normalize_email(value)
    if len(email) > EMAIL_MAX:
        raise ValueError(_("too long (at most {n} characters)").format(n=EMAIL_MAX))
    _check_chars(email)
    return email


def _parse_minutes(value: object) -> int | None:
    """A whole number of minutes, or None when it is not one (blank is handled by callers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e9 else None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if _LONG_INTEGER.fullmatch(text):
            return 10**9 if not text.startswith("-") else -(10**9)  # out of any bound
    return None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _delay(level: int, value: object, bounds: DelayBounds) -> int:
    if level == 1:
        if _is_blank(value) or _parse_minutes(value) == 0:
            return 0
        raise ValueError(_("level 1 is contacted immediately: its wait must be 0"))
    if _is_blank(value):
        raise ValueError(_("enter the wait in minutes before this level is contacted"))
    minutes = _parse_minutes(value)
    if minutes is None:
        raise ValueError(_("the wait must be a whole number of minutes"))
    if not bounds.min_minutes <= minutes <= bounds.max_minutes:
        raise ValueError(
            _("the wait must be between {low} and {high} minutes").format(
                low=bounds.min_minutes, high=bounds.max_minutes
            )
        )
    return minutes


def _structure(levels: Sequence[ContactInput], errors: dict[str, list[str]]) -> list[int]:
    """Level numbers: 1-3, once each, no gaps. Returns the levels whose fields to check."""
    seen: list[int] = []
    for item in levels:
        level = getattr(item, "level", None)
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            errors.setdefault("levels", []).append(
                _("level {level} does not exist: use levels 1 to {max}").format(
                    level=str(level)[:20], max=MAX_LEVEL
                )
            )
            continue
        if level in seen:
            errors.setdefault("levels", []).append(
                _("level {level} has more than one contact: only one per level").format(level=level)
            )
            continue
        seen.append(level)
    for level in sorted(seen):
        if level > 1 and level - 1 not in seen:
            errors.setdefault("levels", []).append(
                _("level {level} needs a level {previous} contact first").format(
                    level=level, previous=level - 1
                )
            )
    return seen


def _same_person(contacts: Sequence[Contact]) -> list[str]:
    warnings: list[str] = []
    for i, a in enumerate(contacts):
        for b in contacts[i + 1 :]:
            same: list[str] = []
            if fold(a.name) == fold(b.name):
                same.append(_("name"))
            if a.phone and a.phone == b.phone:
                same.append(_("phone"))
            if a.email and b.email and a.email.casefold() == b.email.casefold():
                same.append(_("e-mail"))
            if same:
                warnings.append(
                    _("levels {a} and {b} look like the same person (same {what})").format(
                        a=a.level, b=b.level, what=", ".join(same)
                    )
                )
    return warnings


def validate_levels(
    levels: Sequence[ContactInput], bounds: DelayBounds = DEFAULT_BOUNDS
) -> tuple[tuple[Contact, ...], tuple[str, ...]]:
    """Normalise a whole chain or raise ValidationError with every problem, per field.

    Keys: 'levels' for the shape of the chain, 'level<N>.<field>' for a field.
    The same person on two levels is a warning, not an error: a small customer
    may really have one person on call. An empty list is valid (no chain).
    """
    errors: dict[str, list[str]] = {}
    valid_levels = _structure(levels, errors)
    contacts: list[Contact] = []
    for item in levels:
        level = getattr(item, "level", None)
        if not isinstance(level, int) or level not in valid_levels:
            continue
        if any(c.level == level for c in contacts):
            continue  # the duplicate is reported under 'levels'
        values: dict[str, Any] = {}
        for name, check in (
            ("name", _name),
            ("role_title", lambda v: _text(v, ROLE_TITLE_MAX) or None),
            ("phone", _phone),
            ("email", _email),
            ("delay_minutes", lambda v, lv=level: _delay(lv, v, bounds)),
        ):
            try:
                values[name] = check(getattr(item, name, None))
            except ValueError as err:
                errors.setdefault(_field(level, name), []).append(str(err))
        bad_channel = _field(level, "phone") in errors or _field(level, "email") in errors
        if not bad_channel and not values.get("phone") and not values.get("email"):
            message = _("enter a phone or an e-mail (at least one)")
            errors.setdefault(_field(level, "phone"), []).append(message)
            errors.setdefault(_field(level, "email"), []).append(message)
        if len(values) == len(CONTACT_FIELDS) and not any(
            key.startswith(f"level{level}.") for key in errors
        ):
            contacts.append(Contact(level=level, **values))
    if errors:
        raise ValidationError(errors)
    contacts.sort(key=lambda c: c.level)
    return tuple(contacts), tuple(_same_person(contacts))


# ------------------------------------------------------------------------ reading


def _zone(name: str | None) -> ZoneInfo:
    """The customer's zone; an unknown name in the data falls back to the default."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            log.warning("unknown time zone %r; using %s", name[:64], DEFAULT_TIMEZONE)
    return ZoneInfo(DEFAULT_TIMEZONE)


def _bounds(session: Session) -> DelayBounds:
    policy = session.get(PasswordPolicy, 1)
    if policy is None:
        return DEFAULT_BOUNDS
    return DelayBounds(policy.escalation_min_delay_minutes, policy.escalation_max_delay_minutes)


def _contact(row: EscalationContact) -> Contact:
    return Contact(
        level=row.level,
        name=row.name,
        role_title=row.role_title,
        phone=row.phone,
        email=row.email,
        delay_minutes=row.delay_minutes,
    )


def _view(
    customer: Customer, chain: EscalationChain | None, bounds: DelayBounds = DEFAULT_BOUNDS
) -> ChainView:
    return ChainView(
        customer_id=customer.id,
        customer_name=customer.legal_name,
        timezone=_zone(customer.timezone).key,
        version=chain.version if chain else 0,
        updated_at=chain.updated_at if chain else None,
        updated_by=chain.updated_by if chain else None,
        contacts=tuple(sorted((_contact(c) for c in chain.contacts), key=lambda c: c.level))
        if chain
        else (),
        bounds=bounds,
    )


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("customer not found"))
    return customer


def _load_view(session: Session, customer_id: int) -> ChainView:
    customer = _customer(session, customer_id)
    chain = session.scalars(
        select(EscalationChain).where(EscalationChain.customer_id == customer_id)
    ).one_or_none()
    return _view(customer, chain, _bounds(session))


def get_chain(ctx: ServiceContext, actor: Principal, customer_id: int) -> ChainView:
    """The chain as committed now; version 0 and no contacts when none was saved."""
    permissions.require(ctx, actor, Permission.LOOKUP, customer_id=customer_id)
    with ctx.read_sessions() as session:
        return _load_view(session, customer_id)


# ------------------------------------------------------------------------- saving


def _diff(before: Sequence[Contact], after: Sequence[Contact]) -> dict[str, Any]:
    """Per level: added / removed / changed, with old -> new for each changed field."""
    old = {c.level: c for c in before}
    new = {c.level: c for c in after}
    levels: dict[str, Any] = {}
    for level in sorted(old.keys() | new.keys()):
        a, b = old.get(level), new.get(level)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        fields: dict[str, Any] = {}
        for name in CONTACT_FIELDS:
            va = getattr(a, name) if a else None
            vb = getattr(b, name) if b else None
            if va != vb:
                fields[name] = {"old": va, "new": vb}
        levels[str(level)] = {"change": change, "fields": fields}
    return levels


def _conflict(current: ChainView) -> ConflictError:
    if current.version == 0:
        message = _("the escalation chain was removed meanwhile; reload it and save again")
    else:
        message = _(
            "{who} saved this escalation chain first (version {version}); "
            "reload it or re-apply your changes on top"
        ).format(who=current.updated_by or _("someone else"), version=current.version)
    return ConflictError(message, current=current)


def _current(ctx: ServiceContext, customer_id: int) -> ChainView:
    with ctx.read_sessions() as session:
        return _load_view(session, customer_id)


def save_chain(
    ctx: ServiceContext,
    operator: Principal,
    customer_id: int,
    levels: Sequence[ContactInput],
    expected_version: int,
) -> SaveResult:
    """Replace the whole chain if it is still at ``expected_version`` (0: none yet).

    The chain row is locked (PostgreSQL) or the database write lock is held
    (SQLite, BEGIN IMMEDIATE) while the version is compared; the ORM's version
    column is the last guard (UPDATE ... WHERE version = old). A race between
    two creators ends on the unique customer_id. Each loser gets ConflictError
    with what the winner saved; nothing of theirs is written.
    """
    permissions.require(ctx, operator, Permission.EDIT_ESCALATION, customer_id=customer_id)
    now = ctx.clock.now()
    try:
        with ctx.sessions.begin() as session:
            customer = _customer(session, customer_id)
            bounds = _bounds(session)
            contacts, warnings = validate_levels(levels, bounds)
            chain = session.scalars(
                select(EscalationChain)
                .where(EscalationChain.customer_id == customer_id)
                .with_for_update()
            ).one_or_none()
            if (chain.version if chain else 0) != expected_version:
                raise _conflict(_view(customer, chain, bounds))
            before = _view(customer, chain, bounds).contacts
            if chain is None:
                chain = EscalationChain(customer_id=customer_id, updated_at=now)
                session.add(chain)
            else:
                # Old rows go first: UNIQUE(chain_id, level) would refuse the new ones.
                chain.contacts.clear()
            chain.updated_at = now
            chain.updated_by = operator.label
            # Always an UPDATE, so the version moves even when only contacts changed
            # (or the clock did not move, as in tests).
            flag_modified(chain, "updated_by")
            session.flush()
            chain.contacts.extend(
                EscalationContact(
                    level=c.level,
                    name=c.name,
                    role_title=c.role_title,
                    phone=c.phone,
                    email=c.email,
                    delay_minutes=c.delay_minutes,
                )
                for c in contacts
            )
            session.flush()
            view = _view(customer, chain, bounds)
            same_person = [
                [a.level, b.level]
                for i, a in enumerate(contacts)
                for b in contacts[i + 1 :]
                if _same_person([a, b])
            ]
            audit.record(
                session,
                at=now,
                action=AUDIT_ACTION,
                operator_id=operator.operator_id,
                customer_id=customer_id,
                subject=customer.legal_name[:200],
                details={
                    "version": {"old": expected_version, "new": view.version},
                    "levels": _diff(before, view.contacts),
                    "contacts": len(view.contacts),
                    "same_person_warnings": same_person,
                },
            )
    except StaleDataError:
        raise _conflict(_current(ctx, customer_id)) from None
    except IntegrityError:
        # Two creators at once: the unique customer_id lets one through.
        current = _current(ctx, customer_id)
        if current.version == expected_version:
            raise  # not a race: a real bug must stay visible
        raise _conflict(current) from None
    log.info(
        "escalation chain saved by %s: customer %s version %s (%d contacts)",
        operator.label,
        customer_id,
        view.version,
        len(view.contacts),
    )
    return SaveResult(chain=view, warnings=warnings)


# ----------------------------------------------------------------------- timeline


def timeline(
    chain: ChainView | Sequence[Contact], start: datetime, tz: str | None = None
) -> tuple[TimelineStep, ...]:
    """When each level is contacted for an incident starting at ``start``.

    Waits add up: level 3 is reached after level 2's wait plus its own. The
    arithmetic is done in UTC and converted at the end, so a DST change in the
    customer's zone shifts the wall clock, never the real elapsed time. A naive
    ``start`` is read as wall-clock time in the customer's zone (what an
    operator types in a preview).
    """
    if isinstance(chain, ChainView):
        contacts: Sequence[Contact] = chain.contacts
        zone = _zone(tz or chain.timezone)
    else:
        contacts = chain
        zone = _zone(tz)
    if start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    start_utc = start.astimezone(UTC)
    steps: list[TimelineStep] = []
    offset = 0
    for i, contact in enumerate(sorted(contacts, key=lambda c: c.level)):
        if i > 0:
            offset += max(contact.delay_minutes, 0)
        at = (start_utc + timedelta(minutes=offset)).astimezone(zone)
        steps.append(TimelineStep(contact.level, contact.name, at, offset))
    return tuple(steps)


def timeline_text(steps: Sequence[TimelineStep], tz: str | None = None) -> str:
    """'incident at 03:10 → L1 03:10, L2 03:25, L3 04:25 (America/Sao_Paulo)'.

    A level reached on a later day than the incident says so ('+1d'): at
    23:50 a 20-minute wait lands after midnight, and 00:10 alone would mislead.
    """
    if not steps:
        return _("no escalation contacts registered")
    zone = _zone(tz) if tz else steps[0].at.tzinfo or UTC
    first = steps[0]
    start = (first.at - timedelta(minutes=first.offset_minutes)).astimezone(zone)
    parts: list[str] = []
    for step in steps:
        at = step.at.astimezone(zone)
        time = at.strftime("%H:%M")
        days = (at.date() - start.date()).days
        if days:
            time = _("{time} +{days}d").format(time=time, days=days)
        parts.append(_("L{level} {time}").format(level=step.level, time=time))
    zone_name = zone.key if isinstance(zone, ZoneInfo) else str(start.tzname())
    return _("incident at {start} → {steps} ({zone})").format(
        start=start.strftime("%H:%M"), steps=", ".join(parts), zone=zone_name
    )
