"""The reset wizard's service calls, run in thread workers, and the messages they answer with.

Every failure comes back as a plain ``Failure`` (never the exception, whose
traceback would keep a just-generated password alive); a lost database is
also reported to the app (``DatabaseProblem``), which shows the banner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.message import Message
from textual.widget import Widget

from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.reset.failure import Failure, describe_failure
from noc_console.screens.reset.state import ResetForm
from noc_console.services import password_reset
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset import ResetPreview, ResetResult
from noc_console.services.policy import PasswordPolicyDTO

T = TypeVar("T")


class PreviewLoaded(Message):
    def __init__(self, attempt: int, preview: ResetPreview) -> None:
        super().__init__()
        self.attempt = attempt
        self.preview = preview


class _CallFailed(Message):
    def __init__(self, attempt: int, failure: Failure) -> None:
        super().__init__()
        self.attempt = attempt
        self.failure = failure


class PreviewFailed(_CallFailed):
    """The preview could not be loaded."""


class ResetFailed(_CallFailed):
    """The reset was refused or failed; nothing was changed."""


class ResetDone(Message):
    """Carries the password once; the handler takes it out and sets ``result`` to None."""

    def __init__(self, attempt: int, result: ResetResult) -> None:
        super().__init__()
        self.attempt = attempt
        self.result: ResetResult | None = result


def run_service_call(
    screen: Widget,
    group: str,
    call: Callable[[], T],
    done: Callable[[T], Message],
    failed: Callable[[Failure], Message],
) -> None:
    """Run ``call`` in a thread worker; its answer, or its failure as plain data, comes back."""

    def work() -> None:
        try:
            value = call()
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            failure = describe_failure(err)  # plain data: the traceback stays here
            if failure.kind == "database":
                screen.post_message(DatabaseProblem(failure.message))
            screen.post_message(failed(failure))
            return
        screen.post_message(done(value))

    screen.run_worker(work, group=group, exclusive=True, exit_on_error=False, thread=True)


def apply_reset(
    ctx: ServiceContext,
    principal: Principal,
    user_id: int,
    form: ResetForm,
    generate: Callable[[PasswordPolicyDTO], str] | None,
) -> ResetResult:
    """The reset call itself, with what the analyst confirmed."""
    return password_reset.reset(
        ctx,
        principal,
        user_id,
        ticket_ref=form.ticket_ref,
        reason=form.reason,
        identity_checks=form.checks,
        method=form.method,
        unlock=form.unlock,
        end_sessions=form.end_sessions,
        expected_version=form.expected_version,
        generate=generate,
    )
