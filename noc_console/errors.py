"""Typed domain errors: screens turn them into messages; none of them carries a secret."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a screen is expected to show in words."""


class ValidationError(DomainError):
    """Input refused; ``fields`` maps a field name to every message about it."""

    def __init__(self, fields: Mapping[str, list[str]] | None = None, message: str | None = None):
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}
        summary = message or "; ".join(f"{k}: {' '.join(v)}" for k, v in self.fields.items())
        super().__init__(summary or "invalid input")


class PermissionDenied(DomainError):
    pass


class ConflictError(DomainError):
    """Someone else saved first; ``current`` carries what they saved (a DTO)."""

    def __init__(self, message: str, current: object | None = None):
        super().__init__(message)
        self.current = current


class NotFound(DomainError):
    pass


class RateLimited(DomainError):
    pass


class AuthenticationFailed(DomainError):
    pass


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or refused us; the message names it, password masked."""

    def __init__(self, message: str, *, needs_password: bool = False):
        super().__init__(message)
        self.needs_password = needs_password
