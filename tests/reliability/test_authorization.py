"""Issue 6.6 — who may do what: every service function x role x read-only, from one table.

The expected outcomes are written out below by hand, cell by cell, from the
design brief (analyst = lookup + resets; operator = analyst + escalation;
supervisor = everything, contract values, audit log, operators; read-only
refuses every write). Nothing is derived from ``permissions.ROLE_PERMISSIONS``:
a test that read the table under test would pass with a broken table.

A denial must be PermissionDenied *and* exactly one ``permission_denied``
audit event *and* no effect at all. A completeness check fails as soon as a
service grows a public function taking a principal that this table does not
list.

Then the contract values: an analyst (or operator) must not obtain them by any
path — list rows, totals, CSV bytes, sorting or filtering by value, cursors,
the customer view, search, the audit log — while a supervisor's viewing leaves
audit events with no amount in them. Last, inactive or locked operators cannot
log in, nor unlock an idle console.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools
import json
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import noc_console.services
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.errors import AuthenticationFailed, PermissionDenied, ValidationError
from noc_console.models import (  # issue 13
    AuditEvent,
    Customer,
    EscalationAttempt,
    EscalationChain,
    EscalationRun,
    Operator,
    PortalUser,
    Role,
)
from noc_console.services import (
    audit_query,
    auth,
    contracts,
    customers,
    escalation,
    escalation_runs,  # issue 13
    operators,
    signin,
    system,
)
from noc_console.services import password_reset as pr
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.contracts import ContractSort
from noc_console.services.escalation import ContactInput
from noc_console.services.hashing import FAST_TEST_PARAMS
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.search import lookup
from tests.conftest import BACKENDS
from tests.reliability.conftest import SecretGuard
from tests.reliability.support.secret_scan import RecordingHasher, SecretVault
from tests.support.databases import PG_ENV, PostgresTemplate, SQLiteTemplate
from tests.support.factories import (
    make_chain,
    make_contract,
    make_customer,
    make_operator,
    make_portal_user,
)

OP_PASSWORD = "operator-password-123"  # the factories' default
NEW_OP_PASSWORD = "uma-senha-de-operador-nova"
ROLES = (Role.ANALYST, Role.OPERATOR, Role.SUPERVISOR)
LOCAL = signin.Identity()
"""The idle lock's check as a console with local accounts makes it (``signin.unlock``)."""

# Y = allowed, - = PermissionDenied. Columns: each role, read-write then read-only.
MATRIX = """
                                  analyst   operator   supervisor
                                  rw  ro    rw  ro     rw  ro
search.search                     Y   Y     Y   Y      Y   Y
customers.get_customer            Y   Y     Y   Y      Y   Y
password_reset.reset_preview      Y   Y     Y   Y      Y   Y
password_reset.reset              Y   -     Y   -      Y   -
escalation.get_chain              Y   Y     Y   Y      Y   Y
escalation.save_chain             -   -     Y   -      Y   -
contracts.list_contracts          Y   Y     Y   Y      Y   Y
contracts.contract_totals         Y   Y     Y   Y      Y   Y
contracts.export_csv              Y   Y     Y   Y      Y   Y
audit_query.query                 -   -     -   -      Y   Y
audit_query.list_actions          -   -     -   -      Y   Y
operators.add_operator            -   -     -   -      Y   -
operators.set_operator_active     -   -     -   -      Y   -
operators.list_all                -   -     -   -      Y   Y
system.record_logout              Y   Y     Y   Y      Y   Y
escalation_runs.board             Y   Y     Y   Y      Y   Y
escalation_runs.run_detail        Y   Y     Y   Y      Y   Y
escalation_runs.open_runs_for     Y   Y     Y   Y      Y   Y
escalation_runs.start_run         Y   -     Y   -      Y   -
escalation_runs.record_attempt    Y   -     Y   -      Y   -
escalation_runs.acknowledge       Y   -     Y   -      Y   -
escalation_runs.escalate_now      Y   -     Y   -      Y   -
escalation_runs.resolve           Y   -     Y   -      Y   -
escalation_runs.cancel            Y   -     Y   -      Y   -
escalation_runs.set_working       Y   -     Y   -      Y   -
escalation_runs.customer_history  -   -     -   -      Y   Y
escalation_runs.period_runs       -   -     -   -      Y   Y
escalation_runs.period_stats      -   -     -   -      Y   Y
escalation_runs.export_history_csv -  -     -   -      Y   Y
mailer.link_statuses              Y   Y     Y   Y      Y   Y
mailer.reissue_link               Y   -     Y   -      Y   -
totp.reset_factor                 -   -     -   -      Y   -
signin.unlock                     Y   Y     Y   Y      Y   Y
signin.unlock_needs_code          Y   Y     Y   Y      Y   Y
signin.enrol_self                 Y   Y     Y   Y      Y   Y
contract values visible           -   -     -   -      Y   Y
"""

