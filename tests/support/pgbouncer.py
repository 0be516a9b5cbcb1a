"""A real PgBouncer in transaction pooling mode in front of the test PostgreSQL (issue 16).

Debian's ``/usr/sbin/pgbouncer`` on a free port, from a temporary config that
points every database at the test server (127.0.0.1:5432, trust). Missing
PgBouncer skips on a user's machine and fails in CI (``tests.support.servers``).
PgBouncer refuses to run as root, so under root it drops to ``nobody``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from tests.support.databases import PG_ENV, postgres_admin_url
from tests.support.servers import find_program, unavailable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(workdir: Path, port: int, server: URL) -> Path:
    user = server.username or "postgres"
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
    conf = workdir / "pgbouncer.ini"
    conf.write_text(
        "[databases]\n"
        f"* = host={server.host or '127.0.0.1'} port={server.port or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 500\n"
        "default_pool_size = 20\n"
        "max_db_connections = 40\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
        f"pidfile = {workdir / 'pgbouncer.pid'}\n"
        "admin_users = " + user + "\n"
    )
    return conf


@contextmanager
def running_pgbouncer(server_url: str) -> Iterator[tuple[str, int]]:
    """(host, port) of a PgBouncer in transaction mode for ``server_url``'s server."""
    program = find_program("pgbouncer")
    server = make_url(server_url)
    workdir = Path(tempfile.mkdtemp(prefix="noc-pgbouncer-"))
    os.chmod(workdir, 0o777)  # 'nobody' (PgBouncer will not run as root) writes here
    port = _free_port()
    conf = _config(workdir, port, server)
    for path in workdir.iterdir():
        path.chmod(0o666)
    command = [str(program), str(conf)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    log = workdir / "pgbouncer.log"
                    unavailable(
                        f"pgbouncer did not start: {out[-500:]}"
                        f" {log.read_text()[-500:] if log.exists() else ''}"
                    )
                time.sleep(0.05)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def through(url: str, host: str, port: int) -> str:
    """``url`` (a test database on the server) reached through the pooler instead."""
    parsed = make_url(url).set(host=host, port=port)
    return parsed.update_query_dict({"pooling": "transaction"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[tuple[str, int]]:
    """One PgBouncer (transaction pooling) for the run, in front of the test PostgreSQL."""
    url = postgres_admin_url()
    if not url:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    with running_pgbouncer(url) as address:
        yield address


__all__ = ["pgbouncer", "running_pgbouncer", "through"]
