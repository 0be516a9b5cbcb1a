"""Pilot helpers for the console's UI tests: build the app on a test database, read the screen."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Static
from textual.widgets._footer import FooterKey
from textual.worker import WorkerState

from noc_console.app import NocApp, make_app
from noc_console.clock import FixedClock
from noc_console.config import Settings, load_settings
from noc_console.db import create_db_engine, session_factory
from noc_console.models import AuditEvent, Operator
from noc_console.services import audit
from noc_console.services.hashing import FAST_TEST_PARAMS, Hasher
from noc_console.services.operators import create_operator

HASHER = Hasher(FAST_TEST_PARAMS)
PASSWORD = "correct-horse-battery"
SIZE = (120, 40)


def add_operator(
    url: str,
    username: str = "alice",
    *,
    display_name: str = "Alice Souza",
    role: str = "supervisor",
    password: str = PASSWORD,
    active: bool = True,
) -> None:
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as session:
            info = create_operator(
                session,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                hasher=HASHER,
                clock=FixedClock(),
            )
            if not active:
                session.get_one(Operator, info.id).is_active = False
    finally:
        engine.dispose()


def add_audit(url: str, action: str) -> None:
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as session:
            audit.record(session, at=FixedClock().now(), action=action)
    finally:
        engine.dispose()


def count_audit(url: str, action: str) -> int:
    engine = create_db_engine(url)
    try:
        with session_factory(engine)() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
                )
                or 0
            )
    finally:
        engine.dispose()


def settings_for(url: str, *, lang: str = "pt_BR", **overrides: Any) -> Settings:
    settings = load_settings(db_flag=url, lang_flag=lang)
    return settings.with_overrides(**overrides) if overrides else settings


def build_app(url: str, *, lang: str = "pt_BR", **overrides: Any) -> NocApp:
    return make_app(settings_for(url, lang=lang, **overrides), clock=FixedClock(), hasher=HASHER)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker finished and its messages were handled (results start workers)."""
    for _ in range(6):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers
        ):
            return


async def log_in(
    pilot: Pilot[Any], username: str = "alice", password: str = PASSWORD, *, typed: bool = False
) -> None:
    """Fill the form and press enter in each field, as a person would.

    ``typed`` sends every character as a key press (slow: ~70 ms a key); the
    default sets the text and presses only the enters.
    """
    await settle(pilot)
    screen = pilot.app.screen
    for field_id, value in (("#username", username), ("#password", password)):
        field = screen.query_one(field_id, Input)
        field.focus()
        field.value = ""
        if typed:
            await pilot.press(*value)
        else:
            field.value = value
        await pilot.press("enter")
        await settle(pilot)


def _shown(widget: Widget) -> bool:
    node: Any = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def _plain(content: object) -> str:
    if isinstance(content, str | Text):
        return str(content)
    console = Console(width=SIZE[0], record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def screen_text(app: NocApp) -> str:
    """The words on the active screen (labels, buttons, footer), one widget per line."""
    parts: list[str] = []
    for widget in app.screen.query("*"):
        if not _shown(widget):
            continue
        if isinstance(widget, FooterKey):
            parts.append(f"{widget.key_display} {widget.description}")
        elif isinstance(widget, Button | Checkbox):
            parts.append(str(widget.label))
        elif isinstance(widget, Static):
            parts.append(_plain(widget.content))
        elif isinstance(widget, Input) and not widget.password:
            parts.append(widget.value or widget.placeholder)
    return "\n".join(parts)


def stable_copy(url: str, folder: Path, name: str = "portal.sqlite3") -> str:
    """Copy a fresh test database to a fixed file name (the screen shows the file name)."""
    import shutil

    from sqlalchemy.engine import make_url

    source = make_url(url).database
    assert source
    target = folder / name
    shutil.copyfile(source, target)
    return f"sqlite+pysqlite:///{target}"
