"""Temporary passwords an analyst reads over the phone: unambiguous, grouped, policy-checked.

The result exists in clear only in the ``ResetResult`` handed back once; what
is stored is its hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models import Customer, PortalUser
from noc_console.services.policy import PasswordPolicyDTO, check_password, user_context_words

# Read out over the phone and copied by eye: no character that looks or sounds
# like another (0/O/o, 1/l/I/i, 5/S/s, 2/Z/z, 8/B/b, 6/G, 9/g/q).
UPPER = "ACDEFHJKMNPRTUVWXY"
LOWER = "acdefhjkmnprtuvwxy"
DIGITS = "34679"
ALPHABET = UPPER + LOWER + DIGITS
GROUP = 4
SEPARATOR = "-"
MIN_GROUPS = 4  # 16 characters from 41: about 85 bits, whatever the policy's minimum
GENERATION_ATTEMPTS = 50

PasswordGenerator = Callable[[PasswordPolicyDTO], str]


def generate_temporary_password(policy: PasswordPolicyDTO) -> str:
    """Groups of four unambiguous characters joined by '-' ('Kx7m-Pq9r-Tz4w-Hb2n').

    The dashes are part of the password (the user types them), so they count
    toward the length: at least four groups, more if the policy's minimum asks,
    the last group shortened if the policy's maximum would be exceeded.
    """
    groups = MIN_GROUPS
    while groups * (GROUP + 1) - 1 < policy.min_length:
        groups += 1
    length = min(groups * (GROUP + 1) - 1, policy.max_length)
    chars = [secrets.choice(ALPHABET) for _ in range(groups * GROUP)]
    grouped = SEPARATOR.join("".join(chars[i : i + GROUP]) for i in range(0, len(chars), GROUP))
    return grouped[:length].rstrip(SEPARATOR)


def checked_temporary_password(
    user: PortalUser,
    customer: Customer | None,
    policy: PasswordPolicyDTO,
    generate: PasswordGenerator | None = None,
) -> str:
    """A generated password the policy accepts (regenerated until it is).

    ``generate`` replaces ``generate_temporary_password`` (tests fix the password
    with it). A fresh random value cannot match a stored hash, so the history
    (one argon2 verification per entry) is not checked: the reset costs about
    one hash.
    """
    make = generate or generate_temporary_password
    words = user_context_words(user, customer)
    for _attempt in range(GENERATION_ATTEMPTS):
        candidate = make(policy)
        if isinstance(candidate, str) and not check_password(
            policy, candidate, context_words=words
        ):
            return candidate
    raise ValidationError(
        {
            "method": [
                _(
                    "could not generate a temporary password that satisfies the password"
                    " policy; send a reset link instead"
                )
            ]
        }
    )
