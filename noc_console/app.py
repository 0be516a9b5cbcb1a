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
* Idle lock: a timer compares ``monotonic()`` with the last key/click; the
  ``LockScreen`` goes on top of everything and, while it is there, the app
  refuses every action but help and quit, and holds back any screen a worker
  tries to open or close underneath (``push_screen``/``pop_screen``).
* Database outages: any screen posts ``DatabaseProblem``; the app puts a
  banner on every screen, re-checks the connection in a worker every few
  seconds and removes the banners by itself when the database answers.

Nothing here imports SQLAlchemy, Alembic or the database driver at module
level: they load inside the connect worker, after the first paint. Only the
login screen is imported with this module; every other screen (help, lock,
palette commands, the lookup and what opens from it) is imported when it is
first opened, so start-up pays for the first screen only (issue 5).

* Garbage collector: ``noc_console.gc_policy`` (why and when, there); the app
  calls it on load, when the database is ready, after login, after each screen
  change, on its idle tick and at exit.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.timer import Timer

from noc_console import i18n
from noc_console.config import Settings
from noc_console.errors import DatabaseUnavailable
from noc_console.gc_policy import GcPolicy
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, translate_bindings
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
    from textual.command import Provider

    from noc_console.clock import Clock
    from noc_console.screens.commands import PaletteCommand
    from noc_console.screens.lock import LockScreen
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.hashing import Hasher
    from noc_console.services.policy import PasswordPolicyDTO
    from noc_console.services.system import DatabaseInfo
    from noc_console.widgets.session_bar import SessionView

    PasswordGenerator = Callable[[PasswordPolicyDTO], str]

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


class DatabaseAnswered(Message):
    """The connection check after an outage succeeded."""


class DatabaseStillDown(Message):
    """The connection check failed; ``message`` is one line, password masked."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


# While the lock screen is up, the only app actions that run (everything else is refused).
_ALLOWED_WHILE_LOCKED = frozenset(
    {"quit", "help", "help_quit", "focus_next", "focus_previous", "bell"}
)


def _console_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (Textual takes callables)."""
    from noc_console.screens.commands import ConsoleCommands

    return ConsoleCommands


def _lock_screen_type() -> type[LockScreen] | None:
    """``LockScreen`` if its module was ever imported; before that no lock screen can exist.

    ``is_locked`` runs for every binding check from the first paint on: asking
    ``sys.modules`` keeps the lock screen's import out of start-up.
    """
    module = sys.modules.get("noc_console.screens.lock")
    lock_screen: type[LockScreen] | None = getattr(module, "LockScreen", None)
    return lock_screen


def _is_help_screen(screen: object) -> bool:
    """Whether ``screen`` is the help screen (same reasoning as ``_lock_screen_type``)."""
    module = sys.modules.get("noc_console.screens.help")
    help_screen = getattr(module, "HelpScreen", None)
    return help_screen is not None and isinstance(screen, help_screen)


def _nothing() -> AwaitComplete:
    """An already-finished awaitable: what a held-back push or pop returns to its caller."""
    done: AwaitComplete = AwaitComplete.nothing()  # type: ignore[no-untyped-call]
    return done


