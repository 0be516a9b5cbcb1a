"""The login's second step (issue 15): the code field, and the check of the code in a worker.

The step is shown by the login screen (``LoginState.wants_code``); this widget
owns its field and runs ``signin.finish_with_code`` off the event loop, and its
answer comes back to the screen as the same ``LoginFinished`` the password's does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.containers import Vertical
from textual.widgets import Label

from noc_console.errors import AuthenticationFailed, DatabaseUnavailable
from noc_console.i18n import _
from noc_console.screens.login_parts import LoginFinished
from noc_console.screens.login_state import login_error_line
from noc_console.widgets.fields import Field

if TYPE_CHECKING:
    from noc_console.services.context import ServiceContext
    from noc_console.services.signin import Identity, SecondFactorNeeded


class CodeStep(Vertical):
    """The code row under the password (hidden until a password was checked)."""

    def __init__(self) -> None:
        super().__init__(
            Label(_("Code"), classes="field-label"),
            Field(
                placeholder=_("6 digits from your app, or a recovery code"),
                id="code",
                max_length=16,
            ),
            id="code-row",
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def check(
        self,
        attempt: int,
        ctx: ServiceContext,
        identity: Callable[[], Identity],
        pending: SecondFactorNeeded,
        code: str,
    ) -> None:
        """Finish the sign-in with ``code``; a lockout or a stale step starts again."""
        from noc_console.services import signin

        try:
            principal = signin.finish_with_code(ctx, identity(), pending, code)
        except signin.StartAgain as err:
            self.post_message(LoginFinished(attempt, error=str(err), start_again=True))
        except (AuthenticationFailed, DatabaseUnavailable) as err:
            self.post_message(LoginFinished(attempt, error=str(err), pending=pending))
        except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
            error = login_error_line(err, ctx.engine.url)
            self.post_message(LoginFinished(attempt, error=error, pending=pending))
        else:
            self.post_message(LoginFinished(attempt, principal=principal))
