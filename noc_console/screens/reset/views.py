"""What the reset wizard says, built from the service's DTOs (no query, no state).

Kept apart from the screen so the screen only moves between steps and runs
workers, and so every sentence the analyst reads before committing to a reset
can be tested on its own. All user/DB text goes through ``printable`` into Rich
``Text``: nothing here is ever parsed as markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from noc_console.i18n import _, format_datetime, format_time, ngettext
from noc_console.screens.reset.state import NO_EMAIL, ResetForm, link_possible, no_resets_line
from noc_console.services.mailer import LinkStatus
from noc_console.services.password_reset import ResetMethod, ResetPreview, ResetResult
from noc_console.widgets.link_state import link_state_text
from noc_console.widgets.literal import printable


def title_text(preview: ResetPreview) -> Text:
    return Text.assemble(
        (_("Password reset") + " — ", "bold"),
        (printable(preview.full_name), "bold"),
        f" ({printable(preview.login)}) · ",
        printable(preview.company_name),
    )


def state_text(preview: ResetPreview) -> Text:
    """The user's state in words and symbols: '● active · 🔒 locked until 10:20 · …'."""
    parts = ["● " + _("active") if preview.is_active else "✖ " + _("deactivated")]
    if preview.locked_until is not None:
        parts.append(
            "🔒 " + _("locked until {time}").format(time=format_time(preview.locked_until))
        )
    if preview.failed_login_count:
        parts.append(
            ngettext("{n} failed login", "{n} failed logins", preview.failed_login_count).format(
                n=preview.failed_login_count
            )
        )
    if preview.must_change_password:
        if preview.temp_password_expires_at is not None:
            parts.append(
                "⚠ "
                + _("temporary password expires {when}").format(
                    when=format_datetime(preview.temp_password_expires_at)
                )
            )
        else:
            parts.append("⚠ " + _("must change password"))
    parts.append(
        ngettext("{n} active session", "{n} active sessions", preview.active_sessions).format(
            n=preview.active_sessions
        )
    )
    return Text(" · ".join(parts))


