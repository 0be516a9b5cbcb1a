"""The system keyring, and a clean way out when there is none.

On a headless machine keyring finds no backend: every function here then says
so (KeyringUnavailable, or None on reads) instead of crashing, and nothing is
ever written to disk in its place.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# SQLAlchemy is imported inside the functions that parse URLs: the login screen checks
# the keyring in a worker thread while the connect worker imports SQLAlchemy; importing
# it here too made two threads initialise sqlalchemy.engine at once (ImportError on
# a partially initialised module, seen at start-up on a loaded machine).

SERVICE = "noc-console"
log = logging.getLogger(__name__)


class KeyringUnavailable(Exception):
    """No usable keyring backend; the caller asks for the password instead."""


def _backend_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any import/config failure means "no keyring"
        return False
    if isinstance(backend, fail.Keyring):
        return False
    # The chainer with no real backend inside is as good as none.
    priority = getattr(backend, "priority", 1)
    return bool(priority and priority > 0)


def keyring_available() -> bool:
    return _backend_usable()


def db_account(url: str | URL) -> str:
    """Keyring user for a database URL: 'user@host:port'."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.username or ''}@{u.host or 'localhost'}{port}"


def operator_account(username: str, database: str) -> str:
    return f"operator:{username}@{database}"


def get_secret(account: str) -> str | None:
    if not _backend_usable():
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, account)
    except Exception:  # noqa: BLE001 - a locked/broken keyring reads as "not stored"
        log.warning("keyring read failed for %s", account)
        return None


def set_secret(account: str, secret: str) -> None:
    if not _backend_usable():
        raise KeyringUnavailable("no system keyring is available on this machine")
    import keyring

    try:
        keyring.set_password(SERVICE, account, secret)
    except Exception as err:  # noqa: BLE001
        raise KeyringUnavailable(
            f"the system keyring refused to store it ({type(err).__name__})"
        ) from None


def delete_secret(account: str) -> None:
    if not _backend_usable():
        return
    import keyring

    try:
        keyring.delete_password(SERVICE, account)
    except Exception:  # noqa: BLE001 - nothing stored is fine
        log.debug("nothing to delete in keyring for %s", account)


def get_db_password(url: str | URL) -> str | None:
    """The stored password for a database URL without one, if the keyring has it."""
    from sqlalchemy.engine import make_url

    if make_url(url).password:
        return None
    return get_secret(db_account(url))


def set_db_password(url: str | URL, password: str) -> None:
    set_secret(db_account(url), password)
