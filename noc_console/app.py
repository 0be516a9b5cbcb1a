"""The Textual application shell: screens, key bindings, theme, language and the palette.

Shape (imitating posting and harlequin):

* ``make_app(settings)`` is the only way to build the app; tests use it too.
* The runtime below the shell does the rest, as two mixins: the database
  connection, its checks and the outage banner (``noc_console.runtime.database``),
  and the operator's session with the idle lock (``noc_console.runtime.session``).
  Screens run their own workers for their own work with the ``ServiceContext``
  the app hands them.
* Every binding has an id (``app.*``, ``login.*``, ...); ``settings.keymap``
  remaps them through ``App.set_keymap``.
* Language: gettext via ``noc_console.i18n``; a switch re-composes the screens
  (see ``NocScreen.relabel``).
* The palette's app entries are one table (``noc_console.runtime.palette``).

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
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, Unpack

from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import ThemeProvider

from noc_console import i18n
from noc_console.config import Settings
from noc_console.gc_policy import GcPolicy
from noc_console.i18n import N_, _
from noc_console.runtime.database import DatabaseSupervision
from noc_console.runtime.live import LiveUpdates
from noc_console.runtime.lock_policy import action_allowed
from noc_console.runtime.session import OperatorSession, is_help_screen
from noc_console.runtime.terminal import (
    CHECK_SECONDS,
    exit_soon_regardless,
    terminal_gone,
    watched_fd,
)
from noc_console.screens.base import NocScreen, translate_bindings
from noc_console.screens.login import LoginScreen
from noc_console.screens.session import DbConnected

if TYPE_CHECKING:
    from textual.command import Provider

    from noc_console.clock import Clock
    from noc_console.screens.commands import PaletteCommand
    from noc_console.services.hashing import Hasher
    from noc_console.services.policy import PasswordPolicyDTO

    PasswordGenerator = Callable[[PasswordPolicyDTO], str]

log = logging.getLogger(__name__)


def _console_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (Textual takes callables)."""
    from noc_console.screens.commands import ConsoleCommands

    return ConsoleCommands


class NocApp(OperatorSession, DatabaseSupervision):
    """The NOC console. Build it with ``make_app``."""

    CSS_PATH = "screens/login.tcss"
    """The login screen's stylesheet, loaded with the app's own CSS. A screen's CSS_PATH
    makes Textual re-parse every stylesheet loaded so far when the screen is first shown;
    for the first screen that re-parse is on the way to the first paint (issue 5). The
    rules are the same either way: a screen's CSS, once loaded, applies app-wide."""

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
        Binding("f2", "board", N_("Escalation runs"), id="app.board", show=False),
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
        self.db_password = db_password
        self.live = LiveUpdates()
        """The escalation runs' change watcher, shared by the board and the run views."""
        self.gc_policy = GcPolicy(enabled=gc_policy, monotonic=time.monotonic)
        """The garbage-collector settings of this app (noc_console.gc_policy)."""
        translate_bindings(self)
        self.set_keymap(dict(settings.keymap))

    # ------------------------------------------------------------------ start-up and exit

    def on_load(self) -> None:
        # Before the first screen is composed, so no full collection lands on the way to the
        # first paint either (gc_policy says why).
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
        self.start_supervision()
        self.start_idle_lock()
        self.screen_change_signal.subscribe(self, self._screen_changed)
        terminal = watched_fd()
        if terminal is not None:
            self.set_interval(CHECK_SECONDS, lambda: self._end_if_terminal_gone(terminal))

    def _end_if_terminal_gone(self, fd: int) -> None:
        if terminal_gone(fd):
            log.warning("the terminal hung up; ending the console")
            exit_soon_regardless()
            self.exit()

    def on_unmount(self) -> None:
        self.live.stop()
        self.gc_policy.undo()
        self.stop_supervision()

    def _screen_changed(self, screen: Screen[Any]) -> None:
        self.sync_banner(screen)
        # Once the new screen is painted: the operator reads it, no keystroke waits on a frame.
        self.call_after_refresh(self.gc_policy.collect_if_due, "screen change")

    async def action_quit(self) -> None:
        log.info("quit operator=%s", self._who())
        await super().action_quit()

    # ------------------------------------------------------------------ keys, help, palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action_allowed(action, locked=self.is_locked, logged_in=self.principal is not None)

    def action_help(self) -> None:
        if is_help_screen(self.screen):
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
        from noc_console.screens.audit.screen import AuditLogScreen

        state = self.db_state
        if self.principal is None or self.is_locked or not isinstance(state, DbConnected):
            return
        self.push_screen(AuditLogScreen(state.ctx, self.principal))

    def action_board(self) -> None:
        """The escalation runs board (issue 13), from anywhere once logged in."""
        from noc_console.screens.runs.screen import RunsBoard

        state = self.db_state
        if self.principal is None or self.is_locked or not isinstance(state, DbConnected):
            return
        if isinstance(self.screen, RunsBoard):
            return
        self.push_screen(RunsBoard(state.ctx, self.principal, read_only=self.settings.read_only))

    def action_enrol_second_factor(self) -> None:
        """The operator's own second factor, set up or moved to a new phone (issue 15).

        Only for oneself: a supervisor resets someone else's (a lost phone), and the
        owner enrols again at the next sign-in, or here.
        """
        from noc_console.screens.totp_enrol.screen import TotpEnrolScreen

        state = self.db_state
        if self.principal is None or self.is_locked or not isinstance(state, DbConnected):
            return
        if isinstance(self.screen, TotpEnrolScreen):
            return
        self.push_screen(TotpEnrolScreen(state.ctx, self.identity(), actor=self.principal))

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """The app's own palette entries (one table); screens add theirs with the same method."""
        from noc_console.runtime.palette import app_commands

        logged_in = self.principal is not None
        return app_commands(
            logged_in=logged_in,
            may_read_audit=logged_in and self._may_read_audit(),
            language=i18n.current_language(),
        )

    # ------------------------------------------------------------------ language

    async def action_set_language(self, lang: str) -> None:
        """Switch the UI language now: re-translate bindings and re-compose every screen."""
        code = i18n.set_language(lang)
        log.info("language operator=%s lang=%s", self._who(), code)
        self.title = _("NOC Console")
        translate_bindings(self)
        for screen in list(self.screen_stack):
            if isinstance(screen, NocScreen):
                await screen.relabel()
        self.sync_banners()  # a re-compose drops the banner; it comes back translated
        self.refresh_bindings()


class AppSeams(TypedDict, total=False):
    """What ``make_app`` hands on to ``NocApp`` besides the settings (see ``NocApp.__init__``)."""

    clock: Clock | None
    hasher: Hasher | None
    db_password: str | None
    password_generator: PasswordGenerator | None
    gc_policy: bool


def make_app(settings: Settings, **seams: Unpack[AppSeams]) -> NocApp:
    """Build the console: language first (so the first screen is composed in it), then the app.

    ``gc_policy=False`` leaves the garbage collector alone (``noc_console.gc_policy``).
    With it on, the app undoes the policy when it exits, so a process that builds many
    apps one after the other (the test suite) gets its collector back each time.
    """
    i18n.set_language(i18n.detect_language(settings.lang))
    return NocApp(settings, **seams)
