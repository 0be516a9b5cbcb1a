"""Issue 6.4 — hostile input on every text field the services accept.

For each field: a clear domain error (ValidationError, AuthenticationFailed,
RateLimited...) or a result; no other exception escapes; a refusal writes
nothing; an accepted value is stored exactly as cleaned (RTL, combining marks,
quotes and LIKE wildcards survive the round trip literally); and no error
message carries a control character (a message is displayed: it must never
smuggle an escape sequence to the terminal).

Sizes and cost (the whole file has to fit ``make test``'s budget):

* pure validation (``escalation.validate_levels``, one test per contact field):
  1,000 examples each, no database;
* service calls that touch the database (search, reset ticket/reason, save_chain
  with whole hostile chains, operator login, portal login, reset-link token,
  contract text filter, audit filters): 1,000 examples each on SQLite and 100
  on PostgreSQL (where driver-level surprises such as NUL bytes show up), all
  examples of a test reusing one database per module; refusals are checked to
  have written nothing, so sharing is safe;
* the portal password change, whose accepted examples cost seven argon2
  verifications each: 300 on SQLite, 60 on PostgreSQL (an extra: the policy
  checker's own hypothesis tests live in tests/services).

About one example in twenty is a ~100 KB paste (one in sixty for the name of a
whole chain): enough to prove long input is refused or handled, cheap enough
to keep the file near 70 s on both backends.

Known bugs are excluded from the properties and pinned by strict xfail tests
at the end of this file (KNOWN_SURROGATE_BUGS, the NUL username on PostgreSQL):
when they are fixed, those tests XPASS, fail, and the exclusions must go.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from noc_console.clock import FixedClock
from noc_console.errors import (
    AuthenticationFailed,
    DomainError,
    ValidationError,
)
from noc_console.models import (
    AuditEvent,
    EscalationChain,
    EscalationContact,
    PortalUser,
    Role,
)
from noc_console.services import audit_query, auth, contracts, escalation, portal_auth
from noc_console.services import password_reset as pr
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation import ContactInput
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.policy import load_policy
from noc_console.services.search import lookup
from noc_console.services.search.dto import CustomerHit
from noc_console.services.search.limits import DEFAULT_LIMIT
from tests.reliability.support.hostile import hostile_minutes, hostile_text
from tests.reliability.support.secret_scan import SecretVault
from tests.reliability.support.world import unique, unique_cnpj
from tests.support.factories import (
    FAST_HASHER,
    make_chain,
    make_contract,
    make_customer,
    make_operator,
    make_portal_user,
)

PURE_EXAMPLES = 1000
SQLITE_EXAMPLES = 1000
PG_EXAMPLES = 100
CHANGE_EXAMPLES = {"sqlite": 300, "postgresql": 60}


OP_PASSWORD = "operator-password-123"  # the factories' default
PORTAL_PASSWORD = "senha-antiga-muito-longa-2024"
FIBRA = "100% Fibra_Óptica 'Aspas' Ltda"  # a customer whose name is full of metacharacters
CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True)
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
SINGLE_LINE_REFUSED = {"Cc", "Cs", "Zl", "Zp"}

# Fields that once let a lone surrogate escape as UnicodeEncodeError (fixed; kept as a check).
SURROGATE_FIELDS = frozenset(
    {
        "reset.ticket_ref",
        "reset.reason",
        "auth.username",
        "auth.password",
        "contracts.text",
        "audit_query.action",
        "audit_query.operator_username",
    }
)


def _text(field: str) -> st.SearchStrategy[str]:
    return hostile_text(surrogates=True)


def _examples(ctx: ServiceContext) -> int:
    return SQLITE_EXAMPLES if ctx.engine.dialect.name == "sqlite" else PG_EXAMPLES


def prove(examples: int, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
    """Run ``check`` on ``examples`` values of ``strategy`` (the test's database is shared)."""

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(strategy)
    def property_(value: Any) -> None:
        check(value)

    property_()


def assert_clear(err: DomainError) -> None:
    """A message a screen can show as it is: words, no control characters."""
    text = str(err)
    assert text.strip(), f"{type(err).__name__} without a message"
    assert not any(unicodedata.category(ch) == "Cc" for ch in text), repr(text[:200])
    if isinstance(err, ValidationError):
        assert err.fields and all(
            msgs and all(m.strip() for m in msgs) for msgs in err.fields.values()
        )


class Events:
    """The audit events written since the last look: one query per example.

    Audit events are append-only with increasing ids, so "nothing written" is
    "no event after the last one seen" (every write path writes exactly one
    event: test_audit_integrity.py).
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        with ctx.sessions() as s:
            self.last = int(s.scalar(select(func.max(AuditEvent.id))) or 0)

    def new(self) -> list[AuditEvent]:
        with self.ctx.sessions() as s:
            found = list(
                s.scalars(
                    select(AuditEvent).where(AuditEvent.id > self.last).order_by(AuditEvent.id)
                )
            )
        if found:
            self.last = found[-1].id
        return found

    def actions(self) -> list[str]:
        return [e.action for e in self.new()]


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class World:
    customer_id: int
    user_id: int
    login: str
    analyst: Principal
    operator: Principal
    supervisor: Principal


@pytest.fixture
def world(mctx: ServiceContext, clock: FixedClock, vault: SecretVault) -> World:
    """This test's people and records, on the module's shared database."""
    vault.add(OP_PASSWORD)
    vault.add(PORTAL_PASSWORD)
    with mctx.sessions.begin() as s:
        customer = make_customer(s, FIBRA, trade_name="Fibra", cnpj=unique_cnpj(), clock=clock)
        make_customer(s, "Alfa Beta Comércio Ltda", trade_name=None, cnpj=unique_cnpj())
        user = make_portal_user(s, customer, login=unique("ana.hostil"), clock=clock)
        make_chain(s, customer, clock=clock)
        make_contract(s, customer, number=unique("CT-100%-").upper(), service_name="Link_X 'Y'")
        return World(
            customer.id,
            user.id,
            user.login,
            make_operator(s, Role.ANALYST, username=unique("alice")),
            make_operator(s, Role.OPERATOR, username=unique("otto")),
            make_operator(s, Role.SUPERVISOR, username=unique("sofia")),
        )


# --------------------------------------------------------------------------- escalation (pure)

VALID = {
    "name": "Carlos Lima",
    "role_title": "Gerente",
    "phone": "+55 11 92345-6789",
    "email": "carlos@empresa.com.br",
    "delay_minutes": 15,
}


def _check_contact(contact: escalation.Contact) -> None:
    for text in (contact.name, contact.role_title or ""):
        assert not {unicodedata.category(ch) for ch in text} & SINGLE_LINE_REFUSED
        assert text == text.strip()
    assert contact.name and len(contact.name) <= escalation.NAME_MAX
    assert len(contact.role_title or "") <= escalation.ROLE_TITLE_MAX
    assert contact.phone is None or E164.fullmatch(contact.phone), contact.phone
    if contact.email is not None:
        assert "@" in contact.email and len(contact.email) <= escalation.EMAIL_MAX
        assert not {unicodedata.category(ch) for ch in contact.email} & SINGLE_LINE_REFUSED
    bounds = escalation.DEFAULT_BOUNDS
    if contact.level == 1:
        assert contact.delay_minutes == 0
    else:
        assert bounds.min_minutes <= contact.delay_minutes <= bounds.max_minutes


@pytest.mark.parametrize("field", list(VALID))
def test_each_contact_field_validates_any_input(field: str) -> None:
    """validate_levels is what the editor runs on every keystroke and what save_chain applies."""
    strategy = hostile_minutes() if field == "delay_minutes" else hostile_text()

    def check(value: object) -> None:
        level = ContactInput(2, **{**VALID, field: value})  # type: ignore[arg-type]
        chain = (ContactInput(1, "Maria Souza", None, "+5511912345678", None, 0), level)
        try:
            contacts, _warnings = escalation.validate_levels(chain)
        except ValidationError as err:
            assert_clear(err)
            assert set(err.fields) <= {f"level2.{field}", "level2.phone", "level2.email"}
        else:
            _check_contact(contacts[1])

    prove(PURE_EXAMPLES, strategy, check)


# --------------------------------------------------------------------------- escalation (DB)


def _level_strategy(n: int) -> st.SearchStrategy[ContactInput]:
    def field(valid: object, hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.just(valid), hostile)

    return st.builds(
        ContactInput,
        level=st.just(n),
        name=field(f"Contato {n}", hostile_text(long_every=60)),
        role_title=field(None, SHORT_HOSTILE),
        phone=field("+55 11 92345-6789", SHORT_HOSTILE),
        email=field(None, SHORT_HOSTILE),
        delay_minutes=field(0 if n == 1 else 15, hostile_minutes()),
    )


SHORT_HOSTILE = hostile_text(long_every=0)
_LEVELS = [_level_strategy(n) for n in (1, 2, 3)]
# One, two or three levels, each field either valid or hostile (built once: strategies
# built inside a draw cost more than the service call they feed).
CHAINS = st.one_of(*(st.tuples(*_LEVELS[:n]) for n in (1, 2, 3)))


def test_save_chain_with_hostile_contacts_writes_all_or_nothing(
    mctx: ServiceContext, world: World
) -> None:
    events = Events(mctx)
    version = escalation.get_chain(mctx, world.operator, world.customer_id).version
    accepted = 0

    def check(levels: tuple[ContactInput, ...]) -> None:
        nonlocal version, accepted
        try:
            result = escalation.save_chain(mctx, world.operator, world.customer_id, levels, version)
        except ValidationError as err:
            assert_clear(err)
            assert events.new() == [], "a refused save wrote an audit event"
            assert escalation.get_chain(mctx, world.operator, world.customer_id).version == version
            return
        accepted += 1
        version += 1
        assert result.chain.version == version
        for contact in result.chain.contacts:
            _check_contact(contact)
        with mctx.sessions() as s:
            stored = s.execute(
                select(EscalationContact.level, EscalationContact.name, EscalationContact.phone)
                .join(EscalationChain)
                .where(EscalationChain.customer_id == world.customer_id)
                .order_by(EscalationContact.level)
            ).all()
        assert [tuple(r) for r in stored] == [
            (c.level, c.name, c.phone) for c in result.chain.contacts
        ]
        assert events.actions() == [escalation.AUDIT_ACTION]

    prove(_examples(mctx), CHAINS, check)
    assert accepted, "no example was valid: the strategy no longer exercises the write path"


# --------------------------------------------------------------------------- lookup


def test_search_answers_any_term_and_writes_nothing(mctx: ServiceContext, world: World) -> None:
    events = Events(mctx)

    def check(term: str) -> None:
        try:
            page = lookup.search(mctx, world.analyst, term)
        except ValidationError as err:
            assert_clear(err)
            assert set(err.fields) == {"term"}
        else:
            assert all(isinstance(h, CustomerHit) for h in page.hits)
            assert len(page.hits) <= DEFAULT_LIMIT

    prove(_examples(mctx), hostile_text(), check)
    assert events.new() == []


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("00% fib", {FIBRA}),  # '%' matches itself only
        ("bra_opt", {FIBRA}),  # folded "fibra_optica"
        ("lfa_bet", set()),  # '_' is not a wildcard: "alfa beta" must not match
        ("'aspas", {FIBRA}),
        ("a_o", set()),  # inside a value only with three letters or digits in a row
        ("%%%", set()),
        ("' OR '1'='1", set()),
        ("%", set()),  # short terms are prefixes: nothing starts with '%'
        ("_", set()),
    ],
)
def test_like_and_sql_metacharacters_are_literal(
    mctx: ServiceContext, world: World, term: str, expected: set[str]
) -> None:
    found = {h.legal_name for h in lookup.search(mctx, world.analyst, term).hits}
    assert found == expected


# --------------------------------------------------------------------------- assisted reset


def test_reset_ticket_and_reason_any_input(
    mctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    events = Events(mctx)
    accepted = 0

    def check(values: tuple[str, str]) -> None:
        nonlocal accepted
        ticket, reason = values
        clock.advance(hours=2)  # outside the rate guard's hour: every example may succeed
        with mctx.sessions() as s:
            version = s.get_one(PortalUser, world.user_id).version
        try:
            result = pr.reset(
                mctx,
                world.analyst,
                world.user_id,
                ticket_ref=ticket,
                reason=reason,
                identity_checks=CHECKS,
                method=ResetMethod.UNLOCK_ONLY,
            )
        except ValidationError as err:
            assert_clear(err)
            assert set(err.fields) <= {"ticket_ref", "reason"}
            assert events.new() == []
            with mctx.sessions() as s:
                assert s.get_one(PortalUser, world.user_id).version == version
            return
        accepted += 1
        written = events.new()
        assert [e.id for e in written] == [result.audit_event_id]
        # Stored exactly as typed (trimmed): quotes, RTL, combining marks survive.
        assert (written[0].ticket_ref, written[0].reason) == (ticket.strip(), reason.strip())

    strategy = st.tuples(
        st.one_of(st.just("INC-2026-0042"), _text("reset.ticket_ref")),
        st.one_of(st.just("cliente ligou"), _text("reset.reason")),
    )
    prove(_examples(mctx), strategy, check)
    assert accepted


# --------------------------------------------------------------------------- operator login


def test_operator_login_form_any_input(
    mctx: ServiceContext, world: World, clock: FixedClock
) -> None:
    events = Events(mctx)

    def check(values: tuple[str, str]) -> None:
        username, password = values
        clock.advance(minutes=auth.LOCKOUT_MINUTES + 1)  # no lock carried between examples
        expected_ok = (
            username.strip().lower()[:64] == world.analyst.username and password == OP_PASSWORD
        )
        try:
            who = auth.login(mctx, username, password)
        except AuthenticationFailed as err:
            assert not expected_ok
            assert_clear(err)
            assert events.actions() == ["operator_login_failed"]
        else:
            assert expected_ok and who.username == world.analyst.username
            assert events.actions() == ["operator_login"]

    strategy = st.tuples(
        st.one_of(
            st.sampled_from([world.analyst.username, f" {world.analyst.username.upper()} "]),
            _text("auth.username"),
        ),
        st.one_of(st.just(OP_PASSWORD), _text("auth.password")),
    )
    prove(_examples(mctx), strategy, check)


# --------------------------------------------------------------------------- portal


def test_portal_login_any_input(mctx: ServiceContext, world: World, clock: FixedClock) -> None:
    events = Events(mctx)
    with mctx.sessions() as s:
        lockout = load_policy(s).lockout_minutes

    def check(values: tuple[str, str]) -> None:
        login, password = values
        clock.advance(minutes=lockout + 1)
        expected_ok = login.strip().lower() == world.login and password == PORTAL_PASSWORD
        try:
            result = portal_auth.login(mctx, login, password)
        except AuthenticationFailed as err:
            assert not expected_ok
            assert_clear(err)
            assert events.actions() == ["portal_login_failed"]
        else:
            assert expected_ok and result.principal.portal_user_id == world.user_id
            assert events.actions() == ["portal_login"]

    strategy = st.tuples(
        st.one_of(st.sampled_from([world.login, f" {world.login.upper()}"]), hostile_text()),
        st.one_of(st.just(PORTAL_PASSWORD), hostile_text()),
    )
    prove(_examples(mctx), strategy, check)


def test_portal_password_change_any_new_password(
    mctx: ServiceContext, world: World, clock: FixedClock, vault: SecretVault
) -> None:
    """The policy checker over hostile candidates; an accepted one really becomes the password.

    The candidates are built from the same fragments as every other hostile field, so they
    are hashed with the plain test hasher: recorded as "secrets" they would turn up in the
    tickets and names other tests typed, as false leaks.
    """
    ctx = ServiceContext(mctx.engine, clock=clock, hasher=FAST_HASHER)
    events = Events(ctx)
    current = PORTAL_PASSWORD
    accepted = 0

    def check(candidate: str) -> None:
        nonlocal current, accepted
        clock.advance(minutes=1)
        try:
            portal_auth.change_password(ctx, world.login, current, candidate)
        except ValidationError as err:
            assert_clear(err)
            assert set(err.fields) == {"new_password"}
            assert events.new() == []
            return
        accepted += 1
        current = candidate
        assert events.actions() == ["portal_password_changed"]
        assert portal_auth.login(ctx, world.login, candidate).principal.login == world.login
        assert events.actions() == ["portal_login"]

    strategy = st.one_of(
        hostile_text(), hostile_text().map(lambda t: f"{t} cavalo bateria grampo correto")
    )
    prove(CHANGE_EXAMPLES[ctx.engine.dialect.name], strategy, check)
    assert accepted


def test_reset_link_token_any_input(mctx: ServiceContext, world: World) -> None:
    events = Events(mctx)

    def check(token: str) -> None:
        with pytest.raises(AuthenticationFailed) as caught:
            portal_auth.complete_reset(mctx, token, "uma senha nova bem comprida 2026")
        assert_clear(caught.value)
        with pytest.raises(AuthenticationFailed):
            portal_auth.resolve_session(mctx, token)

    prove(_examples(mctx), hostile_text(), check)
    assert events.new() == []


# --------------------------------------------------------------------------- reads with filters


def test_contract_text_filter_any_input(mctx: ServiceContext, world: World) -> None:
    events = Events(mctx)

    def check(text: str) -> None:
        try:
            page = contracts.list_contracts(mctx, world.analyst, world.customer_id, text=text)
        except ValidationError as err:
            assert_clear(err)
            assert set(err.fields) == {"text"}
        else:
            assert all(row.monthly_value is None for row in page.rows)

    prove(_examples(mctx), _text("contracts.text"), check)
    assert events.new() == []  # an analyst's listing is not audited: nothing was written


def test_audit_filters_any_input(mctx: ServiceContext, world: World) -> None:
    events = Events(mctx)

    def check(values: tuple[str, str]) -> None:
        action, username = values
        filters = audit_query.AuditFilters(action=action, operator_username=username)
        try:
            audit_query.query(mctx, world.supervisor, filters)
        except ValidationError as err:
            assert_clear(err)

    strategy = st.tuples(_text("audit_query.action"), _text("audit_query.operator_username"))
    prove(_examples(mctx), strategy, check)
    assert events.new() == []


# --------------------------------------------------------------------------- known bugs

SURROGATE = "\ud800"


def _surrogate_calls(ctx: ServiceContext, w: World) -> dict[str, Callable[[], object]]:
    def reset(**kw: str) -> Callable[[], object]:
        args = {"ticket_ref": "INC-2026-0042", "reason": "cliente ligou", **kw}
        return lambda: pr.reset(
            ctx,
            w.analyst,
            w.user_id,
            identity_checks=CHECKS,
            method=ResetMethod.UNLOCK_ONLY,
            **args,  # type: ignore[arg-type]
        )

    return {
        "reset.ticket_ref": reset(ticket_ref=f"INC-{SURROGATE}-1"),
        "reset.reason": reset(reason=f"motivo {SURROGATE}"),
        "auth.username": lambda: auth.login(ctx, f"{w.analyst.username}{SURROGATE}", OP_PASSWORD),
        "auth.password": lambda: auth.login(ctx, w.analyst.username, f"senha{SURROGATE}"),
        "contracts.text": lambda: contracts.list_contracts(
            ctx, w.analyst, w.customer_id, text=f"CT{SURROGATE}"
        ),
        "audit_query.action": lambda: audit_query.query(
            ctx, w.supervisor, audit_query.AuditFilters(action=f"x{SURROGATE}")
        ),
        "audit_query.operator_username": lambda: audit_query.query(
            ctx, w.supervisor, audit_query.AuditFilters(operator_username=f"y{SURROGATE}")
        ),
    }


@pytest.mark.parametrize("field", sorted(SURROGATE_FIELDS))
def test_a_lone_surrogate_is_refused_cleanly(
    mctx: ServiceContext, world: World, field: str
) -> None:
    events = Events(mctx)
    with pytest.raises((ValidationError, AuthenticationFailed)):
        _surrogate_calls(mctx, world)[field]()
    if not field.startswith("auth."):
        assert events.new() == []


def test_a_nul_in_the_operator_username_is_a_failed_login(
    mctx: ServiceContext, world: World, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(AuthenticationFailed):
        auth.login(mctx, world.analyst.username.replace("e", "e\x00", 1), OP_PASSWORD)
