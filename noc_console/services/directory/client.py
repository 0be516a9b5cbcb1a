"""One conversation with the directory: find the person, check the password, read the groups.

* Fail-over: the configured URLs are tried in order; a server that does not
  answer within ``connect_timeout`` (or stops answering for ``receive_timeout``)
  is skipped, and only when none answers is the directory "unavailable".
* TLS: ``ldaps://`` or StartTLS, the certificate always checked (system CAs or
  ``ca_file``), host name included. Plain ``ldap://`` without StartTLS is
  refused by the settings unless explicitly allowed.
* Input reaches the directory escaped by ldap3 (``escape_filter_chars`` in
  filters, ``escape_rdn`` in a DN template), never concatenated raw; a username
  with control characters is refused before any request. An empty password is
  refused here too: an LDAP "unauthenticated bind" would otherwise succeed.
* Errors carry no password: ldap3's exception text is logged by type only.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from noc_console.auth_settings import LdapSettings
from noc_console.errors import DomainError
from noc_console.i18n import _

if TYPE_CHECKING:
    from ldap3 import Connection  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

MAX_USERNAME = 64


class DirectoryUnavailable(DomainError):
    """No configured server answered (or TLS failed): local break-glass accounts still work."""


class DirectoryRefused(DomainError):
    """The directory answered, but not as this console can use (two people for one name, ...)."""


@dataclass(frozen=True)
class DirectoryPerson:
    """What the console takes from a person's entry (no password, no hash)."""

    dn: str
    username: str
    display_name: str
    email: str | None
    groups: tuple[str, ...]
    disabled: bool


@dataclass(frozen=True)
class BindResult:
    """``person`` when the password was right; ``known`` says whether the name exists at all."""

    person: DirectoryPerson | None
    known: bool


def usable_username(username: str) -> bool:
    """Printable, short, and not empty: anything else never reaches the directory."""
    return (
        0 < len(username) <= MAX_USERNAME
        and username == username.strip()
        and not any(unicodedata.category(ch)[0] in ("C", "Z") and ch != " " for ch in username)
        and " " not in username
    )


