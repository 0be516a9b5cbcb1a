"""Customer rows: believable Brazilian companies (accents, valid CNPJs, every status).

Core inserts bypass the ORM events that fill the folded search columns, so the
rows carry ``customer_search_values`` themselves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from noc_console.demo.cnpj import cnpj_with_check_digits
from noc_console.demo.history import AuditPlan
from noc_console.demo.plan import CustomerPlan
from noc_console.demo.vocabulary import CORES, LEGAL_SUFFIXES, REGION_CHOICE, SECTORS, TLDS
from noc_console.models import customer_search_values
from noc_console.text import fold

# The heavy customer is found by benchmarks through this name.
HEAVY_CUSTOMER_LEGAL_NAME = "Rede Nacional de Supermercados Preço Bom S.A."
HEAVY_CUSTOMER_TRADE_NAME = "Supermercados Preço Bom"


def draw_customers(
    rng: random.Random,
    plans: Sequence[CustomerPlan],
    now: datetime,
    used_roots: set[str],
    audit: AuditPlan,
) -> list[dict[str, Any]]:
    """Customers of one block; fills in each plan's domain, area code and creation time."""
    rows = []
    for plan in plans:
        i = plan.index
        region = rng.choices(*REGION_CHOICE)[0]
        city, ddd, tz = region[0], region[1], region[2]
        sector_legal, sector_trade = rng.choice(SECTORS)
        core = rng.choice(CORES)
        where = f" de {city}" if rng.random() < 0.3 else ""
        legal_name = f"{sector_legal} {core}{where} {rng.choice(LEGAL_SUFFIXES)}"
        shape = rng.random()
        trade_name: str | None = (
            f"{sector_trade} {core}" if shape < 0.85 else core if shape < 0.95 else None
        )
        if plan.heavy:
            legal_name, trade_name = HEAVY_CUSTOMER_LEGAL_NAME, HEAVY_CUSTOMER_TRADE_NAME
            city, ddd, tz = "São Paulo", "11", "America/Sao_Paulo"
        while True:
            root = f"{rng.randrange(1_000_000, 100_000_000):08d}"
            if root not in used_roots and len(set(root)) > 1:
                used_roots.add(root)
                break
        branch = 1 if rng.random() < 0.9 else rng.randint(2, 12)
        cnpj = cnpj_with_check_digits(f"{root}{branch:04d}")
        # Showcase states at fixed positions so even a 12-customer demo has each one.
        if i % 25 == 7:
            status = "suspended"
        elif i % 50 == 11:
            status = "closed"
        else:
            draw = rng.random()
            status = "active" if draw < 0.93 else "suspended" if draw < 0.97 else "closed"
        if plan.heavy:
            status = "active"
        created_at = now - timedelta(days=rng.randint(400, 5000), seconds=rng.randrange(86_400))
        domain = "".join(ch for ch in fold(trade_name or core) if ch.isalnum())
        plan.domain = f"{domain}{rng.choice(TLDS)}"
        if i in audit.wanted_customers:
            audit.customer_names[plan.id] = legal_name
        plan.ddd = ddd
        plan.created_at = created_at
        rows.append(
            {
                "id": plan.id,
                "legal_name": legal_name,
                "trade_name": trade_name,
                "cnpj": cnpj,
                "status": status,
                "timezone": tz,
                "created_at": created_at,
                **customer_search_values(legal_name, trade_name),
            }
        )
    return rows
