"""What the screens say about the database: services.system (labels, demo detection, schema)."""

from __future__ import annotations

import sys

import pytest

from noc_console.clock import FixedClock
from noc_console.errors import DatabaseUnavailable
from noc_console.services import system
from tests.ui.helpers import HASHER, add_audit


@pytest.mark.parametrize(
    ("masked", "backend", "label"),
    [
        ("sqlite+pysqlite:////var/lib/noc/portal.sqlite3", "sqlite", "portal.sqlite3"),
        (
            "postgresql+psycopg://noc:***@db.example.com.br:5432/portal",
            "postgresql",
            "noc@db.example.com.br:5432/portal",
        ),
        ("postgresql+psycopg:///portal", "postgresql", "localhost/portal"),
    ],
)
def test_label_is_short_and_password_free(masked: str, backend: str, label: str) -> None:
    info = system.DatabaseInfo(masked_url=masked, backend=backend, is_demo=False, revision="1")
    assert info.label == label


@pytest.mark.parametrize("demo_module_present", [True, False])
def test_describe_database_detects_the_demo(
    portal_url: str, monkeypatch: pytest.MonkeyPatch, demo_module_present: bool
) -> None:
    if not demo_module_present:  # the fallback query when noc_console.demo is absent
        monkeypatch.setitem(sys.modules, "noc_console.demo", None)
    ctx = system.open_database(portal_url, clock=FixedClock(), hasher=HASHER)
    try:
        info = system.describe_database(ctx)
        assert (info.is_demo, info.backend, info.has_operators) == (False, "sqlite", False)
        assert info.revision
        add_audit(portal_url, "demo_seeded")
        assert system.describe_database(ctx).is_demo
    finally:
        ctx.engine.dispose()


def test_open_database_refuses_an_old_schema(tmp_path: object) -> None:
    url = f"sqlite+pysqlite:///{tmp_path}/empty.sqlite3"
    with pytest.raises(system.SchemaNotCurrent, match="noc-console db upgrade") as caught:
        system.open_database(url)
    assert caught.value.current is None
    assert isinstance(caught.value, DatabaseUnavailable)
