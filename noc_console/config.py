"""Settings: command-line flags > NOC_CONSOLE_* environment > TOML config file > defaults.

Paths come from platformdirs so the console behaves like any other program on
the operator's machine (XDG on Linux). The config file never holds a secret:
passwords live in the system keyring or are asked for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import platformdirs

from noc_console.auth_settings import AuthSettings, load_auth
from noc_console.mail_settings import MailSettings, load_mail

APP_NAME = "noc-console"
ENV_PREFIX = "NOC_CONSOLE_"
EMBEDDED_DB_NAME = "noc-console-demo.sqlite3"

Source = Literal["flag", "env", "file", "default"]


class ConfigError(Exception):
    """The config file or an environment variable is unreadable; the message says which."""


@dataclass(frozen=True)
class AppPaths:
    config_file: Path
    data_dir: Path
    log_dir: Path
    embedded_db: Path

    @property
    def log_file(self) -> Path:
        return self.log_dir / "noc-console.log"


def app_paths() -> AppPaths:
    config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    log_dir = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    return AppPaths(
        config_file=config_dir / "config.toml",
        data_dir=data_dir,
        log_dir=log_dir,
        embedded_db=data_dir / EMBEDDED_DB_NAME,
    )


@dataclass(frozen=True)
class Argon2Params:
    """OWASP's argon2id baseline (m=19 MiB, t=2, p=1); raise them in the config file."""

    time_cost: int = 2
    memory_cost: int = 19456
    parallelism: int = 1


@dataclass(frozen=True)
class Settings:
    database_url: str
    database_source: Source
    is_embedded: bool
    paths: AppPaths
    lang: str | None = None
    read_only: bool = False
    idle_lock_minutes: int = 10
    theme: str = "textual-dark"
    statement_timeout_ms: int = 5000
    argon2: Argon2Params = field(default_factory=Argon2Params)
    keymap: Mapping[str, str] = field(default_factory=dict)
    portal_reset_url: str = "https://portal.example.com.br/reset?token={token}"
    auth: AuthSettings = field(default_factory=AuthSettings)
    mail: MailSettings = field(default_factory=MailSettings)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib  # only when there is a file: start-up without one skips the import

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read config file {path}: {err}") from None


def _env_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _positive_int(name: str, raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _portal_reset_url(file_cfg: Mapping[str, Any]) -> str:
    """``[portal] reset_url``: a link without ``{token}`` would be mailed as if it worked."""
    portal = file_cfg.get("portal")
    if not isinstance(portal, dict):
        return Settings.portal_reset_url
    url = str(portal.get("reset_url", Settings.portal_reset_url))
    if "{token}" not in url:
        raise ConfigError("[portal] reset_url must contain {token}")
    return url


def load_settings(
    *,
    db_flag: str | None = None,
    demo: bool = False,
    lang_flag: str | None = None,
    read_only_flag: bool = False,
    env: Mapping[str, str] | None = None,
    paths: AppPaths | None = None,
) -> Settings:
    """Resolve every setting once, at start-up; nothing reads the environment later."""
    env = os.environ if env is None else env
    paths = paths or app_paths()
    file_cfg = read_config_file(paths.config_file)
    db_cfg = file_cfg.get("database", {}) if isinstance(file_cfg.get("database"), dict) else {}
    ui_cfg = file_cfg.get("ui", {}) if isinstance(file_cfg.get("ui"), dict) else {}
    sec_cfg = file_cfg.get("security", {}) if isinstance(file_cfg.get("security"), dict) else {}

    url: str
    source: Source
    embedded_url = f"sqlite+pysqlite:///{paths.embedded_db}"
    if demo:
        url, source = embedded_url, "default"
    elif db_flag:
        url, source = db_flag, "flag"
    elif env.get(f"{ENV_PREFIX}DATABASE_URL"):
        url, source = env[f"{ENV_PREFIX}DATABASE_URL"], "env"
    elif db_cfg.get("url"):
        url, source = str(db_cfg["url"]), "file"
    else:
        url, source = embedded_url, "default"

    lang = lang_flag or env.get(f"{ENV_PREFIX}LANG") or ui_cfg.get("lang")
    read_only = read_only_flag
    if not read_only and f"{ENV_PREFIX}READ_ONLY" in env:
        read_only = _env_bool(f"{ENV_PREFIX}READ_ONLY", env[f"{ENV_PREFIX}READ_ONLY"])
    elif not read_only:
        raw_ro = ui_cfg.get("read_only", False)
        # bool("false") is True: a quoted value in the file must not flip the meaning.
        read_only = raw_ro if isinstance(raw_ro, bool) else _env_bool("[ui] read_only", str(raw_ro))

    idle = _positive_int(
        "idle_lock_minutes",
        env.get(f"{ENV_PREFIX}IDLE_LOCK_MINUTES", ui_cfg.get("idle_lock_minutes", 10)),
    )
    argon = sec_cfg.get("argon2", {}) if isinstance(sec_cfg.get("argon2"), dict) else {}
    keymap = file_cfg.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ConfigError(f"[keymap] in {paths.config_file} must map binding ids to keys")

    return Settings(
        database_url=url,
        database_source=source,
        is_embedded=source == "default",
        paths=paths,
        lang=str(lang) if lang else None,
        read_only=read_only,
        idle_lock_minutes=idle,
        theme=str(ui_cfg.get("theme", "textual-dark")),
        statement_timeout_ms=_positive_int(
            "statement_timeout_ms", db_cfg.get("statement_timeout_ms", 5000)
        ),
        argon2=Argon2Params(
            time_cost=_positive_int("argon2.time_cost", argon.get("time_cost", 2)),
            memory_cost=_positive_int("argon2.memory_cost", argon.get("memory_cost", 19456)),
            parallelism=_positive_int("argon2.parallelism", argon.get("parallelism", 1)),
        ),
        keymap=dict(keymap),
        portal_reset_url=_portal_reset_url(file_cfg),
        auth=load_auth(file_cfg, embedded=source == "default"),
        mail=load_mail(file_cfg, paths.data_dir, embedded=source == "default"),
    )
