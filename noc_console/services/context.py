"""What every service call needs besides its arguments: sessions, clock, hasher, mode.

Built once by the CLI/app (or by a test) and passed as the first argument, so
services hold no global state and tests can fix the clock and the hasher.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from noc_console.clock import Clock, SystemClock
from noc_console.db import read_session_factory, session_factory
from noc_console.models import Role
from noc_console.services.hashing import Hasher

DEFAULT_RESET_URL = "https://portal.example.com.br/reset?token={token}"


@dataclass(frozen=True)
class Principal:
    """The operator acting in this console session (checked at login, never trusted from input)."""

    operator_id: int
    username: str
    display_name: str
    role: Role
    source: str = "local"
    """Who checked the password: ``local`` (this database) or ``ldap`` (the directory)."""
    break_glass: bool = False
    """Signed in with a break-glass local account (the session bar says so)."""

    @property
    def label(self) -> str:
        return f"op:{self.username}"


@dataclass(frozen=True)
class PortalPrincipal:
    """A portal user acting on the portal side (portal_auth, contract values for preposto 1)."""

    portal_user_id: int
    customer_id: int
    login: str
    preposto_level: int

    @property
    def label(self) -> str:
        return f"portal:{self.login}"


@dataclass
class ServiceContext:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    hasher: Hasher = field(default_factory=Hasher)
    read_only: bool = False
    portal_reset_url: str = DEFAULT_RESET_URL
    sessions: sessionmaker[Session] = field(init=False)
    read_sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        self.read_sessions = read_session_factory(self.engine)
