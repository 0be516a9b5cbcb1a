"""Directory sign-in through the login form, against the real OpenLDAP of tests/support/ldap.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from noc_console.auth_settings import AuthSettings
from noc_console.secrets import set_secret
from tests.support.ldap import SERVICE_PASSWORD, Slapd, dead_url, password_of, start_slapd
from tests.ui.helpers import SIZE, build_app, log_in, screen_text, settle


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    yield from start_slapd(tmp_path_factory.mktemp("slapd-ui"))


def _auth(slapd: Slapd, tmp_path: Path, **ldap: Any) -> AuthSettings:
    settings = slapd.settings(**ldap)
    set_secret(settings.keyring_account, SERVICE_PASSWORD)  # the in-memory test keyring
    return AuthSettings(
        local="break-glass", require_totp=(), key_file=tmp_path / "auth.key", ldap=settings
    )


async def test_directory_sign_in_says_where_the_password_was_checked(
    portal_url: str, slapd: Slapd, tmp_path: Path
) -> None:
    app = build_app(portal_url, lang="en", auth=_auth(slapd, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Sign-in: company directory (127.0.0.1); local break-glass accounts only" in (
            screen_text(app)
        )
        await log_in(pilot, "otto.operador", password_of("otto.operador"))
        assert app.principal is not None and app.principal.source == "ldap"
        assert "Otto Operador (operator) · directory" in screen_text(app)


async def test_directory_down_is_explained_on_the_form(
    portal_url: str, slapd: Slapd, tmp_path: Path
) -> None:
    auth = _auth(slapd, tmp_path, urls=(dead_url(),), connect_timeout=1.0)
    app = build_app(portal_url, lang="en", auth=auth)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "otto.operador", password_of("otto.operador"))
        assert app.principal is None
        text = screen_text(app)
        assert "did not answer" in text and "Break-glass local accounts can still sign in" in text
