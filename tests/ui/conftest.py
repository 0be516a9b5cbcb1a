from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from noc_console import i18n
from tests.ui.helpers import stable_copy


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """The language is process-wide; a UI test must not leave pt_BR behind for other tests."""
    saved = dict(i18n._state)
    yield
    i18n._state.clear()
    i18n._state.update(saved)


@pytest.fixture
def portal_url(sqlite_url: str, tmp_path: Path) -> str:
    """A fresh migrated SQLite database under a stable file name (snapshots show the name)."""
    folder = tmp_path / "db"
    folder.mkdir()
    return stable_copy(sqlite_url, folder)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` pilot tests in a fresh event loop (no asyncio plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