class NocApp(App[None]):
    """The NOC console. Build it with ``make_app``."""

    CSS_PATH = "screens/login.tcss"
    """The login screen's stylesheet, loaded with the app's own CSS. A screen's CSS_PATH
    makes Textual re-parse every stylesheet loaded so far when the screen is first shown;
    for the first screen that re-parse is on the way to the first paint (issue 5). The
    rules are the same either way: a screen's CSS, once loaded, applies app-wide."""

    IDLE_CHECK_SECONDS: ClassVar[float] = 1.0
    """How often the idle lock looks at the time since the last key or click."""
    DB_RETRY_SECONDS: ClassVar[float] = 3.0
    """While the database is unavailable: how often the connection is tried again."""
    HEALTH_CHECK_SECONDS: ClassVar[float] = 30.0
    """While logged in: how often the app checks the database on its own."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_console_commands}
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
        # priority: locks from inside dialogs too (an operator may walk away from a wizard)
        Binding("ctrl+l", "lock", N_("Lock"), id="app.lock", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help_quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        hasher: Hasher | None = None,
        db_password: str | None = None,
        password_generator: PasswordGenerator | None = None,
        gc_policy: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.hasher = hasher
        self.password_generator = password_generator
        """Makes temporary passwords in the reset wizard; None = the service's generator.
        Tests and snapshots pass a fixed one."""
        self._db_password = db_password  # memory only: reused by reconnects, never written
        self.db_state: DbState = DbConnecting()
        self.principal: Principal | None = None
        self.monotonic: Callable[[], float] = time.monotonic
        """The idle lock's clock (a seam: tests move it instead of waiting minutes)."""
        self.last_input_at = self.monotonic()
        self.db_problem: str | None = None
        """Why the database is unavailable (the banner shows it), or None when it answers."""
        self._retry_timer: Timer | None = None
        # Held back while locked, replayed on unlock: closes first (they were meant for
        # screens already under the lock), then opens.
        self._held_pops = 0
        self._held_pushes: list[Callable[[], object]] = []
        self._unlocking = False
        self._attempt = 0
        self.gc_policy = GcPolicy(enabled=gc_policy, monotonic=time.monotonic)
        """The garbage-collector settings of this app (noc_console.gc_policy)."""
        translate_bindings(self)
        self.set_keymap(dict(settings.keymap))

    # ------------------------------------------------------------------ start-up

    def on_load(self) -> None:
        # Before the first screen is composed: no full collection on the way to the first
        # paint either (a 15-25 ms one landed there in about half of the starts measured).
        self.gc_policy.started()

    def on_mount(self) -> None:
        self.title = _("NOC Console")
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            log.warning("unknown theme %r in the config; using the default", self.settings.theme)
        # Pushed over Textual's blank default screen, so later switch_screen() calls
        # (login -> main -> login) always replace a pushed screen.
        self.push_screen(LoginScreen(self.db_state, read_only=self.settings.read_only))
        # After the first paint: the login screen shows at once, the connection follows.
        self.call_after_refresh(self.connect, self._db_password)
        self.set_interval(self.IDLE_CHECK_SECONDS, self._check_idle, name="idle-lock")
        self.set_interval(self.HEALTH_CHECK_SECONDS, self._health_check, name="db-health")
        self.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        self.gc_policy.undo()
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
        from noc_console.errors import DatabaseUnavailable

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
        self.gc_policy.freeze("connect")  # SQLAlchemy, the driver and the models: here for good

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

    # ------------------------------------------------------------------ database outage banner

    def notify_db_unavailable(self, message: str) -> None:
        """Show the "database unavailable — retrying" banner on every screen and start retrying.

        Called for every ``DatabaseProblem`` a screen posts and when the app's own
        check fails; repeated reports only update the reason.
        """
        if self.db_problem is None:
            log.warning("database unavailable: %s", message)
        self.db_problem = message
        self._sync_banners()
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(
                self.DB_RETRY_SECONDS, self._retry_database, name="db-retry"
            )

    @on(DatabaseProblem)
    def _database_problem(self, message: DatabaseProblem) -> None:
        self.notify_db_unavailable(message.message)

    def _retry_database(self) -> None:
        state = self.db_state
        if self.db_problem is None or not isinstance(state, DbConnected):
            self._stop_retrying()
            return
        self._sync_banners()  # screens opened (or re-composed) since the last tick get theirs
        self._db_check_worker(state.ctx)

    def _health_check(self) -> None:
        """The app's own periodic check: an outage shows even when nobody is typing."""
        state = self.db_state
        idle_ok = self.principal is not None and self.db_problem is None
        if idle_ok and isinstance(state, DbConnected):
            self._db_check_worker(state.ctx)

    @work(thread=True, exclusive=True, exit_on_error=False, group="db-check")
    def _db_check_worker(self, ctx: ServiceContext) -> None:
        from noc_console import db

        try:
            db.check_connection(ctx.engine)  # the pool's pre-ping reconnects when it is back
        except DatabaseUnavailable as err:
            self.post_message(DatabaseStillDown(str(err)))
        except Exception as err:  # noqa: BLE001 - one line on screen, details by type in the log
            log.error("database check failed: %s", type(err).__name__)
            self.post_message(
                DatabaseStillDown(
                    _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)
                )
            )
        else:
            self.post_message(DatabaseAnswered())

    @on(DatabaseStillDown)
    def _database_still_down(self, message: DatabaseStillDown) -> None:
        self.notify_db_unavailable(message.message)

    @on(DatabaseAnswered)
    def _database_answered(self, message: DatabaseAnswered) -> None:
        if self.db_problem is None:
            return
        log.info("database available again")
        self.db_problem = None
        self._stop_retrying()
        self._sync_banners()
        self.notify(_("Database available again"), title=_("Database"))

    def _stop_retrying(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    def _screen_changed(self, screen: Screen[Any]) -> None:
        self._sync_banner(screen)
        # Once the new screen is painted: the operator reads it, no keystroke waits on a frame.
        self.call_after_refresh(self.gc_policy.collect_if_due, "screen change")

    def _sync_banners(self) -> None:
        for screen in self.screen_stack:
            self._sync_banner(screen)

    def _sync_banner(self, screen: Screen[Any]) -> None:
        """Put the banner on (or take it off) one screen; the login screen has its own status."""
        wanted = self.db_problem is not None and not isinstance(screen, LoginScreen)
        # By type name: the banner's module is imported only when a banner is first needed.
        existing = list(screen.query("DbBanner"))
        if not wanted:
            for banner in existing:
                banner.remove()
            return
        assert self.db_problem is not None
        from noc_console.widgets.banner import DbBanner

        banners = [banner for banner in existing if isinstance(banner, DbBanner)]
        if banners:
            banners[0].show_reason(self.db_problem)
            for extra in banners[1:]:
                extra.remove()
        elif screen.is_attached:
            try:
                screen.mount(DbBanner(self.db_problem))
            except Exception as err:  # noqa: BLE001 - the next retry tick mounts it
                log.debug("banner not mounted yet on %s: %s", type(screen).__name__, err)

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
        # Once the lookup is painted: the one collector pause of the policy, before any typing.
        self.call_after_refresh(self.gc_policy.settle, "login")

    async def _close_modals(self) -> None:
        """Pop help, palette and dialogs so the next switch replaces the console screen itself."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, NocScreen):
            await self.pop_screen()

    def session_view(self) -> SessionView | None:
        """What the session bar of any screen shows (``SessionBar()`` asks for it)."""
        from noc_console.widgets.session_bar import SessionView, session_view

        state = self.db_state
        if not isinstance(state, DbConnected):
            return None
        if self.principal is None:
            return SessionView(
                database=state.info.label,
                backend=state.info.backend_label,
                is_demo=state.info.is_demo,
                read_only=self.settings.read_only,
            )
        return session_view(self.principal, state.info, read_only=self.settings.read_only)

    async def action_logout(self) -> None:
        await self.log_out("logout")

    async def log_out(self, reason: str) -> None:
        """End the operator's session: audit it, close every screen, show the login screen."""
        principal = self.principal
        if principal is None:
            return
        self.principal = None
        self._held_pops = 0
        self._held_pushes.clear()
        log.info("logout operator=%s reason=%s", principal.username, reason)
        if isinstance(self.db_state, DbConnected):
            self._record_logout(self.db_state.ctx, principal, reason)
        await self._unwind()
        await self.switch_screen(
            LoginScreen(
                self.db_state, username=principal.username, read_only=self.settings.read_only
            )
        )
        self.refresh_bindings()

    async def _unwind(self) -> None:
        """Pop every screen above the first console screen (the lock included)."""
        self._unlocking = True
        try:
            while len(self.screen_stack) > 2:
                await self.pop_screen()
        finally:
            self._unlocking = False

    @work(thread=True, exit_on_error=False, group="audit")
    def _record_logout(self, ctx: ServiceContext, principal: Principal, reason: str) -> None:
        from noc_console.services import system

        try:
            system.record_logout(ctx, principal, reason=reason)
        except DatabaseUnavailable as err:
            log.warning("logout of %s not audited: %s", principal.username, err)
        except Exception as err:  # noqa: BLE001 - never a traceback for an audit row
            log.error("logout of %s not audited: %s", principal.username, type(err).__name__)

    # ------------------------------------------------------------------ idle lock

    @property
    def is_locked(self) -> bool:
        lock_screen = _lock_screen_type()
        return lock_screen is not None and any(
            isinstance(screen, lock_screen) for screen in self.screen_stack
        )

    def action_lock(self) -> None:
        self.lock()

    def lock(self, *, idle_minutes: int | None = None) -> None:
        """Hide everything behind the lock screen; the stack underneath stays as it is."""
        state = self.db_state
        principal = self.principal
        if principal is None or self.is_locked or not isinstance(state, DbConnected):
            return
        from noc_console.screens.lock import LockScreen

        log.info(
            "lock operator=%s reason=%s", principal.username, "idle" if idle_minutes else "key"
        )
        self.clear_notifications()  # a toast may name a customer or a user
        self.push_screen(LockScreen(state.ctx, principal, idle_minutes=idle_minutes))
        self.refresh_bindings()

    def _check_idle(self) -> None:
        self.gc_policy.idle(self.monotonic() - self.last_input_at)
        minutes = self.settings.idle_lock_minutes
        if minutes <= 0 or self.principal is None or self.is_locked:
            return
        if self.monotonic() - self.last_input_at >= minutes * 60:
            self.lock(idle_minutes=minutes)

    # LockScreen's messages are handled by name (on_lock_screen_*), not with @on(LockScreen...):
    # @on would need the lock screen's class, hence its import, when this module loads.
    async def on_lock_screen_unlocked(self, message: LockScreen.Unlocked) -> None:
        lock_screen = _lock_screen_type()
        if lock_screen is None or not isinstance(self.screen, lock_screen):
            return
        log.info("unlock operator=%s", self._who())
        self.note_activity()
        self._unlocking = True
        try:
            await self.pop_screen()
        finally:
            self._unlocking = False
        pops, self._held_pops = self._held_pops, 0
        pushes, self._held_pushes = self._held_pushes, []
        for _pop in range(pops):  # what workers closed or opened while the lock was up
            if len(self.screen_stack) > 2:
                await self.pop_screen()
        for push in pushes:
            push()
        self.refresh_bindings()

    async def on_lock_screen_switch_operator(self, message: LockScreen.SwitchOperator) -> None:
        await self.log_out(message.reason)
        if message.reason == "unlock_failed":
            self.notify(
                _("Too many wrong passwords on the lock screen: you were logged out."),
                severity="warning",
            )

    def push_screen(
        self,
        screen: Screen[Any] | str,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """While locked, a screen a worker opens waits for the unlock (it would cover the lock)."""
        lock_screen = _lock_screen_type()
        is_lock = lock_screen is not None and isinstance(screen, lock_screen)
        lock_help = (
            lock_screen is not None
            and _is_help_screen(screen)
            and isinstance(getattr(screen, "source", None), lock_screen)
        )
        if self.is_locked and not (is_lock or lock_help) and not wait_for_dismiss and mode is None:
            log.info("holding %s back until the console is unlocked", type(screen).__name__)
            self._held_pushes.append(partial(super().push_screen, screen, callback))
            return _nothing()
        if wait_for_dismiss:
            return super().push_screen(screen, callback, True, mode=mode)
        return super().push_screen(screen, callback, False, mode=mode)

    def pop_screen(self) -> AwaitComplete:
        """While locked, a screen closing itself underneath (a worker's dismiss) waits too:
        Textual pops the top screen, which would be the lock."""
        lock_screen = _lock_screen_type()
        if lock_screen is not None and isinstance(self.screen, lock_screen) and not self._unlocking:
            log.info("holding a screen close back until the console is unlocked")
            self._held_pops += 1
            return _nothing()
        return super().pop_screen()

    def note_activity(self) -> None:
        """Every key, click or scroll lands here (the idle lock measures from it)."""
        self.last_input_at = self.monotonic()

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
        if self.is_locked:
            return action in _ALLOWED_WHILE_LOCKED
        if action in ("lock", "logout", "find_customer"):
            return self.principal is not None
        return True

    def action_help(self) -> None:
        if _is_help_screen(self.screen):
            self.pop_screen()
            return
        from noc_console.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        if self.is_locked:
            return
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def action_change_theme(self) -> None:
        if self.is_locked:
            return
        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
        )

    async def action_find_customer(self) -> None:
        """Back to the lookup, search box focused, closing the screens above it.

        Refused (with a message) when one of them is a dialog or holds unsaved
        work: the palette must never drop a half-done reset or edit.
        """
        from noc_console.screens.main import LookupScreen

        stack = self.screen_stack
        home = next((i for i, screen in enumerate(stack) if isinstance(screen, LookupScreen)), None)
        if home is None or self.is_locked:
            return
        lookup = stack[home]
        above = stack[home + 1 :]
        if any(not isinstance(s, NocScreen) or s.has_unsaved_changes() for s in above):
            self.notify(
                _("Finish or close the open window first (esc), then search again."),
                severity="warning",
            )
            return
        for _screen in above:
            await self.pop_screen()
        assert isinstance(lookup, LookupScreen)
        lookup.focus_search()

    def _may_read_audit(self) -> bool:
        from noc_console.services.permissions import Permission, allowed

        return self.principal is not None and allowed(self.principal.role, Permission.VIEW_AUDIT)

    def action_open_audit_log(self) -> None:
        """The whole audit log; the service refuses non-supervisors whatever opened it."""
        from noc_console.screens.audit import AuditLogScreen

        state = self.db_state
        if self.principal is None or self.is_locked or not isinstance(state, DbConnected):
            return
        self.push_screen(AuditLogScreen(state.ctx, self.principal))

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """The app's own palette entries; screens add theirs with the same method."""
        from noc_console.screens.commands import PaletteCommand

        yield PaletteCommand(
            "app.help", N_("Help: keys of this screen"), N_("List every key"), "app.help"
        )
        if self.principal is not None:
            yield PaletteCommand(
                "app.find_customer",
                N_("Find customer"),
                N_("Go to the lookup and type a name, CNPJ, login, contract or phone"),
                "app.find_customer",
            )
        if self.principal is not None and self._may_read_audit():
            yield PaletteCommand(
                "app.audit_log",
                N_("Audit log"),
                N_("Read the whole audit log (supervisors)"),
                "app.open_audit_log",
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
                N_("Lock"),
                N_("Hide the screen until your password is typed again"),
                "app.lock",
            )
            yield PaletteCommand(
                "app.logout",
                N_("Log out"),
                N_("End your session and go back to the login screen"),
                "app.logout",
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
        self._sync_banners()  # a re-compose drops the banner; it comes back translated
        self.refresh_bindings()


def make_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    hasher: Hasher | None = None,
    db_password: str | None = None,
    password_generator: PasswordGenerator | None = None,
    gc_policy: bool = True,
) -> NocApp:
    """Build the console: language first (so the first screen is composed in it), then the app.

    ``gc_policy=False`` leaves the garbage collector alone (``noc_console.gc_policy``).
    With it on, the app undoes the policy when it exits, so a process that builds many
    apps one after the other (the test suite) gets its collector back each time.
    """
    i18n.set_language(i18n.detect_language(settings.lang))
    return NocApp(
        settings,
        clock=clock,
        hasher=hasher,
        db_password=db_password,
        password_generator=password_generator,
        gc_policy=gc_policy,
    )
