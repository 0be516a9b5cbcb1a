"""argon2id hashing with parameters from config; one hasher per process."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from noc_console.config import Argon2Params


class Hasher:
    """Wraps argon2-cffi so callers never see its exceptions or a hash in an error."""

    def __init__(self, params: Argon2Params | None = None) -> None:
        p = params or Argon2Params()
        self.params = p
        self._ph = PasswordHasher(
            time_cost=p.time_cost,
            memory_cost=p.memory_cost,
            parallelism=p.parallelism,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        if not stored_hash:
            return False
        try:
            return self._ph.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._ph.check_needs_rehash(stored_hash)
        except (InvalidHashError, ValueError):
            return True


# A cheap hasher for tests and the demo's bulk data only (never the default).
FAST_TEST_PARAMS = Argon2Params(time_cost=1, memory_cost=1024, parallelism=1)
