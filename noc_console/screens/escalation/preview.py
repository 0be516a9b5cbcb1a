"""What the editor's timeline preview shows: the form's levels, from an incident time.

The due times are the service's ``timeline`` (the one source of due times,
shared with anything that tracks a live incident); this module only decides
which typed levels it can place: in order, up to a gap or a wait the service
has not accepted, so the preview never judges a wait itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from noc_console.i18n import _
from noc_console.screens.escalation.form import LEVELS, RowValues, field_key
from noc_console.services.escalation.dto import Contact
from noc_console.services.escalation.timeline import TimelineStep, timeline, timeline_text


class TimelinePlan(NamedTuple):
    """The arguments of ``TimelinePreview.show``: steps, the service's sentence, zone, note."""

    steps: tuple[TimelineStep, ...]
    sentence: str
    zone: str
    note: str


NO_CHAIN = TimelinePlan((), "", "—", "")


def preview_contacts(
    values: Mapping[int, RowValues], errors: Mapping[str, Sequence[str]]
) -> tuple[list[Contact], str]:
    """The levels the preview can place, up to a gap or a refused wait, and why it stopped.

    The wait is read only once the service accepted it (no 'levelN.delay_minutes'
    message), so this never decides what a valid wait is.
    """
    contacts: list[Contact] = []
    for level in LEVELS:
        row = values[level]
        if row.is_blank(level):
            if any(not values[n].is_blank(n) for n in LEVELS if n > level):
                return contacts, _(
                    "level {level} is not set: the levels after it are not shown"
                ).format(level=level)
            break
        delay = 0
        if level > 1:
            if field_key(level, "delay_minutes") in errors:
                return contacts, _("level {level}: fix the wait to see when it is reached").format(
                    level=level
                )
            try:
                delay = int(row.delay_minutes.strip())
            except ValueError:
                return contacts, ""
        contacts.append(Contact(level, row.name.strip() or "—", None, None, None, delay))
    return contacts, ""


def plan_timeline(
    values: Mapping[int, RowValues],
    errors: Mapping[str, Sequence[str]],
    *,
    zone: str,
    now: datetime,
    at: time | None,
) -> TimelinePlan:
    """The preview for an incident at ``at`` today (wall time in ``zone``), or now when unset."""
    local_now = now.astimezone(ZoneInfo(zone))
    note = ""
    if at is None:
        note = _("type the incident time as HH:MM; showing now")
        start = local_now
    else:
        start = datetime.combine(local_now.date(), at)  # naive: wall time in the customer's zone
    contacts, stop = preview_contacts(values, errors)
    if stop:
        note = f"{note}; {stop}" if note else stop
    steps = timeline(contacts, start, tz=zone)
    return TimelinePlan(steps, timeline_text(steps, tz=zone), zone, note)
