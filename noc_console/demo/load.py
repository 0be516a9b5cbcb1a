"""The load itself: operators, then customers and all their children, block by block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, insert

from noc_console.demo.bulk import CONTRACT_CHUNK, ROWS_PER_BLOCK, begin_bulk, table_of
from noc_console.demo.contracts import draw_contracts
from noc_console.demo.customers import draw_customers
from noc_console.demo.escalation import draw_escalation
from noc_console.demo.history import AuditPlan
from noc_console.demo.name_words import add_block_words
from noc_console.demo.operators import DEMO_OPERATORS, create_demo_operators
from noc_console.demo.options import DemoOptions, Progress
from noc_console.demo.people import Names
from noc_console.demo.plan import CustomerPlan, random_stream
from noc_console.demo.portal_users import UserState, draw_users
from noc_console.demo.tally import TableTally
from noc_console.services.hashing import Hasher


def load_data(
    conn: Connection,
    options: DemoOptions,
    now: datetime,
    hasher: Hasher,
    pool: Sequence[str],
    plans: Sequence[CustomerPlan],
    audit: AuditPlan,
    ids: TableTally,
    counts: TableTally,
    progress: Progress,
) -> dict[str, int]:
    """Operators, then customers and all their children, one block of customers per
    transaction. The operators share the first block's transaction, so a run that
    dies early leaves neither operators nor customers behind."""
    streams = ("customers", "users", "escalation", "contracts")
    rng_c, rng_u, rng_e, rng_k = (random_stream(options.seed, s) for s in streams)
    names = Names()
    users = UserState()
    used_roots: set[str] = set()
    today = now.date()
    per_row = 1 + options.users_per_customer + options.contracts_per_customer + 4
    block = max(1, ROWS_PER_BLOCK // per_row)
    t_customers, t_users = table_of("customers"), table_of("portal_users")
    t_sessions, t_chains = table_of("portal_sessions"), table_of("escalation_chains")
    t_contacts, t_contracts = table_of("escalation_contacts"), table_of("contracts")
    operator_ids: dict[str, int] = {}
    progress("customers", 0, len(plans))
    start = 0
    while start < len(plans) or not operator_ids:
        chunk = plans[start : start + block]
        if chunk and chunk[0].heavy:
            chunk = chunk[:1]  # the heavy customer gets a block of its own
        elif chunk and chunk[-1].heavy:
            chunk = chunk[:-1]
        with conn.begin():
            begin_bulk(conn)
            if not operator_ids:
                operator_ids = create_demo_operators(conn, options, now, hasher)
                progress("operators", len(operator_ids), len(DEMO_OPERATORS))
            if not chunk:
                break
            customer_rows = draw_customers(rng_c, chunk, now, used_roots, audit)
            sessions: list[dict[str, Any]] = []
            user_rows: list[dict[str, Any]] = []
            chains: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for plan in chunk:
                user_rows += draw_users(
                    rng_u,
                    names,
                    plan,
                    options.users_per_customer,
                    now,
                    pool,
                    users,
                    ids,
                    audit,
                    sessions,
                )
                draw_escalation(rng_e, names, plan, now, ids, chains, contacts)
            conn.execute(insert(t_customers), customer_rows)
            for table, rows in (
                (t_users, user_rows),
                (t_sessions, sessions),
                (t_chains, chains),
                (t_contacts, contacts),
            ):
                if rows:
                    conn.execute(insert(table), rows)
            add_block_words(conn, customer_rows, user_rows, chains, contacts)
            counts.customers += len(customer_rows)
            counts.portal_users += len(user_rows)
            counts.portal_sessions += len(sessions)
            counts.escalation_chains += len(chains)
            counts.escalation_contacts += len(contacts)
            contract_rows = [
                row
                for plan in chunk
                if not plan.heavy
                for row in draw_contracts(rng_k, plan, today, ids, plan.contracts)
            ]
            if contract_rows:
                conn.execute(insert(t_contracts), contract_rows)
            counts.contracts += len(contract_rows)
        heavy = [p for p in chunk if p.heavy]
        for plan in heavy:
            # 20,000 contracts for one customer: its own transactions, chunk by chunk.
            contract_iter = draw_contracts(rng_k, plan, today, ids, plan.contracts)
            while rows := list(islice(contract_iter, CONTRACT_CHUNK)):
                with conn.begin():
                    begin_bulk(conn)
                    conn.execute(insert(t_contracts), rows)
                counts.contracts += len(rows)
        start += len(chunk)
        progress("customers", start, len(plans))
    return operator_ids
