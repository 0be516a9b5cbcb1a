"""Issue 6.5 — secrets stay secret: logs, audit rows, outbox, error texts, disk, snapshots.

Every test of this package already runs under ``secret_guard`` (conftest): the
passwords it stored, the hashes and tokens it produced are recorded at their
source and looked for in its audit rows, outbox rows and every domain error
text. This module adds what the guard cannot see:

* one flow through every credential path, then a scan of *every table* (not
  only audit and outbox): a temporary password or a token may exist nowhere
  but in the one place it is meant for (the outbox link for the mailer);
* the operator password with no keyring: never on disk;
* argon2id with the parameters of the config file, and re-hashing of older
  hashes at login (operator and portal);
* the UI snapshots: no fixed test password except the temporary password the
  reset wizard's result step shows on purpose;
* last (this module runs last in the package), the log file the whole package
  wrote through ``logs.setup_logging``.
"""

from __future__ import annotations

import ast
import getpass
import hashlib
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine, MetaData, select

from noc_console import cli, config, db, secrets
from noc_console.clock import FixedClock
from noc_console.config import Argon2Params
from noc_console.errors import AuthenticationFailed, ValidationError
from noc_console.models import NotificationOutbox, Operator, PasswordResetToken, PortalUser, Role
from noc_console.services import auth, portal_auth, signin
from noc_console.services import password_reset as pr
from noc_console.services.context import ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.portal_auth import LoginStatus
from tests.reliability.conftest import SecretGuard
from tests.reliability.support.secret_scan import SecretVault, file_texts, svg_screen_lines
from tests.support.cli import FakeStdin, ScriptedGetpass, files_containing
from tests.support.factories import make_customer, make_operator, make_portal_user

OP_PASSWORD = "operator-password-123"
PORTAL_PASSWORD = "senha-antiga-muito-longa-2024"
NEW_PASSWORD = "cavalo bateria grampo correto 2026"
LINK_PASSWORD = "outra frase longa para o link 2026"
CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True, callback_done=True)
PHC = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
REPO = Path(__file__).resolve().parents[2]
# Columns whose whole point is to hold a hash.
HASH_COLUMNS = {
    ("portal_users", "password_hash"),
    ("password_history", "password_hash"),
    ("operators", "password_hash"),
}


def _dump(engine: Engine) -> list[tuple[str, str]]:
    """Every row of every table as text, hash columns and the mailer's link left out."""
    meta = MetaData()
    # SQLite's FTS5 search tables only repeat indexed columns of the real tables; its
    # e-mail domain expression indexes cannot be reflected (and hold no data).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        meta.reflect(engine, only=lambda name, _meta: not name.startswith("fts_"))
    texts: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                values = {k: v for k, v in row.items() if (table.name, k) not in HASH_COLUMNS}
                if table.name == "notification_outbox":
                    payload = dict(values.pop("payload") or {})
                    payload.pop("url", None)
                    values["payload"] = payload
                texts.append((f"{table.name}#{row.get('id')}", repr(values)))
    return texts


def _reset(ctx: ServiceContext, analyst: Any, user_id: int, method: ResetMethod) -> pr.ResetResult:
    return pr.reset(
        ctx,
        analyst,
        user_id,
        ticket_ref="INC-2026-0900",
        reason="cliente ligou",
        identity_checks=CHECKS,
        method=method,
    )


