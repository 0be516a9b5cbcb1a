"""Group → role: the highest role whose group the person is in; no mapped group, no entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from noc_console.models import Role

_ORDER = (Role.ANALYST, Role.OPERATOR, Role.SUPERVISOR)


def normalise_dn(dn: str) -> str:
    """A DN compared the way a directory compares it: no spaces around separators, any case."""
    from ldap3.utils.dn import safe_dn  # type: ignore[import-untyped]

    try:
        return str(safe_dn(dn)).lower()
    except Exception:  # noqa: BLE001 - an unparsable value is compared as it is
        return dn.strip().lower()


def _first_value(dn: str) -> str:
    """``noc-supervisors`` for ``cn=noc-supervisors,ou=groups,...``."""
    head = dn.split(",", 1)[0]
    return head.split("=", 1)[1].strip().lower() if "=" in head else head.strip().lower()


def role_for(groups: Iterable[str], mapping: Mapping[str, tuple[str, ...]]) -> Role | None:
    """The role the directory grants; each configured group is a full DN or a plain group name."""
    held_dns = {normalise_dn(g) for g in groups}
    held_names = {_first_value(g) for g in groups}
    granted: Role | None = None
    for role in _ORDER:
        for wanted in mapping.get(role.value, ()):
            hit = (
                normalise_dn(wanted) in held_dns if "=" in wanted else wanted.lower() in held_names
            )
            if hit:
                granted = role
                break
    return granted
