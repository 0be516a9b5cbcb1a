"""The operator's session: log in and out, the idle lock, and holding screens back while locked.

A mixin of ``NocApp``: the timers, screens and workers need the app; the rules
(what runs while locked, when the idle lock is due, what was held back) are in
``noc_console.runtime.lock_policy``. The ``LockScreen`` goes on top of
everything and, while it is there, the app refuses every action but help and
quit and holds back any screen a worker tries to open or close underneath
(``push_screen``/``pop_screen``); the unlock replays them.

The lock and help screens are imported when first opened: until then
``sys.modules`` says whether one can exist (start-up pays for the login screen
only).
"""

from __future__ import annotations

import logging
import sys
import threading
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.screen import Screen

from noc_console.errors import DatabaseUnavailable
from noc_console.gc_policy import GcPolicy
from noc_console.i18n import _
from noc_console.runtime.lock_policy import HeldScreens, IdleClock
from noc_console.screens.base import NocScreen
from noc_console.screens.login import LoginScreen
from noc_console.screens.session import DbConnected, DbState

if TYPE_CHECKING:
    from noc_console.config import Settings
    from noc_console.screens.lock import LockScreen
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.signin import Identity
    from noc_console.widgets.session_bar import SessionView

log = logging.getLogger(__name__)


def lock_screen_type() -> type[LockScreen] | None:
    """``LockScreen`` if its module was ever imported; before that no lock screen can exist.

    ``is_locked`` runs for every binding check from the first paint on: asking
    ``sys.modules`` keeps the lock screen's import out of start-up.
    """
    module = sys.modules.get("noc_console.screens.lock")
    lock_screen: type[LockScreen] | None = getattr(module, "LockScreen", None)
    return lock_screen


def is_help_screen(screen: object) -> bool:
    """Whether ``screen`` is the help screen (same reasoning as ``lock_screen_type``)."""
    module = sys.modules.get("noc_console.screens.help")
    help_screen = getattr(module, "HelpScreen", None)
    return help_screen is not None and isinstance(screen, help_screen)


def _nothing() -> AwaitComplete:
    """An already-finished awaitable: what a held-back push or pop returns to its caller."""
    done: AwaitComplete = AwaitComplete.nothing()  # type: ignore[no-untyped-call]
    return done


