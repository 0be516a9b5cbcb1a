"""Real servers the tests start themselves: missing one skips on a user's machine, fails in CI.

``.ci/run`` installs them (Debian's slapd and PgBouncer) and sets
``NOC_CONSOLE_TEST_REQUIRE_SERVERS=1``, so a CI run can never go green by
skipping the tests that need them, as with PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "NOC_CONSOLE_TEST_REQUIRE_SERVERS"


def servers_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0") or bool(os.environ.get("CI"))


def unavailable(what: str) -> NoReturn:
    """Skip (a user's machine) or fail (CI) because ``what`` cannot be had here."""
    message = f"{what} (CI installs it through .ci/run)"
    if servers_required():
        pytest.fail(f"required server missing: {message}", pytrace=False)
    pytest.skip(message)


def find_program(name: str, *extra_dirs: str) -> Path:
    """The path of a server program (Debian puts daemons in /usr/sbin, off a user's PATH)."""
    search = os.pathsep.join(("/usr/sbin", *extra_dirs))
    found = shutil.which(name) or shutil.which(name, path=search)
    if not found:
        unavailable(f"{name} is not installed")
    return Path(found)
