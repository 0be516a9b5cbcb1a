"""Operator login: argon2id verification, lockout after repeated failures, audit.

The answer to a wrong username and to a wrong password is the same sentence,
so the login form does not reveal which operators exist.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from noc_console.errors import AuthenticationFailed
from noc_console.i18n import N_, _
from noc_console.services.context import Principal, ServiceContext

if TYPE_CHECKING:
    from noc_console.services import signin

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
WRONG_CREDENTIALS = N_("wrong username or password")

# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH: dict[int, str] = {}


def _dummy_hash(ctx: ServiceContext) -> str:
    key = id(ctx.hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = ctx.hasher.hash("not-a-real-password-for-timing")
    return _DUMMY_HASH[key]


def dummy_verify(ctx: ServiceContext, password: str) -> None:
    """Spend one argon2 verification, so an unknown name costs what a wrong password costs."""
    ctx.hasher.verify(_dummy_hash(ctx), password)


def login(ctx: ServiceContext, username: str, password: str) -> Principal:
    """Local accounts only, no second factor: the principal, or AuthenticationFailed.

    The console signs in through ``services.signin`` (directory, break-glass,
    TOTP); this is the same check with local accounts only, for callers that
    have no ``[auth]`` settings. An operator who enrolled a factor is refused here.
    """
    from noc_console.services import signin

    outcome = signin.sign_in(ctx, _local_identity(), username, password)
    if isinstance(outcome, Principal):
        return outcome
    raise AuthenticationFailed(_("this account needs its second factor; sign in from the console"))


@cache
def _local_identity() -> signin.Identity:
    from noc_console.auth_settings import AuthSettings
    from noc_console.services import signin

    return signin.Identity(auth=AuthSettings(require_totp=()))
