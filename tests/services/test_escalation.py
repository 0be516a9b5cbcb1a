"""Escalation chains: every rule, optimistic locking under threads, audit diff, timeline."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from noc_console.clock import FixedClock
from noc_console.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from noc_console.models import (
    AuditEvent,
    Customer,
    EscalationChain,
    EscalationContact,
    PasswordPolicy,
    Role,
)
from noc_console.services import escalation
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation import (
    ChainView,
    Contact,
    ContactInput,
    DelayBounds,
    timeline,
    timeline_text,
    validate_levels,
)
from tests.support.factories import make_chain, make_customer, make_operator

SP = ZoneInfo("America/Sao_Paulo")

L1 = ContactInput(
    1, "Maria Souza", "Gerente de TI", "(11) 91234-5678", "maria@empresa.com.br", None
)
L2 = ContactInput(2, "Carlos Lima", None, "+55 11 92345-6789", None, "15")
L3 = ContactInput(3, "Beatriz Rocha", "Diretora", None, "beatriz@empresa.com.br", 60)
LEVELS = (L1, L2, L3)


def _setup(
    ctx: ServiceContext, role: Role = Role.OPERATOR, username: str = "otto"
) -> tuple[int, Principal]:
    with ctx.sessions.begin() as s:
        customer = make_customer(s)
        op = make_operator(s, role, username=username)
        return customer.id, op


def _operator(ctx: ServiceContext, role: Role, username: str) -> Principal:
    with ctx.sessions.begin() as s:
        return make_operator(s, role, username=username)


def _events(ctx: ServiceContext, action: str = escalation.AUDIT_ACTION) -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def _db_state(ctx: ServiceContext, customer_id: int) -> tuple[object, ...]:
    """Everything a refused save must leave untouched."""
    with ctx.sessions() as s:
        chain = s.execute(
            select(
                EscalationChain.version, EscalationChain.updated_at, EscalationChain.updated_by
            ).where(EscalationChain.customer_id == customer_id)
        ).one_or_none()
        contacts = s.execute(
            select(
                EscalationContact.level,
                EscalationContact.name,
                EscalationContact.role_title,
                EscalationContact.phone,
                EscalationContact.email,
                EscalationContact.delay_minutes,
            ).order_by(EscalationContact.chain_id, EscalationContact.level)
        ).all()
        audits = s.scalar(select(func.count()).select_from(AuditEvent))
    return (tuple(chain) if chain else None, tuple(tuple(c) for c in contacts), audits)


def _with(base: ContactInput, **changes: object) -> ContactInput:
    values = {
        f: getattr(base, f)
        for f in ("level", "name", "role_title", "phone", "email", "delay_minutes")
    }
    values.update(changes)
    return ContactInput(**values)


# ------------------------------------------------------------------ reading


def test_get_chain_of_unknown_customer_is_not_found(ctx: ServiceContext) -> None:
    _, op = _setup(ctx)
    with pytest.raises(NotFound):
        escalation.get_chain(ctx, op, 999_999)


def test_get_chain_without_a_chain_is_version_zero(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx, Role.ANALYST)  # lookup is enough to read
    view = escalation.get_chain(ctx, op, cid)
    assert (view.version, view.contacts, view.updated_by, view.updated_at) == (0, (), None, None)
    assert view.customer_name == "Padaria São João Ltda"
    assert view.timezone == "America/Sao_Paulo"
    assert view.bounds == DelayBounds(1, 1440)


def test_get_chain_returns_contacts_in_level_order(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx, Role.ANALYST)
    with ctx.sessions.begin() as s:
        customer = s.get(Customer, cid)
        assert customer is not None
        make_chain(s, customer)
    view = escalation.get_chain(ctx, op, cid)
    assert view.version == 1
    assert [c.level for c in view.contacts] == [1, 2, 3]
    assert view.contact(2) == Contact(2, "Carlos Lima", None, "+5511923456789", None, 15)
    assert view.contact(4) is None


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("America/Manaus", "America/Manaus"), ("Nowhere/Land", "America/Sao_Paulo")],
)
def test_chain_carries_the_customer_zone(ctx: ServiceContext, stored: str, shown: str) -> None:
    cid, op = _setup(ctx)
    with ctx.sessions.begin() as s:
        s.execute(update(Customer).where(Customer.id == cid).values(timezone=stored))
    view = escalation.save_chain(ctx, op, cid, (L1, L2), 0).chain
    assert view.timezone == shown == escalation.get_chain(ctx, op, cid).timezone
    start = datetime(2026, 11, 25, 7, 10, tzinfo=UTC)
    assert timeline(view, start)[0].at.tzinfo == ZoneInfo(shown)


# -------------------------------------------------------------------- rules

RULE_CASES: list[tuple[str, Sequence[ContactInput], str, str]] = [
    ("gap: level 3 without 2", (L1, L3), "levels", "needs a level 2"),
    ("gap: level 2 without 1", (L2,), "levels", "needs a level 1"),
    ("duplicate level", (L1, _with(L1, name="Outra Pessoa")), "levels", "more than one contact"),
    ("level 4", (L1, L2, L3, _with(L3, level=4)), "levels", "level 4 does not exist"),
    ("level 0", (_with(L1, level=0),), "levels", "level 0 does not exist"),
    ("level 1 with a wait", (_with(L1, delay_minutes=5), L2), "level1.delay_minutes", "must be 0"),
    (
        "level 1 with junk wait",
        (_with(L1, delay_minutes="abc"),),
        "level1.delay_minutes",
        "must be 0",
    ),
    (
        "level 2 without wait",
        (L1, _with(L2, delay_minutes=None)),
        "level2.delay_minutes",
        "enter the wait",
    ),
    ("wait blank", (L1, _with(L2, delay_minutes="  ")), "level2.delay_minutes", "enter the wait"),
    ("wait abc", (L1, _with(L2, delay_minutes="abc")), "level2.delay_minutes", "whole number"),
    ("wait 1.5", (L1, _with(L2, delay_minutes="1.5")), "level2.delay_minutes", "whole number"),
    ("wait -5", (L1, _with(L2, delay_minutes="-5")), "level2.delay_minutes", "between 1 and 1440"),
    ("wait 0", (L1, _with(L2, delay_minutes=0)), "level2.delay_minutes", "between 1 and 1440"),
    (
        "wait 99999",
        (L1, L2, _with(L3, delay_minutes="99999")),
        "level3.delay_minutes",
        "between 1 and 1440",
    ),
    (
        "wait 1441",
        (L1, _with(L2, delay_minutes=1441)),
        "level2.delay_minutes",
        "between 1 and 1440",
    ),
    (
        "wait huge",
        (L1, _with(L2, delay_minutes="9" * 5000)),
        "level2.delay_minutes",
        "between 1 and 1440",
    ),
    ("wait bool", (L1, _with(L2, delay_minutes=True)), "level2.delay_minutes", "whole number"),
    ("missing name", (_with(L1, name=""),), "level1.name", "enter the contact's name"),
    ("blank name", (_with(L1, name="   "),), "level1.name", "enter the contact's name"),
    (
        "invisible name",
        (_with(L1, name="\u200b\u0301"),),
        "level1.name",
        "enter the contact's name",
    ),
    ("name too long", (_with(L1, name="x" * 201),), "level1.name", "too long"),
    ("name with NUL", (_with(L1, name="Maria\x00"),), "level1.name", "control characters"),
    ("name with escape", (_with(L1, name="\x1b[2JMaria"),), "level1.name", "control characters"),
    (
        "name with line separator",
        (_with(L1, name="Maria\u2028Souza"),),
        "level1.name",
        "line breaks",
    ),
    ("role title too long", (_with(L1, role_title="r" * 121),), "level1.role_title", "too long"),
    ("no channel", (L1, _with(L2, phone=None, email="  ")), "level2.phone", "at least one"),
    ("no channel (email key)", (_with(L1, phone="", email=None),), "level1.email", "at least one"),
    ("bad phone", (_with(L1, phone="123"),), "level1.phone", "phone number"),
    ("phone letters", (_with(L1, phone="call me"),), "level1.phone", "phone number"),
    ("bad email", (_with(L1, email="maria@"),), "level1.email", "e-mail"),
    ("email with space", (_with(L1, email="maria souza@empresa.com"),), "level1.email", "e-mail"),
    ("hash-like email", (_with(L1, email="$argon2id@x.com"),), "level1.email", "password hash"),
]


@pytest.mark.parametrize(
    ("levels", "key", "fragment"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_each_rule_refuses_with_a_message_on_its_field_and_writes_nothing(
    ctx: ServiceContext, levels: Sequence[ContactInput], key: str, fragment: str
) -> None:
    cid, op = _setup(ctx)
    before = _db_state(ctx, cid)
    with pytest.raises(ValidationError) as err:
        escalation.save_chain(ctx, op, cid, levels, 0)
    assert key in err.value.fields, err.value.fields
    assert any(fragment in message for message in err.value.fields[key]), err.value.fields
    assert _db_state(ctx, cid) == before
    # The same rule, run live by the editor, gives the same message.
    with pytest.raises(ValidationError) as live:
        validate_levels(levels)
    assert live.value.fields == err.value.fields


def test_every_problem_is_reported_at_once() -> None:
    levels = (
        _with(L1, name="", delay_minutes=3),
        _with(L2, phone="1", delay_minutes="x"),
        _with(L3, level=5),
    )
    with pytest.raises(ValidationError) as err:
        validate_levels(levels)
    assert set(err.value.fields) == {
        "levels",
        "level1.name",
        "level1.delay_minutes",
        "level2.phone",
        "level2.delay_minutes",
    }


@pytest.mark.parametrize("delay", [None, "", " ", 0, "0", " 0 "])
def test_level_1_wait_may_be_blank_or_zero(delay: int | str | None) -> None:
    contacts, _ = validate_levels((_with(L1, delay_minutes=delay),))
    assert contacts[0].delay_minutes == 0


@pytest.mark.parametrize(
    ("typed", "minutes"), [("15", 15), (" 60 ", 60), ("+30", 30), (1, 1), (1440, 1440), (90.0, 90)]
)
def test_wait_accepts_whole_minutes_as_typed(typed: int | str, minutes: int) -> None:
    contacts, _ = validate_levels((L1, _with(L2, delay_minutes=typed)))
    assert contacts[1].delay_minutes == minutes


def test_bounds_come_from_the_policy_row(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    with ctx.sessions.begin() as s:
        s.execute(
            update(PasswordPolicy).values(
                escalation_min_delay_minutes=10, escalation_max_delay_minutes=30
            )
        )
    assert escalation.get_chain(ctx, op, cid).bounds == DelayBounds(10, 30)
    for too_far in (5, 9, 31, 1440):
        with pytest.raises(ValidationError) as err:
            escalation.save_chain(ctx, op, cid, (L1, _with(L2, delay_minutes=too_far)), 0)
        assert err.value.fields["level2.delay_minutes"] == [
            "the wait must be between 10 and 30 minutes"
        ]
    assert escalation.get_chain(ctx, op, cid).version == 0
    saved = escalation.save_chain(
        ctx, op, cid, (L1, _with(L2, delay_minutes=10), _with(L3, delay_minutes=30)), 0
    )
    assert [c.delay_minutes for c in saved.chain.contacts] == [0, 10, 30]


def test_validate_levels_with_explicit_bounds() -> None:
    with pytest.raises(ValidationError):
        validate_levels((L1, _with(L2, delay_minutes=15)), DelayBounds(20, 40))
    contacts, _ = validate_levels((L1, _with(L2, delay_minutes=20)), DelayBounds(20, 40))
    assert contacts[1].delay_minutes == 20


def test_phone_email_and_text_are_normalised_when_saved(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    levels = (
        ContactInput(1, "  Maria Souza ", "  ", "(11) 98765-4321", "  Maria@EMPRESA.com.BR ", None),
        ContactInput(2, "Carlos", " Plantão ", "+1 (650) 253-0000", None, " 15 "),
    )
    result = escalation.save_chain(ctx, op, cid, levels, 0)
    expected = (
        Contact(1, "Maria Souza", None, "+5511987654321", "Maria@empresa.com.br", 0),
        Contact(2, "Carlos", "Plantão", "+16502530000", None, 15),
    )
    assert result.chain.contacts == expected
    assert escalation.get_chain(ctx, op, cid).contacts == expected
    with ctx.sessions() as s:
        row = s.scalars(select(EscalationContact).where(EscalationContact.level == 1)).one()
        assert (row.phone, row.name_norm, row.email_norm) == (
            "+5511987654321",
            "maria souza",
            "maria@empresa.com.br",
        )


@pytest.mark.parametrize(
    ("second", "what"),
    [
        (_with(L2, name="  MARIA   souza "), "same name"),
        (_with(L2, phone="11 91234 5678"), "same phone"),
        (_with(L2, email="MARIA@empresa.com.br"), "same e-mail"),
    ],
)
def test_same_person_on_two_levels_is_a_warning_not_an_error(
    ctx: ServiceContext, second: ContactInput, what: str
) -> None:
    cid, op = _setup(ctx)
    result = escalation.save_chain(ctx, op, cid, (L1, second), 0)
    assert result.chain.version == 1
    assert len(result.warnings) == 1
    assert "levels 1 and 2" in result.warnings[0] and what in result.warnings[0]
    assert escalation.validate_levels((L1, second))[1] == result.warnings
    details = _events(ctx)[0].details
    assert details["same_person_warnings"] == [[1, 2]]


def test_different_people_give_no_warning() -> None:
    assert validate_levels(LEVELS)[1] == ()


def test_empty_list_is_valid() -> None:
    assert validate_levels(()) == ((), ())


# ------------------------------------------------------------------- saving


def test_save_creates_version_1_then_2(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    first = escalation.save_chain(ctx, op, cid, LEVELS, 0)
    assert first.chain.version == 1
    assert first.chain.updated_by == "op:otto"
    assert first.chain.updated_at == ctx.clock.now()
    assert [c.level for c in first.chain.contacts] == [1, 2, 3]
    assert first.warnings == ()
    # Only a contact changes, same operator, same (fixed) clock: the version still moves.
    second = escalation.save_chain(ctx, op, cid, (L1, _with(L2, phone="(21) 2345-6789"), L3), 1)
    assert second.chain.version == 2
    assert second.chain.contact(2) == Contact(2, "Carlos Lima", None, "+552123456789", None, 15)
    assert escalation.get_chain(ctx, op, cid) == second.chain
    # Saving the very same chain again is still a save: version and audit move.
    third = escalation.save_chain(ctx, op, cid, (L1, _with(L2, phone="(21) 2345-6789"), L3), 2)
    assert third.chain.version == 3
    assert len(_events(ctx)) == 3


def test_save_replaces_the_whole_chain(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    escalation.save_chain(ctx, op, cid, LEVELS, 0)
    result = escalation.save_chain(ctx, op, cid, (_with(L3, level=1, delay_minutes=0),), 1)
    assert result.chain.contacts == (
        Contact(1, "Beatriz Rocha", "Diretora", None, "beatriz@empresa.com.br", 0),
    )
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationContact)) == 1


def test_save_for_unknown_customer_is_not_found(ctx: ServiceContext) -> None:
    _, op = _setup(ctx)
    with pytest.raises(NotFound):
        escalation.save_chain(ctx, op, 999_999, LEVELS, 0)


def test_empty_list_clears_the_chain(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    escalation.save_chain(ctx, op, cid, LEVELS, 0)
    result = escalation.save_chain(ctx, op, cid, (), 1)
    assert (result.chain.version, result.chain.contacts) == (2, ())
    assert escalation.get_chain(ctx, op, cid).contacts == ()
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationContact)) == 0
    diff = _events(ctx)[-1].details["levels"]
    assert {level: d["change"] for level, d in diff.items()} == {
        "1": "removed",
        "2": "removed",
        "3": "removed",
    }


def test_stale_version_is_a_conflict_carrying_the_other_chain(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    cid, otto = _setup(ctx, username="otto")
    bia = _operator(ctx, Role.SUPERVISOR, "bia")
    escalation.save_chain(ctx, otto, cid, LEVELS, 0)
    seen_by_otto = escalation.get_chain(ctx, otto, cid)
    clock.advance(minutes=3)
    by_bia = escalation.save_chain(
        ctx, bia, cid, (L1, _with(L2, delay_minutes=30)), seen_by_otto.version
    )
    before = _db_state(ctx, cid)

    with pytest.raises(ConflictError) as err:
        escalation.save_chain(
            ctx, otto, cid, (L1, L2, _with(L3, name="Outra")), seen_by_otto.version
        )

    current = err.value.current
    assert isinstance(current, ChainView)
    assert current == by_bia.chain
    assert (current.version, current.updated_by) == (2, "op:bia")
    assert current.updated_at == ctx.clock.now()
    assert "op:bia" in str(err.value)
    assert _db_state(ctx, cid) == before
    assert len(_events(ctx)) == 2  # the two successful saves, not the refused one


def test_expected_version_0_when_a_chain_exists_is_a_conflict(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    escalation.save_chain(ctx, op, cid, LEVELS, 0)
    before = _db_state(ctx, cid)
    with pytest.raises(ConflictError) as err:
        escalation.save_chain(ctx, op, cid, (L1,), 0)
    assert isinstance(err.value.current, ChainView) and err.value.current.version == 1
    assert _db_state(ctx, cid) == before


@pytest.mark.parametrize("expected", [1, 5, -1])
def test_expected_version_without_a_chain_is_a_conflict(ctx: ServiceContext, expected: int) -> None:
    cid, op = _setup(ctx)
    before = _db_state(ctx, cid)
    with pytest.raises(ConflictError) as err:
        escalation.save_chain(ctx, op, cid, LEVELS, expected)
    assert isinstance(err.value.current, ChainView) and err.value.current.version == 0
    assert _db_state(ctx, cid) == before


def test_validation_is_checked_before_the_version(ctx: ServiceContext) -> None:
    """An invalid edit on a stale chain gets its field messages, nothing else changes."""
    cid, op = _setup(ctx)
    escalation.save_chain(ctx, op, cid, LEVELS, 0)
    with pytest.raises(ValidationError):
        escalation.save_chain(ctx, op, cid, (_with(L1, phone="1", email=None),), 0)


# -------------------------------------------------------------------- audit


def test_one_audit_event_per_successful_save_with_a_diff(ctx: ServiceContext) -> None:
    cid, op = _setup(ctx)
    escalation.save_chain(ctx, op, cid, (L1, L2), 0)
    with pytest.raises(ValidationError):
        escalation.save_chain(ctx, op, cid, (L1, _with(L2, phone="x")), 1)
    with pytest.raises(ConflictError):
        escalation.save_chain(ctx, op, cid, (L1,), 0)
    escalation.save_chain(
        ctx, op, cid, (L1, _with(L2, phone="(21) 2345-6789", delay_minutes=20), L3), 1
    )
    escalation.save_chain(ctx, op, cid, (L1,), 2)

    events = _events(ctx)
    assert len(events) == 3
    assert all(e.operator_id == op.operator_id and e.customer_id == cid for e in events)
    assert events[0].subject == "Padaria São João Ltda"

    first = events[0].details
    assert first["version"] == {"old": 0, "new": 1}
    assert first["levels"]["1"]["change"] == "added"
    assert first["levels"]["1"]["fields"]["phone"] == {"old": None, "new": "+5511912345678"}
    assert first["levels"]["2"]["fields"]["delay_minutes"] == {"old": None, "new": 15}

    second = events[1].details
    assert second["version"] == {"old": 1, "new": 2}
    assert "1" not in second["levels"]  # unchanged levels are not listed
    assert second["levels"]["2"] == {
        "change": "changed",
        "fields": {
            "phone": {"old": "+5511923456789", "new": "+552123456789"},
            "delay_minutes": {"old": 15, "new": 20},
        },
    }
    assert second["levels"]["3"]["change"] == "added"
    assert second["levels"]["3"]["fields"]["name"] == {"old": None, "new": "Beatriz Rocha"}

    third = events[2].details
    assert {k: v["change"] for k, v in third["levels"].items()} == {"2": "removed", "3": "removed"}
    assert third["levels"]["3"]["fields"]["email"] == {"old": "beatriz@empresa.com.br", "new": None}


# -------------------------------------------------------------- permissions


def test_analyst_may_not_save_and_the_denial_is_audited(ctx: ServiceContext) -> None:
    cid, analyst = _setup(ctx, Role.ANALYST, "ana")
    before = _db_state(ctx, cid)
    with pytest.raises(PermissionDenied):
        escalation.save_chain(ctx, analyst, cid, LEVELS, 0)
    denied = _events(ctx, "permission_denied")
    assert len(denied) == 1
    assert denied[0].customer_id == cid
    assert denied[0].details["permission"] == "edit_escalation"
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationChain)) == 0
    assert before[:2] == _db_state(ctx, cid)[:2]
    assert _events(ctx) == []


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR])
def test_operator_and_supervisor_may_save(ctx: ServiceContext, role: Role) -> None:
    cid, who = _setup(ctx, role, "who")
    assert escalation.save_chain(ctx, who, cid, LEVELS, 0).chain.version == 1


@pytest.mark.parametrize("role", list(Role))
def test_read_only_console_may_read_but_not_save(
    ctx: ServiceContext, read_only_ctx: ServiceContext, role: Role
) -> None:
    cid, who = _setup(ctx, role, "who")
    assert escalation.get_chain(read_only_ctx, who, cid).version == 0
    with pytest.raises(PermissionDenied):
        escalation.save_chain(read_only_ctx, who, cid, LEVELS, 0)
    assert escalation.get_chain(ctx, who, cid).version == 0
    denied = _events(ctx, "permission_denied")
    assert len(denied) == 1
    if role is not Role.ANALYST:
        assert denied[0].details["why"] == "read_only"


# ----------------------------------------------------------------- timeline


def _chain(delays: Sequence[int], tz: str = "America/Sao_Paulo") -> ChainView:
    names = ("Maria", "Carlos", "Beatriz")
    contacts = tuple(
        Contact(i + 1, names[i], None, "+5511987654321", None, 0 if i == 0 else d)
        for i, d in enumerate(delays)
    )
    return ChainView(1, "Cliente", tz, 1, None, None, contacts)


def test_timeline_adds_the_waits_in_the_customer_zone() -> None:
    start = datetime(2026, 11, 25, 6, 10, tzinfo=UTC)  # 03:10 in São Paulo
    steps = timeline(_chain((0, 15, 60)), start)
    assert [(s.level, s.name, s.at.strftime("%H:%M"), s.offset_minutes) for s in steps] == [
        (1, "Maria", "03:10", 0),
        (2, "Carlos", "03:25", 15),
        (3, "Beatriz", "04:25", 75),
    ]
    assert all(s.at.tzinfo == SP for s in steps)
    assert steps[2].at == start + timedelta(minutes=75)
    assert timeline_text(steps) == (
        "incident at 03:10 → L1 03:10, L2 03:25, L3 04:25 (America/Sao_Paulo)"
    )


def test_timeline_crossing_midnight_says_next_day() -> None:
    start = datetime(2026, 11, 25, 23, 50, tzinfo=SP)
    steps = timeline(_chain((0, 20, 45)), start)
    assert [s.at for s in steps] == [
        datetime(2026, 11, 25, 23, 50, tzinfo=SP),
        datetime(2026, 11, 26, 0, 10, tzinfo=SP),
        datetime(2026, 11, 26, 0, 55, tzinfo=SP),
    ]
    assert timeline_text(steps) == (
        "incident at 23:50 → L1 23:50, L2 00:10 +1d, L3 00:55 +1d (America/Sao_Paulo)"
    )


def test_timeline_in_a_zone_without_dst_and_in_the_chain_zone() -> None:
    start = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    steps = timeline(_chain((0, 30, 1440), tz="Asia/Tokyo"), start)
    assert [s.at.strftime("%d %H:%M") for s in steps] == ["01 21:00", "01 21:30", "02 21:30"]
    assert timeline_text(steps).endswith("(Asia/Tokyo)")
    # An explicit zone wins over the chain's.
    assert timeline(_chain((0, 30)), start, "UTC")[1].at.strftime("%H:%M") == "12:30"


def test_timeline_is_real_elapsed_time_across_a_dst_change() -> None:
    # New York springs forward at 02:00 on 2026-03-08: 01:50 + 15 min is 03:05 EDT.
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 8, 1, 50, tzinfo=ny)
    steps = timeline(_chain((0, 15, 60), tz="America/New_York"), start)
    assert [s.at.strftime("%H:%M %Z") for s in steps] == ["01:50 EST", "03:05 EDT", "04:05 EDT"]
    # Same-zone subtraction in Python is wall-clock; the real gap shows in UTC.
    assert steps[1].at.astimezone(UTC) - steps[0].at.astimezone(UTC) == timedelta(minutes=15)
    assert steps[1].offset_minutes == 15
    assert timeline_text(steps) == (
        "incident at 01:50 → L1 01:50, L2 03:05, L3 04:05 (America/New_York)"
    )


def test_timeline_of_plain_contacts_naive_start_and_empty_chain() -> None:
    contacts = _chain((0, 15)).contacts
    steps = timeline(contacts, datetime(2026, 11, 25, 3, 10))  # naive: wall clock in the zone
    assert steps[0].at == datetime(2026, 11, 25, 3, 10, tzinfo=SP)
    assert steps[1].at.strftime("%H:%M") == "03:25"
    assert timeline(tuple(reversed(contacts)), steps[0].at) == steps  # order by level
    assert timeline((), steps[0].at) == ()
    assert timeline_text(()) == "no escalation contacts registered"
    assert timeline_text(steps, "UTC") == "incident at 06:10 → L1 06:10, L2 06:25 (UTC)"


def test_unknown_zone_falls_back_to_sao_paulo() -> None:
    steps = timeline(_chain((0, 15), tz="Mars/Olympus"), datetime(2026, 1, 1, 6, 0, tzinfo=UTC))
    assert steps[0].at.tzinfo == SP
    assert (
        timeline(_chain((0,)), datetime(2026, 1, 1, tzinfo=UTC), "../etc/passwd")[0].at.tzinfo == SP
    )


@settings(max_examples=200, deadline=None)
@given(
    delays=st.lists(st.integers(1, 1440), max_size=2),
    start=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(
        ["America/Sao_Paulo", "America/New_York", "Europe/Lisbon", "Australia/Lord_Howe", "UTC"]
    ),
)
def test_timeline_offsets_are_exact_elapsed_minutes(
    delays: list[int], start: datetime, tz: str
) -> None:
    steps = timeline(_chain([0, *delays]), start, tz)
    expected = 0
    for step, delay in zip(steps, [0, *delays], strict=True):
        expected += delay
        assert step.offset_minutes == expected
        assert step.at - start == timedelta(minutes=expected)
        assert step.at.tzinfo == ZoneInfo(tz)
    assert timeline_text(steps).startswith("incident at ")


# -------------------------------------------------------------- concurrency


def _run_threads(n: int, target: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrapped(i: int) -> None:
        try:
            target(i)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a saver hung"
    return errors


def test_concurrent_saves_lose_no_update(ctx: ServiceContext) -> None:
    threads, saves_each = 4, 25
    cid, _ = _setup(ctx)
    ops = [_operator(ctx, Role.OPERATOR, f"op{i}") for i in range(threads)]
    escalation.save_chain(ctx, ops[0], cid, LEVELS, 0)
    lock = threading.Lock()
    successes: dict[int, tuple[Contact, ...]] = {}
    conflicts: list[int] = []
    start = threading.Barrier(threads)

    def saver(t: int) -> None:
        start.wait()
        for i in range(saves_each):
            seen = escalation.get_chain(ctx, ops[t], cid)
            levels = (
                L1,
                _with(L2, name=f"T{t} save {i}", delay_minutes=t * saves_each + i + 1),
                L3,
            )
            try:
                result = escalation.save_chain(ctx, ops[t], cid, levels, seen.version)
            except ConflictError as err:
                assert isinstance(err.current, ChainView)
                assert err.current.version > seen.version
                with lock:
                    conflicts.append(seen.version)
            else:
                assert result.chain.version == seen.version + 1
                assert result.chain.updated_by == ops[t].label
                with lock:
                    assert result.chain.version not in successes  # no version handed out twice
                    successes[result.chain.version] = result.chain.contacts

    assert _run_threads(threads, saver) == []
    assert len(successes) + len(conflicts) == threads * saves_each
    assert successes  # someone always wins
    final = escalation.get_chain(ctx, ops[0], cid)
    assert final.version == 1 + len(successes)
    assert sorted(successes) == list(range(2, final.version + 1))
    assert final.contacts == successes[final.version]  # the last successful save is what stays
    assert len(_events(ctx)) == 1 + len(successes)


def test_concurrent_creators_one_wins(ctx: ServiceContext) -> None:
    """Everyone saw no chain (version 0): exactly one creates it, the rest get a conflict."""
    threads = 4
    cid, _ = _setup(ctx)
    ops = [_operator(ctx, Role.OPERATOR, f"op{i}") for i in range(threads)]
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def creator(t: int) -> None:
        start.wait()
        try:
            escalation.save_chain(ctx, ops[t], cid, (_with(L1, name=f"Creator {t}"),), 0)
        except ConflictError as err:
            assert isinstance(err.current, ChainView) and err.current.version == 1
            with lock:
                outcomes.append("conflict")
        else:
            with lock:
                outcomes.append("saved")

    assert _run_threads(threads, creator) == []
    assert sorted(outcomes) == ["conflict"] * (threads - 1) + ["saved"]
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationChain)) == 1
        assert s.scalar(select(func.count()).select_from(EscalationContact)) == 1
    assert len(_events(ctx)) == 1


# ---------------------------------------------------------------- hostile input

_NASTY = st.sampled_from(
    [
        "",
        "   ",
        "\x00",
        "Maria\x00Souza",
        "\x1b[2J\x1b[31mMaria",
        "[bold]Maria[/bold]",
        "\u202eairaM",
        "e\u0301\u0301\u0301",
        "%_'\"; DROP TABLE escalation_contacts; --",
        "x" * 100_000,
        "\u2028",
        "$argon2id$v=19$m=1024",
        "١٥",
        "𝟏𝟓",
    ]
)
_TEXT = st.one_of(st.text(max_size=40), _NASTY)
_PRINTABLE = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
)
_PLAUSIBLE: dict[str, st.SearchStrategy[object]] = {
    "name": st.one_of(_PRINTABLE, st.sampled_from(["Maria Souza", "José da Silva", "Zoë O'Brien"])),
    "role_title": st.one_of(st.none(), _PRINTABLE),
    "phone": st.sampled_from([None, "(11) 98765-4321", "+55 21 2345-6789", "+1 650 253 0000"]),
    "email": st.sampled_from([None, "maria@empresa.com.br", "José@exemplo.com.br", "a@b.co"]),
}
_HOSTILE: dict[str, st.SearchStrategy[object]] = {
    "level": st.sampled_from([0, 4, -1, 1, 2, 3]),
    "name": _TEXT,
    "role_title": _TEXT,
    "phone": _TEXT,
    "email": _TEXT,
    "delay_minutes": st.one_of(st.integers(-100, 3000), _TEXT),
}


@st.composite
def _chains(draw: st.DrawFn) -> tuple[ContactInput, ...]:
    """Up to three levels; about half the levels carry one hostile field, the rest look real."""
    contacts = []
    for i in range(draw(st.integers(0, 3))):
        hostile = draw(st.sampled_from([None] * 6 + sorted(_HOSTILE)))
        values: dict[str, object] = {
            "level": i + 1,
            "delay_minutes": draw(
                st.sampled_from([None, 0, "0"])
                if i == 0
                else st.one_of(st.integers(1, 1440), st.integers(1, 1440).map(lambda m: f" {m} "))
            ),
        }
        values.update({f: draw(strategy) for f, strategy in _PLAUSIBLE.items()})
        if hostile:
            values[hostile] = draw(_HOSTILE[hostile])
        contacts.append(ContactInput(**values))  # type: ignore[arg-type]
    return tuple(contacts)


@pytest.fixture
def target(ctx: ServiceContext) -> tuple[int, Principal]:
    """One customer and operator, shared by every example of the hypothesis test."""
    return _setup(ctx, Role.OPERATOR, "hypo")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(levels=_chains())
def test_any_input_is_refused_cleanly_or_saved_faithfully(
    ctx: ServiceContext, target: tuple[int, Principal], levels: tuple[ContactInput, ...]
) -> None:
    cid, op = target
    before = _db_state(ctx, cid)
    version = escalation.get_chain(ctx, op, cid).version
    try:
        result = escalation.save_chain(ctx, op, cid, levels, version)
    except ValidationError as err:
        event("refused")
        assert err.fields
        assert all(isinstance(m, str) and m for ms in err.fields.values() for m in ms)
        assert _db_state(ctx, cid) == before
    else:
        event("saved")
        assert result.chain.version == version + 1
        assert escalation.get_chain(ctx, op, cid) == result.chain  # stored exactly as returned
        assert _db_state(ctx, cid)[2] == before[2] + 1  # type: ignore[operator]
