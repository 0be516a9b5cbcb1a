"""Test data that can share one database with other tests: unique CNPJs, logins, usernames.

Creating a PostgreSQL database per test costs most of a second here; the
reliability suite runs hundreds of small tests, so modules share one database
per backend and every test creates its own customers and people under names
no other test uses.
"""

from __future__ import annotations

import itertools
import os

from stdnum.br import cnpj as stdnum_cnpj

# Distinct per process, so two test runs sharing a server never collide either.
_serial = itertools.count(os.getpid() % 1000 * 100_000 + 1)


def serial() -> int:
    return next(_serial)


def unique_cnpj() -> str:
    """A CNPJ with valid check digits that no other test of this run uses."""
    base = f"{serial() % 10**8:08d}0001"
    return base + stdnum_cnpj.calc_check_digits(base)


def unique(prefix: str) -> str:
    """'prefix' plus a number: a login or username of this test only (lower-case)."""
    return f"{prefix}{serial()}".lower()