def identity_card(preview: ResetPreview) -> Table:
    """Who is on record, to compare with what the caller says."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(
        _("Name"),
        Text.assemble(
            (printable(preview.full_name), "bold"),
            "   " + _("login") + " ",
            (printable(preview.login), "bold"),
        ),
    )
    company = Text(printable(preview.company_name), style="bold")
    if preview.legal_name != preview.company_name:
        company.append(f" — {printable(preview.legal_name)}", style="not bold")
    grid.add_row(_("Company"), company)
    grid.add_row(_("CNPJ"), Text(printable(preview.cnpj_formatted), style="bold"))
    grid.add_row(
        _("Phone on record"),
        Text(printable(preview.phone_formatted))
        if preview.phone_formatted
        else Text(_("none"), style="italic"),
    )
    grid.add_row(_("E-mail"), Text(printable(preview.email_masked)))
    grid.add_row(_("State"), state_text(preview))
    return grid


def option_labels(preview: ResetPreview) -> dict[str, str]:
    """Label of each checkbox / radio button of the wizard, by widget id (plain text)."""
    return {**_check_labels(preview), **_method_labels(preview), **_extra_labels(preview)}


def _check_labels(preview: ResetPreview) -> dict[str, str]:
    """The identity checks, naming what the caller must confirm."""
    return {
        "check-name": _("The caller's name matches {name}").format(
            name=printable(preview.full_name)
        ),
        "check-cnpj": _("The caller confirmed the company's CNPJ {cnpj}").format(
            cnpj=printable(preview.cnpj_formatted)
        ),
        "check-callback": (
            _("Called back the number on record {phone} (optional)").format(
                phone=printable(preview.phone_formatted)
            )
            if preview.phone_formatted
            else _("Call-back not possible: no phone number on record")
        ),
    }


def _method_labels(preview: ResetPreview) -> dict[str, str]:
    """The three methods, with the TTLs and the masked e-mail address."""
    hours = preview.temp_password_ttl_hours
    minutes = preview.reset_token_ttl_minutes
    return {
        "method-temporary": ngettext(
            "Temporary password, read to the caller (valid {n} hour; changed at the next login)",
            "Temporary password, read to the caller (valid {n} hours; changed at the next login)",
            hours,
        ).format(n=hours),
        "method-link": (
            ngettext(
                "Reset link to the registered e-mail {email} (valid {n} minute)",
                "Reset link to the registered e-mail {email} (valid {n} minutes)",
                minutes,
            ).format(email=printable(preview.email_masked), n=minutes)
            if link_possible(preview)
            else _("Reset link: not possible, no e-mail address on record")
        ),
        "method-unlock": _("Unlock only (the password stays the same)"),
    }


def _extra_labels(preview: ResetPreview) -> dict[str, str]:
    """The unlock and end-sessions options, saying what stands now."""
    sessions = preview.active_sessions
    unlock = (
        _("Unlock the account (now 🔒 locked until {time})").format(
            time=format_time(preview.locked_until)
        )
        if preview.locked_until is not None
        else _("Unlock the account and clear failed logins (not locked now)")
    )
    return {
        "opt-unlock": unlock,
        "opt-sessions": ngettext(
            "End the user's portal sessions ({n} active)",
            "End the user's portal sessions ({n} active)",
            sessions,
        ).format(n=sessions),
    }


def rate_text(preview: ResetPreview) -> Text:
    """Resets left this hour, or when the next one is possible."""
    if preview.resets_left_this_hour > 0:
        return Text(
            _("Resets left for this user this hour: {left} of {total}").format(
                left=preview.resets_left_this_hour, total=preview.max_resets_per_hour
            )
        )
    return Text("⛔ " + no_resets_line(preview), style="bold")


def consequences(preview: ResetPreview, form: ResetForm) -> list[str]:
    """What confirming will do, one sentence per effect."""
    lines: list[str] = []
    if form.method is ResetMethod.TEMPORARY_PASSWORD:
        lines.append(
            ngettext(
                "a temporary password valid for {n} hour is created and shown to you once,"
                " to read to the caller; the customer must change it at the next login",
                "a temporary password valid for {n} hours is created and shown to you once,"
                " to read to the caller; the customer must change it at the next login",
                preview.temp_password_ttl_hours,
            ).format(n=preview.temp_password_ttl_hours)
        )
    elif form.method is ResetMethod.RESET_LINK:
        lines.append(
            ngettext(
                "a reset link valid for {n} minute is e-mailed to {email}; earlier links stop"
                " working",
                "a reset link valid for {n} minutes is e-mailed to {email}; earlier links stop"
                " working",
                preview.reset_token_ttl_minutes,
            ).format(n=preview.reset_token_ttl_minutes, email=printable(preview.email_masked))
        )
    else:
        lines.append(_("the password is not changed"))
    if form.unlock:
        lines.append(_("the account is unlocked and its failed logins are cleared"))
    else:
        lines.append(_("the account is not unlocked"))
    if form.end_sessions and preview.active_sessions == 0:
        lines.append(_("the user has no active portal session to end"))
    elif form.end_sessions:
        lines.append(
            ngettext(
                "{n} active portal session is ended",
                "{n} active portal sessions are ended",
                preview.active_sessions,
            ).format(n=preview.active_sessions)
        )
    else:
        lines.append(_("the user's portal sessions are kept"))
    lines.append(_("one audit event records the ticket, the reason and the checks"))
    return lines


def bullets(lines: list[str]) -> Table:
    """A list whose wrapped lines stay indented under their bullet."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=3, justify="right")
    table.add_column(ratio=1)
    for line in lines:
        table.add_row("•", Text(line))
    return table


def closing_text(preview: ResetPreview, *, read_only: bool, confirm: str, back: str) -> Text:
    """The summary's last line: why confirming is not possible, or which key confirms."""
    if read_only:
        return Text(
            _("Read-only mode: this reset cannot be confirmed in this session."), style="bold"
        )
    if preview.resets_left_this_hour <= 0:
        return rate_text(preview)
    return Text(
        _(
            "Nothing has been changed yet. Press {confirm} (or the Confirm reset"
            " button) to apply it; {back} goes back."
        ).format(confirm=confirm, back=back),
        style="bold",
    )


