"""The ``[auth]`` and ``[auth.ldap]`` tables of the config file: who may sign in, and how.

Read once at start-up by ``config.load_settings`` like every other setting;
nothing here opens a connection. No secret is ever read from the file: the
directory's service-account password comes from the system keyring (or, for a
cron job on a machine without one, from ``NOC_CONSOLE_LDAP_BIND_PASSWORD``).

Kept out of ``config.py`` so the directory settings (a dozen fields with rules
of their own) do not crowd the console's basic ones; plain Python, no Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

LocalPolicy = Literal["all", "break-glass", "off"]
LOCAL_POLICIES: tuple[LocalPolicy, ...] = ("all", "break-glass", "off")
ROLES = ("analyst", "operator", "supervisor")
"""Lowest to highest: when a person is in several mapped groups, the last one here wins."""

KEY_FILE_NAME = "auth.key"


def _error(message: str) -> Exception:
    from noc_console.config import ConfigError  # config imports this module

    return ConfigError(message)


@dataclass(frozen=True)
class LdapSettings:
    """One directory (OpenLDAP, FreeIPA or Active Directory), tried URL by URL."""

    urls: tuple[str, ...]
    base_dn: str
    """Where people are searched (and where ``operator sync`` looks)."""
    bind_dn_template: str | None = None
    """``uid={username},ou=people,dc=example,dc=com``: bind directly, no search needed."""
    user_filter: str = "(uid={username})"
    """Search filter for a person; ``{username}`` is filled in escaped (RFC 4515)."""
    service_dn: str | None = None
    """The service account that searches; its password lives in the keyring."""
    start_tls: bool = False
    ca_file: str | None = None
    username_attribute: str = "uid"
    name_attribute: str = "cn"
    email_attribute: str = "mail"
    group_attribute: str | None = None
    """``memberOf`` (AD, OpenLDAP's memberof overlay): the groups are on the person's entry."""
    group_base_dn: str | None = None
    """Otherwise groups are searched here with ``group_filter``."""
    group_filter: str = "(|(member={dn})(uniqueMember={dn}))"
    disabled_filter: str | None = None
    """A person matching this filter is disabled (AD: the userAccountControl bit, README)."""
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Role → group DNs (or plain group names): the highest role whose group the person is in."""
    connect_timeout: float = 5.0
    receive_timeout: float = 10.0

    @property
    def keyring_account(self) -> str:
        return f"ldap:{self.service_dn or ''}"

    @property
    def label(self) -> str:
        """The first server, for messages: ``ldap.example.com``."""
        from urllib.parse import urlsplit

        return ", ".join(urlsplit(url).hostname or url for url in self.urls)


@dataclass(frozen=True)
class AuthSettings:
    local: LocalPolicy = "all"
    """``all``: every local account; ``break-glass``: only those flagged so; ``off``: none."""
    require_totp: tuple[str, ...] = ("supervisor",)
    lock_requires_totp: bool = False
    key_file: Path | None = None
    """Encrypts the TOTP secrets and keys the masked usernames; None = ``<data dir>/auth.key``.
    Every console of one database needs the same file."""
    ldap: LdapSettings | None = None

    def key_path(self, data_dir: Path) -> Path:
        return self.key_file or data_dir / KEY_FILE_NAME


def _table(cfg: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = cfg.get(name, {})
    if not isinstance(value, Mapping):
        raise _error(f"{where}{name} in the config file must be a table")
    return value


def _str(cfg: Mapping[str, Any], name: str, where: str, default: str | None = None) -> str | None:
    value = cfg.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _error(f"[{where}] {name} must be a non-empty string")
    return value.strip()


def _bool(cfg: Mapping[str, Any], name: str, where: str, default: bool) -> bool:
    value = cfg.get(name, default)
    if not isinstance(value, bool):
        raise _error(f"[{where}] {name} must be true or false")
    return value


def _seconds(cfg: Mapping[str, Any], name: str, default: float) -> float:
    value = cfg.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 120:
        raise _error(f"[auth.ldap] {name} must be a number of seconds between 0 and 120")
    return float(value)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _error(f"{what} must be a string or a list of strings")
    return tuple(v.strip() for v in value)


def _ldap(cfg: Mapping[str, Any]) -> LdapSettings:
    where = "auth.ldap"
    urls = _strings(cfg.get("url", cfg.get("urls", [])), "[auth.ldap] url")
    if not urls:
        raise _error("[auth.ldap] url is required (one URL or a list, tried in order)")
    for url in urls:
        if not url.lower().startswith(("ldap://", "ldaps://")):
            raise _error(f"[auth.ldap] url {url!r} must start with ldap:// or ldaps://")
    start_tls = _bool(cfg, "start_tls", where, False)
    plaintext = any(u.lower().startswith("ldap://") for u in urls) and not start_tls
    if plaintext and not _bool(cfg, "allow_plaintext", where, False):
        raise _error(
            "[auth.ldap] an ldap:// URL sends passwords in clear: use ldaps:// or start_tls = true"
        )
    base_dn = _str(cfg, "base_dn", where)
    if base_dn is None:
        raise _error("[auth.ldap] base_dn is required")
    template = _str(cfg, "bind_dn_template", where)
    if template is not None and "{username}" not in template:
        raise _error("[auth.ldap] bind_dn_template must contain {username}")
    user_filter = _str(cfg, "user_filter", where, "(uid={username})") or ""
    if "{username}" not in user_filter:
        raise _error("[auth.ldap] user_filter must contain {username}")
    service_dn = _str(cfg, "service_dn", where)
    if template is None and service_dn is None:
        raise _error("[auth.ldap] set bind_dn_template, or service_dn to search for people")
    ca_file = _str(cfg, "ca_file", where)
    if ca_file is not None and not Path(ca_file).expanduser().is_file():
        raise _error(f"[auth.ldap] ca_file {ca_file} does not exist")
    roles_cfg = _table(cfg, "roles", "[auth.ldap] ")
    roles: dict[str, tuple[str, ...]] = {}
    for role, groups in roles_cfg.items():
        if role not in ROLES:
            raise _error(f"[auth.ldap.roles] {role!r} is not a role ({', '.join(ROLES)})")
        roles[role] = _strings(groups, f"[auth.ldap.roles] {role}")
    if not roles:
        raise _error("[auth.ldap.roles] maps at least one role to its groups")
    group_attribute = _str(cfg, "group_attribute", where)
    group_base_dn = _str(cfg, "group_base_dn", where)
    if group_attribute is None and group_base_dn is None:
        raise _error("[auth.ldap] set group_attribute (memberOf) or group_base_dn")
    return LdapSettings(
        urls=urls,
        base_dn=base_dn,
        bind_dn_template=template,
        user_filter=user_filter,
        service_dn=service_dn,
        start_tls=start_tls,
        ca_file=str(Path(ca_file).expanduser()) if ca_file else None,
        username_attribute=_str(cfg, "username_attribute", where, "uid") or "uid",
        name_attribute=_str(cfg, "name_attribute", where, "cn") or "cn",
        email_attribute=_str(cfg, "email_attribute", where, "mail") or "mail",
        group_attribute=group_attribute,
        group_base_dn=group_base_dn,
        group_filter=_str(cfg, "group_filter", where, LdapSettings.group_filter) or "",
        disabled_filter=_str(cfg, "disabled_filter", where),
        roles=roles,
        connect_timeout=_seconds(cfg, "connect_timeout", 5.0),
        receive_timeout=_seconds(cfg, "receive_timeout", 10.0),
    )


def load_auth(file_cfg: Mapping[str, Any], *, embedded: bool = False) -> AuthSettings:
    """The ``[auth]`` table (and ``[auth.ldap]`` inside it) of the config file; defaults without.

    On the embedded demo database nobody must use a second factor unless the file says
    so: ``make demo`` stays a two-command trial for a newcomer without an authenticator.
    """
    cfg = _table(file_cfg, "auth", "")
    local = cfg.get("local", "all")
    if local not in LOCAL_POLICIES:
        raise _error('[auth] local must be "all", "break-glass" or "off"')
    raw_require = cfg.get("require_totp", [] if embedded else ["supervisor"])
    require = () if raw_require == [] else _strings(raw_require, "[auth] require_totp")
    for role in require:
        if role not in ROLES:
            raise _error(f"[auth] require_totp: {role!r} is not a role ({', '.join(ROLES)})")
    key_file = _str(cfg, "key_file", "auth")
    ldap_cfg = cfg.get("ldap")
    if ldap_cfg is not None and not isinstance(ldap_cfg, Mapping):
        raise _error("[auth.ldap] in the config file must be a table")
    ldap = _ldap(ldap_cfg) if ldap_cfg else None
    if local == "off" and ldap is None:
        raise _error('[auth] local = "off" needs an [auth.ldap] table, or nobody can sign in')
    return AuthSettings(
        local=local,
        require_totp=require,
        lock_requires_totp=_bool(cfg, "lock_requires_totp", "auth", False),
        key_file=Path(key_file).expanduser() if key_file else None,
        ldap=ldap,
    )
