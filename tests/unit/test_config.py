"""Settings precedence: flag > NOC_CONSOLE_* environment > TOML file > default.

Each test runs with private XDG folders and no NOC_CONSOLE_* variable (the
autouse ``private_dirs`` fixture), so the "default" really is the default.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_console import config
from noc_console.config import AppPaths, ConfigError, load_settings

FILE_URL = "postgresql+psycopg://file-user@file-host/filedb"
ENV_URL = "postgresql+psycopg://env-user@env-host/envdb"
FLAG_URL = "postgresql+psycopg://flag-user@flag-host/flagdb"


@pytest.fixture
def paths() -> AppPaths:
    return config.app_paths()


def write_config(paths: AppPaths, text: str | bytes) -> Path:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        paths.config_file.write_bytes(text)
    else:
        paths.config_file.write_text(text, encoding="utf-8")
    return paths.config_file


def test_paths_come_from_platformdirs(paths: AppPaths, private_dirs: Path) -> None:
    assert paths.config_file == private_dirs / "config" / "noc-console" / "config.toml"
    assert paths.embedded_db.parent == paths.data_dir
    assert paths.data_dir.is_relative_to(private_dirs / "data")
    assert paths.log_file.parent == paths.log_dir


def test_default_is_the_embedded_database_in_the_data_dir(paths: AppPaths) -> None:
    settings = load_settings(env={})
    assert settings.database_url == f"sqlite+pysqlite:///{paths.embedded_db}"
    assert settings.database_source == "default"
    assert settings.is_embedded
    assert settings.lang is None
    assert settings.read_only is False
    assert settings.idle_lock_minutes == 10


def test_file_beats_default(paths: AppPaths) -> None:
    write_config(paths, f'[database]\nurl = "{FILE_URL}"\n')
    settings = load_settings(env={})
    assert (settings.database_url, settings.database_source) == (FILE_URL, "file")
    assert not settings.is_embedded


def test_env_beats_file(paths: AppPaths) -> None:
    write_config(paths, f'[database]\nurl = "{FILE_URL}"\n')
    settings = load_settings(env={"NOC_CONSOLE_DATABASE_URL": ENV_URL})
    assert (settings.database_url, settings.database_source) == (ENV_URL, "env")


def test_flag_beats_env_and_file(paths: AppPaths) -> None:
    write_config(paths, f'[database]\nurl = "{FILE_URL}"\n')
    settings = load_settings(db_flag=FLAG_URL, env={"NOC_CONSOLE_DATABASE_URL": ENV_URL})
    assert (settings.database_url, settings.database_source) == (FLAG_URL, "flag")
    assert not settings.is_embedded


def test_empty_env_value_falls_through_to_the_file(paths: AppPaths) -> None:
    write_config(paths, f'[database]\nurl = "{FILE_URL}"\n')
    settings = load_settings(env={"NOC_CONSOLE_DATABASE_URL": ""})
    assert settings.database_source == "file"


def test_demo_forces_the_embedded_database(paths: AppPaths) -> None:
    write_config(paths, f'[database]\nurl = "{FILE_URL}"\n')
    settings = load_settings(db_flag=FLAG_URL, demo=True, env={"NOC_CONSOLE_DATABASE_URL": ENV_URL})
    assert settings.database_url == f"sqlite+pysqlite:///{paths.embedded_db}"
    assert settings.is_embedded


def test_process_environment_is_read_when_no_env_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOC_CONSOLE_DATABASE_URL", ENV_URL)
    monkeypatch.setenv("NOC_CONSOLE_LANG", "en")
    settings = load_settings()
    assert (settings.database_url, settings.database_source, settings.lang) == (
        ENV_URL,
        "env",
        "en",
    )


def test_bad_toml_is_a_config_error_naming_the_file(paths: AppPaths) -> None:
    write_config(paths, "[database\nurl = ")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_settings(env={})


def test_config_file_that_is_not_utf8_is_a_config_error(paths: AppPaths) -> None:
    # tomllib raises UnicodeDecodeError here, which used to escape as a traceback.
    write_config(paths, b"\xff\xfe[database]\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_settings(env={})


def test_config_file_that_is_a_folder_is_a_config_error(paths: AppPaths) -> None:
    paths.config_file.mkdir(parents=True)
    with pytest.raises(ConfigError):
        load_settings(env={})


@pytest.mark.parametrize("raw", ["maybe", "2", "sim"])
def test_bad_read_only_env_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="NOC_CONSOLE_READ_ONLY"):
        load_settings(env={"NOC_CONSOLE_READ_ONLY": raw})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("off", False)],
)
def test_read_only_env_values(raw: str, expected: bool) -> None:
    assert load_settings(env={"NOC_CONSOLE_READ_ONLY": raw}).read_only is expected


def test_read_only_precedence(paths: AppPaths) -> None:
    write_config(paths, "[ui]\nread_only = true\n")
    assert load_settings(env={}).read_only is True
    assert load_settings(env={"NOC_CONSOLE_READ_ONLY": "false"}).read_only is False
    assert (
        load_settings(read_only_flag=True, env={"NOC_CONSOLE_READ_ONLY": "false"}).read_only is True
    )


def test_quoted_read_only_in_the_file_keeps_its_meaning(paths: AppPaths) -> None:
    # bool("false") is True: a quoted "false" used to turn read-only ON.
    write_config(paths, '[ui]\nread_only = "false"\n')
    assert load_settings(env={}).read_only is False
    write_config(paths, '[ui]\nread_only = "perhaps"\n')
    with pytest.raises(ConfigError, match="read_only"):
        load_settings(env={})


def test_lang_precedence(paths: AppPaths) -> None:
    write_config(paths, '[ui]\nlang = "pt_BR"\n')
    assert load_settings(env={}).lang == "pt_BR"
    assert load_settings(env={"NOC_CONSOLE_LANG": "en"}).lang == "en"
    assert load_settings(lang_flag="pt_BR", env={"NOC_CONSOLE_LANG": "en"}).lang == "pt_BR"


def test_idle_minutes_from_file_and_env(paths: AppPaths) -> None:
    write_config(paths, "[ui]\nidle_lock_minutes = 3\n")
    assert load_settings(env={}).idle_lock_minutes == 3
    assert load_settings(env={"NOC_CONSOLE_IDLE_LOCK_MINUTES": "7"}).idle_lock_minutes == 7


@pytest.mark.parametrize("raw", ["ten", "-1", "1.5"])
def test_bad_idle_minutes_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="idle_lock_minutes"):
        load_settings(env={"NOC_CONSOLE_IDLE_LOCK_MINUTES": raw})


def test_other_file_settings(paths: AppPaths) -> None:
    write_config(
        paths,
        "[database]\nstatement_timeout_ms = 1500\n"
        '[ui]\ntheme = "textual-light"\n'
        "[security.argon2]\ntime_cost = 3\nmemory_cost = 4096\nparallelism = 2\n"
        '[keymap]\n"lookup.search" = "ctrl+f"\n'
        '[portal]\nreset_url = "https://portal.test/r?t={token}"\n',
    )
    settings = load_settings(env={})
    assert settings.statement_timeout_ms == 1500
    assert settings.theme == "textual-light"
    assert (settings.argon2.time_cost, settings.argon2.memory_cost) == (3, 4096)
    assert settings.argon2.parallelism == 2
    assert settings.keymap == {"lookup.search": "ctrl+f"}
    assert settings.portal_reset_url == "https://portal.test/r?t={token}"
    # The embedded database stays the default: the file named no URL.
    assert settings.is_embedded


def test_a_reset_url_without_its_token_is_refused_where_the_portal_is_read(
    paths: AppPaths,
) -> None:
    """The check belongs to ``[portal]``: the mail parser no longer knows the portal's URL."""
    import inspect

    from noc_console.mail_settings import parse_mail_settings

    write_config(paths, '[portal]\nreset_url = "https://portal/reset"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(env={})
    assert str(refused.value) == "[portal] reset_url must contain {token}"
    assert "reset_url" not in inspect.signature(parse_mail_settings).parameters
    write_config(paths, 'portal = "not a table"\n')  # as before: ignored, the default is used
    assert load_settings(env={}).portal_reset_url == config.Settings.portal_reset_url


def test_keymap_must_map_ids_to_keys(paths: AppPaths) -> None:
    write_config(paths, '[keymap]\n"lookup.search" = 5\n')
    with pytest.raises(ConfigError, match="keymap"):
        load_settings(env={})