KNOWN_BUGS: dict[tuple[str, Role, bool], str] = {}


def _parse(matrix: str) -> dict[tuple[str, Role, bool], bool]:
    table: dict[tuple[str, Role, bool], bool] = {}
    for line in matrix.strip().splitlines()[2:]:
        parts = line.split()
        function, cells = " ".join(parts[:-6]), parts[-6:]
        assert len(cells) == 6 and set(cells) <= {"Y", "-"}, line
        for (role, ro), cell in zip(itertools.product(ROLES, (False, True)), cells, strict=True):
            table[(function, role, ro)] = cell == "Y"
    return table


EXPECTED = _parse(MATRIX)
FUNCTIONS = sorted({f for f, _r, _ro in EXPECTED} - {"contract values visible"})


def test_the_table_lists_every_public_service_function_taking_a_principal() -> None:
    """A new service function that acts for an operator must get its row in MATRIX."""
    found: set[str] = set()
    # A package is one service: its public functions are those its __init__ offers, or,
    # for a package whose __init__ offers none (the search), those of its modules.
    for info in pkgutil.walk_packages(noc_console.services.__path__, "noc_console.services."):
        module = importlib.import_module(info.name)
        service = info.name.removeprefix("noc_console.services.").split(".")[0]
        if service == "permissions":
            continue  # the mechanism itself
        api = vars(importlib.import_module(f"noc_console.services.{service}"))
        offers = any(inspect.isfunction(v) for k, v in api.items() if not k.startswith("_"))
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if offers and api.get(name) is not fn:
                continue
            annotations = [str(p.annotation) for p in inspect.signature(fn).parameters.values()]
            if any("Principal" in a and a != "PortalPrincipal" for a in annotations):
                found.add(f"{service}.{name}")
    assert found == set(FUNCTIONS)


# --------------------------------------------------------------------------- the shared world


@dataclass(frozen=True)
class World:
    engine: Engine
    customer_id: int
    user_id: int
    principals: dict[Role, Principal]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    sqlite_template: SQLiteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[World]:
    """One database for the whole matrix: each cell measures its own effect as a difference."""
    template: SQLiteTemplate | PostgresTemplate | None
    template = sqlite_template if request.param == "sqlite" else postgres_template
    if template is None:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    url = template.fresh_url()
    engine = create_db_engine(url)
    ctx = ServiceContext(engine, clock=FixedClock())
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Matriz de Permissões Ltda")
        make_contract(s, customer, value="98765.43")
        make_chain(s, customer)
        user = make_portal_user(s, customer, login="matriz.usuario")
        principals = {role: make_operator(s, role, username=f"m.{role.value}") for role in ROLES}
        built = World(engine, customer.id, user.id, principals)
    yield built
    engine.dispose()
    template.drop(url)


@dataclass(frozen=True)
class Target:
    """What a write in one cell may touch: created for that cell only."""

    user_id: int
    operator_id: int
    new_username: str
    csv: Path
    run_id: int = 0  # a fresh escalation run (issue 13)


