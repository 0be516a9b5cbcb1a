"""Snapshots of the contract browser (supervisor, analyst) and of the audit log, in pt_BR.

The pilot tests in test_contract_browser.py / test_audit_log.py assert the
behaviour; these guard the look. Deterministic: 120x40, FixedClock
(2026-11-25 13:10 UTC), seeded rows, the database under a fixed file name,
no cursor blink, nothing that depends on ids beyond the seed order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from noc_console.app import NocApp
from noc_console.screens.audit.screen import AuditLogScreen
from noc_console.screens.contracts.screen import ContractBrowser
from noc_console.screens.session import DbConnected
from noc_console.services import audit
from noc_console.services.context import Principal
from tests.support.factories import make_contract, make_customer, make_operator
from tests.ui.helpers import SIZE, build_app, settle

SnapCompare = Callable[..., bool]
TODAY = date(2026, 11, 25)


def _seed(url: str) -> tuple[int, str, dict[str, Principal]]:
    from noc_console.clock import FixedClock
    from noc_console.db import create_db_engine, session_factory

    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            customer = make_customer(s, "Padaria São João Ltda", cnpj="11222333000181")
            specs: list[dict[str, Any]] = [
                dict(number="CT-2025-000101", service_name="Link Dedicado 500 Mbps",
                     value="1234.56", start=date(2025, 1, 10), end=TODAY + timedelta(days=12)),
                dict(number="CT-2025-000102", service_name="Fibra Apagada SP-RJ",
                     value="4321.00", start=date(2024, 3, 1), end=TODAY + timedelta(days=50)),
                dict(number="CT-2025-000103", service_name="Cloud Backup 2 TB",
                     value="99.90", currency="USD", start=date(2025, 6, 1),
                     end=TODAY + timedelta(days=85)),
                dict(number="CT-2025-000104", service_name="Proteção Anti-DDoS",
                     value="870.10", start=date(2023, 2, 1), end=None),
                dict(number="CT-2022-000017", service_name="Colocation [bold]rack 42U[/]",
                     value="10000.00", status="inactive", start=date(2021, 5, 5),
                     end=date(2024, 12, 31)),
                dict(number="CT-2022-000018", service_name="Telefonia IP (legado)",
                     value="555.55", status="inactive", start=date(2022, 1, 1),
                     end=date(2025, 6, 30)),
            ]  # fmt: skip
            for spec in specs:
                make_contract(s, customer, **spec)
            people = {
                "supervisor": make_operator(s, "supervisor", username="sara.supervisora"),
                "analyst": make_operator(s, "analyst", username="ana.analista"),
                "operator": make_operator(s, "operator", username="otto.operador"),
            }
            now = FixedClock().now()
            events = [
                ("password_reset", people["analyst"], "joao.silva", "INC-20261125-01",
                 {"method": "temporary_password", "checks": ["name", "cnpj", "email"],
                  "sessions_ended": 2}),
                ("escalation_saved", people["operator"], None, "INC-20261124-07",
                 {"levels": [2], "version": 4}),
                ("contracts_exported", people["supervisor"], "contracts-1.csv", None,
                 {"rows": 6, "values_included": True, "status": "all"}),
                ("permission_denied", people["analyst"], "audit_log", None,
                 {"permission": "view_audit", "role": "analyst", "why": "role"}),
                ("password_reset", people["analyst"], "maria.souza", "INC-20261120-03",
                 {"method": "reset_link", "checks": ["name", "cnpj"]}),
            ]  # fmt: skip
            for hours, (action, who, subject, ticket, details) in enumerate(events):
                audit.record(
                    s,
                    at=now - timedelta(hours=3 * hours, minutes=7),
                    action=action,
                    operator_id=who.operator_id,
                    customer_id=customer.id,
                    subject=subject,
                    ticket_ref=ticket,
                    reason="cliente ligou" if ticket else None,
                    details=details,
                )
            result = (customer.id, customer.legal_name, people)
    finally:
        engine.dispose()
    return result


async def _connected(pilot: Pilot[Any], principal: Principal) -> DbConnected:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NocApp)
    state = app.db_state
    assert isinstance(state, DbConnected)
    app.principal = principal
    return state


def _browser(role: str, url: str, tmp_path: Path) -> Callable[[Pilot[Any]], Any]:
    customer_id, name, people = _seed(url)

    async def open_browser(pilot: Pilot[Any]) -> None:
        state = await _connected(pilot, people[role])
        await pilot.app.push_screen(
            ContractBrowser(
                state.ctx, people[role], customer_id, name, export_dir=tmp_path / "exports"
            )
        )
        await settle(pilot)
        await pilot.press("down", "down")  # the cursor on a row, not just the first
        await settle(pilot)

    return open_browser


def test_contract_browser_supervisor_pt_br(
    snap_compare: SnapCompare, portal_url: str, tmp_path: Path
) -> None:
    run_before = _browser("supervisor", portal_url, tmp_path)
    app = build_app(portal_url, lang="pt_BR")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_contract_browser_analyst_pt_br(
    snap_compare: SnapCompare, portal_url: str, tmp_path: Path
) -> None:
    run_before = _browser("analyst", portal_url, tmp_path)
    app = build_app(portal_url, lang="pt_BR")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_audit_log_supervisor_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    customer_id, _name, people = _seed(portal_url)

    async def open_log(pilot: Pilot[Any]) -> None:
        state = await _connected(pilot, people["supervisor"])
        await pilot.app.push_screen(
            AuditLogScreen(state.ctx, people["supervisor"], customer_id=customer_id)
        )
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    app = build_app(portal_url, lang="pt_BR")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_log)