def summary_text(preview: ResetPreview, form: ResetForm, closing: Text) -> Group:
    """Step (c): who, which company, what will happen, on which ticket; then ``closing``."""
    head = Text()
    head.append(_("You are about to reset the portal access of") + "\n")
    head.append(f"  {printable(preview.full_name)}", style="bold")
    head.append(f" ({printable(preview.login)})\n")
    head.append(f"  {printable(preview.company_name)}", style="bold")
    head.append("  " + _("CNPJ") + f" {printable(preview.cnpj_formatted)}\n\n")
    head.append(_("What will happen:"), style="bold")
    checks = form.checks
    marks = [
        ("✔ " if checks.name_matches else "✖ ") + _("name"),
        ("✔ " if checks.cnpj_confirmed else "✖ ") + _("CNPJ"),
        ("✔ " if checks.callback_done else "✖ ") + _("call-back"),
    ]
    tail = Text("\n")
    tail.append(_("Identity checked:") + " ", style="dim")
    tail.append("  ".join(marks) + "\n")
    tail.append(_("Ticket:") + " ", style="dim")
    tail.append(printable(form.ticket_ref.strip()) + "\n")
    tail.append(_("Reason:") + " ", style="dim")
    tail.append(printable(form.reason.strip()) + "\n\n")
    tail.append_text(closing)
    return Group(head, bullets(consequences(preview, form)), tail)


def result_text(result: ResetResult, link_ttl_minutes: int | None, tz: str) -> Text:
    """Step (d) headline: what was done. Never contains the password.

    The reset link's delivery state follows in its own line (``link_text``); the link's
    times are in the customer's zone ``tz``, as that line and the Users tab say them.
    """
    name = printable(result.full_name)
    login = printable(result.login)
    text = Text()
    if result.method is ResetMethod.TEMPORARY_PASSWORD:
        text.append(
            "✔ "
            + _("Temporary password created for {name} ({login}).").format(name=name, login=login),
            style="bold",
        )
        expires = result.temp_password_expires_at
        text.append("\n")
        text.append(
            _(
                "Read it to the caller now: it is shown only once. It is valid until {when},"
                " and the customer must change it at the next login."
            ).format(when=format_datetime(expires) if expires else "—")
        )
    elif result.method is ResetMethod.RESET_LINK:
        expires = result.link_expires_at
        text.append(
            "✔ "
            + _(
                "A reset link was queued to {email}; it is valid for {minutes} min (until {when})."
            ).format(
                email=printable(result.email_masked or NO_EMAIL),
                minutes=link_ttl_minutes if link_ttl_minutes is not None else "?",
                when=format_time(expires, tz) if expires else "—",
            ),
            style="bold",
        )
        text.append("\n")
        text.append(
            _(
                "You never see the link: the customer opens it from the e-mail and chooses a"
                " new password on the portal."
            )
        )
    else:
        text.append(
            "✔ "
            + _("The account of {name} ({login}) was unlocked.").format(name=name, login=login),
            style="bold",
        )
    status: list[str] = []
    if result.method is not ResetMethod.UNLOCK_ONLY:
        status.append(_("account unlocked") if result.unlocked else _("account not unlocked"))
    status.append(
        ngettext(
            "{n} portal session ended", "{n} portal sessions ended", result.sessions_ended
        ).format(n=result.sessions_ended)
    )
    text.append("\n")
    text.append(" · ".join(status), style="dim")
    return text


def link_text(status: LinkStatus | None, *, tz: str, now: datetime, reissue: str | None) -> Text:
    """Under the result: where the link stands, and the re-issue key once it failed."""
    text = Text(_("E-mail:") + " ", style="bold")
    if status is None:
        text.append(_("waiting for the mailer…"))
        return text
    text.append_text(link_state_text(status, tz=tz, now=now))
    if reissue is not None:
        text.append("\n")
        text.append(
            _(
                "{key} re-issues the link: a new one is queued and the failed one stops working."
            ).format(key=reissue),
            style="dim",
        )
    return text


def result_hint(result: ResetResult, *, copy: str, done: str) -> tuple[str, Text]:
    """The "done" button's label and the hint under the password (empty without one)."""
    if not result.temporary_password:
        return _("Close"), Text("")
    hint = _(
        "The dashes are part of the password. {copy} copies it (the clipboard is"
        " cleared when you close). Press {done} or the button when you have read it"
        " to the customer: after that it cannot be shown again."
    ).format(copy=copy, done=done)
    return _("I have read it to the customer"), Text(hint)