def _calls(ctx: ServiceContext, w: World, t: Target) -> dict[str, Callable[[Principal], object]]:
    cid = w.customer_id

    def chain_version() -> int:
        return escalation.get_chain(ctx, w.principals[Role.SUPERVISOR], cid).version

    return {
        "search.search": lambda a: lookup.search(ctx, a, "matriz"),
        "customers.get_customer": lambda a: customers.get_customer(ctx, a, cid),
        "password_reset.reset_preview": lambda a: pr.reset_preview(ctx, a, w.user_id),
        "password_reset.reset": lambda a: pr.reset(
            ctx,
            a,
            t.user_id,
            ticket_ref="INC-2026-0600",
            reason="matriz de permissões",
            identity_checks=IdentityChecks(name_matches=True, cnpj_confirmed=True),
            method=ResetMethod.TEMPORARY_PASSWORD,
        ),
        "escalation.get_chain": lambda a: escalation.get_chain(ctx, a, cid),
        "escalation.save_chain": lambda a: escalation.save_chain(
            ctx,
            a,
            cid,
            # two levels: the escalate_now cells, after these, start runs on this chain
            (
                ContactInput(1, "Nova Pessoa", None, "+5511934567890"),
                ContactInput(2, "Outra Pessoa", None, "+5511945678901", None, 15),
            ),
            chain_version(),
        ),
        "contracts.list_contracts": lambda a: contracts.list_contracts(ctx, a, cid),
        "contracts.contract_totals": lambda a: contracts.contract_totals(ctx, a, cid),
        "contracts.export_csv": lambda a: contracts.export_csv(ctx, a, cid, t.csv),
        "audit_query.query": lambda a: audit_query.query(ctx, a),
        "audit_query.list_actions": lambda a: audit_query.list_actions(ctx, a),
        "operators.add_operator": lambda a: operators.add_operator(
            ctx,
            a,
            username=t.new_username,
            display_name="Novo Operador",
            role="analyst",
            password=NEW_OP_PASSWORD,
        ),
        "operators.set_operator_active": lambda a: operators.set_operator_active(
            ctx, a, t.operator_id, active=False
        ),
        "operators.list_all": lambda a: operators.list_all(ctx, a),
        "system.record_logout": lambda a: system.record_logout(ctx, a),
        **_run_calls(ctx, w, t),
        **_mailer_calls(ctx, t),  # issue 14
        **_identity_calls(ctx, t),  # issue 15
    }


def _identity_calls(ctx: ServiceContext, t: Target) -> dict[str, Callable[[Principal], object]]:
    """Issue 15: a supervisor's reset of another's factor (a write: refused read-only); the
    idle lock and one's own enrolment, which any operator does for themselves, like signing in
    (sign-in's own enrolment works on a read-only console too)."""
    import pyotp

    from noc_console.auth_settings import AuthSettings
    from noc_console.services.totp import factor

    identity = signin.Identity(auth=AuthSettings(lock_requires_totp=True))
    password_only = signin.Identity(auth=AuthSettings())

    def reset(a: Principal) -> object:
        with ctx.sessions() as s:
            username = s.get_one(Operator, t.operator_id).username
        return factor.reset_factor(ctx, a, username)

    def enrol(a: Principal) -> object:
        offer = factor.new_offer(a.username)
        code = pyotp.TOTP(offer.secret).at(ctx.clock.now())
        return signin.enrol_self(ctx, identity, a, offer, code)

    return {
        "totp.reset_factor": reset,
        "signin.unlock": lambda a: signin.unlock(ctx, password_only, a, OP_PASSWORD),
        "signin.unlock_needs_code": lambda a: signin.unlock_needs_code(identity, ctx, a),
        "signin.enrol_self": enrol,
    }


def _mailer_calls(ctx: ServiceContext, t: Target) -> dict[str, Callable[[Principal], object]]:
    """Issue 14: the link's state, and the re-issue of a link whose mail failed."""
    from datetime import timedelta

    from noc_console.models import PasswordResetToken
    from noc_console.services import mailer, outbox
    from noc_console.services.portal_credentials import add_token

    def failed_link() -> int:
        now = ctx.clock.now()
        with ctx.sessions.begin() as s:
            add_token(s, PasswordResetToken, t.user_id, now, timedelta(minutes=30))
            row = outbox.enqueue(
                s,
                kind=pr.OUTBOX_KIND,
                recipient="alvo@empresa.com.br",
                payload={"ticket_ref": "INC-2026-0600"},
                now=now,
                portal_user_id=t.user_id,
            )
            row.state = "failed"
            s.flush()
            return int(row.id)

    def reissue(a: Principal) -> object:
        outbox_id = failed_link()
        return mailer.reissue_link(ctx, a, outbox_id)

    return {
        "mailer.link_statuses": lambda a: mailer.link_statuses(ctx, a, [t.user_id]),
        "mailer.reissue_link": reissue,
    }


