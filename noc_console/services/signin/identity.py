"""How this console signs operators in: the ``[auth]`` settings, the key, the directory."""

from __future__ import annotations

import secrets as random_secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from noc_console.auth_settings import AuthSettings
from noc_console.i18n import _
from noc_console.models import Role
from noc_console.services.vault import Vault

if TYPE_CHECKING:
    from noc_console.config import Settings
    from noc_console.services.directory.client import DirectoryClient

SOURCE_LOCAL = "local"
SOURCE_DIRECTORY = "ldap"


@dataclass
class Identity:
    """How this console signs operators in: the ``[auth]`` settings, the key, the directory."""

    auth: AuthSettings = field(default_factory=AuthSettings)
    key_path: Path | None = None
    """None: a key made in memory for this process (masked names then match within a run)."""
    directory: DirectoryClient | None = None

    @cached_property
    def vault(self) -> Vault:
        if self.key_path is None:
            return Vault(random_secrets.token_bytes(32))
        return Vault.from_file(self.key_path)

    def requires_code(self, role: Role) -> bool:
        return role.value in self.auth.require_totp

    def describe(self) -> str:
        """One line for the login form: which sources sign people in here.

        Empty for the plain setup (local accounts, no directory): nothing to explain.
        """
        if self.directory is None and self.auth.local == "all":
            return ""
        local = {
            "all": _("local accounts"),
            "break-glass": _("local break-glass accounts only"),
            "off": "",
        }[self.auth.local]
        if self.directory is None:
            return _("Sign-in: {local}").format(local=local)
        directory = _("company directory ({servers})").format(servers=self.directory.settings.label)
        if not local:
            return _("Sign-in: {directory}").format(directory=directory)
        return _("Sign-in: {directory}; {local}").format(directory=directory, local=local)


def identity_for(settings: Settings) -> Identity:
    """The identity of a console run with ``settings`` (the directory client not yet connected)."""
    directory = None
    if settings.auth.ldap is not None:
        from noc_console.services.directory.client import DirectoryClient, service_password

        directory = DirectoryClient(settings.auth.ldap, service_password(settings.auth.ldap))
    return Identity(
        auth=settings.auth,
        key_path=settings.auth.key_path(settings.paths.data_dir),
        directory=directory,
    )
