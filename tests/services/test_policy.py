"""Password policy: NIST defaults from the one row, every rule reported at once, never a crash."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from noc_console.errors import NotFound
from noc_console.models import PasswordHistory, PasswordPolicy
from noc_console.services import policy as pol
from noc_console.services.common_passwords import common_passwords, is_common, is_predictable
from noc_console.services.context import ServiceContext
from noc_console.services.policy import (
    DEFAULT_POLICY,
    PasswordPolicyDTO,
    ViolationCode,
    check_password,
    context_words,
    load_policy,
)
from tests.support.factories import FAST_HASHER, make_customer, make_portal_user

GOOD = "cavalo correto bateria grampo"  # 29 characters, no rule broken
CODES = ViolationCode


def codes(candidate: str, policy: PasswordPolicyDTO = DEFAULT_POLICY, **kw: object) -> set[str]:
    return {v.code for v in check_password(policy, candidate, **kw)}  # type: ignore[arg-type]


# -- the policy row ----------------------------------------------------------------------------


def test_defaults_follow_nist_rev4(ctx: ServiceContext) -> None:
    with ctx.read_sessions() as s:
        p = load_policy(s)
    assert p == DEFAULT_POLICY
    assert (p.min_length, p.max_length, p.history_count) == (15, 128, 5)
    assert not (p.require_lower or p.require_upper or p.require_digit or p.require_symbol)
    assert (p.max_failed_logins, p.lockout_minutes) == (5, 15)
    assert (p.temp_password_ttl_hours, p.reset_token_ttl_minutes, p.max_resets_per_hour) == (
        24,
        30,
        3,
    )
    assert (p.escalation_min_delay_minutes, p.escalation_max_delay_minutes) == (1, 1440)


def test_configured_values_are_read_from_the_row(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(min_length=20, require_digit=True, history_count=8))
    with ctx.read_sessions() as s:
        p = load_policy(s)
    assert (p.min_length, p.require_digit, p.history_count) == (20, True, 8)


def test_missing_row_falls_back_to_the_defaults(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        s.execute(delete(PasswordPolicy))
    with ctx.read_sessions() as s:
        assert load_policy(s) == DEFAULT_POLICY


def test_policy_dto_is_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.min_length = 1  # type: ignore[misc]


# -- length ------------------------------------------------------------------------------------


def test_a_good_passphrase_passes_with_no_composition_rules() -> None:
    assert check_password(DEFAULT_POLICY, GOOD) == ()


def test_too_short_and_the_minimum_itself() -> None:
    assert CODES.TOO_SHORT in codes("grampo bateria")  # 14
    assert CODES.TOO_SHORT not in codes("grampo baterias")  # 15
    (v,) = [v for v in check_password(DEFAULT_POLICY, "grampo") if v.code == CODES.TOO_SHORT]
    assert "15" in v.message


def test_too_long_and_the_maximum_itself() -> None:
    words = "cavalo correto bateria grampo jardim nuvem "
    at_max = (words * 4)[:128]
    assert CODES.TOO_LONG not in codes(at_max)
    assert CODES.TOO_LONG in codes(at_max + "x")
    (v,) = [v for v in check_password(DEFAULT_POLICY, at_max + "x") if v.code == CODES.TOO_LONG]
    assert "128" in v.message


def test_length_counts_code_points_after_nfkc() -> None:
    # 'é' typed as e + combining accent is one character once normalised.
    composed = "áéíóú çãõ âêô àü"  # 16 code points composed
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > 15
    assert CODES.TOO_SHORT not in codes(composed)
    narrow = composed[:14]
    assert CODES.TOO_SHORT in codes(unicodedata.normalize("NFD", narrow))
    # A compatibility character expands: '㍿' is four characters under NFKC.
    assert len("Zebra㍿Mango㍿") < 15
    assert CODES.TOO_SHORT not in codes("Zebra㍿Mango㍿")


def test_length_limits_follow_the_configured_policy() -> None:
    strict = replace(DEFAULT_POLICY, min_length=30, max_length=64)
    assert CODES.TOO_SHORT in codes(GOOD, strict)
    assert CODES.TOO_LONG in codes(GOOD * 3, strict)


def test_control_characters_are_refused() -> None:
    assert CODES.CONTROL_CHARACTERS in codes(GOOD + "\x00")
    assert CODES.CONTROL_CHARACTERS in codes(GOOD + "\x1b[2J")
    assert CODES.CONTROL_CHARACTERS not in codes(GOOD)


# -- composition (only when configured) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "code", "fixed"),
    [
        ("require_lower", CODES.NEEDS_LOWER, "CAVALO CORRETO BATERIA grampo"),
        ("require_upper", CODES.NEEDS_UPPER, "Cavalo correto bateria grampo"),
        ("require_digit", CODES.NEEDS_DIGIT, "cavalo correto bateria 7 grampo"),
        ("require_symbol", CODES.NEEDS_SYMBOL, "cavalo correto bateria grampo!"),
    ],
)
def test_each_composition_rule_when_configured(flag: str, code: ViolationCode, fixed: str) -> None:
    configured = replace(DEFAULT_POLICY, **{flag: True})
    base = "CAVALO CORRETO BATERIA GRAMPO" if code is CODES.NEEDS_LOWER else GOOD
    assert code in codes(base, configured)
    assert code not in codes(fixed, configured)
    assert code not in codes(base, DEFAULT_POLICY)  # off by default


def test_every_violation_is_reported_not_just_the_first() -> None:
    strict = replace(DEFAULT_POLICY, require_upper=True, require_digit=True, require_symbol=True)
    found = codes("senha", strict, context_words=("senha",))
    assert {
        CODES.TOO_SHORT,
        CODES.NEEDS_UPPER,
        CODES.NEEDS_DIGIT,
        CODES.NEEDS_SYMBOL,
        CODES.COMMON,
        CODES.CONTEXT,
    } <= found


# -- common and predictable ---------------------------------------------------------------------


def test_bundled_list_has_thousands_of_entries() -> None:
    listed = common_passwords()
    assert len(listed) >= 2000
    assert {"senha123", "mudar123", "brasil2024", "123456", "password", "qwerty"} <= listed


@pytest.mark.parametrize(
    "candidate",
    [
        "senha123",
        "mudar123",
        "brasil2024",
        "PASSWORD",
        "Password123!",
        "P@ssw0rd",
        "S3nh@2024!",
        "!!Flamengo2024!!",
        "Corinthians123456789",
        "correct horse battery staple",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "iloveyou1234567",
    ],
)
def test_common_passwords_are_refused(candidate: str) -> None:
    short_ok = replace(DEFAULT_POLICY, min_length=8)
    assert CODES.COMMON in codes(candidate, short_ok)


@pytest.mark.parametrize(
    "candidate",
    [
        "a" * 40,
        "1234567890123456",
        "abcabcabcabcabcabc",
        "0987654321098765",
        "!@#$!@#$!@#$!@#$",
        "abababababababababab",
        "flamengoflamengo",
        "zyxwvutsrqponmlkjih",
    ],
)
def test_repetitions_sequences_and_walks_are_refused(candidate: str) -> None:
    found = codes(candidate)
    assert found & {CODES.COMMON, CODES.PREDICTABLE}


def test_predictable_rule_stands_on_its_own() -> None:
    # Not on the list (the list stops at 32 repeats), caught by the structural rule.
    assert not is_common("abcabcabcabcabcabc") and is_predictable("abcabcabcabcabcabc")
    assert CODES.PREDICTABLE in codes("abcabcabcabcabcabc")
    assert not is_predictable(GOOD) and not is_common(GOOD)


# -- context words ------------------------------------------------------------------------------


CTX = context_words(
    login="joao.silva",
    full_name="João da Silva",
    email="joao.silva@padariasj.com.br",
    legal_name="Padaria São João Ltda",
    trade_name="Panificadora Estrela",
    cnpj="11222333000181",
)


def test_context_words_are_folded_and_skip_short_and_legal_form_words() -> None:
    assert {"joao", "silva", "padaria", "panificadora", "estrela", "11222333000181"} <= set(CTX)
    assert "11222333" in CTX  # CNPJ root
    assert "padariasj" in CTX  # the company's own mail domain
    assert not {"da", "sao", "ltda"} & set(CTX)


@pytest.mark.parametrize(
    "candidate",
    [
        "meu nome é JOÃO e pronto",  # name, accent- and case-insensitive
        "minha-senha-silva-forte",  # surname
        "joao.silva trocou a senha",  # login
        "joaosilva trocou a senha",  # login without its punctuation
        "a PADARIA abre cedo hoje",  # legal name word
        "vendemos pao na estrela!",  # trade name word
        "cnpj 11.222.333/0001-81 ok",  # CNPJ, punctuated
        "raiz 11222333 do cadastro",  # CNPJ root
    ],
)
def test_context_words_are_refused(candidate: str) -> None:
    assert CODES.CONTEXT in codes(candidate, context_words=CTX)
    assert CODES.CONTEXT not in codes(candidate)  # the same text without that context


def test_unrelated_text_is_not_a_context_hit() -> None:
    assert CODES.CONTEXT not in codes(GOOD, context_words=CTX)


# -- history ------------------------------------------------------------------------------------


def test_current_and_recent_passwords_are_refused() -> None:
    old = "uma senha antiga bem comprida"
    hashes = (FAST_HASHER.hash("outra frase qualquer longa"), FAST_HASHER.hash(old))
    v = check_password(DEFAULT_POLICY, old, history_hashes=hashes, hasher=FAST_HASHER)
    assert [x.code for x in v] == [CODES.REUSED]
    assert "5" in v[0].message
    assert check_password(DEFAULT_POLICY, GOOD, history_hashes=hashes, hasher=FAST_HASHER) == ()


def test_history_compares_the_nfkc_form() -> None:
    stored = FAST_HASHER.hash(unicodedata.normalize("NFKC", "café com pão de queijo"))
    typed = unicodedata.normalize("NFD", "café com pão de queijo")
    assert CODES.REUSED in codes(typed, history_hashes=(stored,), hasher=FAST_HASHER)


def test_messages_never_quote_the_candidate() -> None:
    strict = replace(DEFAULT_POLICY, require_upper=True, require_symbol=True)
    for candidate in ("senha123", "joaosilva", "qwertyuiop", GOOD + "\x00", "x" * 200):
        for v in check_password(strict, candidate, context_words=CTX):
            assert candidate not in v.message
            assert "joao" not in v.message


# -- check_password_for_user (reads context and history from the database) ---------------------


def test_check_for_user_reads_context_and_history(ctx: ServiceContext) -> None:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Padaria São João Ltda", trade_name="Estrela")
        user = make_portal_user(s, customer, login="maria.souza", full_name="Maria Souza")
        s.add(
            PasswordHistory(
                portal_user_id=user.id,
                password_hash=FAST_HASHER.hash("frase antiga do ano passado"),
                created_at=ctx.clock.now(),
            )
        )
        user_id = user.id
    assert pol.check_password_for_user(ctx, user_id, GOOD) == ()
    found = {v.code for v in pol.check_password_for_user(ctx, user_id, "souza e a estrela")}
    assert CODES.CONTEXT in found
    old = {v.code for v in pol.check_password_for_user(ctx, user_id, "frase antiga do ano passado")}
    assert CODES.REUSED in old
    current = pol.check_password_for_user(ctx, user_id, "senha-antiga-muito-longa-2024")
    assert CODES.REUSED in {v.code for v in current}


def test_history_beyond_n_is_not_compared(ctx: ServiceContext) -> None:
    from datetime import timedelta

    with ctx.sessions.begin() as s:
        s.execute(update(PasswordPolicy).values(history_count=2))
        user = make_portal_user(s, make_customer(s))
        now = ctx.clock.now()
        for i, phrase in enumerate(["primeira frase antiga", "segunda frase antiga", "terceira"]):
            s.add(
                PasswordHistory(
                    portal_user_id=user.id,
                    password_hash=FAST_HASHER.hash(phrase + " de todas"),
                    created_at=now - timedelta(days=30 - i),
                )
            )
        user_id = user.id
    oldest = pol.check_password_for_user(ctx, user_id, "primeira frase antiga de todas")
    assert CODES.REUSED not in {v.code for v in oldest}
    newest = pol.check_password_for_user(ctx, user_id, "segunda frase antiga de todas")
    assert CODES.REUSED in {v.code for v in newest}


def test_check_for_unknown_user(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        pol.check_password_for_user(ctx, 999_999, GOOD)


# -- hostile input -----------------------------------------------------------------------------

_hostile = st.one_of(
    st.text(),
    st.text(st.characters(codec=None), max_size=300),
    st.text(st.characters(categories=["Cc", "Cf", "Mn", "Zs", "Cs"]), max_size=200),
    st.builds(
        lambda s, n: (s * n)[:100_000], st.text(min_size=1, max_size=40), st.integers(0, 100_000)
    ),
    st.sampled_from(["\x00" * 50, "%_'\"; DROP TABLE x;--", "\u202e" * 20, "\x1b[2J" * 10]),
)


_POLICY_WORDING = Path(pol.__file__).read_text(encoding="utf-8").lower()


@settings(max_examples=200, deadline=None)
@given(candidate=_hostile)
def test_checker_never_raises_on_any_input(candidate: str) -> None:
    history = (FAST_HASHER.hash("historico"),)
    result = check_password(
        DEFAULT_POLICY, candidate, context_words=CTX, history_hashes=history, hasher=FAST_HASHER
    )
    assert isinstance(result, tuple)
    for v in result:
        assert isinstance(v.code, ViolationCode) and v.message
        # The message never echoes the candidate; a candidate that is part of the
        # messages' own wording ("password") proves nothing either way.
        if len(candidate) >= 4 and candidate.lower() not in _POLICY_WORDING:
            assert candidate not in v.message


def test_checker_on_100kb_and_lone_surrogates() -> None:
    huge = "ç" * 100_000
    assert CODES.TOO_LONG in codes(
        huge, history_hashes=(FAST_HASHER.hash("x"),), hasher=FAST_HASHER
    )
    odd = "\ud800 frase com surrogate solto"
    assert CODES.CONTROL_CHARACTERS in codes(
        odd, history_hashes=(FAST_HASHER.hash("x"),), hasher=FAST_HASHER
    )


@pytest.fixture
def user_id(ctx: ServiceContext) -> int:
    with ctx.sessions.begin() as s:
        return make_portal_user(s, make_customer(s)).id


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(candidate=st.text(max_size=200))
def test_check_for_user_never_raises(ctx: ServiceContext, user_id: int, candidate: str) -> None:
    assert isinstance(pol.check_password_for_user(ctx, user_id, candidate), tuple)