def _fresh_run(w: World) -> int:
    """An open escalation run of the world's customer, started outside the measured call."""
    ctx = ServiceContext(w.engine, clock=FixedClock())
    sup = w.principals[Role.SUPERVISOR]
    started = escalation_runs.start_run(ctx, sup, w.customer_id, ticket_ref="INC-2026-0601")
    return started.detail.run.id


def _run_calls(
    ctx: ServiceContext, w: World, t: Target
) -> dict[str, Callable[[Principal], object]]:
    cid, rid = w.customer_id, t.run_id
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    er = escalation_runs
    return {
        "escalation_runs.board": lambda a: er.board(ctx, a),
        "escalation_runs.run_detail": lambda a: er.run_detail(ctx, a, rid),
        "escalation_runs.open_runs_for": lambda a: er.open_runs_for(ctx, a, cid),
        "escalation_runs.start_run": lambda a: er.start_run(ctx, a, cid, ticket_ref="INC-0602"),
        "escalation_runs.record_attempt": lambda a: er.record_attempt(ctx, a, rid, outcome="busy"),
        "escalation_runs.acknowledge": lambda a: er.acknowledge(ctx, a, rid),
        "escalation_runs.escalate_now": lambda a: er.escalate_now(ctx, a, rid, reason="matriz"),
        "escalation_runs.resolve": lambda a: er.resolve(ctx, a, rid),
        "escalation_runs.cancel": lambda a: er.cancel(ctx, a, rid, reason="matriz"),
        "escalation_runs.set_working": lambda a: er.set_working(ctx, a, rid, working=True),
        "escalation_runs.customer_history": lambda a: er.customer_history(ctx, a, cid),
        "escalation_runs.period_runs": lambda a: er.period_runs(ctx, a, start, end),
        "escalation_runs.period_stats": lambda a: er.period_stats(ctx, a, start, end),
        "escalation_runs.export_history_csv": lambda a: er.export_history_csv(
            ctx, a, t.csv, start, end
        ),
    }


def _run_effects(s: Any) -> tuple[Any, ...]:
    """Everything an escalation run call could change: runs, their states, attempts."""
    return (
        tuple(s.execute(select(EscalationRun.id, EscalationRun.state, EscalationRun.updated_at))),
        s.scalar(select(func.count()).select_from(EscalationAttempt)),
    )


def _effects(ctx: ServiceContext, w: World, t: Target) -> tuple[Any, ...]:
    """Everything any call of the matrix could change, besides the audit log."""
    with ctx.sessions() as s:
        return (
            s.get_one(PortalUser, t.user_id).version,
            s.scalar(
                select(EscalationChain.version).where(EscalationChain.customer_id == w.customer_id)
            ),
            s.scalar(select(func.count()).where(Operator.username == t.new_username)),
            s.get_one(Operator, t.operator_id).is_active,
            s.get_one(Operator, t.operator_id).totp_secret is not None,
            t.csv.exists(),
            _run_effects(s),
        )


def _give_factor(s: Any, operator_id: int, ctx: ServiceContext) -> None:
    """An enrolled second factor (a key of this test only: nothing decrypts it here)."""
    from noc_console.services.totp import codes
    from noc_console.services.vault import Vault

    op = s.get_one(Operator, operator_id)
    op.totp_secret = Vault(bytes(32)).encrypt(codes.new_secret())
    op.totp_enrolled_at = ctx.clock.now()


def _newest_event(ctx: ServiceContext) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.max(AuditEvent.id))) or 0)


