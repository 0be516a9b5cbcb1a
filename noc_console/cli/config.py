"""``noc-console config``: where the console keeps its files, and the database in effect."""

from __future__ import annotations

import argparse
from pathlib import Path

from noc_console import config
from noc_console.cli.common import EXIT_OK, Commands, Run, command_group
from noc_console.config import ConfigError, Settings


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``config`` command and its actions."""
    cfg_actions = command_group(commands, "config", "where the console keeps its files")
    p = cfg_actions.add_parser(
        "path", parents=[db_after], help="show every path and the database URL in effect"
    )
    p.set_defaults(handler=cmd_config_path, logging=False)


def cmd_config_path(run: Run) -> int:
    from noc_console import db

    paths = config.app_paths()
    problem: ConfigError | None = None
    try:
        settings: Settings | None = run.settings()
    except ConfigError as err:
        settings, problem = None, err

    def state(path: Path, missing: str = "not created yet") -> str:
        return f"{path} ({'exists' if path.exists() else missing})"

    rows = [
        ("config file", state(paths.config_file, "not found")),
        ("data dir", state(paths.data_dir)),
        ("log dir", state(paths.log_dir)),
        ("log file", state(paths.log_file)),
        ("embedded database", state(paths.embedded_db)),
    ]
    if settings is None:
        rows.append(("database URL", "unknown: the configuration has an error"))
    else:
        embedded = ", embedded demo database" if settings.is_embedded else ""
        rows.append(
            (
                "database URL",
                f"{db.mask_url(settings.database_url)}"
                f" (source: {settings.database_source}{embedded})",
            )
        )
        rows.append(("mail goes to", settings.mail.where))
    width = max(len(name) for name, _ in rows) + 1
    for name, value in rows:
        print(f"{name + ':':<{width}} {value}")
    if problem is not None:
        raise problem
    return EXIT_OK
