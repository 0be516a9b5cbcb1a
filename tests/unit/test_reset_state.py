"""The reset wizard's flow without a terminal: steps, refusals, confirmation, the secret."""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from noc_console.errors import ConflictError, NotFound, ValidationError
from noc_console.models import OutboxState
from noc_console.screens.reset.failure import (
    Failure,
    describe_failure,
    failure_line,
    reloads_preview,
)
from noc_console.screens.reset.state import (
    NO_EMAIL,
    ResetForm,
    ResetState,
    Step,
    link_possible,
    method_at,
    no_resets_line,
    place_errors,
)
from noc_console.services.mailer import LinkStatus
from noc_console.services.password_reset import (
    IdentityChecks,
    ResetMethod,
    ResetPreview,
    ResetRateLimited,
    ResetResult,
)

AT = datetime(2026, 3, 2, 13, 20, tzinfo=UTC)

PREVIEW = ResetPreview(
    user_id=7,
    full_name="João da Silva",
    login="joao.silva",
    customer_id=3,
    company_name="São João",
    legal_name="Padaria São João Ltda",
    cnpj_formatted="11.222.333/0001-81",
    email_masked="j***@empresa.com.br",
    phone_formatted="+55 11 98765-4321",
    is_active=True,
    locked_until=None,
    failed_login_count=0,
    must_change_password=False,
    temp_password_expires_at=None,
    active_sessions=2,
    version=4,
    temp_password_ttl_hours=24,
    reset_token_ttl_minutes=30,
    max_resets_per_hour=3,
    resets_left_this_hour=2,
    next_reset_at=None,
    timezone="America/Sao_Paulo",
)
CHECKED = IdentityChecks(name_matches=True, cnpj_confirmed=True, callback_done=False)


def result(password: str | None = "Kx7m-Pr9t") -> ResetResult:
    return ResetResult(
        user_id=7,
        login="joao.silva",
        full_name="João da Silva",
        customer_id=3,
        method=ResetMethod.TEMPORARY_PASSWORD if password else ResetMethod.UNLOCK_ONLY,
        unlocked=True,
        sessions_ended=2,
        version=5,
        audit_event_id=1,
        temporary_password=password,
    )


def loaded(*, read_only: bool = False, preview: ResetPreview = PREVIEW) -> ResetState:
    state = ResetState(read_only=read_only)
    assert state.accept_preview(state.request_preview(), preview)
    return state


def form(state: ResetState, **changes: object) -> ResetForm:
    values: dict[str, object] = {
        "ticket_ref": "INC-2026-0042",
        "reason": "cliente esqueceu a senha",
        "checks": CHECKED,
        "method_index": 0,
        "unlock": False,
        "end_sessions": True,
    }
    values.update(changes)
    return state.form(**values)  # type: ignore[arg-type]


def imported_modules(module: str) -> set[str]:
    """The modules a module imports (at any level), read from its source."""
    path = Path(sys.modules[module].__file__ or "")
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


@pytest.mark.parametrize(
    "module", ["noc_console.screens.reset.state", "noc_console.screens.reset.failure"]
)
def test_the_flow_imports_neither_textual_nor_widgets_nor_screens(module: str) -> None:
    importlib.import_module(module)
    for name in imported_modules(module):
        assert not name.startswith(("textual", "noc_console.widgets")), name
        assert not name.startswith("noc_console.screens") or name == module, name


def test_identity_goes_on_to_method_then_confirm() -> None:
    state = loaded()
    assert state.next_step(form(state)) == (Step.METHOD, {})
    state.step = Step.METHOD
    assert state.next_step(form(state)) == (Step.CONFIRM, {})
    state.step = Step.CONFIRM
    assert state.next_step(form(state)) == (None, {})  # "next" ends at the method step


def test_identity_refusals_are_the_services_own_and_stay_on_the_step() -> None:
    state = loaded()
    target, refused = state.next_step(
        form(state, ticket_ref="", checks=IdentityChecks(False, False, False))
    )
    assert target is None
    assert {"ticket_ref", "name_matches", "cnpj_confirmed"} <= set(refused)
    assert state.first_refused(refused) == "name_matches"  # screen order: the checks first