def _cells() -> Iterator[Any]:
    for function in FUNCTIONS:
        for role in ROLES:
            for ro in (False, True):
                marks = []
                if (function, role, ro) in KNOWN_BUGS:
                    bug = KNOWN_BUGS[(function, role, ro)]
                    marks.append(
                        pytest.mark.xfail(strict=True, raises=PermissionDenied, reason=bug)
                    )
                cell_id = f"{function}-{role.value}-{'ro' if ro else 'rw'}"
                yield pytest.param(function, role, ro, id=cell_id, marks=marks)


_serial = itertools.count(1)


@pytest.mark.parametrize(("function", "role", "read_only"), list(_cells()))
def test_permission_matrix(
    world: World,
    function: str,
    role: Role,
    read_only: bool,
    tmp_path: Path,
    secret_guard: SecretGuard,
) -> None:
    vault: SecretVault = secret_guard.vault
    vault.add(NEW_OP_PASSWORD)
    ctx = ServiceContext(
        world.engine,
        clock=FixedClock(),
        hasher=RecordingHasher(vault, FAST_TEST_PARAMS),
        read_only=read_only,
    )
    n = next(_serial)
    with ctx.sessions.begin() as s:
        customer = s.get_one(PortalUser, world.user_id).customer_id
        user = PortalUser(
            customer_id=customer,
            full_name="Alvo da Célula",
            login=f"alvo{n}",
            email=f"alvo{n}@empresa.com.br",
            preposto_level=2,
            is_active=True,
            password_hash=None,
            must_change_password=False,
            failed_login_count=0,
        )
        s.add(user)
        s.flush()
        target_op = make_operator(s, Role.ANALYST, username=f"alvo.op{n}")
        _give_factor(s, target_op.operator_id, ctx)  # issue 15: what a factor reset removes
        target = Target(user.id, target_op.operator_id, f"novo.op{n}", tmp_path / "contratos.csv")
    target = dataclasses.replace(target, run_id=_fresh_run(world))  # issue 13
    actor = world.principals[role]
    call = _calls(ctx, world, target)[function]
    before, newest = _effects(ctx, world, target), _newest_event(ctx)

    if EXPECTED[(function, role, read_only)]:
        result = call(actor)
        with ctx.sessions() as s:
            denied = s.scalar(
                select(func.count()).where(
                    AuditEvent.id > newest, AuditEvent.action == "permission_denied"
                )
            )
        assert denied == 0
        if function.startswith("contracts.") and function != "contracts.export_csv":
            assert result.values_visible == EXPECTED[("contract values visible", role, read_only)]  # type: ignore[attr-defined]
    else:
        with pytest.raises(PermissionDenied) as caught:
            call(actor)
        if read_only and EXPECTED[(function, role, False)]:
            assert "read-only" in str(caught.value)
        with ctx.sessions() as s:
            events = list(s.scalars(select(AuditEvent).where(AuditEvent.id > newest)))
        assert [e.action for e in events] == ["permission_denied"]
        allowed_rw = EXPECTED[(function, role, False)]
        assert events[0].operator_id == actor.operator_id
        # Refused by read-only when the role alone would allow it; by the role when not
        # read-only; a write the role cannot do anyway may be refused for either reason.
        reasons = {"read_only"} if allowed_rw else {"role", "read_only"} if read_only else {"role"}
        assert events[0].details["why"] in reasons
        assert _effects(ctx, world, target) == before, "a refused call changed something"
    secret_guard.collect(world.engine)


# --------------------------------------------------------------------------- contract values

VALUES = ("98765.43", "24680.13", "1357.99")
INACTIVE_VALUE = "4321.09"


def _amount_spellings(values: list[Decimal]) -> set[str]:
    """Every way an amount could be written: plain, cents, pt_BR and en grouping."""
    spelled: set[str] = set()
    for v in values:
        q = v.quantize(Decimal("0.01"))
        plain = f"{q:f}"
        whole, cents = plain.split(".")
        grouped = f"{int(whole):,}"
        spelled |= {
            plain,
            plain.replace(".", ","),
            f"{grouped}.{cents}",
            f"{grouped.replace(',', '.')},{cents}",
            f"{int(q * 100)}",
        }
    return spelled


