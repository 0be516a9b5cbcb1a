"""The console's own key: encrypts TOTP secrets at rest and keys the masked usernames.

Where the key comes from, and why: a key file (32 random bytes, base64), by
default ``auth.key`` in the user data folder, made on first use with mode 0600;
``[auth] key_file`` points every console of a team at the same file. Not the
system keyring: most consoles run over SSH on machines without one, and every
console of one database must hold the same key. Not derived from anything in
the database: a stolen dump would then carry its own key. The database holds
only ciphertext (Fernet: AES-128-CBC + HMAC-SHA256), tagged with the key's id so
a console with another key says so instead of calling every code wrong.

The keyed digest (HMAC-SHA256 under a sub-key) lets the audit log tell two
failed usernames apart without storing them: people type passwords into the
username box.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

_VERSION = "v1"


class VaultError(Exception):
    """The key file is unreadable, or a ciphertext was made with another key (no secret inside)."""


class Vault:
    """Encrypts and decrypts small secrets; ``repr`` never shows the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise VaultError("the console key must be 32 bytes")
        self._enc = hmac.new(key, b"noc-console totp encryption", hashlib.sha256).digest()
        self._mac = hmac.new(key, b"noc-console keyed digest", hashlib.sha256).digest()
        self.key_id = hmac.new(key, b"noc-console key id", hashlib.sha256).hexdigest()[:8]

    def __repr__(self) -> str:
        return f"Vault(key_id={self.key_id})"

    @classmethod
    def from_file(cls, path: Path) -> Vault:
        """The key in ``path``, made there (0600) if the file does not exist yet."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = _create_key_file(path)
        except OSError as err:
            raise VaultError(f"cannot read the console key file {path}: {err.strerror}") from None
        try:
            key = base64.urlsafe_b64decode(raw.strip())
        except ValueError:
            raise VaultError(f"the console key file {path} is not a key") from None
        if len(key) != 32:
            raise VaultError(f"the console key file {path} is not a key")
        return cls(key)

    def encrypt(self, plaintext: str) -> str:
        from cryptography.fernet import Fernet

        token = Fernet(base64.urlsafe_b64encode(self._enc)).encrypt(plaintext.encode())
        return f"{_VERSION}:{self.key_id}:{token.decode()}"

    def decrypt(self, stored: str) -> str:
        from cryptography.fernet import Fernet, InvalidToken

        version, _sep, rest = stored.partition(":")
        key_id, _sep, token = rest.partition(":")
        if version != _VERSION or not token:
            raise VaultError("unknown secret format")
        if key_id != self.key_id:
            raise VaultError(
                "this second factor was enrolled with another console key file;"
                " every console of this database needs the same [auth] key_file"
            )
        try:
            return Fernet(base64.urlsafe_b64encode(self._enc)).decrypt(token.encode()).decode()
        except InvalidToken:
            raise VaultError("a stored secret failed its integrity check") from None

    def digest(self, text: str, length: int = 8) -> str:
        """A short keyed fingerprint of ``text``: equal inputs match, nothing can be read back."""
        raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate typed as a name
        return hmac.new(self._mac, raw, hashlib.sha256).hexdigest()[:length]


def _create_key_file(path: Path) -> bytes:
    raw = base64.urlsafe_b64encode(os.urandom(32))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another console made it first: use theirs
        return path.read_bytes()
    except OSError as err:
        raise VaultError(f"cannot create the console key file {path}: {err.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw + b"\n")
    log.info("console key file created: %s", path)
    return raw


def mask_username(vault: Vault, username: str) -> str:
    """An unknown username as the audit log and the log file keep it: ``ot…[13]#1a2b3c4d``.

    Two characters, the length and a keyed digest: enough to see that the same
    wrong name came back, never enough to read a password typed there by mistake.
    """
    shown = "".join(ch for ch in username[:2] if ch.isprintable())
    return f"{shown}…[{len(username)}]#{vault.digest(username)}"
