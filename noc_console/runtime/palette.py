"""The app's own palette entries, as one table; screens add theirs with ``palette_commands()``.

Each row says who sees it; the language rows are made from ``LANGUAGES``, one
row per language the console speaks, offered unless it is the current one.
Imported when the palette first opens (it needs the palette's module).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from noc_console.i18n import N_
from noc_console.screens.commands import PaletteCommand


class Shown(Enum):
    """When an app entry is offered."""

    ALWAYS = "always"
    LOGGED_IN = "logged_in"
    AUDIT_READER = "audit_reader"
    """Logged in with the right to read the audit log."""
    OTHER_LANGUAGE = "other_language"
    """The entry switches to a language that is not the current one."""


@dataclass(frozen=True)
class AppEntry:
    shown: Shown
    command: PaletteCommand
    language: str = ""
    """For OTHER_LANGUAGE rows: the language the entry switches to."""


LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("en", N_("Language: English"), N_("Show the console in English")),
    ("pt_BR", N_("Language: Português (Brasil)"), N_("Show the console in Brazilian Portuguese")),
)
"""(code, title msgid, help msgid) of every language the console can switch to."""


APP_ENTRIES: tuple[AppEntry, ...] = (
    AppEntry(
        Shown.ALWAYS,
        PaletteCommand(
            "app.help", N_("Help: keys of this screen"), N_("List every key"), "app.help"
        ),
    ),
    AppEntry(
        Shown.LOGGED_IN,
        PaletteCommand(
            "app.find_customer",
            N_("Find customer"),
            N_("Go to the lookup and type a name, CNPJ, login, contract or phone"),
            "app.find_customer",
        ),
    ),
    AppEntry(
        Shown.LOGGED_IN,
        PaletteCommand(
            "app.board",
            N_("Escalation runs board"),
            N_("Every open escalation run, what is due next first (f2)"),
            "app.board",
        ),
    ),
    AppEntry(
        Shown.AUDIT_READER,
        PaletteCommand(
            "app.audit_log",
            N_("Audit log"),
            N_("Read the whole audit log (supervisors)"),
            "app.open_audit_log",
        ),
    ),
    *(
        AppEntry(
            Shown.OTHER_LANGUAGE,
            PaletteCommand(f"app.language.{code}", title, help, f"app.set_language('{code}')"),
            language=code,
        )
        for code, title, help in LANGUAGES
    ),
    AppEntry(
        Shown.ALWAYS,
        PaletteCommand(
            "app.theme", N_("Switch theme"), N_("Choose the colour theme"), "app.change_theme"
        ),
    ),
    AppEntry(
        Shown.LOGGED_IN,
        PaletteCommand(
            "app.second_factor",
            N_("Set up my second factor"),
            N_("A new phone or authenticator app: scan a new QR code (replaces the old one)"),
            "app.enrol_second_factor",
        ),
    ),
    AppEntry(
        Shown.LOGGED_IN,
        PaletteCommand(
            "app.lock",
            N_("Lock"),
            N_("Hide the screen until your password is typed again"),
            "app.lock",
        ),
    ),
    AppEntry(
        Shown.LOGGED_IN,
        PaletteCommand(
            "app.logout",
            N_("Log out"),
            N_("End your session and go back to the login screen"),
            "app.logout",
        ),
    ),
    AppEntry(
        Shown.ALWAYS, PaletteCommand("app.quit", N_("Quit"), N_("Close the console"), "app.quit")
    ),
)


def app_commands(*, logged_in: bool, may_read_audit: bool, language: str) -> list[PaletteCommand]:
    """The app's entries offered now, in table order."""
    offered = {
        Shown.ALWAYS: True,
        Shown.LOGGED_IN: logged_in,
        Shown.AUDIT_READER: logged_in and may_read_audit,
    }
    return [
        entry.command
        for entry in APP_ENTRIES
        if (
            entry.language != language
            if entry.shown is Shown.OTHER_LANGUAGE
            else offered[entry.shown]
        )
    ]