def test_every_credential_flow_leaves_secrets_only_where_they_belong(
    rctx: ServiceContext, clock: FixedClock, vault: SecretVault
) -> None:
    for secret in (OP_PASSWORD, PORTAL_PASSWORD, NEW_PASSWORD, LINK_PASSWORD):
        vault.add(secret)
    with rctx.sessions.begin() as s:
        customer = make_customer(s, "Segredos Guardados Ltda", clock=clock)
        one = make_portal_user(s, customer, login="um.usuario", clock=clock)
        two = make_portal_user(s, customer, login="dois.usuario", clock=clock)
        analyst = make_operator(s, Role.ANALYST, username="ana")
        ids = (one.id, two.id)

    # Operators: a login, a failed one, the idle lock both ways.
    who = auth.login(rctx, "ana", OP_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        auth.login(rctx, "ana", OP_PASSWORD + "x")
    assert signin.unlock(rctx, signin.Identity(), who, OP_PASSWORD)
    assert not signin.unlock(rctx, signin.Identity(), who, "nope-" + OP_PASSWORD)

    # Temporary password: shown once (not in repr), works once as "change required".
    temp = _reset(rctx, analyst, ids[0], ResetMethod.TEMPORARY_PASSWORD)
    assert temp.temporary_password and temp.temporary_password not in repr(temp)
    assert temp.temporary_password in vault.values
    answer = portal_auth.login(rctx, "um.usuario", temp.temporary_password)
    assert answer.status is LoginStatus.CHANGE_REQUIRED
    with pytest.raises(ValidationError):
        portal_auth.change_password(rctx, "um.usuario", temp.temporary_password, "curta")
    portal_auth.change_password(rctx, "um.usuario", temp.temporary_password, NEW_PASSWORD)
    opened = portal_auth.login(rctx, "um.usuario", NEW_PASSWORD)
    assert opened.session_token and opened.session_token not in repr(opened)
    assert portal_auth.resolve_session(rctx, opened.session_token).login == "um.usuario"

    # Reset link: the token lives in the mailer's URL and, hashed, in the token table.
    link = _reset(rctx, analyst, ids[1], ResetMethod.RESET_LINK)
    with rctx.sessions() as s:
        url = s.scalars(select(NotificationOutbox.payload)).one()["url"]
        stored = s.scalars(select(PasswordResetToken.token_hash)).one()
    token = url.rsplit("token=", 1)[1]
    assert token in vault.values and token not in repr(link)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    portal_auth.complete_reset(rctx, token, LINK_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        portal_auth.complete_reset(rctx, token, LINK_PASSWORD)
    _reset(rctx, analyst, ids[1], ResetMethod.UNLOCK_ONLY)

    # Nowhere in any table (the hash columns and the mailer's link aside).
    assert vault.leaks(_dump(rctx.engine)) == []
    with rctx.sessions() as s:
        hashes = [u.password_hash for u in s.scalars(select(PortalUser))]
    assert all(h and h.startswith("$argon2id$") for h in hashes)


# --------------------------------------------------------------------------- disk


@pytest.mark.usefixtures("no_keyring")
def test_the_operator_password_never_reaches_the_disk_without_a_keyring(
    private_dirs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_root_logging: None,
    secret_guard: SecretGuard,
) -> None:
    typed = "typed-operator-pw-4711"
    secret_guard.vault.add(typed)
    assert not secrets.keyring_available()
    with pytest.raises(secrets.KeyringUnavailable):
        secrets.set_secret(secrets.operator_account("nina", "db"), typed)
    assert secrets.get_secret(secrets.operator_account("nina", "db")) is None

    url = f"sqlite+pysqlite:///{tmp_path / 'portal.sqlite3'}"
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=True))
    monkeypatch.setattr(getpass, "getpass", ScriptedGetpass([typed, typed]))
    assert cli.main(["--db", url, "db", "upgrade"]) == 0
    assert cli.main(["--db", url, "operator", "add", "nina", "--role", "analyst"]) == 0
    out, err = capsys.readouterr()
    assert typed not in out + err

    engine_ctx = ServiceContext(
        db.create_db_engine(url), hasher=Hasher(config.load_settings().argon2)
    )
    try:
        who = auth.login(engine_ctx, "nina", typed)
        assert signin.unlock(engine_ctx, signin.Identity(), who, typed)
    finally:
        engine_ctx.engine.dispose()
    for root in (private_dirs, tmp_path):
        assert files_containing(root, typed) == []
    assert any(private_dirs.rglob("noc-console.log")), "the CLI wrote no log: nothing was scanned"


# --------------------------------------------------------------------------- argon2


def _write_config(params: Argon2Params) -> None:
    path = config.app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[security.argon2]\n"
        f"time_cost = {params.time_cost}\n"
        f"memory_cost = {params.memory_cost}\n"
        f"parallelism = {params.parallelism}\n"
    )


