"""Issues 6.3, 6.5 and 6.6 in the console itself: real faults, not monkeypatched ones.

tests/ui already proves the banner, the lock and the literal display of hostile
names with simulated failures. Here the console runs on PostgreSQL through a
TCP proxy that really goes away and comes back, and has its connections killed
by ``pg_terminate_backend``:

* killed connections between two actions: the next action just works, no
  banner (the pool's pre-ping reconnects);
* server gone: the next action shows the "database unavailable" banner (the
  password of the URL masked); server back: the banner goes away by itself and
  the next search answers, without restarting the console;
* no keyring: even with "remember me" forced on, the operator password is
  written nowhere on disk;
* an analyst reaches no contract value through the command palette, and cannot
  open the audit log by running its action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from textual.widgets import Checkbox, DataTable

from noc_console import secrets
from noc_console.app import NocApp
from noc_console.db import create_db_engine, session_factory
from noc_console.screens.main import LookupScreen
from noc_console.widgets.banner import DbBanner
from tests.reliability.conftest import SecretGuard
from tests.reliability.support.pg import PgAdmin
from tests.reliability.support.proxy import FlakyProxy
from tests.reliability.support.world import unique, unique_cnpj
from tests.support.cli import files_containing
from tests.support.factories import make_customer
from tests.ui.helpers import PASSWORD, SIZE, add_operator, build_console, log_in, search_for, settle

DB_PASSWORD = "S3cret-DB-pw-88"  # trust auth ignores it; the banner must never show it


@pytest.fixture
def fast_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NocApp, "DB_RETRY_SECONDS", 0.1)


def _banner(app: NocApp) -> str | None:
    banners = list(app.screen.query(DbBanner))
    return str(banners[0].render()) if banners else None


def _seed(url: str) -> tuple[str, str]:
    """An operator and a customer of this test; returns (username, a term that finds it)."""
    username = unique("console")
    add_operator(url, username)
    term = unique("resiliente")
    engine = create_db_engine(url)
    try:
        with session_factory(engine).begin() as s:
            make_customer(s, f"Padaria {term} Ltda", cnpj=unique_cnpj())
    finally:
        engine.dispose()
    return username, term


async def _hits(app: NocApp) -> int:
    screen = app.screen
    assert isinstance(screen, LookupScreen)
    return screen.query_one("#results", DataTable).row_count


async def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``condition`` while the app keeps running (its retry timer, its workers)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def test_killed_connections_between_actions_go_unnoticed(
    pg_url: str, pg_admin: PgAdmin, fast_retry: None
) -> None:
    username, term = _seed(pg_url)

    async def scenario() -> None:
        app = build_console(pg_url, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, username)
            assert isinstance(app.screen, LookupScreen)
            # A different term each time: the same one would not query again.
            for query in (term, f"{term} ltda", f"padaria {term}"):
                assert pg_admin.terminate_console_connections() >= 1
                await search_for(pilot, query)
                await settle(pilot)
                assert _banner(app) is None
                assert await _hits(app) == 1

    asyncio.run(scenario())


def test_a_server_that_goes_away_shows_the_banner_and_recovers_by_itself(
    pg_url: str, fast_retry: None, secret_guard: SecretGuard
) -> None:
    secret_guard.vault.add(DB_PASSWORD)
    username, term = _seed(pg_url)
    url = make_url(pg_url)
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port, password=DB_PASSWORD)

    async def scenario() -> None:
        app = build_console(through_proxy.render_as_string(hide_password=False), lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, username)
            assert isinstance(app.screen, LookupScreen)
            await search_for(pilot, term)
            assert await _hits(app) == 1

            proxy.down()
            await search_for(pilot, f"{term} ltda")
            await settle(pilot)
            assert await _wait_for(lambda: _banner(app) is not None)
            banner = _banner(app) or ""
            secret_guard.text("banner", banner)
            assert "database unavailable" in banner
            assert DB_PASSWORD not in banner and "\n" not in banner.strip()
            assert isinstance(app.screen, LookupScreen)  # still usable, nothing crashed

            proxy.up()
            assert await _wait_for(lambda: _banner(app) is None), "the banner stayed"
            assert app.db_problem is None
            await search_for(pilot, term)
            await settle(pilot)
            assert await _hits(app) == 1

    try:
        asyncio.run(scenario())
    finally:
        proxy.close()


@pytest.mark.usefixtures("no_keyring")
def test_remember_me_forced_without_a_keyring_writes_no_password(
    sqlite_url: str, private_dirs: Path, tmp_path: Path
) -> None:
    """The checkbox is disabled without a keyring; even set programmatically, the password
    goes nowhere (the keyring refuses and nothing falls back to a file)."""
    add_operator(sqlite_url, "semchaveiro")
    assert not secrets.keyring_available()

    async def scenario() -> None:
        app = build_console(sqlite_url, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            box = app.screen.query_one("#remember", Checkbox)
            assert box.disabled
            box.disabled = False
            box.value = True  # forced, as a bug or a future change might
            await log_in(pilot, "semchaveiro")
            assert isinstance(app.screen, LookupScreen)
            await app.run_action("app.logout")
            await settle(pilot)

    asyncio.run(scenario())
    database = make_url(sqlite_url).database
    assert database
    for root in (private_dirs, tmp_path, Path(database).parent):
        assert files_containing(root, PASSWORD) == []


def test_an_analyst_reaches_no_contract_value_through_the_palette_or_an_action(
    sqlite_url: str,
) -> None:
    """The palette and programmatic actions lead to the same screens and services as the keys:
    the contract browser opened from the palette shows no amount, and the audit log (where a
    supervisor's viewing is recorded) cannot be opened by an analyst even by running its action."""
    from decimal import Decimal

    from textual.widgets import Input

    from noc_console.screens.audit.screen import AuditLogScreen
    from noc_console.screens.contracts.screen import ContractBrowser
    from noc_console.screens.customer.screen import CustomerScreen
    from tests.reliability.support.secret_scan import svg_screen_lines
    from tests.ui.helpers import seed_world

    add_operator(sqlite_url, "analista.paleta", role="analyst")
    seed_world(sqlite_url)  # Padaria São João: two contracts of R$ 1.234,56 a month
    monthly = Decimal("1234.56")
    amounts = {monthly, monthly * 12, monthly * 2, monthly * 24}
    # '1234.56' and the pt_BR '1.234,56' (a supervisor's screen shows the latter).
    spelled = {f"{a:f}" for a in amounts} | {
        f"{a:,.2f}".translate(str.maketrans(",.", ".,")) for a in amounts
    }

    async def scenario() -> None:
        app = build_console(sqlite_url, lang="pt_BR")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "analista.paleta")
            await search_for(pilot, "padaria")
            await pilot.press("enter")
            await settle(pilot)
            customer = app.screen
            assert isinstance(customer, CustomerScreen)
            await pilot.press("ctrl+p")
            await settle(pilot)
            app.screen.query_one(Input).value = "Contratos"
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            browser: object = app.screen
            assert isinstance(browser, ContractBrowser)
            screen = "".join(svg_screen_lines(app.export_screenshot())).replace("\xa0", " ")
            assert not [s for s in spelled if s in screen], "an amount is on the analyst's screen"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is customer
            await customer.run_action("audit_log")
            await app.run_action("screen.audit_log")
            await settle(pilot)
            assert not any(isinstance(s, AuditLogScreen) for s in app.screen_stack)

    asyncio.run(scenario())