@pytest.fixture
def priced(rctx: ServiceContext) -> tuple[int, int, dict[Role, Principal], set[str]]:
    """A customer with distinctive contract values, and every spelling they must never have."""
    with rctx.sessions.begin() as s:
        customer = make_customer(s, "Valores Sigilosos Ltda")
        other = make_customer(s, "Outro Cliente Ltda")
        for value in VALUES:
            make_contract(s, customer, value=value)
        make_contract(s, customer, status="inactive", value=INACTIVE_VALUE)
        principals = {role: make_operator(s, role, username=f"v.{role.value}") for role in ROLES}
        ids = (customer.id, other.id)
    monthly = [Decimal(v) for v in (*VALUES, INACTIVE_VALUE)]
    sums = [
        sum(map(Decimal, VALUES), Decimal(0)),
        Decimal(INACTIVE_VALUE),
        sum(monthly, Decimal(0)),
    ]
    amounts = monthly + [m * 12 for m in monthly] + sums + [s * 12 for s in sums]
    return ids[0], ids[1], principals, _amount_spellings(amounts)


def _leaks(text: str, forbidden: set[str]) -> list[str]:
    return sorted(a for a in forbidden if a in text)


@pytest.mark.parametrize("read_only", [False, True], ids=["rw", "ro"])
@pytest.mark.parametrize("role", [Role.ANALYST, Role.OPERATOR])
def test_no_path_gives_contract_values_to_a_non_supervisor(
    rctx: ServiceContext,
    priced: tuple[int, int, dict[Role, Principal], set[str]],
    role: Role,
    read_only: bool,
    tmp_path: Path,
) -> None:
    customer_id, _other, principals, forbidden = priced
    ctx = ServiceContext(rctx.engine, clock=rctx.clock, hasher=rctx.hasher, read_only=read_only)
    who = principals[role]
    seen: list[str] = []

    # Every list: each status, each permitted sort, both directions, paged one row at a time.
    statuses: tuple[contracts.StatusFilter, ...] = ("active", "inactive", "all")
    assert set(statuses) == set(contracts.STATUS_FILTERS)
    for status in statuses:
        for sort in ContractSort:
            for descending in (False, True):
                if sort is ContractSort.VALUE:
                    with pytest.raises(ValidationError):  # the ranking of values leaks values
                        contracts.list_contracts(
                            ctx, who, customer_id, status=status, sort=sort, descending=descending
                        )
                    continue
                cursor: str | None = None
                while True:
                    page = contracts.list_contracts(
                        ctx,
                        who,
                        customer_id,
                        status=status,
                        sort=sort,
                        descending=descending,
                        cursor=cursor,
                        page_size=1,
                    )
                    assert not page.values_visible
                    assert all(
                        r.monthly_value is None and r.annual_value is None for r in page.rows
                    )
                    seen += [repr(page), page.next_cursor or ""]
                    cursor = page.next_cursor
                    if cursor is None:
                        break
    # Filtering by an amount must not find contracts by their value (a binary search on values).
    for probe in ("98765", "98765.43", "1357,99"):
        assert contracts.list_contracts(ctx, who, customer_id, text=probe).rows == ()
    totals = contracts.contract_totals(ctx, who, customer_id)
    assert not totals.values_visible and all(line.monthly is None for line in totals.lines)
    assert sum(line.count for line in totals.lines) == 4
    seen.append(repr(totals))
    export = contracts.export_csv(ctx, who, customer_id, tmp_path / "c.csv")
    assert not export.values_included
    raw = export.path.read_bytes().decode("utf-8-sig")
    assert "monthly_value" not in raw and "annual_value" not in raw
    seen.append(raw)
    seen.append(repr(customers.get_customer(ctx, who, customer_id)))
    seen += [repr(lookup.search(ctx, who, term)) for term in ("98765", "sigilosos")]
    with pytest.raises(PermissionDenied):
        audit_query.query(ctx, who)
    with rctx.sessions() as s:
        seen += [json.dumps(e.details, default=str) for e in s.scalars(select(AuditEvent))]
    assert _leaks("\n".join(seen), forbidden) == []


