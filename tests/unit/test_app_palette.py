"""The app's palette entries: one table, filtered by login, audit right and current language."""

from __future__ import annotations

import pytest

from noc_console.runtime.palette import APP_ENTRIES, LANGUAGES, app_commands


def _ids(*, logged_in: bool, may_read_audit: bool, language: str) -> list[str]:
    commands = app_commands(logged_in=logged_in, may_read_audit=may_read_audit, language=language)
    return [command.id for command in commands]


@pytest.mark.parametrize(
    ("logged_in", "language", "expected"),
    [
        # Before login: help, the other language, theme and quit.
        (False, "pt_BR", ["app.help", "app.language.en", "app.theme", "app.quit"]),
        # A supervisor sees everything, in table order.
        (
            True,
            "en",
            [
                "app.help",
                "app.find_customer",
                "app.board",
                "app.audit_log",
                "app.language.pt_BR",
                "app.theme",
                "app.second_factor",
                "app.lock",
                "app.logout",
                "app.quit",
            ],
        ),
    ],
)
def test_entries_offered_in_table_order(
    logged_in: bool, language: str, expected: list[str]
) -> None:
    assert _ids(logged_in=logged_in, may_read_audit=True, language=language) == expected


def test_no_audit_entry_without_the_right() -> None:
    assert "app.audit_log" not in _ids(logged_in=True, may_read_audit=False, language="en")


def test_one_language_entry_per_language_each_running_its_switch() -> None:
    by_id = {entry.command.id: entry.command for entry in APP_ENTRIES}
    for code, title, help_text in LANGUAGES:
        command = by_id[f"app.language.{code}"]
        assert command.action == f"app.set_language('{code}')"
        assert (command.title, command.help) == (title, help_text)
    assert len({entry.command.id for entry in APP_ENTRIES}) == len(APP_ENTRIES)