def _params(phc: str | None) -> tuple[int, int, int]:
    assert phc is not None
    match = PHC.match(phc)
    assert match, f"not an argon2id hash: {phc[:20]}"
    m, t, p = (int(g) for g in match.groups())
    return t, m, p


CONFIGURED = Argon2Params(time_cost=2, memory_cost=2048, parallelism=2)
OLDER = Argon2Params(time_cost=1, memory_cost=1024, parallelism=1)


def test_hashes_are_argon2id_with_the_configured_parameters(
    rctx: ServiceContext, clock: FixedClock, vault: SecretVault
) -> None:
    vault.add(OP_PASSWORD)
    _write_config(CONFIGURED)
    settings = config.load_settings()
    assert settings.argon2 == CONFIGURED
    ctx = ServiceContext(rctx.engine, clock=clock, hasher=Hasher(settings.argon2))
    with ctx.sessions.begin() as s:
        user = make_portal_user(s, make_customer(s, clock=clock), login="hash.teste", clock=clock)
        analyst = make_operator(s, Role.ANALYST, username="ana.hash")
    result = _reset(ctx, analyst, user.id, ResetMethod.TEMPORARY_PASSWORD)
    assert result.temporary_password
    vault.add(result.temporary_password)
    with ctx.sessions() as s:
        temp_hash = s.get_one(PortalUser, user.id).password_hash
    assert _params(temp_hash) == (2, 2048, 2)
    portal_auth.change_password(ctx, "hash.teste", result.temporary_password, NEW_PASSWORD)
    vault.add(NEW_PASSWORD)
    with ctx.sessions() as s:
        assert _params(s.get_one(PortalUser, user.id).password_hash) == (2, 2048, 2)


def test_a_login_with_an_older_hash_rehashes_it(
    rctx: ServiceContext, clock: FixedClock, vault: SecretVault
) -> None:
    """Raising the parameters in the config upgrades every hash at its owner's next login,
    operators and portal users alike; an argon2i hash (older type) becomes argon2id."""
    vault.add(OP_PASSWORD)
    vault.add(PORTAL_PASSWORD)
    old = Hasher(OLDER)
    argon2i = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.I)
    with rctx.sessions.begin() as s:
        customer = make_customer(s, clock=clock)
        make_operator(s, Role.ANALYST, username="velho", hasher=old)
        make_portal_user(s, customer, login="velha", password=PORTAL_PASSWORD, hasher=old)
        legacy = make_portal_user(s, customer, login="legada", password=None)
        legacy.password_hash = argon2i.hash(PORTAL_PASSWORD)
        before = {
            "velho": s.scalars(select(Operator.password_hash)).one(),
            "velha": s.scalars(
                select(PortalUser.password_hash).where(PortalUser.login == "velha")
            ).one(),
        }
    assert _params(before["velho"]) == (1, 1024, 1)
    _write_config(CONFIGURED)
    ctx = ServiceContext(rctx.engine, clock=clock, hasher=Hasher(config.load_settings().argon2))

    auth.login(ctx, "velho", OP_PASSWORD)
    portal_auth.login(ctx, "velha", PORTAL_PASSWORD)
    portal_auth.login(ctx, "legada", PORTAL_PASSWORD)
    with ctx.sessions() as s:
        after = {
            "velho": s.scalars(select(Operator.password_hash)).one(),
            "velha": s.scalars(
                select(PortalUser.password_hash).where(PortalUser.login == "velha")
            ).one(),
            "legada": s.scalars(
                select(PortalUser.password_hash).where(PortalUser.login == "legada")
            ).one(),
        }
    for who, phc in after.items():
        assert _params(phc) == (2, 2048, 2), who
        vault.add(phc)
    # Still the same password, and a second login does not hash again.
    auth.login(ctx, "velho", OP_PASSWORD)
    portal_auth.login(ctx, "velha", PORTAL_PASSWORD)
    with ctx.sessions() as s:
        assert s.scalars(select(Operator.password_hash)).one() == after["velho"]


# --------------------------------------------------------------------------- snapshots

