"""A real OpenLDAP server for the directory tests: Debian's slapd on a free local port.

Started once per test session from a temporary ``slapd.conf`` (mdb backend,
the core/cosine/inetorgperson/nis schemas from /etc/ldap/schema), seeded with
``slapadd`` from the LDIF below (people, groups, a disabled person, a service
account), with StartTLS on a certificate made by ``trustme``, and stopped at
the end. Missing slapd: skipped on a user's machine, a failure in CI
(``tests.support.servers``).

The people (password ``<username>-pw`` for each):

* ``otto.operador``: NOC operators → operator
* ``sara.super``: NOC supervisors → supervisor
* ``ana.analista``: NOC analysts → analyst
* ``max.multi``: analysts and supervisors → supervisor (the highest wins)
* ``nina.nogroup``: in no mapped group → no entry
* ``dora.disabled``: NOC operators, but ``employeeType: disabled`` → refused
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from noc_console.auth_settings import LdapSettings
from tests.support.servers import find_program, unavailable

BASE = "dc=noc,dc=example"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "slapd-admin-secret"
SERVICE_DN = f"cn=noc-console,ou=services,{BASE}"
SERVICE_PASSWORD = "service-account-secret"
GROUP_DNS = {
    "analyst": f"cn=noc-analysts,{GROUPS}",
    "operator": f"cn=noc-operators,{GROUPS}",
    "supervisor": f"cn=noc-supervisors,{GROUPS}",
    "other": f"cn=finance,{GROUPS}",
}
PEOPLE_GROUPS = {
    "otto.operador": ("operator",),
    "sara.super": ("supervisor",),
    "ana.analista": ("analyst",),
    "max.multi": ("analyst", "supervisor"),
    "nina.nogroup": ("other",),
    "dora.disabled": ("operator",),
}


def password_of(username: str) -> str:
    return f"{username}-pw"


def person_dn(username: str) -> str:
    return f"uid={username},{PEOPLE}"


def _seed_ldif() -> str:
    blocks = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: noc\no: NOC Example",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: ou=services,{BASE}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: noc-console\nuserPassword: {SERVICE_PASSWORD}",
    ]
    for username in PEOPLE_GROUPS:
        first, last = username.split(".")
        lines = [
            f"dn: {person_dn(username)}",
            "objectClass: inetOrgPerson",
            f"uid: {username}",
            f"cn: {first.title()} {last.title()}",
            f"sn: {last.title()}",
            f"mail: {username}@noc.example",
            f"userPassword: {password_of(username)}",
        ]
        if username == "dora.disabled":
            lines.append("employeeType: disabled")
        blocks.append("\n".join(lines))
    for key, dn in GROUP_DNS.items():
        members = [person_dn(u) for u, groups in PEOPLE_GROUPS.items() if key in groups]
        cn = dn.split(",", 1)[0].split("=", 1)[1]
        lines = [f"dn: {dn}", "objectClass: groupOfNames", f"cn: {cn}"]
        lines += [f"member: {m}" for m in members or [ADMIN_DN]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _conf(folder: Path, cert: Path, key: Path, ca: Path) -> str:
    schemas = "\n".join(
        f"include /etc/ldap/schema/{name}.schema"
        for name in ("core", "cosine", "inetorgperson", "nis")
    )
    return f"""{schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
TLSCACertificateFile {ca}
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {folder}/data
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by users read by * none
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Slapd:
    """The running server: where it listens, its CA file, and ways to change people."""

    url: str
    ca_file: Path
    process: subprocess.Popen[bytes]
    folder: Path
    dead_urls: list[str] = field(default_factory=list)

    def settings(self, **changes: Any) -> LdapSettings:
        """Search mode with the service account, StartTLS, groups searched (the OpenLDAP way)."""
        base = LdapSettings(
            urls=(self.url,),
            base_dn=PEOPLE,
            service_dn=SERVICE_DN,
            start_tls=True,
            ca_file=str(self.ca_file),
            group_base_dn=GROUPS,
            group_filter="(member={dn})",
            disabled_filter="(employeeType=disabled)",
            roles={role: (dn,) for role, dn in GROUP_DNS.items() if role != "other"},
            connect_timeout=2.0,
            receive_timeout=3.0,
        )
        return replace(base, **changes)

    def admin(self) -> Any:
        """An ldap3 connection bound as the directory's administrator (to change people)."""
        import ssl

        from ldap3 import Connection, Server, Tls

        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(self.ca_file))
        conn = Connection(Server(self.url, tls=tls), ADMIN_DN, ADMIN_PASSWORD)
        conn.open()
        conn.start_tls()
        assert conn.bind(), conn.result
        return conn

    def set_member(self, username: str, group: str, *, member: bool) -> None:
        from ldap3 import MODIFY_ADD, MODIFY_DELETE

        conn = self.admin()
        try:
            op = MODIFY_ADD if member else MODIFY_DELETE
            ok = conn.modify(GROUP_DNS[group], {"member": [(op, [person_dn(username)])]})
            assert ok or conn.result["description"] in ("attributeOrValueExists", "noSuchAttribute")
        finally:
            conn.unbind()

    def delete_person(self, username: str, *, missing_ok: bool = False) -> None:
        from ldap3 import MODIFY_DELETE

        conn = self.admin()
        try:
            for group in GROUP_DNS.values():
                conn.modify(group, {"member": [(MODIFY_DELETE, [person_dn(username)])]})
            assert conn.delete(person_dn(username)) or missing_ok, conn.result
        finally:
            conn.unbind()

    def add_person(self, username: str, groups: tuple[str, ...]) -> None:
        """A new person (one left by an earlier test, e.g. the other backend's run, is replaced)."""
        self.delete_person(username, missing_ok=True)
        conn = self.admin()
        try:
            first, last = username.split(".")
            ok = conn.add(
                person_dn(username),
                ["inetOrgPerson"],
                {
                    "uid": username,
                    "cn": f"{first.title()} {last.title()}",
                    "sn": last.title(),
                    "mail": f"{username}@noc.example",
                    "userPassword": password_of(username),
                },
            )
            assert ok, conn.result
        finally:
            conn.unbind()
        for group in groups:
            self.set_member(username, group, member=True)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_slapd(folder: Path) -> Iterator[Slapd]:
    """Generator for a session fixture: the server up, then down (see the module docstring)."""
    slapd = find_program("slapd")
    slapadd = find_program("slapadd")
    if not Path("/etc/ldap/schema/inetorgperson.schema").exists():
        unavailable("the OpenLDAP schemas (/etc/ldap/schema) are missing")
    import trustme

    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    cert, key, ca_file = folder / "server.pem", folder / "server.key", folder / "ca.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    (folder / "data").mkdir()
    conf = folder / "slapd.conf"
    conf.write_text(_conf(folder, cert, key, ca_file))
    ldif = folder / "seed.ldif"
    ldif.write_text(_seed_ldif())
    subprocess.run(
        [str(slapadd), "-f", str(conf), "-l", str(ldif)], check=True, capture_output=True
    )
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(slapd), "-f", str(conf), "-h", f"{url}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Slapd(url=url, ca_file=ca_file, process=process, folder=folder)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                server.stop()
                raise RuntimeError(f"slapd did not start: {err[-2000:]}") from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        server.stop()


def dead_url() -> str:
    """A local port nobody listens on (connection refused at once)."""
    return f"ldap://127.0.0.1:{_free_port()}"
