"""CNPJ check digits: every demo customer carries a CNPJ the portal's validation accepts."""

from __future__ import annotations

_CNPJ_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def cnpj_with_check_digits(base12: str) -> str:
    """The 14-digit CNPJ for a 12-digit base (root + branch): modulo-11 check digits."""
    digits = [int(c) for c in base12]
    for weights in (_CNPJ_W1, _CNPJ_W2):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))
