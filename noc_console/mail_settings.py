"""The ``[mail]`` table of the config file: where ``noc-console mailer`` delivers, and how.

Two transports: ``smtp`` (a real server: host, port, security, login) and
``folder`` (each message written as an ``.eml`` file, for the demo and for
trying the whole loop by hand). The embedded demo database defaults to the
folder in the user data folder, so ``make demo`` needs no mail server; any
other database defaults to SMTP on localhost.

The SMTP password is never read from the file: it comes from the environment
(``NOC_CONSOLE_SMTP_PASSWORD``) or the system keyring (``noc-console mail
set-password``), and only the mailer asks for it (``smtp_password``).
No Textual and no SQLAlchemy here: ``config`` loads this at every start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Transport = Literal["smtp", "folder"]
Security = Literal["starttls", "tls", "none"]

TRANSPORTS: tuple[Transport, ...] = ("smtp", "folder")
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_ENV = "NOC_CONSOLE_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a secret
MAIL_FOLDER = "mail"
"""The demo's folder of ``.eml`` files, inside the user data folder."""


class MailConfigError(ValueError):
    """A ``[mail]`` value is unusable; the message names the key (config raises ConfigError)."""


@dataclass(frozen=True)
class MailSettings:
    """Everything the mailer needs but the password. Times in seconds."""

    transport: Transport = "smtp"
    host: str = "localhost"
    port: int = 587
    security: Security = "starttls"
    username: str | None = None
    from_address: str = "noc@example.com.br"
    from_name: str = "NOC"
    timeout_s: float = 30.0
    folder: Path | None = None
    ca_file: Path | None = None
    max_attempts: int = 5
    retry_base_s: float = 60.0
    retry_max_s: float = 3600.0
    poll_interval_s: float = 5.0
    lease_s: float = 300.0

    @property
    def password_account(self) -> str:
        """The keyring user of the SMTP password: ``smtp:user@host:port``."""
        return f"smtp:{self.username or ''}@{self.host}:{self.port}"

    @property
    def where(self) -> str:
        """Where mail goes, in words (no secret): for ``config path`` and the mailer's log."""
        if self.transport == "folder":
            return f"folder {self.folder}"
        return f"smtp://{self.host}:{self.port} ({self.security})"


def _text(cfg: Mapping[str, Any], key: str, default: str) -> str:
    value = cfg.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise MailConfigError(f"[mail] {key} must be a non-empty text")
    return value.strip()


def _number(cfg: Mapping[str, Any], key: str, default: float, *, minimum: float) -> float:
    value = cfg.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MailConfigError(f"[mail] {key} must be a number, not {value!r}")
    if value < minimum:
        raise MailConfigError(f"[mail] {key} must be at least {minimum:g}")
    return float(value)


def _choice(cfg: Mapping[str, Any], key: str, default: str, choices: tuple[str, ...]) -> str:
    value = cfg.get(key, default)
    if value not in choices:
        raise MailConfigError(f"[mail] {key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def parse_mail_settings(cfg: object, *, data_dir: Path, embedded: bool) -> MailSettings:
    """``[mail]`` as read from TOML (``cfg``), checked key by key.

    ``embedded``: the embedded demo database is in use, so the folder transport is
    the default.
    """
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, Mapping):
        raise MailConfigError("[mail] must be a table")
    if "password" in cfg:
        raise MailConfigError(
            f"[mail] password is not read from the file: use `noc-console mail set-password`"
            f" or {PASSWORD_ENV}"
        )
    transport = _choice(cfg, "transport", "folder" if embedded else "smtp", TRANSPORTS)
    security = _choice(cfg, "security", "starttls", SECURITIES)
    port = int(_number(cfg, "port", DEFAULT_PORTS[security], minimum=1))  # type: ignore[index]
    if port > 65535:
        raise MailConfigError("[mail] port must be at most 65535")
    username = cfg.get("username")
    if username is not None and (not isinstance(username, str) or not username.strip()):
        raise MailConfigError("[mail] username must be a non-empty text")
    from_address = _text(cfg, "from_address", MailSettings.from_address)
    if "@" not in from_address or any(c in from_address for c in "\r\n<> "):
        raise MailConfigError(f"[mail] from_address is not an e-mail address: {from_address!r}")
    from_name = _text(cfg, "from_name", MailSettings.from_name)
    if any(c in from_name for c in "\r\n"):
        raise MailConfigError("[mail] from_name must be one line")
    folder_raw = cfg.get("folder")
    folder = Path(str(folder_raw)).expanduser() if folder_raw else data_dir / MAIL_FOLDER
    ca_raw = cfg.get("ca_file")
    base = _number(cfg, "retry_base_seconds", MailSettings.retry_base_s, minimum=0)
    return MailSettings(
        transport=transport,  # type: ignore[arg-type]
        host=_text(cfg, "host", MailSettings.host),
        port=port,
        security=security,  # type: ignore[arg-type]
        username=username.strip() if isinstance(username, str) else None,
        from_address=from_address,
        from_name=from_name,
        timeout_s=_number(cfg, "timeout_seconds", MailSettings.timeout_s, minimum=1),
        folder=folder,
        ca_file=Path(str(ca_raw)).expanduser() if ca_raw else None,
        max_attempts=int(_number(cfg, "max_attempts", MailSettings.max_attempts, minimum=1)),
        retry_base_s=base,
        retry_max_s=_number(cfg, "retry_max_seconds", MailSettings.retry_max_s, minimum=base),
        poll_interval_s=_number(
            cfg, "poll_interval_seconds", MailSettings.poll_interval_s, minimum=0.05
        ),
        lease_s=_number(cfg, "lease_seconds", MailSettings.lease_s, minimum=10),
    )


def load_mail(file_cfg: Mapping[str, Any], data_dir: Path, *, embedded: bool) -> MailSettings:
    """``[mail]`` of the whole config file, for ``load_settings``."""
    from noc_console.config import ConfigError

    try:
        return parse_mail_settings(file_cfg.get("mail"), data_dir=data_dir, embedded=embedded)
    except MailConfigError as err:
        raise ConfigError(str(err)) from None


def smtp_password(settings: MailSettings, env: Mapping[str, str]) -> str | None:
    """The SMTP password: the environment first, then the keyring; None for no login."""
    if settings.username is None:
        return None
    from_env = env.get(PASSWORD_ENV)
    if from_env:
        return from_env
    from noc_console import secrets

    return secrets.get_secret(settings.password_account)
