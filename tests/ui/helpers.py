"""Pilot helpers for the console's UI tests: build the app on a test database, read the screen."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, Static
from textual.widgets._footer import FooterKey
from textual.widgets._toggle_button import ToggleButton
from textual.worker import WorkerCancelled, WorkerState

from noc_console.app import NocApp, make_app
from noc_console.auth_settings import AuthSettings
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
    # No second factor unless a test asks for one (issue 15's tests pass ``auth=``).
    overrides.setdefault("auth", AuthSettings(require_totp=()))
    settings = load_settings(db_flag=url, lang_flag=lang)
    return settings.with_overrides(**overrides) if overrides else settings


def build_app(url: str, *, lang: str = "pt_BR", **overrides: Any) -> NocApp:
    return make_app(settings_for(url, lang=lang, **overrides), clock=FixedClock(), hasher=HASHER)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker finished and its messages were handled (results start workers)."""
    for _ in range(6):
        # An exclusive worker replaced by a newer one is cancelled: that is what the app wants.
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers
        ):
            return


async def settle_tables(pilot: Pilot[Any], budget: float = 5.0) -> None:
    """Wait until every table on screen has measured its columns (done when the app is idle:
    on a loaded machine a snapshot taken right after ``settle`` could catch them unmeasured)."""
    import time

    from textual.widgets import DataTable

    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        tables = list(pilot.app.screen.query(DataTable))
        if not any(t._require_update_dimensions for t in tables):
            break
        await pilot.pause(0.05)
    await pilot.pause()


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
        elif isinstance(widget, Button | ToggleButton):
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


# --------------------------------------------------------------------------- lookup, customer, lock
# (issue 4: navigation. Seeded data, DataTable text, debounce waits, key counting.)


def build_console(
    url: str,
    *,
    lang: str = "pt_BR",
    password_generator: Any = None,
    **overrides: Any,
) -> NocApp:
    """``build_app`` plus the app-level test seams (a fixed temporary-password generator)."""
    return make_app(
        settings_for(url, lang=lang, **overrides),
        clock=FixedClock(),
        hasher=HASHER,
        password_generator=password_generator,
    )


def seed_world(url: str) -> dict[str, int]:
    """Three customers reachable through different fields, and users in every state.

    * Padaria São João Ltda ("Pão Quente", 11.222.333/0001-81, active): six portal
      users (active, locked, temporary password, must change, expired, inactive),
      a three-level chain, one active and one inactive contract (CT-2024-000123).
    * Silva & Filhos Transportes Ltda (suspended): matches "silva" by its name.
    * Rede Fibra Sul S.A. (closed): matches "silva" by an escalation contact.

    Times are relative to FixedClock (2026-11-25 13:10 UTC = 10:10 in São Paulo).
    """
    from datetime import timedelta

    from noc_console.models import PortalUser
    from tests.support.factories import (
        make_chain,
        make_contract,
        make_customer,
        make_portal_user,
    )

    now = FixedClock().now()
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            padaria = make_customer(
                s, "Padaria São João Ltda", trade_name="Pão Quente", cnpj="11222333000181"
            )
            users: dict[str, PortalUser] = {}
            for login, name, level in (
                ("joao.silva", "João da Silva", 1),
                ("maria.souza", "Maria Souza", 2),
                ("pedro.alves", "Pedro Alves", 2),
                ("ana.costa", "Ana Costa", 3),
                ("carla.dias", "Carla Dias", 3),
                ("jose.inativo", "José Inativo", 3),
            ):
                users[login] = make_portal_user(
                    s, padaria, full_name=name, login=login, preposto_level=level
                )
            users["maria.souza"].locked_until = now + timedelta(minutes=20)
            users["maria.souza"].failed_login_count = 5
            users["pedro.alves"].must_change_password = True
            users["pedro.alves"].temp_password_expires_at = now + timedelta(hours=24)
            users["ana.costa"].must_change_password = True
            users["carla.dias"].must_change_password = True
            users["carla.dias"].temp_password_expires_at = now - timedelta(hours=1)
            users["jose.inativo"].is_active = False
            make_chain(s, padaria)
            make_contract(s, padaria, number="CT-2024-000123")
            make_contract(s, padaria, number="CT-2019-000042", status="inactive")
            silva = make_customer(
                s,
                "Silva & Filhos Transportes Ltda",
                trade_name="Transportes Silva",
                cnpj="11444777000161",
                status="suspended",
            )
            rede = make_customer(
                s, "Rede Fibra Sul S.A.", trade_name=None, cnpj="45723174000110", status="closed"
            )
            make_chain(s, rede, [("Marcos Silva", "+5551987654321", "marcos@fibrasul.com.br", 0)])
            ids = {
                "padaria": padaria.id,
                "silva": silva.id,
                "rede": rede.id,
                **{login: user.id for login, user in users.items()},
            }
    finally:
        engine.dispose()
    return ids


def table_rows(table: Any) -> list[str]:
    """Each row of a DataTable as one line of plain text, cells separated by ' | '."""
    rows: list[str] = []
    for index in range(table.row_count):
        cells = table.get_row_at(index)
        rows.append(" | ".join(_plain(cell).rstrip("\n") for cell in cells))
    return rows


async def settle_lookup(pilot: Pilot[Any], timeout: float = 5.0) -> None:
    """Wait for the lookup's debounce and query (and anything they started)."""
    import time

    deadline = time.monotonic() + timeout
    await pilot.pause(0.3)
    while time.monotonic() < deadline:
        await settle(pilot)
        if not getattr(pilot.app.screen, "searching", False):
            break
        await pilot.pause(0.05)
    await settle(pilot)


async def search_for(pilot: Pilot[Any], term: str, *, typed: bool = False) -> None:
    """Put ``term`` in the lookup's search box (set, or typed key by key) and wait for results."""
    box = pilot.app.screen.query_one("#search", Input)
    box.focus()
    if typed:
        box.value = ""
        await pilot.press(*term)
    else:
        box.value = term
    await settle_lookup(pilot)


class KeyCounter:
    """Presses keys through the pilot and counts them; typed text is not counted."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        """Typed text goes into the focused field at once (it is not what is counted)."""
        focused = self.pilot.app.focused
        assert isinstance(focused, Input), "type into a text field"
        focused.insert_text_at_cursor(text)
        await self.pilot.pause()


@contextlib.asynccontextmanager
async def logged_in(
    url: str, username: str = "alice", *, lang: str = "en", **options: Any
) -> AsyncIterator[Pilot[Any]]:
    """The console on ``url`` (``build_console`` options) at SIZE, ``username`` logged in."""
    app = build_console(url, lang=lang, **options)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, username)
        yield pilot


@contextlib.contextmanager
def read_session(url: str) -> Iterator[Session]:
    """A plain session on ``url`` for assertions; its engine is disposed afterwards."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