SECRET_NAMES = re.compile(r"(PASSWORD|SECRET|TOKEN|FIXED|_PW\b|^PW\b)", re.IGNORECASE)
SECRET_KWARGS = {"password", "new_password", "old_password", "secret", "token", "db_password"}
WHITESPACE = re.compile(r"\s+")
TOTP_SECRET = re.compile(r"^[A-Z2-7]{32}$")  # issue 15: a base32 TOTP key
TEMPORARY = re.compile(rf"^[{pr.ALPHABET}]{{4}}(-[{pr.ALPHABET}]{{4}}){{3,}}$")


def ui_test_secrets() -> set[str]:
    """The fixed passwords the UI tests type or configure, read from their source."""
    found: set[str] = set()
    for path in sorted((REPO / "tests" / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                value = node.value
                if any(SECRET_NAMES.search(n) for n in names) and isinstance(value, ast.Constant):
                    found.add(str(value.value))
            elif isinstance(node, ast.keyword) and node.arg in SECRET_KWARGS:
                if isinstance(node.value, ast.Constant):
                    found.add(str(node.value.value))
            elif isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(x, ast.Name) and "password" in x.id.lower() for x in sides):
                    found |= {str(x.value) for x in sides if isinstance(x, ast.Constant)}
    return {s for s in found if isinstance(s, str) and len(s) >= 8}


def test_snapshots_show_no_test_password_but_the_wizards_one_time_password() -> None:
    """The reset wizard's result step shows the temporary password deliberately (that is
    its job, and its snapshot uses a fixed fake one); no other secret may be on any screen."""
    svgs = sorted((REPO / "tests" / "ui" / "__snapshots__").rglob("*.svg"))
    if not svgs:
        pytest.skip("no UI snapshots yet")
    constants = ui_test_secrets()
    temporary = {c for c in constants if TEMPORARY.fullmatch(c)}
    assert len(temporary) <= 1, f"more than one fixed temporary password: {temporary}"
    assert constants - temporary, "no UI test password found: the scan would prove nothing"
    shown_in: list[str] = []
    for svg in svgs:
        raw = svg.read_text(encoding="utf-8")
        # Spaces removed: the wizard spreads the password out ("K  x  7  m - ...") and a
        # screen may wrap or pad a value; a secret must not hide behind layout.
        screen = WHITESPACE.sub("", "".join(svg_screen_lines(raw)))
        for secret in constants:
            if secret in raw or WHITESPACE.sub("", secret) in screen:
                if secret in temporary and "reset" in svg.parent.name and "result" in svg.name:
                    shown_in.append(svg.name)
                    continue
                if TOTP_SECRET.fullmatch(secret) and svg.name.startswith("test_enrolment_screen"):
                    continue  # second-factor enrolment shows its (fixed, fake) key once: its job
                pytest.fail(f"{secret[:4]}… appears in {svg.relative_to(REPO)}")
        assert "$argon2" not in raw, f"a password hash in {svg.name}"
    if temporary:
        assert shown_in, "the result step no longer shows the temporary password"


# --------------------------------------------------------------------------- the log, last


def test_zz_the_packages_log_file_holds_no_secret(
    reliability_log: Path, vault: SecretVault, rctx: ServiceContext, clock: FixedClock
) -> None:
    """Runs last: everything the reliability suite logged, scanned for every secret it made.

    It resets a password itself first, so even run alone it scans a log that recorded a
    reset and a temporary password that exists in the vault.
    """
    with rctx.sessions.begin() as s:
        user = make_portal_user(s, make_customer(s, clock=clock), login="ultimo", clock=clock)
        analyst = make_operator(s, Role.ANALYST, username="ultima")
    assert _reset(rctx, analyst, user.id, ResetMethod.TEMPORARY_PASSWORD).temporary_password
    for handler in logging.getLogger().handlers:
        handler.flush()
    texts = file_texts(reliability_log)
    assert any("password reset of ultimo" in t for _where, t in texts), (
        "the log file did not record the reset: the scan would prove nothing"
    )
    assert vault.leaks(texts) == []
