"""Plain rules of issue 15 without a running app: the type-ahead buffer, the enrolment
flow, the ``[auth]`` settings and the masked username."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc_console.auth_settings import load_auth
from noc_console.config import ConfigError
from noc_console.screens.login_state import TypeAhead
from noc_console.screens.totp_enrol.state import EnrolState, SignInAgain, Step
from noc_console.services.totp.factor import RecoveryCodes, new_offer
from noc_console.services.vault import Vault, VaultError, mask_username


def _type(ahead: TypeAhead, *parts: str) -> None:
    for part in parts:
        if part in ("tab", "shift+tab", "enter", "backspace", "ctrl+q"):
            ahead.take(part, None)
        else:
            for ch in part:
                assert ahead.take(ch, ch)


def test_type_ahead_follows_tab_and_enter() -> None:
    ahead = TypeAhead()
    _type(ahead, "otto", "tab", "s3cret", "enter", "more")
    assert ahead.values == {"username": "otto", "password": "s3cret"}
    assert ahead.submit


def test_type_ahead_enter_in_username_moves_on_and_backspace_edits_its_field() -> None:
    ahead = TypeAhead()
    _type(ahead, "ottx", "backspace", "o", "enter", "pw", "shift+tab", "!")
    assert ahead.values == {"username": "otto!", "password": "pw"} and not ahead.submit


def test_type_ahead_after_a_lock_starts_in_the_password() -> None:
    ahead = TypeAhead(username="otto")
    _type(ahead, "pw", "enter")
    assert ahead.values == {"username": "otto", "password": "pw"} and ahead.submit


def test_type_ahead_leaves_shortcuts_alone_and_closes() -> None:
    ahead = TypeAhead()
    assert not ahead.take("ctrl+q", None)
    assert not ahead.take("escape", None)
    _type(ahead, "tab", "tab", "ignored")  # past the password: text goes nowhere
    assert ahead.values == {"username": "", "password": ""}
    ahead.close()
    assert not ahead.take("a", "a")


def test_enrolment_state() -> None:
    state = EnrolState(new_offer("sara"))
    assert state.submit("12 34") is None and "6 digits" in state.message
    attempt = state.submit("123 456")
    assert attempt == 1 and state.busy and state.submit("123456") is None
    assert state.refused(attempt, "wrong") and state.message == "wrong"
    attempt = state.submit("654321")
    assert attempt is not None
    assert not state.enrolled(attempt - 1, RecoveryCodes(codes=("a",)))  # stale
    assert state.enrolled(attempt, RecoveryCodes(codes=("abcde-fghjk",)))
    assert state.step is Step.CODES and state.offer is None
    assert state.recovery == ("abcde-fghjk",)
    assert state.leave() is None and state.recovery == ()


def test_an_enrolment_that_cannot_go_on_hands_the_login_back() -> None:
    state = EnrolState(new_offer("sara"))
    attempt = state.submit("123456")
    assert attempt is not None
    assert state.start_again(attempt - 1, "too slow") is None  # stale
    assert state.busy
    assert state.start_again(attempt, "too slow") == SignInAgain("too slow")
    assert state.offer is None and not state.busy  # the secret is not kept


def test_auth_settings_defaults_and_refusals(tmp_path: Path) -> None:
    auth = load_auth({})
    assert (auth.local, auth.require_totp, auth.lock_requires_totp, auth.ldap) == (
        "all",
        ("supervisor",),
        False,
        None,
    )
    assert load_auth({"auth": {"require_totp": []}}).require_totp == ()
    # The embedded demo asks nobody for a second factor unless the file says so.
    assert load_auth({}, embedded=True).require_totp == ()
    demo_with_totp = {"auth": {"require_totp": ["supervisor"]}}
    assert load_auth(demo_with_totp, embedded=True).require_totp == ("supervisor",)
    ldap = {
        "url": "ldaps://ldap.example.com",
        "base_dn": "ou=people,dc=example,dc=com",
        "bind_dn_template": "uid={username},ou=people,dc=example,dc=com",
        "group_attribute": "memberOf",
        "roles": {"supervisor": "cn=sup,dc=example,dc=com"},
    }
    parsed = load_auth({"auth": {"local": "break-glass", "ldap": ldap}})
    assert parsed.ldap is not None and parsed.ldap.roles == {
        "supervisor": ("cn=sup,dc=example,dc=com",)
    }
    for bad, says in [
        ({"local": "sometimes"}, "local must be"),
        ({"local": "off"}, "needs an [auth.ldap]"),
        ({"require_totp": ["boss"]}, "not a role"),
        ({"ldap": {**ldap, "url": "ldap://plain.example.com"}}, "in clear"),
        ({"ldap": {**ldap, "roles": {"admin": "cn=x"}}}, "not a role"),
        ({"ldap": {**ldap, "bind_dn_template": "uid=x"}}, "{username}"),
        ({"ldap": {**ldap, "connect_timeout": 0}}, "seconds"),
        ({"ldap": {**ldap, "ca_file": str(tmp_path / "missing.pem")}}, "does not exist"),
    ]:
        with pytest.raises(ConfigError, match=None) as err:
            load_auth({"auth": bad})
        assert says in str(err.value)


def test_vault_round_trip_key_file_and_masking(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "auth.key"
    vault = Vault.from_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    stored = vault.encrypt("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in stored
    assert Vault.from_file(path).decrypt(stored) == "JBSWY3DPEHPK3PXP"
    other = Vault.from_file(tmp_path / "other.key")
    with pytest.raises(VaultError, match="another console key file"):
        other.decrypt(stored)
    masked = mask_username(vault, "otto.operadoroperad")
    assert masked.startswith("ot…[19]#") and "operad" not in masked
    assert masked == mask_username(vault, "otto.operadoroperad")
    assert masked != mask_username(other, "otto.operadoroperad")
    assert "key" not in repr(vault).lower().replace("key_id", "")
