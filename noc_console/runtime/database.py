"""Database supervision: connect in a worker, watch the connection, show the outage banner.

A mixin of ``NocApp``: the workers and timers need the app, the rules they
follow are in ``ConnectionWatch``. The app connects after the first paint in a
thread worker and learns the answer by message (noc_console.screens.messages);
the UI thread never waits on the database. Any screen posts ``DatabaseProblem``;
the banner then goes on every screen, the connection is re-checked every few
seconds and the banners go away by themselves when the database answers.

Nothing here imports SQLAlchemy, Alembic or the driver at module level: they
load inside the connect worker, after the first paint.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer

from noc_console.errors import DatabaseUnavailable
from noc_console.gc_policy import GcPolicy
from noc_console.i18n import _
from noc_console.runtime.connection_watch import ConnectionWatch
from noc_console.screens.login import LoginScreen
from noc_console.screens.messages import (
    DatabaseAnswered,
    DatabaseFailed,
    DatabaseProblem,
    DatabaseReady,
    DatabaseStillDown,
)
from noc_console.screens.session import DbConnected, DbConnecting, DbState, DbUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from noc_console.clock import Clock
    from noc_console.config import Settings
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.hashing import Hasher

log = logging.getLogger(__name__)


def failure_line(err: Exception, log_line: str) -> str:
    """What a worker's failure says on screen: the reason, or the error's type for a surprise.

    A surprise goes to the log as ``log_line: <type>``, by type only (its text
    may hold a password).
    """
    if isinstance(err, DatabaseUnavailable):
        return str(err)
    log.error("%s: %s", log_line, type(err).__name__)
    return _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)


class DatabaseSupervision(App[None]):
    """Owns ``db_state`` and the outage banner; ``connect`` (re)starts the connection."""

    DB_RETRY_SECONDS: ClassVar[float] = 3.0
    """While the database is unavailable: how often the connection is tried again."""
    HEALTH_CHECK_SECONDS: ClassVar[float] = 30.0
    """While logged in: how often the app checks the database on its own."""

    # Set by NocApp.__init__:
    settings: Settings
    clock: Clock | None
    hasher: Hasher | None
    gc_policy: GcPolicy
    principal: Principal | None
    db_password: str | None
    """Memory only: reused by reconnects, never written."""

    def __init__(self) -> None:
        super().__init__()
        self.db_state: DbState = DbConnecting()
        self.connection = ConnectionWatch()
        self._retry_timer: Timer | None = None

    @property
    def db_problem(self) -> str | None:
        """Why the database is unavailable (the banner shows it), or None when it answers."""
        return self.connection.problem

    def start_supervision(self) -> None:
        """From on_mount: connect once the login screen is painted, then check now and then."""
        self.call_after_refresh(self.connect, self.db_password)
        self.set_interval(self.HEALTH_CHECK_SECONDS, self._health_check, name="db-health")

    def stop_supervision(self) -> None:
        """From on_unmount: the connection pool closes with the app."""
        if isinstance(self.db_state, DbConnected):
            self.db_state.ctx.engine.dispose()

    # ------------------------------------------------------------------ connection

    def connect(self, db_password: str | None = None) -> None:
        """Start (or restart) the connection attempt; the answer comes back as a message."""
        attempt = self.connection.next_attempt()
        self._set_db_state(DbConnecting())
        self._connect_worker(attempt, db_password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def _connect_worker(self, attempt: int, db_password: str | None) -> None:
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
        except Exception as err:  # noqa: BLE001 - one line on screen, details by type in the log
            needs_password = isinstance(err, DatabaseUnavailable) and err.needs_password
            self.post_message(
                DatabaseFailed(
                    attempt,
                    failure_line(err, "unexpected error while connecting"),
                    needs_password=needs_password,
                )
            )
        else:
            self.post_message(DatabaseReady(attempt, ctx, info))

    @work(thread=True, exit_on_error=False, group="dispose")
    def _dispose_worker(self, engine: Engine) -> None:
        engine.dispose()

    @on(DatabaseReady)
    def _database_ready(self, message: DatabaseReady) -> None:
        if self.connection.is_stale(message.attempt):
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
        if self.connection.is_stale(message.attempt):
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
            self.db_password = message.db_password
        self.connect(self.db_password)

    # ------------------------------------------------------------------ outage banner

    @on(DatabaseProblem)  # DatabaseStillDown too: it is a DatabaseProblem
    def _database_problem(self, message: DatabaseProblem) -> None:
        self.notify_db_unavailable(message.message)

    def notify_db_unavailable(self, message: str) -> None:
        """Show the "database unavailable — retrying" banner on every screen and start retrying.

        Called for every ``DatabaseProblem`` a screen posts and when the app's own
        check fails; repeated reports only update the reason.
        """
        if self.connection.report_problem(message):
            log.warning("database unavailable: %s", message)
        self.sync_banners()
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(
                self.DB_RETRY_SECONDS, self._retry_database, name="db-retry"
            )

    def _retry_database(self) -> None:
        state = self.db_state
        if not self.connection.is_down or not isinstance(state, DbConnected):
            self._stop_retrying()
            return
        self.sync_banners()  # screens opened (or re-composed) since the last tick get theirs
        self._db_check_worker(state.ctx)

    def _health_check(self) -> None:
        """The app's own periodic check: an outage shows even when nobody is typing."""
        state = self.db_state
        logged_in = self.principal is not None
        if self.connection.wants_health_check(logged_in=logged_in) and isinstance(
            state, DbConnected
        ):
            self._db_check_worker(state.ctx)

    @work(thread=True, exclusive=True, exit_on_error=False, group="db-check")
    def _db_check_worker(self, ctx: ServiceContext) -> None:
        from noc_console import db

        try:
            db.check_connection(ctx.engine)  # the pool's pre-ping reconnects when it is back
        except Exception as err:  # noqa: BLE001 - one line on screen, details by type in the log
            self.post_message(DatabaseStillDown(failure_line(err, "database check failed")))
        else:
            self.post_message(DatabaseAnswered())

    @on(DatabaseAnswered)
    def _database_answered(self, message: DatabaseAnswered) -> None:
        if not self.connection.answered():
            return
        log.info("database available again")
        self._stop_retrying()
        self.sync_banners()
        self.notify(_("Database available again"), title=_("Database"))

    def _stop_retrying(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    def sync_banners(self) -> None:
        """Every screen of the stack gets the banner, or loses it, as the outage says."""
        for screen in self.screen_stack:
            self.sync_banner(screen)

    def sync_banner(self, screen: Screen[Any]) -> None:
        """Put the banner on (or take it off) one screen; the login screen has its own status."""
        problem = self.connection.problem
        # By type name: the banner's module is imported only when a banner is first needed.
        existing = list(screen.query("DbBanner"))
        if problem is None or isinstance(screen, LoginScreen):
            for banner in existing:
                banner.remove()
            return
        from noc_console.widgets.banner import DbBanner

        banners = [banner for banner in existing if isinstance(banner, DbBanner)]
        if banners:
            banners[0].show_reason(problem)
            for extra in banners[1:]:
                extra.remove()
        elif screen.is_attached:
            try:
                screen.mount(DbBanner(problem))
            except Exception as err:  # noqa: BLE001 - the next retry tick mounts it
                log.debug("banner not mounted yet on %s: %s", type(screen).__name__, err)
