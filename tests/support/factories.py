"""Small builders for test data, written through the ORM like the services write.

Every helper takes an open session and flushes, so ids are available; the
caller owns the transaction (``with sessions.begin() as s:``).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from noc_console.clock import Clock, FixedClock
from noc_console.models import (
    Contract,
    Customer,
    EscalationChain,
    EscalationContact,
    Operator,
    PortalSession,
    PortalUser,
    Role,
)
from noc_console.services.context import Principal
from noc_console.services.hashing import FAST_TEST_PARAMS, Hasher

FAST_HASHER = Hasher(FAST_TEST_PARAMS)
_seq = itertools.count(1)

# Valid CNPJs (check digits verified by python-stdnum).
CNPJS = [
    "11222333000181",
    "11444777000161",
    "45723174000110",
    "33000167000101",
    "60701190000104",
    "00000000000191",
    "19131243000197",
    "07526557000100",
]


def cnpj_for(n: int) -> str:
    """A valid CNPJ unique to n (check digits computed like the demo generator does)."""
    from noc_console.demo import cnpj_with_check_digits

    return cnpj_with_check_digits(f"{n:08d}0001")


def make_customer(
    s: Session,
    legal_name: str = "Padaria São João Ltda",
    *,
    trade_name: str | None = "São João",
    cnpj: str | None = None,
    status: str = "active",
    clock: Clock | None = None,
) -> Customer:
    n = next(_seq)
    customer = Customer(
        legal_name=legal_name,
        trade_name=trade_name,
        cnpj=cnpj or cnpj_for(n),
        status=status,
        created_at=(clock or FixedClock()).now(),
    )
    s.add(customer)
    s.flush()
    return customer


def make_portal_user(
    s: Session,
    customer: Customer,
    *,
    full_name: str = "João da Silva",
    login: str | None = None,
    email: str | None = None,
    phone: str | None = "+5511987654321",
    preposto_level: int = 1,
    password: str | None = "senha-antiga-muito-longa-2024",
    hasher: Hasher = FAST_HASHER,
    clock: Clock | None = None,
) -> PortalUser:
    n = next(_seq)
    now = (clock or FixedClock()).now()
    login = login or f"joao.silva{n}"
    user = PortalUser(
        customer_id=customer.id,
        full_name=full_name,
        login=login,
        email=email or f"{login}@empresa.com.br",
        phone=phone,
        preposto_level=preposto_level,
        is_active=True,
        password_hash=hasher.hash(password) if password else None,
        password_changed_at=now if password else None,
        must_change_password=False,
        failed_login_count=0,
        created_at=now,
    )
    s.add(user)
    s.flush()
    return user


def make_portal_session(
    s: Session, user: PortalUser, *, clock: Clock | None = None
) -> PortalSession:
    from datetime import timedelta

    now = (clock or FixedClock()).now()
    n = next(_seq)
    sess = PortalSession(
        portal_user_id=user.id,
        token_hash=f"{n:064x}",
        created_at=now,
        expires_at=now + timedelta(hours=8),
    )
    s.add(sess)
    s.flush()
    return sess


def make_operator(
    s: Session,
    role: Role | str = Role.ANALYST,
    *,
    username: str | None = None,
    password: str = "operator-password-123",
    hasher: Hasher = FAST_HASHER,
    clock: Clock | None = None,
) -> Principal:
    role = Role(role)
    username = username or f"{role.value}{next(_seq)}"
    op = Operator(
        username=username,
        display_name=username.title(),
        role=role.value,
        password_hash=hasher.hash(password),
        is_active=True,
        failed_login_count=0,
        created_at=(clock or FixedClock()).now(),
    )
    s.add(op)
    s.flush()
    return Principal(
        operator_id=op.id, username=op.username, display_name=op.display_name, role=role
    )


def make_chain(
    s: Session,
    customer: Customer,
    levels: list[tuple[str, str | None, str | None, int]] | None = None,
    *,
    clock: Clock | None = None,
) -> EscalationChain:
    """levels: (name, phone, email, delay_minutes) for level 1, 2, 3 in order."""
    levels = levels if levels is not None else [
        ("Maria Souza", "+5511912345678", "maria@empresa.com.br", 0),
        ("Carlos Lima", "+5511923456789", None, 15),
        ("Beatriz Rocha", None, "beatriz@empresa.com.br", 60),
    ]  # fmt: skip
    chain = EscalationChain(
        customer_id=customer.id,
        version=1,
        updated_at=(clock or FixedClock()).now(),
        updated_by="test",
    )
    for level, (name, phone, email, delay) in enumerate(levels, start=1):
        chain.contacts.append(
            EscalationContact(level=level, name=name, phone=phone, email=email, delay_minutes=delay)
        )
    s.add(chain)
    s.flush()
    return chain


def make_contract(
    s: Session,
    customer: Customer,
    *,
    number: str | None = None,
    service_name: str = "Link Dedicado 500 Mbps",
    status: str = "active",
    start: date = date(2025, 1, 1),
    end: date | None = None,
    value: str = "1234.56",
    currency: str = "BRL",
) -> Contract:
    contract = Contract(
        customer_id=customer.id,
        number=number or f"CT-2025-{next(_seq):06d}",
        service_name=service_name,
        status=status,
        start_date=start,
        end_date=end,
        monthly_value=Decimal(value),
        currency=currency,
    )
    s.add(contract)
    s.flush()
    return contract
