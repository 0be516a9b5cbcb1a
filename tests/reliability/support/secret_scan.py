"""Knowing every secret a test run produced, and finding any of them where it must not be.

Secrets are collected at their source rather than guessed afterwards:

* ``RecordingHasher`` remembers every password that was *stored* (hashed) and
  every hash it produced: temporary passwords, new portal passwords, operator
  passwords;
* ``record_tokens`` remembers every ``secrets.token_urlsafe`` value: reset
  link tokens and portal session tokens;
* ``record_domain_errors`` remembers every domain error constructed anywhere,
  so their texts can be scanned too.

Guesses (wrong passwords typed in a test) are not secrets and are not recorded.
"""

from __future__ import annotations

import html
import json
import re
import secrets as std_secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from noc_console.config import Argon2Params
from noc_console.errors import DomainError
from noc_console.models import AuditEvent, NotificationOutbox
from noc_console.services.hashing import Hasher
from noc_console.services.password_reset import OUTBOX_KIND

# Shorter values turn up by chance in ordinary text (timestamps, ids).
MIN_SECRET_LENGTH = 8


@dataclass
class SecretVault:
    """Every secret seen so far in this test run (thread-safe)."""

    values: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _regex: re.Pattern[str] | None = None

    def add(self, value: str | None) -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            with self._lock:
                if value not in self.values:
                    self.values.add(value)
                    self._regex = None

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._regex is None and self.values:
                ordered = sorted(self.values, key=len, reverse=True)
                self._regex = re.compile("|".join(re.escape(v) for v in ordered))
            return self._regex

    def leaks(self, texts: Iterable[tuple[str, str]]) -> list[str]:
        """'where: secret…' for every text holding a known secret (empty when clean)."""
        regex = self.pattern()
        if regex is None:
            return []
        found: list[str] = []
        for where, text in texts:
            hit = regex.search(text)
            if hit:
                found.append(f"{where}: {hit.group(0)[:12]}…")
        return found


class RecordingHasher(Hasher):
    """A Hasher that reports each stored password and each hash to a vault."""

    def __init__(self, vault: SecretVault, params: Argon2Params | None = None) -> None:
        super().__init__(params)
        self.vault = vault

    def hash(self, password: str) -> str:
        digest = super().hash(password)
        self.vault.add(password)
        self.vault.add(digest)
        return digest


@contextmanager
def record_tokens(vault: SecretVault) -> Iterator[None]:
    """Every secrets.token_urlsafe value (reset links, portal sessions) goes to the vault."""
    original = std_secrets.token_urlsafe

    def recording(nbytes: int | None = None) -> str:
        token = original(nbytes)
        vault.add(token)
        return token

    std_secrets.token_urlsafe = recording
    try:
        yield
    finally:
        std_secrets.token_urlsafe = original


@contextmanager
def record_domain_errors() -> Iterator[list[DomainError]]:
    """Every DomainError constructed while active (in any thread), for scanning its text."""
    seen: list[DomainError] = []
    had_own = "__init__" in DomainError.__dict__
    previous: Callable[..., None] = DomainError.__init__

    def recording(self: DomainError, *args: Any, **kwargs: Any) -> None:
        previous(self, *args, **kwargs)
        seen.append(self)

    DomainError.__init__ = recording  # type: ignore[method-assign,assignment]
    try:
        yield seen
    finally:
        if had_own:
            DomainError.__init__ = previous  # type: ignore[method-assign]
        else:
            del DomainError.__init__


def database_texts(engine: Engine) -> list[tuple[str, str]]:
    """Everything in audit_events, and the outbox except the reset link meant for the mailer."""
    texts: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for row in conn.execute(select(AuditEvent.__table__)).mappings():
            values = {k: v for k, v in row.items() if k != "details"}
            details = json.dumps(row["details"], ensure_ascii=False, default=str)
            texts.append((f"audit_events#{row['id']}", f"{values} {details}"))
        for row in conn.execute(select(NotificationOutbox.__table__)).mappings():
            payload = dict(row["payload"] or {})
            if row["kind"] == OUTBOX_KIND:
                payload.pop("url", None)  # the one place a reset token may be: the mailer's link
            rest = {k: v for k, v in row.items() if k != "payload"}
            texts.append(
                (f"notification_outbox#{row['id']}", f"{rest} {json.dumps(payload, default=str)}")
            )
    return texts


def file_texts(root: Path) -> list[tuple[str, str]]:
    """Every file under ``root`` as text (bytes that are not UTF-8 are replaced)."""
    return [
        (str(p), p.read_bytes().decode("utf-8", "replace"))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


_SVG_TEXT = re.compile(r"<text\b[^>]*\by=\"([0-9.]+)\"[^>]*>(.*?)</text>", re.DOTALL)
_SVG_X = re.compile(r"\bx=\"([0-9.]+)\"")
_TAGS = re.compile(r"<[^>]+>")


def svg_screen_lines(svg: str) -> list[str]:
    """The text a Textual SVG screenshot shows, one string per screen line.

    Textual writes one <text> per style run, so a value typed into a field can
    be split where the cursor or a highlight starts; runs on the same line are
    joined in x order, and entities (&#160; for spaces) are decoded.
    """
    lines: dict[float, list[tuple[float, str]]] = {}
    for match in _SVG_TEXT.finditer(svg):
        tag = match.group(0)
        x_match = _SVG_X.search(tag)
        x = float(x_match.group(1)) if x_match else 0.0
        body = html.unescape(_TAGS.sub("", match.group(2)))
        lines.setdefault(float(match.group(1)), []).append((x, body))
    return ["".join(t for _x, t in sorted(runs)) for _y, runs in sorted(lines.items())]
