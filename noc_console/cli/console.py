"""Opening the console: the command that runs when no command is given.

Its start-up time is benchmarked, so nothing heavy is imported before the
console itself (SQLAlchemy and Textual load inside ``launch``).
"""

from __future__ import annotations

from noc_console.cli.common import CliError, Run
from noc_console.cli.embedded import (
    create_embedded_demo,
    embedded_state,
    incomplete_demo,
    upgrade_embedded_if_behind,
)
from noc_console.config import Settings


def cmd_open(run: Run) -> int:
    """Open the console; the embedded demo database is made ready first when it is used."""
    settings = run.settings()
    if settings.is_embedded:
        state = embedded_state(settings.paths.embedded_db)
        if state == "incomplete":
            raise CliError(incomplete_demo(settings.paths.embedded_db))
        if state == "new":
            create_embedded_demo(settings)
        else:
            upgrade_embedded_if_behind(settings)
    # The console's connect worker reads the keyring itself, after the first paint:
    # reading it here would cost every start SQLAlchemy and keyring on the main thread.
    return launch(settings, db_password=None)


def launch(settings: Settings, *, db_password: str | None) -> int:
    """The only place the TUI starts (tests replace it)."""
    from noc_console.app import make_app

    app = make_app(settings, db_password=db_password)
    app.run()
    return int(app.return_code or 0)