class DirectoryClient:
    """The directory of ``settings``; the service password is read only when a search needs it."""

    def __init__(
        self, settings: LdapSettings, service_password: Callable[[], str | None] | None = None
    ) -> None:
        self.settings = settings
        self._service_password = service_password or (lambda: None)

    # ------------------------------------------------------------------ connections

    def _tls(self) -> Any:
        import ssl

        from ldap3 import Tls

        return Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.settings.ca_file)

    @contextmanager
    def _connection(self, user: str | None, password: str | None) -> Iterator[Connection | None]:
        """A bound connection to the first server that answers; None when the bind is refused.

        DirectoryUnavailable when no server answers (each one's failure logged by type).
        """
        from ldap3 import NONE, SIMPLE, Connection, Server
        from ldap3.core.exceptions import LDAPException  # type: ignore[import-untyped]

        s = self.settings
        failures: list[str] = []
        for url in s.urls:
            server = Server(
                url,
                use_ssl=url.lower().startswith("ldaps://"),
                tls=self._tls(),
                connect_timeout=s.connect_timeout,
                get_info=NONE,
            )
            conn = Connection(
                server,
                user=user,
                password=password,
                authentication=SIMPLE,
                receive_timeout=max(1, round(s.receive_timeout)),  # ldap3 packs it as an integer
                read_only=True,
                raise_exceptions=False,
            )
            try:
                conn.open()
                tls_upgrade = s.start_tls and not url.lower().startswith("ldaps://")
                if tls_upgrade and not conn.start_tls():
                    raise DirectoryUnavailable("StartTLS refused")
                bound = conn.bind()
            except (LDAPException, OSError, DirectoryUnavailable) as err:
                failures.append(f"{url}: {type(err).__name__}")
                log.warning("directory server %s unavailable: %s", url, type(err).__name__)
                if conn.bound:
                    conn.unbind()
                continue
            try:
                if not bound:
                    description = str(conn.result.get("description", ""))
                    if description not in ("invalidCredentials", "inappropriateAuthentication"):
                        log.warning("directory bind refused at %s: %s", url, description)
                    yield None
                else:
                    yield conn
            finally:
                try:
                    conn.unbind()
                except Exception:  # noqa: BLE001 - closing a dead socket
                    log.debug("directory unbind failed")
            return
        log.warning("directory unavailable: %s", "; ".join(failures))
        raise DirectoryUnavailable(
            _("The directory ({servers}) did not answer.").format(servers=s.label)
        )

    @contextmanager
    def _service(self) -> Iterator[Connection]:
        """Bound as the service account (searches); refused binds are a configuration problem."""
        s = self.settings
        if s.service_dn is None:
            raise DirectoryRefused(_("[auth.ldap] service_dn is needed to search the directory"))
        password = self._service_password()
        if not password:
            raise DirectoryRefused(
                _(
                    "No password for the directory service account: store it with"
                    " `noc-console operator directory-password`"
                )
            )
        with self._connection(s.service_dn, password) as conn:
            if conn is None:
                raise DirectoryRefused(_("The directory refused the service account's password."))
            yield conn

    # ------------------------------------------------------------------ reading entries

    def _search(
        self, conn: Connection, base: str, flt: str, scope: str, attrs: list[str]
    ) -> list[Any]:
        from ldap3 import BASE, SUBTREE

        ok = conn.search(
            base, flt, search_scope=BASE if scope == "base" else SUBTREE, attributes=attrs
        )
        if not ok:
            description = str(conn.result.get("description", ""))
            if description in ("noSuchObject", "success", ""):
                return []
            if description in ("timeLimitExceeded",):
                raise DirectoryUnavailable(_("The directory took too long to answer."))
            log.warning("directory search failed: %s", description)
            return []
        return [e for e in conn.entries]

    def _attrs(self) -> list[str]:
        s = self.settings
        attrs = [s.username_attribute, s.name_attribute, s.email_attribute]
        if s.group_attribute:
            attrs.append(s.group_attribute)
        return attrs

    def _read_person(self, conn: Connection, dn: str) -> DirectoryPerson | None:
        from ldap3.utils.conv import escape_filter_chars  # type: ignore[import-untyped]

        s = self.settings
        entries = self._search(conn, dn, "(objectClass=*)", "base", self._attrs())
        if not entries:
            return None
        entry = entries[0]

        def first(attribute: str) -> str | None:
            values = entry[attribute].values if attribute in entry else []
            return str(values[0]) if values else None

        if s.group_attribute:
            groups = tuple(
                str(v)
                for v in (entry[s.group_attribute].values if s.group_attribute in entry else [])
            )
        else:
            assert s.group_base_dn is not None
            flt = s.group_filter.replace("{dn}", escape_filter_chars(entry.entry_dn))
            groups = tuple(e.entry_dn for e in self._search(conn, s.group_base_dn, flt, "sub", []))
        disabled = False
        if s.disabled_filter:
            disabled = bool(self._search(conn, entry.entry_dn, s.disabled_filter, "base", []))
        username = (first(s.username_attribute) or "").strip().lower()
        return DirectoryPerson(
            dn=entry.entry_dn,
            username=username,
            display_name=(first(s.name_attribute) or username).strip()[:200],
            email=(first(s.email_attribute) or None),
            groups=groups,
            disabled=disabled,
        )

    def _find_dn(self, conn: Connection, username: str) -> str | None:
        from ldap3.utils.conv import escape_filter_chars

        s = self.settings
        flt = s.user_filter.replace("{username}", escape_filter_chars(username))
        entries = self._search(conn, s.base_dn, flt, "sub", [s.username_attribute])
        if len(entries) > 1:
            raise DirectoryRefused(
                _("The directory has more than one person for this username; ask an administrator.")
            )
        return entries[0].entry_dn if entries else None

    # ------------------------------------------------------------------ what the services ask

    def authenticate(self, username: str, password: str) -> BindResult:
        """Check ``password`` for ``username``; the person with groups when it is right."""
        from ldap3.utils.dn import escape_rdn  # type: ignore[import-untyped]

        if not usable_username(username) or not password or "\x00" in password:
            return BindResult(person=None, known=False)
        s = self.settings
        if s.bind_dn_template is not None:
            dn = s.bind_dn_template.replace("{username}", escape_rdn(username))
        else:
            with self._service() as service:
                found = self._find_dn(service, username)
            if found is None:
                return BindResult(person=None, known=False)
            dn = found
        with self._connection(dn, password) as conn:
            if conn is None:
                # A template bind cannot tell a wrong password from an unknown name: it
                # counts as a wrong password (the lockout), never as a removal, or one typo
                # would disable the account. `operator sync` finds the people removed.
                return BindResult(person=None, known=True)
            if s.service_dn is not None and self._service_password():
                person = None
                with self._service() as service:
                    person = self._read_person(service, dn)
            else:
                person = self._read_person(conn, dn)
        return BindResult(person=person, known=True)

    def lookup(self, dn: str) -> DirectoryPerson | None:
        """The person at ``dn`` now (``operator sync``), or None when they are gone."""
        with self._service() as service:
            return self._read_person(service, dn)

    def lookup_username(self, username: str) -> DirectoryPerson | None:
        """The person a username names now (the service account searches), or None."""
        if not usable_username(username):
            return None
        with self._service() as service:
            dn = self._find_dn(service, username)
            return self._read_person(service, dn) if dn else None


def service_password(settings: LdapSettings) -> Callable[[], str | None]:
    """Where the service account's password comes from: the keyring, else the environment."""

    def read() -> str | None:
        import os

        from noc_console import secrets

        return secrets.get_secret(settings.keyring_account) or os.environ.get(
            "NOC_CONSOLE_LDAP_BIND_PASSWORD"
        )

    return read