def test_a_supervisor_sees_values_and_the_audit_log_keeps_no_amount(
    rctx: ServiceContext,
    priced: tuple[int, int, dict[Role, Principal], set[str]],
    tmp_path: Path,
) -> None:
    customer_id, _other, principals, forbidden = priced
    boss = principals[Role.SUPERVISOR]
    page = contracts.list_contracts(rctx, boss, customer_id, sort=ContractSort.VALUE)
    assert sorted(f"{r.monthly_value}" for r in page.rows) == sorted([*VALUES, INACTIVE_VALUE])
    contracts.contract_totals(rctx, boss, customer_id, text="CT")
    contracts.export_csv(rctx, boss, customer_id, tmp_path / "valores.csv")
    rows = audit_query.query(rctx, boss).rows
    actions = sorted(r.action for r in rows)
    assert actions == ["contract_values_viewed", "contract_values_viewed", "contracts_exported"]
    texts = [f"{r.subject} {r.reason} {r.summary} {dict(r.details)}" for r in rows]
    with rctx.sessions() as s:
        texts += [json.dumps(e.details, default=str) for e in s.scalars(select(AuditEvent))]
    assert _leaks("\n".join(texts), forbidden) == []


def test_portal_users_see_values_only_as_level_one_prepostos(
    rctx: ServiceContext, priced: tuple[int, int, dict[Role, Principal], set[str]]
) -> None:
    customer_id, other_id, _principals, forbidden = priced
    with rctx.sessions.begin() as s:
        owner = s.get_one(Customer, customer_id)
        levels = {
            level: make_portal_user(s, owner, login=f"preposto{level}", preposto_level=level)
            for level in (1, 2, 3)
        }
        who = {
            level: PortalPrincipal(u.id, u.customer_id, u.login, u.preposto_level)
            for level, u in levels.items()
        }
    assert contracts.list_contracts(rctx, who[1], customer_id).values_visible
    for level in (2, 3):
        page = contracts.list_contracts(rctx, who[level], customer_id)
        totals = contracts.contract_totals(rctx, who[level], customer_id)
        assert not page.values_visible and not totals.values_visible
        assert _leaks(repr(page) + repr(totals), forbidden) == []
    with pytest.raises(PermissionDenied):
        contracts.list_contracts(rctx, who[1], other_id)  # another company's contracts


# --------------------------------------------------------------------------- operator login


def test_inactive_or_locked_operators_cannot_log_in_nor_unlock(
    rctx: ServiceContext, clock: FixedClock
) -> None:
    with rctx.sessions.begin() as s:
        boss = make_operator(s, Role.SUPERVISOR, username="chefe")
        ana = make_operator(s, Role.ANALYST, username="ana")
        bia = make_operator(s, Role.ANALYST, username="bia")
    session = auth.login(rctx, "ana", OP_PASSWORD)  # ana is working...

    operators.set_operator_active(rctx, boss, ana.operator_id, active=False)  # ...and is disabled
    with pytest.raises(AuthenticationFailed, match="disabled"):
        auth.login(rctx, "ana", OP_PASSWORD)
    assert signin.unlock(rctx, LOCAL, session, OP_PASSWORD) is False  # the idle lock stays shut

    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            auth.login(rctx, "bia", "not-her-password")
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login(rctx, "bia", OP_PASSWORD)  # the right password does not open a lock
    clock.advance(minutes=auth.LOCKOUT_MINUTES - 1)
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login(rctx, "bia", OP_PASSWORD)
    clock.advance(minutes=2)
    assert auth.login(rctx, "bia", OP_PASSWORD).operator_id == bia.operator_id

    # The idle lock asks for the same operator's password: another one's does not open it.
    assert signin.unlock(rctx, LOCAL, auth.login(rctx, "chefe", OP_PASSWORD), "x" * 20) is False
    with rctx.sessions() as s:
        failed = s.scalar(select(func.count()).where(AuditEvent.action == "console_unlock_failed"))
    assert failed == 2
