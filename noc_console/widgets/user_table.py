"""The customer's portal users: who, which login, which preposto level, and their state in words.

The state comes from the service (``PortalUserInfo.state``); this module only
says it: "🔒 locked until 14:30", never a colour alone. Times are shown in the
customer's time zone, the one the person on the phone lives in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.text import Text

from noc_console.i18n import N_, _, format_datetime
from noc_console.services.customers import PortalUserInfo, UserState
from noc_console.widgets.literal import literal
from noc_console.widgets.record_table import RecordTable

DEFAULT_TZ = "America/Sao_Paulo"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def _when(value: datetime, tz: str, now: datetime) -> str:
    """'14:30' today (in the zone), '26/11 14:30' on another day."""
    zone = _zone(tz)
    local = value.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def user_state(user: PortalUserInfo, tz: str, now: datetime) -> Text:
    """The state in words with a symbol (the service decided which state it is)."""
    state = user.state
    text = Text(no_wrap=True, overflow="ellipsis")
    if state is UserState.ACTIVE:
        text.append("● ", style="green")
        text.append(_("active"))
    elif state is UserState.LOCKED and user.locked_until is not None:
        text.append("🔒 ", style="red")
        text.append(_("locked until {time}").format(time=_when(user.locked_until, tz, now)))
    elif state is UserState.LOCKED:
        text.append("🔒 ", style="red")
        text.append(_("locked"))
    elif state is UserState.TEMPORARY_PASSWORD and user.temp_password_expires_at is not None:
        expires = user.temp_password_expires_at.astimezone(_zone(tz)).strftime("%d/%m %H:%M")
        text.append("⏳ ", style="yellow")
        text.append(_("temporary password expires {when}").format(when=expires))
    elif state in (UserState.TEMPORARY_PASSWORD, UserState.TEMPORARY_EXPIRED):
        text.append("✖ ", style="red")
        text.append(_("temporary password expired"))
    elif state is UserState.MUST_CHANGE:
        text.append("⚠ ", style="yellow")
        text.append(_("must change password"))
    elif state is UserState.INACTIVE:
        text.append("○ ", style="dim")
        text.append(_("inactive"))
    else:  # a state added to the service later: say it as the service names it
        text.append("? " + str(state))
    return text


def last_change(user: PortalUserInfo, tz: str) -> Text:
    if user.password_changed_at is None:
        return Text(_("never"), style="dim")
    return Text(format_datetime(user.password_changed_at, _zone(tz).key), no_wrap=True)


class UserTable(RecordTable[PortalUserInfo]):
    """One row per portal user; the cursor row is the user ``r`` resets.

    Issue #14's reset-link delivery state is one more column (and cell) here.
    """

    # 108 columns + cell padding: fits 120 with the screen's padding and a scrollbar;
    # the state gets the room ("⏳ temporary password expires 26/11 10:10").
    COLUMNS = (
        ("name", N_("Name"), 22),
        ("login", N_("Login"), 17),
        ("level", N_("Preposto"), 8),
        ("state", N_("State"), 42),
        ("changed", N_("Password changed"), 19),
    )

    def show_users(
        self,
        users: Sequence[PortalUserInfo],
        tz: str,
        now: datetime,
        *,
        select: int | None = None,
    ) -> None:
        """Replace the rows, keeping the cursor on the same user (or on user ``select``)."""
        self._ensure_columns()
        current = self.selected_user()
        wanted = select if select is not None else current.id if current else None
        self.clear()
        self.records = list(users)
        for user in users:
            self.add_row(
                literal(user.full_name),
                literal(user.login),
                Text(_("level {n}").format(n=user.preposto_level), no_wrap=True),
                user_state(user, tz, now),
                last_change(user, tz),
                key=str(user.id),
            )
        if wanted is not None:
            for row, user in enumerate(self.records):
                if user.id == wanted:
                    self.move_cursor(row=row, animate=False, scroll=True)
                    break

    def selected_user(self) -> PortalUserInfo | None:
        return self.record_at_cursor()
