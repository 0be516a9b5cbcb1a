"""When each escalation level is reached: the one source of due times.

``timeline`` is pure (no database, no clock). The editor's preview and
anything that tracks a live incident (escalation runs) must both call it, so a
level's due time there is by construction the time the editor showed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from noc_console.i18n import _
from noc_console.models.customers import DEFAULT_TIMEZONE
from noc_console.services.escalation.dto import ChainView, Contact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineStep:
    level: int
    name: str
    at: datetime  # aware, in the customer's time zone
    offset_minutes: int  # since the incident started


def customer_zone(name: str | None) -> ZoneInfo:
    """The customer's zone; an unknown name in the data falls back to the default."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            log.warning("unknown time zone %r; using %s", name[:64], DEFAULT_TIMEZONE)
    return ZoneInfo(DEFAULT_TIMEZONE)


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
        zone = customer_zone(tz or chain.timezone)
    else:
        contacts = chain
        zone = customer_zone(tz)
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
    zone = customer_zone(tz) if tz else steps[0].at.tzinfo or UTC
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
