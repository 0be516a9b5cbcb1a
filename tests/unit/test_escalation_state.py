"""EditorState: the escalation editor's flow without a terminal (no pilot, no database).

The service's rules run for real (``validate_levels`` is pure); loads and
saves are played by handing ``finish`` the answers a worker would bring back.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import time

import pytest

from noc_console.clock import FixedClock
from noc_console.errors import (
    ConflictError,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from noc_console.models import Role
from noc_console.screens.escalation.conflict import differences, merge_on_top
from noc_console.screens.escalation.failures import Failure, FailureKind, classify
from noc_console.screens.escalation.form import RowValues, form_of
from noc_console.screens.escalation.preview import NO_CHAIN
from noc_console.screens.escalation.state import (
    EditorState,
    Effects,
    Focus,
    Job,
    Question,
    Ticket,
    read_only_reason,
)
from noc_console.services.context import Principal
from noc_console.services.escalation.dto import ChainView, Contact, SaveResult

FIELDS = ("delay_minutes", "name", "role_title", "phone", "email")  # the form, left to right
MARIA = Contact(1, "Maria Souza", None, "+5511912345678", "maria@empresa.com.br", 0)
CARLOS = Contact(2, "Carlos Lima", None, "+5511923456789", None, 15)
ANA = Contact(3, "Ana Reis", None, None, "ana@empresa.com.br", 60)


def chain_of(*contacts: Contact, version: int = 1) -> ChainView:
    return ChainView(
        customer_id=7,
        customer_name="Empresa X",
        timezone="America/Sao_Paulo",
        version=version,
        updated_at=None,
        updated_by="op:alice",
        contacts=contacts,
    )


def loaded(chain: ChainView | None = None, *, why_read_only: str | None = None) -> EditorState:
    """A state whose first load brought ``chain`` (the three levels by default)."""
    state = EditorState(clock=FixedClock(), field_order=FIELDS, why_read_only=why_read_only)
    ticket = state.start(Job.LOAD)
    state.finish(ticket, chain or chain_of(MARIA, CARLOS, ANA))
    return state


def edit(state: EditorState, level: int, **changes: str) -> None:
    state.edit(level, replace(state.values[level], **changes))
    state.validate()


def test_the_state_modules_load_without_textual() -> None:
    code = (
        "import sys, noc_console.screens.escalation.state;"
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_why_read_only() -> None:
    def principal(role: Role) -> Principal:
        return Principal(1, "ana", "Ana", role)

    assert read_only_reason(False, principal(Role.OPERATOR)) is None
    assert "read-only mode" in (read_only_reason(True, principal(Role.SUPERVISOR)) or "")
    reason = read_only_reason(False, principal(Role.ANALYST)) or ""
    assert "analyst role may not edit escalation chains" in reason


# ------------------------------------------------------------------------ loading


def test_a_load_fills_the_form_and_a_stale_answer_is_dropped() -> None:
    state = EditorState(clock=FixedClock(), field_order=FIELDS, why_read_only=None)
    assert state.allows("save") is None  # nothing to save before the chain is read
    assert state.timeline(None) == NO_CHAIN
    first = state.start(Job.LOAD)
    second = state.start(Job.LOAD)
    assert state.loading and state.busy
    assert state.finish(first, chain_of(MARIA)) is None  # replaced by the second load
    assert state.chain is None
    effects = state.finish(second, chain_of(MARIA, CARLOS))
    assert effects == Effects(refill=(1, 2, 3), focus=Focus(1))
    assert not state.loading
    assert state.values[1].phone == "(11) 91234-5678"  # E.164 shown formatted
    assert state.values[2].delay_minutes == "15" and state.values[3] == RowValues()
    assert not state.dirty and state.allows("save") is True


def test_a_view_only_editor_focuses_nothing_and_allows_no_edit() -> None:
    state = loaded(why_read_only="View only")
    assert state.start_focus() == Focus(None)
    assert not state.dirty
    assert not any(state.row_status(level).editable for level in (1, 2, 3))
    assert state.allows("save") is None and state.allows("clear_level") is None
    assert state.save() is None and state.clear_level(2) is None


def test_load_failures() -> None:
    state = EditorState(clock=FixedClock(), field_order=FIELDS, why_read_only=None)
    down = state.finish(state.start(Job.LOAD), Failure(FailureKind.DATABASE, "connection refused"))
    assert down == Effects(database_problem="connection refused")  # no toast: the notice says it
    assert state.error_of(Job.LOAD) == "connection refused" and state.error_of(Job.SAVE) is None
    state.finish(state.start(Job.LOAD), Failure(FailureKind.DENIED, "not yours"))
    assert state.read_only and state.why_read_only == "not yours"


# ------------------------------------------------------------------------ dirty tracking


def test_dirty_follows_the_validated_form_not_the_raw_text() -> None:
    state = loaded()
    state.edit(2, replace(state.values[2], delay_minutes="45"))
    assert state.validation_pending
    assert state.has_changes()  # validates what is pending first
    assert not state.validation_pending
    edit(state, 2, delay_minutes=" 15 ")  # back to the stored value, typed differently
    assert not state.dirty
    edit(state, 2, phone="123")  # invalid: compared as text
    assert state.dirty and state.valid is None
    assert state.messages(2)["phone"] and state.messages(2)["name"] == []


def test_a_view_only_form_is_never_dirty() -> None:
    state = loaded(why_read_only="View only")
    edit(state, 2, delay_minutes="45")
    assert not state.has_changes()


# ------------------------------------------------------------------------ gaps


def test_a_level_after_an_empty_one_is_blocked() -> None:
    state = loaded(chain_of(MARIA))
    assert state.row_status(2) == (False, False, True)
    assert state.row_status(3) == (False, True, False)  # fill level 2 first
    edit(state, 2, name="Carlos")
    assert state.row_status(2).is_set and state.row_status(3).editable


def test_clearing_a_middle_level_asks_to_clear_the_later_ones_too() -> None:
    state = loaded()
    effects = state.clear_level(2)
    assert effects is not None and effects.ask is not None
    ask = effects.ask
    assert ask.kind is Question.CLEAR and ask.levels == (2, 3) and ask.level == 2
    assert ask.confirm_id == "escalation.confirm_clear"
    assert ask.problem  # the service's words about the gap
    assert state.values[2].name == "Carlos Lima"  # nothing cleared before the answer
    accepted = ask.accept()
    assert accepted is not None
    assert accepted.refill == (2, 3) and accepted.focus == Focus(2)
    assert accepted.note is not None and "2, 3" in accepted.note.message
    assert state.values[2] == state.values[3] == RowValues()
    assert state.dirty and state.row_status(3).blocked


def test_clearing_the_last_level_needs_no_question() -> None:
    state = loaded()
    effects = state.clear_level(3)
    assert effects is not None and effects.ask is None and effects.refill == (3,)
    cleared = state.clear_level(None)  # the cursor is on no level
    assert cleared is not None and cleared.note is not None
    assert cleared.note.severity == "warning" and not cleared.refill


# ------------------------------------------------------------------------ saving


def test_save_refuses_an_invalid_form_and_points_at_the_first_bad_field() -> None:
    state = loaded()
    state.edit(2, replace(state.values[2], phone="123", delay_minutes="5000"))
    state.edit(3, replace(state.values[3], delay_minutes="abc"))
    effects = state.save()
    assert effects is not None and effects.start is None
    assert effects.focus == Focus(2, "delay_minutes")  # the wait is left of the phone
    assert effects.note is not None and effects.note.severity == "error"
    assert state.show_summary
    edit(state, 2, phone="(11) 92345-6789", delay_minutes="20")
    edit(state, 3, delay_minutes="45")
    assert not state.show_summary  # the summary goes once nothing is wrong


def test_save_with_nothing_changed_says_so() -> None:
    state = loaded()
    effects = state.save()
    assert effects is not None and effects.start is None and effects.note is not None


def test_a_save_carries_the_version_read_and_the_validated_form() -> None:
    state = loaded()
    edit(state, 2, delay_minutes="30")
    assert state.save() == Effects(start=Job.SAVE)
    ticket = state.start(Job.SAVE)
    assert state.saving and state.allows("save") is None and state.allows("reload") is False
    assert state.save() is None  # one save at a time
    assert ticket.version == 1 and [i.level for i in ticket.inputs] == [1, 2, 3]
    assert ticket.mine == state.valid and ticket.mine[1].delay_minutes == 30
    saved = chain_of(MARIA, replace(CARLOS, delay_minutes=30), ANA, version=2)
    effects = state.finish(ticket, SaveResult(saved, ()))
    assert effects is not None and effects.refill == (1, 2, 3)
    assert effects.note is not None and "version 2" in effects.note.message
    assert state.chain == saved and not state.dirty and not state.saving


@pytest.mark.parametrize(
    ("failure", "read_only", "database"),
    [
        (Failure(FailureKind.DENIED, "may not"), True, None),
        (Failure(FailureKind.DATABASE, "down"), False, "down"),
        (Failure(FailureKind.UNEXPECTED, "boom"), False, None),
    ],
)
def test_a_failed_save_keeps_the_form_and_says_why(
    failure: Failure, read_only: bool, database: str | None
) -> None:
    state = loaded()
    edit(state, 2, delay_minutes="45")
    effects = state.finish(state.start(Job.SAVE), failure)
    assert effects is not None and effects.database_problem == database
    assert effects.note is not None and effects.note.severity == "error"
    assert state.error_of(Job.SAVE) == failure.message and not state.saving
    assert state.read_only is read_only
    assert state.values[2].delay_minutes == "45"


def test_a_save_refused_field_by_field_marks_the_fields() -> None:
    state = loaded()
    edit(state, 2, delay_minutes="45")
    refused = Failure(FailureKind.INVALID, "bad", fields={"level2.phone": ["not a phone"]})
    effects = state.finish(state.start(Job.SAVE), refused)
    assert effects == Effects(focus=Focus(2, "phone"))
    assert state.errors == {"level2.phone": ["not a phone"]} and state.show_summary
    assert state.valid is None and state.notice is None


# ------------------------------------------------------------------------ conflict


def conflicted() -> tuple[EditorState, ChainView]:
    """Bob changed level 3's wait; Alice saved level 2's wait = 30 first."""
    state = loaded()
    edit(state, 3, delay_minutes="90")
    theirs = chain_of(MARIA, replace(CARLOS, delay_minutes=30), ANA, version=2)
    failure = Failure(FailureKind.CONFLICT, "saved first", current=theirs)
    effects = state.finish(state.start(Job.SAVE), failure)
    assert effects is not None and effects.show_conflict
    assert effects.note is not None and effects.note.severity == "warning"
    return state, theirs


def test_a_conflict_shows_their_chain_and_what_re_apply_would_keep() -> None:
    state, _theirs = conflicted()
    assert state.conflict is not None and state.allows("reapply") is True
    info = state.conflict.info
    assert (info.version, info.updated_by) == (2, "op:alice")
    by_level = {d.level: d for d in info.diffs}
    assert (by_level[2].theirs, by_level[2].mine, by_level[2].result) == (
        "30 min",
        "15 min",
        "30 min",
    )
    assert (by_level[3].theirs, by_level[3].mine, by_level[3].result) == (
        "60 min",
        "90 min",
        "90 min",
    )
    assert state.chain is not None and state.chain.version == 1  # still the base


def test_reload_after_a_conflict_takes_theirs() -> None:
    state, theirs = conflicted()
    effects = state.reload()
    assert effects.refill == (1, 2, 3) and effects.focus == Focus(1) and effects.start is None
    assert state.conflict is None and state.chain == theirs and not state.dirty
    assert state.allows("reapply") is False


def test_re_apply_saves_mine_on_top_with_their_version() -> None:
    state, theirs = conflicted()
    effects = state.reapply()
    assert effects == Effects(refill=(1, 2, 3), start=Job.SAVE)
    assert state.chain == theirs and state.conflict is None
    assert state.values[2].delay_minutes == "30" and state.values[3].delay_minutes == "90"
    assert state.start(Job.SAVE).version == 2
    assert state.reapply() is None  # no conflict any more


def test_merge_keeps_their_fields_i_did_not_touch_and_never_mixes_two_people() -> None:
    base = (MARIA, CARLOS)
    theirs = (replace(MARIA, email="m@x.com.br"), replace(CARLOS, delay_minutes=30))
    mine = (MARIA, replace(CARLOS, phone="+5511998765432"))
    merged = merge_on_top(base, mine, theirs, FIELDS)
    assert merged == (theirs[0], replace(CARLOS, delay_minutes=30, phone="+5511998765432"))
    other_person = (MARIA, replace(CARLOS, name="Bruno Dias", delay_minutes=20))
    assert merge_on_top(base, other_person, theirs, FIELDS)[1] == other_person[1]
    assert merge_on_top(base, (MARIA,), theirs, FIELDS) == (theirs[0],)  # I removed level 2
    diffs = differences(theirs, (MARIA,), (theirs[0],), FIELDS)
    assert [(d.level, d.field, d.mine) for d in diffs] == [
        (1, "email", "maria@empresa.com.br"),
        (2, "name", "(level not set)"),
    ]


# ------------------------------------------------------------------------ leaving, reloading


def test_leaving_asks_only_when_something_would_be_lost() -> None:
    state = loaded()
    assert state.leave() == Effects(leave=True)
    edit(state, 2, delay_minutes="45")
    ask = state.leave().ask
    assert ask is not None and ask.kind is Question.DISCARD
    assert ask.customer_name == "Empresa X" and ask.confirm_id == "escalation.confirm_discard"
    assert ask.accept() == Effects(leave=True)


def test_reload_reads_again_asking_first_over_unsaved_changes() -> None:
    state = loaded()
    assert state.reload() == Effects(start=Job.LOAD)
    edit(state, 2, delay_minutes="45")
    ask = state.reload().ask
    assert ask is not None and ask.kind is Question.RELOAD
    assert ask.confirm_id == "escalation.confirm_reload"
    assert ask.accept() == Effects(start=Job.LOAD)


def test_restore_puts_back_the_form_after_a_language_switch() -> None:
    state = loaded()
    values = dict(state.values)
    values[2] = replace(values[2], delay_minutes="33")
    effects = state.restore(values)
    assert effects.refill == (1, 2, 3) and state.dirty


# ------------------------------------------------------------------------ timeline, failures


def test_the_timeline_preview_follows_the_form_and_stops_at_a_refused_wait() -> None:
    state = loaded()  # FixedClock: 13:10 UTC = 10:10 in São Paulo
    assert state.now_hhmm() == "10:10"
    plan = state.timeline(time(3, 10))
    assert plan.sentence.startswith("incident at 03:10 → L1 03:10, L2 03:25, L3 04:25")
    assert plan.zone == "America/Sao_Paulo" and plan.note == ""
    assert "HH:MM" in state.timeline(None).note  # no time typed: now, and it says so
    edit(state, 2, delay_minutes="x")
    refused = state.timeline(time(3, 10))
    assert [s.level for s in refused.steps] == [1] and "2" in refused.note
    edit(state, 2, delay_minutes="15", name="", phone="")
    state.edit(2, RowValues())
    state.validate()
    gap = state.timeline(time(3, 10))
    assert [s.level for s in gap.steps] == [1] and "level 2 is not set" in gap.note


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (PermissionDenied("no"), FailureKind.DENIED),
        (NotFound("gone"), FailureKind.NOT_FOUND),
        (ConflictError("first", current=chain_of(MARIA)), FailureKind.CONFLICT),
        (ValidationError({"level2.phone": ["bad"]}), FailureKind.INVALID),
        (DatabaseUnavailable("down"), FailureKind.DATABASE),
        (RuntimeError("secret text"), FailureKind.UNEXPECTED),
    ],
)
def test_failures_are_sorted_by_kind(error: Exception, kind: FailureKind) -> None:
    failure = classify(error)
    assert failure.kind is kind
    if kind is FailureKind.UNEXPECTED:
        assert "RuntimeError" in failure.message and "secret" not in failure.message
    else:
        assert failure.message == str(error)
    assert (failure.current is not None) is (kind is FailureKind.CONFLICT)
    assert bool(failure.fields) is (kind is FailureKind.INVALID)


def test_stale_save_answers_are_dropped() -> None:
    state = loaded()
    edit(state, 2, delay_minutes="45")
    old = state.start(Job.SAVE)
    state.finish(state.start(Job.SAVE), Failure(FailureKind.DATABASE, "down"))
    assert state.finish(old, SaveResult(chain_of(MARIA, version=2), ())) is None
    assert form_of(state.chain)[2].delay_minutes == "15" and state.values[2].delay_minutes == "45"
    assert state.finish(Ticket(Job.LOAD, 99), chain_of(MARIA)) is None  # no such load
