"""The Textual application: owns the database connection and the operator's session.

Shape (imitating posting and harlequin):

* ``make_app(settings)`` is the only way to build the app; tests use it too.
* The app connects in a thread worker (``_connect_worker``) and reports back
  with typed messages (``DatabaseReady`` / ``DatabaseFailed``); the UI thread
  never waits on the database. Screens run their own workers for their own
  work (login, and in issue 4 lookup, reset, ...) with the ``ServiceContext``
  the app hands them.
* Every binding has an id (``app.*``, ``login.*``, ...); ``settings.keymap``
  remaps them through ``App.set_keymap``.
* Language: gettext via ``noc_console.i18n``; a switch re-composes the screens
  (see ``NocScreen.relabel``).

Nothing here imports SQLAlchemy, Alembic or the database driver at module
level: they load inside the connect worker, after the first paint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.message import Message
from textual.theme import ThemeProvider

from noc_console import i18n
from noc_console.config import Settings
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, translate_bindings
from noc_console.screens.commands import ConsoleCommands, PaletteCommand
from noc_console.screens.help import HelpScreen
from noc_console.screens.login import LoginScreen
from noc_console.screens.session import (
    DatabaseProblem,
    DbConnected,
    DbConnecting,
    DbState,
    DbUnavailable,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from noc_console.clock import Clock
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.hashing import Hasher
    from noc_console.services.system import DatabaseInfo

log = logging.getLogger(__name__)


class DatabaseReady(Message):
    """The connect worker succeeded; ``attempt`` lets the app drop stale answers."""

    def __init__(self, attempt: int, ctx: ServiceContext, info: DatabaseInfo) -> None:
        super().__init__()
        self.attempt = attempt
        self.ctx = ctx
        self.info = info


class DatabaseFailed(Message):
    """The connect worker failed; ``message`` is one line with the password masked."""

    def __init__(self, attempt: int, message: str, *, needs_password: bool = False) -> None:
        super().__init__()
        self.attempt = attempt
        self.message = message
        self.needs_password = needs_password


class NocApp(App[None]):
    """The NOC console. Build it with ``make_app``."""

    COMMANDS: ClassVar[set[type[ConsoleCommands]]] = {ConsoleCommands}  # type: ignore[assignment]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
        Binding("question_mark,f1", "help", N_("Help"), id="app.help"),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            id="app.command_palette",
            priority=True,
            show=False,
        ),
        Binding("ctrl+l", "lock", N_("Lock"), id="app.lock"),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help_quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        hasher: Hasher | None = None,
        db_password: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.hasher = hasher
        self._db_password = db_password  # memory only: reused by reconnects, never written
        self.db_state: DbState = DbConnecting()
        self.principal: Principal | None = None
        self.last_input_at = time.monotonic()
        self._attempt = 0
        translate_bindings(self)
        self.set_keymap(dict(settings.keymap))

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self.title = _("NOC Console")
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            log.warning("unknown theme %r in the config; using the default", self.settings.theme)
        # Pushed over Textual's blank default screen, so later switch_screen() calls
        # (login -> main -> login) always replace a pushed screen.
        self.push_screen(LoginScreen(self.db_state, read_only=self.settings.read_only))
        self.connect(self._db_password)

    def on_unmount(self) -> None:
        if isinstance(self.db_state, DbConnected):
            self.db_state.ctx.engine.dispose()

    # ------------------------------------------------------------------ database connection

    def connect(self, db_password: str | None = None) -> None:
        """Start (or restart) the connection attempt; the answer comes back as a message."""
        self._attempt += 1
        self._set_db_state(DbConnecting())
        self._connect_worker(self._attempt, db_password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def _connect_worker(self, attempt: int, db_password: str | None) -> None:
        from noc_console.services.errors import DatabaseUnavailable

        try:
            from noc_console import db, secrets
            from noc_console.services import system
            from noc_console.services.hashing import Hasher

            url = self.settings.database_url
            db.parse_url(url)  # a malformed URL is a DatabaseUnavailable, not a crash
            password = db_password or secrets.get_db_password(url)
            ctx = system.open_database(
                url,
                password=password,
                statement_timeout_ms=self.settings.statement_timeout_ms,
                clock=self.clock,
                hasher=self.hasher or Hasher(self.settings.argon2),
                read_only=self.settings.read_only,
                portal_reset_url=self.settings.portal_reset_url,
            )
            try:
                info = system.describe_database(ctx)
            except BaseException:
                ctx.engine.dispose()
                raise
        except DatabaseUnavailable as err:
            self.post_message(DatabaseFailed(attempt, str(err), needs_password=err.needs_password))
        except Exception as err:  # noqa: BLE001 - one line on screen, details by type in the log
            log.error("unexpected error while connecting: %s", type(err).__name__)
            self.post_message(
                DatabaseFailed(
                    attempt,
                    _("unexpected error ({kind}); see the log file").format(
                        kind=type(err).__name__
                    ),
                )
            )
        else:
            self.post_message(DatabaseReady(attempt, ctx, info))

    @work(thread=True, exit_on_error=False, group="dispose")
    def _dispose_worker(self, engine: Engine) -> None:
        engine.dispose()

    @on(DatabaseReady)
    def _database_ready(self, message: DatabaseReady) -> None:
        if message.attempt != self._attempt:
            self._dispose_worker(message.ctx.engine)
            return
        previous = self.db_state
        if isinstance(previous, DbConnected) and previous.ctx is not message.ctx:
            self._dispose_worker(previous.ctx.engine)
        log.info("connected to %s (demo=%s)", message.info.masked_url, message.info.is_demo)
        self._set_db_state(DbConnected(message.ctx, message.info))

    @on(DatabaseFailed)
    def _database_failed(self, message: DatabaseFailed) -> None:
        if message.attempt != self._attempt:
            return
        log.warning("database unavailable: %s", message.message)
        self._set_db_state(DbUnavailable(message.message, message.needs_password))

    def _set_db_state(self, state: DbState) -> None:
        self.db_state = state
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.show_database(state)

    @on(LoginScreen.RetryRequested)
    def _retry(self, message: LoginScreen.RetryRequested) -> None:
        if message.db_password:
            self._db_password = message.db_password
        self.connect(self._db_password)

    def notify_db_unavailable(self, message: str) -> None:
        """Seam for issue 4's "database unavailable — retrying" banner; a toast for now."""
        log.warning("database problem reported by a screen: %s", message)
        self.notify(message, title=_("Database unavailable"), severity="error")

    @on(DatabaseProblem)
    def _database_problem(self, message: DatabaseProblem) -> None:
        self.notify_db_unavailable(message.message)

    # ------------------------------------------------------------------ session

    @on(LoginScreen.LoggedIn)
    async def _logged_in(self, message: LoginScreen.LoggedIn) -> None:
        from noc_console.screens.main import MainScreen

        state = self.db_state
        if not isinstance(state, DbConnected):
            return
        principal = message.principal
        self.principal = principal
        log.info("login operator=%s role=%s", principal.username, principal.role.value)
        await self._close_modals()
        await self.switch_screen(
            MainScreen(state.ctx, principal, state.info, read_only=self.settings.read_only)
        )
        self.refresh_bindings()

    async def _close_modals(self) -> None:
        """Pop help, palette and dialogs so the next switch replaces the console screen itself."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, NocScreen):
            await self.pop_screen()

    async def action_lock(self) -> None:
        """For now: log out to the login screen (issue 4 replaces it with a real lock screen)."""
        principal = self.principal
        if principal is None:
            return
        self.principal = None
        log.info("logout operator=%s reason=lock", principal.username)
        if isinstance(self.db_state, DbConnected):
            self._record_logout(self.db_state.ctx, principal)
        await self._close_modals()
        await self.switch_screen(
            LoginScreen(
                self.db_state, username=principal.username, read_only=self.settings.read_only
            )
        )
        self.refresh_bindings()

    @work(thread=True, exit_on_error=False, group="audit")
    def _record_logout(self, ctx: ServiceContext, principal: Principal) -> None:
        from noc_console.services import system
        from noc_console.services.errors import DatabaseUnavailable

        try:
            system.record_logout(ctx, principal, reason="lock")
        except DatabaseUnavailable as err:
            log.warning("logout of %s not audited: %s", principal.username, err)

    def note_activity(self) -> None:
        """Seam for issue 4's idle lock: every key, click or scroll lands here."""
        self.last_input_at = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event,
            events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp,
        ):
            self.note_activity()
        await super().on_event(event)

    def _who(self) -> str:
        return self.principal.username if self.principal else "-"

    async def action_quit(self) -> None:
        log.info("quit operator=%s", self._who())
        await super().action_quit()

    # ------------------------------------------------------------------ keys, help, palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lock":
            return self.principal is not None
        return True

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def action_change_theme(self) -> None:
        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
        )

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """The app's own palette entries; screens add theirs with the same method."""
        yield PaletteCommand(
            "app.help", N_("Help: keys of this screen"), N_("List every key"), "app.help"
        )
        if i18n.current_language() != "en":
            yield PaletteCommand(
                "app.language.en",
                N_("Language: English"),
                N_("Show the console in English"),
                "app.set_language('en')",
            )
        if i18n.current_language() != "pt_BR":
            yield PaletteCommand(
                "app.language.pt_BR",
                N_("Language: Português (Brasil)"),
                N_("Show the console in Brazilian Portuguese"),
                "app.set_language('pt_BR')",
            )
        yield PaletteCommand(
            "app.theme", N_("Switch theme"), N_("Choose the colour theme"), "app.change_theme"
        )
        if self.principal is not None:
            yield PaletteCommand(
                "app.lock",
                N_("Lock (log out)"),
                N_("Go back to the login screen"),
                "app.lock",
            )
        yield PaletteCommand("app.quit", N_("Quit"), N_("Close the console"), "app.quit")

    async def action_set_language(self, lang: str) -> None:
        """Switch the UI language now: re-translate bindings and re-compose every screen."""
        code = i18n.set_language(lang)
        log.info("language operator=%s lang=%s", self._who(), code)
        self.title = _("NOC Console")
        translate_bindings(self)
        for screen in list(self.screen_stack):
            if isinstance(screen, NocScreen):
                await screen.relabel()
        self.refresh_bindings()


def make_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    hasher: Hasher | None = None,
    db_password: str | None = None,
) -> NocApp:
    """Build the console: language first (so the first screen is composed in it), then the app."""
    i18n.set_language(i18n.detect_language(settings.lang))
    return NocApp(settings, clock=clock, hasher=hasher, db_password=db_password)
