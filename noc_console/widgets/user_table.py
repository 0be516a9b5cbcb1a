"""The customer's portal users: who, which login, which preposto level, and their state in words.

The state comes from the service (``PortalUserInfo.state``); this module only
says it: "🔒 locked until 14:30", never a colour alone. Times are shown in the
customer's time zone, the one the person on the phone lives in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from noc_console.i18n import N_, _, format_datetime
from noc_console.services.customers import PortalUserInfo, UserState
from noc_console.services.escalation.timeline import customer_zone
from noc_console.widgets.cells import short_time
from noc_console.widgets.literal import literal
from noc_console.widgets.record_table import RecordTable

LINK_COLUMN = "link"


def user_state(user: PortalUserInfo, tz: str, now: datetime) -> Text:
    """The state in words with a symbol (the service decided which state it is)."""
    state = user.state
    text = Text(no_wrap=True, overflow="ellipsis")
    if state is UserState.ACTIVE:
        text.append("● ", style="green")
        text.append(_("active"))
    elif state is UserState.LOCKED and user.locked_until is not None:
        text.append("🔒 ", style="red")
        text.append(_("locked until {time}").format(time=short_time(user.locked_until, tz, now)))
    elif state is UserState.LOCKED:
        text.append("🔒 ", style="red")
        text.append(_("locked"))
    elif state is UserState.TEMPORARY_PASSWORD and user.temp_password_expires_at is not None:
        expires = user.temp_password_expires_at.astimezone(customer_zone(tz)).strftime(
            "%d/%m %H:%M"
        )
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
    return Text(format_datetime(user.password_changed_at, customer_zone(tz).key), no_wrap=True)


class UserTable(RecordTable[PortalUserInfo]):
    """One row per portal user; the cursor row is the user ``r`` resets.

    The newest reset link's delivery state is one more column (``show_links``).
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

    # Once a user of the customer has a reset link, its state takes the fifth place in a few
    # words ("↻ retry 2/5 14:10"). All six fit 120 columns even beside a vertical scrollbar
    # (104 + cell padding = 116); the line under the table says the selected user's name,
    # state and link in full.
    COLUMNS_WITH_LINK = (
        ("name", N_("Name"), 17),
        ("login", N_("Login"), 16),
        ("level", N_("Preposto"), 8),
        ("state", N_("State"), 21),
        (LINK_COLUMN, N_("Reset link"), 25),
        ("changed", N_("Password changed"), 17),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: dict[int, Text] = {}  # each user's reset-link state as last shown
        self._shown: tuple[Sequence[PortalUserInfo], str, datetime] | None = None

    def _ensure_columns(self) -> None:
        if self.columns or not self.links:
            super()._ensure_columns()
            return
        for key, label, width in self.COLUMNS_WITH_LINK:
            self.add_column(_(label), width=width, key=key)

    def show_users(
        self,
        users: Sequence[PortalUserInfo],
        tz: str,
        now: datetime,
        *,
        select: int | None = None,
    ) -> None:
        """Replace the rows, keeping the cursor on the same user (or on user ``select``)."""
        self._shown = (users, tz, now)
        self._ensure_columns()
        current = self.selected_user()
        wanted = select if select is not None else current.id if current else None
        self.clear()
        self.records = list(users)
        for user in users:
            cells = [
                literal(user.full_name),
                literal(user.login),
                Text(_("level {n}").format(n=user.preposto_level), no_wrap=True),
                user_state(user, tz, now),
                last_change(user, tz),
            ]
            if LINK_COLUMN in self.columns:
                cells.insert(4, self.links.get(user.id, Text("")))
            self.add_row(*cells, key=str(user.id))
        if wanted is not None:
            for row, user in enumerate(self.records):
                if user.id == wanted:
                    self.move_cursor(row=row, animate=False, scroll=True)
                    break

    def selected_user(self) -> PortalUserInfo | None:
        return self.record_at_cursor()

    def show_links(self, links: dict[int, Text]) -> None:
        """Say where each user's newest reset link stands: a column that appears once any
        user of the customer has one (a customer without links looks as before)."""
        self.links.clear()
        self.links.update(links)
        if LINK_COLUMN not in self.columns:
            if not links or self._shown is None:
                return
            current = self.selected_user()
            self.clear(columns=True)  # rebuilt with the link column, rows and cursor kept
            users, tz, now = self._shown
            self.show_users(users, tz, now, select=current.id if current else None)
            return
        for user in self.records:
            self.update_cell(str(user.id), LINK_COLUMN, links.get(user.id, Text("")))