def test_no_resets_left_refuses_the_method_step_with_the_next_time() -> None:
    state = loaded(preview=replace(PREVIEW, resets_left_this_hour=0, next_reset_at=AT))
    state.step = Step.METHOD
    target, refused = state.next_step(form(state))
    assert target is None
    assert refused == {"method": [no_resets_line(state.preview)]}  # type: ignore[arg-type]
    assert "next is possible at" in refused["method"][0]
    assert not state.can_confirm()


def test_nothing_moves_without_a_preview_or_while_busy() -> None:
    state = ResetState(read_only=False)
    assert state.next_step(form(state)) == (None, {})
    assert state.offers("next") is None  # greyed until the preview arrives
    state = loaded()
    state.step = Step.CONFIRM
    state.start_reset()
    assert state.busy
    assert state.previous_step() is None
    assert not state.may_close()
    assert state.offers("confirm") is None
    assert state.offers("back") is None


def test_back_goes_one_step_and_only_from_method_and_confirm() -> None:
    state = loaded()
    assert state.previous_step() is None
    state.step = Step.CONFIRM
    assert state.previous_step() == Step.METHOD
    state.step = Step.RESULT
    assert state.previous_step() is None
    assert not state.may_close()  # after the reset only "done" closes


def test_read_only_greys_confirm_but_the_flow_can_be_reviewed() -> None:
    state = loaded(read_only=True)
    state.step = Step.CONFIRM
    assert not state.can_confirm()
    assert state.offers("confirm") is None
    assert state.offers("back") is True


def test_actions_and_buttons_follow_the_step() -> None:
    state = loaded()
    assert state.offers("cancel") is True and state.offers("back") is False
    assert state.buttons() == {
        "cancel": True,
        "back": False,
        "next": True,
        "confirm": False,
        "copy": False,
        "done": False,
    }
    state.step = Step.METHOD
    assert state.offers("cancel") is False  # esc goes back from here
    assert state.offers("abandon") is True
    state.finish(result())
    state.step = Step.RESULT
    assert state.buttons()["copy"] and state.buttons()["done"]
    assert state.offers("copy") is True and state.offers("next") is False


def test_the_form_forces_unlock_for_unlock_only_and_carries_the_version() -> None:
    state = loaded()
    assert form(state, method_index=2, unlock=False).unlock is True
    assert form(state, method_index=0, unlock=False).unlock is False
    assert form(state, method_index=-1).method is ResetMethod.TEMPORARY_PASSWORD
    assert form(state).expected_version == PREVIEW.version
    assert method_at(1) is ResetMethod.RESET_LINK


def test_a_link_needs_an_address() -> None:
    assert link_possible(PREVIEW)
    assert not link_possible(replace(PREVIEW, email_masked=NO_EMAIL))


def test_errors_go_under_their_field_and_the_rest_on_the_message_line() -> None:
    grouped, loose = place_errors(
        {"name_matches": ["a"], "cnpj_confirmed": ["b"], "ticket_ref": ["c"], "user": ["d"]}
    )
    assert grouped == {"checks": ["a", "b"], "ticket": ["c"]}
    assert loose == ["d"]


def test_a_refused_reset_goes_back_to_the_earliest_step_concerned() -> None:
    state = loaded()
    state.step = Step.CONFIRM
    state.start_reset()
    assert state.failed_at({"method": ["x"], "reason": ["y"]}) == Step.IDENTITY
    assert not state.busy
    assert state.failed_at({"version": ["z"]}) == Step.CONFIRM
    assert state.failed_at({}) == Step.CONFIRM


def test_stale_previews_are_dropped() -> None:
    state = ResetState(read_only=False)
    old = state.request_preview()
    new = state.request_preview()
    assert not state.accept_preview(old, PREVIEW)
    assert state.preview is None
    assert state.accept_preview(new, PREVIEW)