class OperatorSession(App[None]):
    """Owns ``principal`` (None before login) and the idle lock."""

    IDLE_CHECK_SECONDS: ClassVar[float] = 1.0
    """How often the idle lock looks at the time since the last key or click."""

    # Set by NocApp.__init__ and DatabaseSupervision:
    settings: Settings
    gc_policy: GcPolicy
    db_state: DbState

    def __init__(self) -> None:
        super().__init__()
        self.principal: Principal | None = None
        self.idle_clock = IdleClock()
        """The idle lock's clock (tests move its ``monotonic`` instead of waiting minutes)."""
        self.held = HeldScreens()
        self._unlocking = False
        self.early_keys: list[tuple[str, str | None]] = []
        """Keys typed before the login screen exists; it takes them in order (issue 15)."""
        self._identity: Identity | None = None
        self._identity_lock = threading.Lock()

    def start_idle_lock(self) -> None:
        """From on_mount: look at the idle time every IDLE_CHECK_SECONDS."""
        self.set_interval(self.IDLE_CHECK_SECONDS, self._check_idle, name="idle-lock")

    def _who(self) -> str:
        return self.principal.username if self.principal else "-"

    # ------------------------------------------------------------------ log in, log out

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
        self.held.clear()
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
        lock_screen = lock_screen_type()
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
        identity = self.identity()
        if identity.auth.lock_requires_totp:  # asks the database whether a factor is enrolled
            self._lock_with_code(state.ctx, principal, identity, idle_minutes)
            return
        self.push_screen(
            LockScreen(state.ctx, principal, idle_minutes=idle_minutes, identity=identity)
        )
        self.refresh_bindings()

    def identity(self) -> Identity:
        """How this console signs operators in (``[auth]``); built once, nothing connected.

        The one the login form, the enrolment and the idle lock all use. The login
        form asks from its workers, two at once at start-up: the lock makes them share it.
        """
        with self._identity_lock:
            if self._identity is None:
                from noc_console.services.signin import identity_for

                self._identity = identity_for(self.settings)
            return self._identity

    @work(thread=True, exit_on_error=False, group="lock")
    def _lock_with_code(
        self,
        ctx: ServiceContext,
        principal: Principal,
        identity: Identity,
        idle_minutes: int | None,
    ) -> None:
        from noc_console.screens.lock import LockScreen
        from noc_console.services.signin import unlock_needs_code

        try:
            needs_code = unlock_needs_code(identity, ctx, principal)
        except Exception as err:  # noqa: BLE001 - lock anyway; the code is then asked for
            log.warning("lock: factor check failed: %s", type(err).__name__)
            needs_code = True
        screen = LockScreen(
            ctx, principal, idle_minutes=idle_minutes, identity=identity, needs_code=needs_code
        )
        self.call_from_thread(self._push_lock, screen)

    def _push_lock(self, screen: Screen[Any]) -> None:
        if not self.is_locked and self.principal is not None:
            self.push_screen(screen)
            self.refresh_bindings()

    def _check_idle(self) -> None:
        self.gc_policy.idle(self.idle_clock.idle_seconds())
        minutes = self.settings.idle_lock_minutes
        logged_in = self.principal is not None
        if self.idle_clock.lock_due(minutes=minutes, logged_in=logged_in, locked=self.is_locked):
            self.lock(idle_minutes=minutes)

    # LockScreen's messages are handled by name (on_lock_screen_*), not with @on(LockScreen...):
    # @on would need the lock screen's class, hence its import, when this module loads.
    async def on_lock_screen_unlocked(self, message: LockScreen.Unlocked) -> None:
        lock_screen = lock_screen_type()
        if lock_screen is None or not isinstance(self.screen, lock_screen):
            return
        log.info("unlock operator=%s", self._who())
        self.note_activity()
        self._unlocking = True
        try:
            await self.pop_screen()
        finally:
            self._unlocking = False
        pops, pushes = self.held.take()
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
        lock_screen = lock_screen_type()
        is_lock = lock_screen is not None and isinstance(screen, lock_screen)
        lock_help = (
            lock_screen is not None
            and is_help_screen(screen)
            and isinstance(getattr(screen, "source", None), lock_screen)
        )
        if self.is_locked and not (is_lock or lock_help) and not wait_for_dismiss and mode is None:
            log.info("holding %s back until the console is unlocked", type(screen).__name__)
            self.held.hold_push(partial(super().push_screen, screen, callback))
            return _nothing()
        if wait_for_dismiss:
            return super().push_screen(screen, callback, True, mode=mode)
        return super().push_screen(screen, callback, False, mode=mode)

    def pop_screen(self) -> AwaitComplete:
        """While locked, a screen closing itself underneath (a worker's dismiss) waits too:
        Textual pops the top screen, which would be the lock."""
        lock_screen = lock_screen_type()
        if lock_screen is not None and isinstance(self.screen, lock_screen) and not self._unlocking:
            log.info("holding a screen close back until the console is unlocked")
            self.held.hold_pop()
            return _nothing()
        return super().pop_screen()

    def note_activity(self) -> None:
        """Every key, click or scroll lands here (the idle lock measures from it)."""
        self.idle_clock.note_input()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event,
            events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp,
        ):
            self.note_activity()
        if isinstance(event, events.Key) and not event.is_forwarded and self._typed_ahead(event):
            return
        await super().on_event(event)

    def _typed_ahead(self, event: events.Key) -> bool:
        """A key for a login form that is not ready yet: kept for the field it was meant for."""
        if self.principal is not None:
            return False
        screen = self.screen
        if isinstance(screen, LoginScreen):
            return screen.type_ahead(event.key, event.character)
        if len(self.screen_stack) <= 1 and event.character and event.character.isprintable():
            self.early_keys.append((event.key, event.character))  # no login screen yet
            return True
        if len(self.screen_stack) <= 1 and event.key in ("tab", "shift+tab", "enter", "backspace"):
            self.early_keys.append((event.key, None))
            return True
        return False
