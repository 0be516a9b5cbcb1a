"""The password policy both the portal and the console enforce, and the checker.

The rules follow NIST SP 800-63B rev 4: length is what matters (15 to 128
characters, counted as Unicode code points after NFKC normalisation), no
composition rules unless an administrator configures them, and refusal of
common/breached-style passwords, of words from the user's own context (login,
names, company, CNPJ) and of recent passwords. ``check_password`` reports every
rule the candidate breaks at once, so a person fixes them in one go instead of
discovering them one by one; it never raises for any input and never puts the
candidate (or any part of it) in a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.errors import NotFound
from noc_console.i18n import _
from noc_console.models import Customer, PasswordHistory, PasswordPolicy, PortalUser
from noc_console.services.common_passwords import is_common, is_predictable
from noc_console.services.context import ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.text import digits, fold

# Context words shorter than this are too common inside ordinary words ('ana' in 'banana').
MIN_CONTEXT_WORD = 4
# Legal-form words that say nothing about the company.
_CONTEXT_STOP_WORDS = frozenset({"ltda", "eireli", "limitada", "sociedade", "anonima", "epp"})
# Mail providers: a domain label that is not the company's own name.
_MAIL_PROVIDERS = frozenset(
    {"gmail", "hotmail", "outlook", "yahoo", "live", "icloud", "terra", "bol", "uol", "proton"}
)
_WORDS = re.compile(r"[^\W_]+")
_NON_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class PasswordPolicyDTO:
    """The ``password_policy`` row; the defaults are NIST SP 800-63B rev 4's."""

    min_length: int = 15
    max_length: int = 128
    require_lower: bool = False
    require_upper: bool = False
    require_digit: bool = False
    require_symbol: bool = False
    history_count: int = 5
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    temp_password_ttl_hours: int = 24
    reset_token_ttl_minutes: int = 30
    max_resets_per_hour: int = 3
    escalation_min_delay_minutes: int = 1
    escalation_max_delay_minutes: int = 1440


DEFAULT_POLICY = PasswordPolicyDTO()


