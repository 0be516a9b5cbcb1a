"""Showing a seeding on the terminal: its progress bar and the demo logins it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from noc_console.demo import DemoReport


def print_logins(report: DemoReport, *, file: Any) -> None:
    """The demo logins and their passwords, one aligned line per operator."""
    width = max((len(username) for username, _role, _pw in report.operators), default=0)
    for username, role, password in report.operators:
        print(f"  {role:<11} {username:<{width}}  password: {password}", file=file)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, fed by the generator's (stage, done, total) callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:  # logs and pipes get the summary only
        yield lambda _stage, _done, _total: None
        return
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update