def test_the_outcome_never_holds_the_password_and_the_secret_is_forgotten() -> None:
    state = loaded()
    outcome = state.finish(result())
    assert "Kx7m" not in repr(outcome)
    assert state.secret_shown
    assert not state.forget_secret()  # not copied: the clipboard is left alone
    state.copied = True
    assert state.drop_clipboard()
    assert not state.drop_clipboard()  # once only
    state.copied = True
    assert state.forget_secret()
    assert not state.secret_shown and not state.copied
    unlock_only = loaded()
    unlock_only.finish(result(None))
    assert not unlock_only.secret_shown


def test_failures_are_sorted_and_said() -> None:
    refused = describe_failure(ValidationError({"reason": ["say why"]}))
    assert refused.kind == "validation" and refused.fields == {"reason": ["say why"]}
    limited = describe_failure(ResetRateLimited("too many", AT))
    assert limited.kind == "rate_limited" and limited.retry_at == AT
    assert "in local time" in failure_line(limited)
    conflict = describe_failure(ConflictError("changed"))
    assert failure_line(conflict).startswith("changed ")
    assert reloads_preview(conflict) and reloads_preview(limited)
    assert describe_failure(NotFound("gone")).kind == "not_found"
    assert not reloads_preview(Failure("not_found", "gone"))
    surprise = describe_failure(KeyError("x"))
    assert surprise.kind == "other" and "KeyError" in surprise.message


@pytest.mark.parametrize("action", ["next", "cancel", "back", "abandon", "confirm", "copy", "done"])
def test_every_wizard_action_has_an_answer_at_every_step(action: str) -> None:
    state = loaded()
    for step in Step:
        state.step = step
        assert state.offers(action) in (True, False, None)


def test_the_result_focuses_copy_while_a_password_shows_else_done() -> None:
    with_password = loaded()
    with_password.finish(result())
    assert with_password.result_button() == "copy"
    assert with_password.forget_secret() is False
    assert with_password.result_button() == "done"
    unlock_only = loaded()
    unlock_only.finish(result(None))
    assert unlock_only.result_button() == "done"


def _failed_link(state: OutboxState) -> LinkStatus:
    return LinkStatus(
        outbox_id=9,
        portal_user_id=7,
        state=state,
        created_at=AT,
        attempts=5,
        sent_at=None,
        next_attempt_at=None,
        expires_at=None,
        last_error="550 5.2.1 mailbox unavailable",
    )


@pytest.mark.parametrize("read_only", [False, True])
def test_the_link_is_followed_on_its_result_and_only_a_failed_one_is_reissued(
    read_only: bool,
) -> None:
    state = loaded()
    state.read_only = read_only
    state.finish(replace(result(None), method=ResetMethod.RESET_LINK))
    assert not state.follows_link()  # the result step is not shown yet
    state.step = Step.RESULT
    assert state.follows_link()
    assert not state.can_reissue()  # not read yet
    state.link = _failed_link(OutboxState.SENT)
    assert not state.can_reissue()
    state.link = _failed_link(OutboxState.FAILED)
    assert state.can_reissue() is not read_only
    state.reissuing = True
    assert not state.can_reissue()  # once
    other = loaded()
    other.finish(result())
    other.step = Step.RESULT
    other.link = _failed_link(OutboxState.FAILED)
    assert not other.follows_link() and not other.can_reissue()  # not a reset by link


def test_a_read_older_than_the_reissue_is_dropped_and_a_final_link_is_settled() -> None:
    state = loaded()
    state.finish(replace(result(None), method=ResetMethod.RESET_LINK))
    state.step = Step.RESULT
    assert state.timezone() == "America/Sao_Paulo"  # the preview's: the customer's zone
    failed = _failed_link(OutboxState.FAILED)
    assert state.accept_link(failed) and state.link_settled()
    state.reissued(12)
    assert state.link is None and not state.link_settled()
    assert not state.accept_link(failed)  # left before the re-issue: stale
    assert not state.accept_link(None)
    assert state.link is None
    queued = replace(failed, outbox_id=12, state=OutboxState.QUEUED, last_error=None)
    assert state.accept_link(queued) and not state.link_settled()
    assert not state.accept_link(failed)  # an older row never replaces a newer one
    sent = replace(queued, state=OutboxState.SENT)
    assert state.accept_link(sent) and state.link_settled()
    assert not state.can_reissue()