class ViolationCode(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    NEEDS_LOWER = "needs_lower"
    NEEDS_UPPER = "needs_upper"
    NEEDS_DIGIT = "needs_digit"
    NEEDS_SYMBOL = "needs_symbol"
    COMMON = "common"
    PREDICTABLE = "predictable"
    CONTEXT = "context"
    REUSED = "reused"


@dataclass(frozen=True)
class Violation:
    """One broken rule; ``message`` is already translated and never quotes the candidate."""

    code: ViolationCode
    message: str


def load_policy(session: Session) -> PasswordPolicyDTO:
    """The one policy row (the migration inserts it); the defaults if it is missing."""
    row = session.get(PasswordPolicy, 1)
    if row is None:
        return DEFAULT_POLICY
    return PasswordPolicyDTO(**{f.name: getattr(row, f.name) for f in fields(PasswordPolicyDTO)})


def normalize_password(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on two keyboards hashes the same."""
    return unicodedata.normalize("NFKC", password)


def encodable(password: str) -> bool:
    """A lone surrogate cannot be encoded (nor hashed); such input is simply wrong."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def context_words(
    *,
    login: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
    legal_name: str | None = None,
    trade_name: str | None = None,
    cnpj: str | None = None,
) -> tuple[str, ...]:
    """The folded words a user's password must not contain."""
    words: set[str] = set()

    def add_text(text: str | None, *, whole: bool = False) -> None:
        folded = fold(text)
        if whole and len(_NON_ALNUM.sub("", folded)) >= MIN_CONTEXT_WORD:
            words.add(folded)
        for word in _WORDS.findall(folded):
            if len(word) >= MIN_CONTEXT_WORD and word not in _CONTEXT_STOP_WORDS:
                words.add(word)

    add_text(login, whole=True)
    add_text(full_name)
    add_text(legal_name)
    add_text(trade_name)
    if email and "@" in email:
        local, _sep, domain = email.rpartition("@")
        add_text(local, whole=True)
        label = fold(domain).split(".")[0]
        if label not in _MAIL_PROVIDERS:
            add_text(label)
    cnpj_digits = digits(cnpj)
    if cnpj_digits:
        words.add(cnpj_digits)
        if len(cnpj_digits) == 14:
            words.add(cnpj_digits[:8])  # the root (CNPJ básico) identifies the company too
    return tuple(sorted(words))


def _contains_context(candidate_folded: str, words: Iterable[str]) -> bool:
    compact = _NON_ALNUM.sub("", candidate_folded)
    for word in words:
        folded = fold(word)
        if not folded:
            continue
        bare = _NON_ALNUM.sub("", folded)
        if folded in candidate_folded or (len(bare) >= MIN_CONTEXT_WORD and bare in compact):
            return True
    return False


def _is_symbol(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace()


def _matches_history(candidate: str, hashes: Sequence[str], hasher: Hasher | None) -> bool:
    if not hashes or hasher is None or not encodable(candidate):
        return False
    return any(hasher.verify(stored, candidate) for stored in hashes if stored)


def check_password(
    policy: PasswordPolicyDTO,
    candidate: str,
    *,
    context_words: Sequence[str] = (),
    history_hashes: Sequence[str] = (),
    hasher: Hasher | None = None,
) -> tuple[Violation, ...]:
    """Every rule the candidate breaks (empty when it is acceptable). Never raises.

    ``history_hashes`` are the current hash and the last N from password_history;
    they are verified with ``hasher`` against the NFKC form of the candidate.
    """
    if not isinstance(candidate, str):
        candidate = ""
    normalized = normalize_password(candidate)
    length = len(normalized)
    found: list[Violation] = []

    if length < policy.min_length:
        found.append(
            Violation(
                ViolationCode.TOO_SHORT,
                _("use at least {n} characters").format(n=policy.min_length),
            )
        )
    if length > policy.max_length:
        found.append(
            Violation(
                ViolationCode.TOO_LONG, _("use at most {n} characters").format(n=policy.max_length)
            )
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in normalized):
        found.append(
            Violation(
                ViolationCode.CONTROL_CHARACTERS,
                _("use printable characters only (no control characters)"),
            )
        )
    if policy.require_lower and not any(ch.islower() for ch in normalized):
        found.append(Violation(ViolationCode.NEEDS_LOWER, _("include a lower-case letter")))
    if policy.require_upper and not any(ch.isupper() for ch in normalized):
        found.append(Violation(ViolationCode.NEEDS_UPPER, _("include an upper-case letter")))
    if policy.require_digit and not any(ch.isdigit() for ch in normalized):
        found.append(Violation(ViolationCode.NEEDS_DIGIT, _("include a digit")))
    if policy.require_symbol and not any(_is_symbol(ch) for ch in normalized):
        found.append(
            Violation(ViolationCode.NEEDS_SYMBOL, _("include a symbol (such as - ! ? or #)"))
        )
    if normalized and is_common(normalized):
        found.append(
            Violation(
                ViolationCode.COMMON,
                _("this password is too common: it is on the lists attackers try first"),
            )
        )
    elif normalized and is_predictable(normalized):
        found.append(
            Violation(
                ViolationCode.PREDICTABLE,
                _("avoid repeated characters, sequences and keyboard patterns"),
            )
        )
    if context_words and _contains_context(fold(normalized), context_words):
        found.append(
            Violation(
                ViolationCode.CONTEXT,
                _("do not use your login, your name, the company's name or its CNPJ"),
            )
        )
    if _matches_history(normalized, history_hashes, hasher):
        found.append(
            Violation(
                ViolationCode.REUSED,
                _("do not reuse your current password or any of your last {n}").format(
                    n=policy.history_count
                ),
            )
        )
    return tuple(found)


def user_context_words(user: PortalUser, customer: Customer | None) -> tuple[str, ...]:
    return context_words(
        login=user.login,
        full_name=user.full_name,
        email=user.email,
        legal_name=customer.legal_name if customer else None,
        trade_name=customer.trade_name if customer else None,
        cnpj=customer.cnpj if customer else None,
    )


def recent_hashes(session: Session, user: PortalUser, policy: PasswordPolicyDTO) -> tuple[str, ...]:
    """The current hash and the ``history_count`` most recent ones, newest first."""
    history = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.portal_user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(max(policy.history_count, 0))
    ).all()
    current = (user.password_hash,) if user.password_hash else ()
    return current + tuple(history)


def check_password_for_user(
    ctx: ServiceContext, user_id: int, candidate: str
) -> tuple[Violation, ...]:
    """The portal's live check for a user's new password: policy, context and history."""
    with ctx.read_sessions() as session:
        user = session.get(PortalUser, user_id)
        if user is None:
            raise NotFound(_("portal user not found"))
        customer = session.get(Customer, user.customer_id)
        policy = load_policy(session)
        return check_password(
            policy,
            candidate,
            context_words=user_context_words(user, customer),
            history_hashes=recent_hashes(session, user, policy),
            hasher=ctx.hasher,
        )
