"""The data and service layers never pull in the UI: checked in a clean interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_services_do_not_import_textual() -> None:
    mods = _modules_after(
        "import noc_console.services, noc_console.models, noc_console.db, noc_console.config\n"
        "import pkgutil, importlib, noc_console.services as s\n"
        "for m in pkgutil.walk_packages(s.__path__, s.__name__ + '.'):\n"
        "    importlib.import_module(m.name)"
    )
    assert not any(m == "textual" or m.startswith("textual.") for m in mods)
    assert not any(m.startswith(("noc_console.screens", "noc_console.widgets")) for m in mods)
    assert "noc_console.app" not in mods


def test_cli_module_import_is_light() -> None:
    """Start-up is benchmarked: the CLI module itself must not import alembic or textual."""
    mods = _modules_after("import noc_console.cli")
    assert "alembic" not in mods
    assert "textual" not in mods


def test_keyring_access_does_not_import_sqlalchemy() -> None:
    """The login screen reads the keyring in a worker while the connect worker imports
    SQLAlchemy: if secrets imported it too, two threads would initialise it at once."""
    mods = _modules_after("import noc_console.secrets")
    assert not any(m == "sqlalchemy" or m.startswith("sqlalchemy.") for m in mods)


PLAIN_MODULES = (
    "noc_console.screens.audit.state",
    "noc_console.screens.contracts.state",
    "noc_console.screens.customer.state",
    "noc_console.screens.escalation.state",
    "noc_console.screens.lookup.state",
    "noc_console.screens.reset.state",
    "noc_console.screens.reset.failure",
    "noc_console.screens.runs.state",
    "noc_console.screens.runs.failures",
    "noc_console.screens.run.state",
    "noc_console.screens.run_start.state",
    "noc_console.screens.run_history.state",
    "noc_console.screens.totp_enrol.state",
    "noc_console.screens.login_state",
    "noc_console.screens.lock_state",
    "noc_console.screens.paging",
    "noc_console.screens.problem",
    "noc_console.runtime.connection_watch",
    "noc_console.runtime.lock_policy",
    "noc_console.runtime.terminal",
)


@pytest.mark.parametrize("module", PLAIN_MODULES)
def test_flow_state_loads_without_textual(module: str) -> None:
    """import-linter sees a module's own imports; this also catches a package ``__init__``
    that would drag the screen (and Textual) in when the state module is imported."""
    mods = _modules_after(f"import {module}")
    assert not any(m == "textual" or m.startswith("textual.") for m in mods)
