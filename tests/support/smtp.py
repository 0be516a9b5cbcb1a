"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, STARTTLS with a certificate made
by trustme, AUTH with a test login, and replies the test can script.

Each DATA takes the next planned action (``plan``): ``"ok"`` accepts the
message, a reply such as ``"421 4.3.2 try later"`` or ``"550 5.2.1 mailbox
unavailable"`` refuses it, ``"slow"`` accepts it after 1.5 s, ``"drop"``
closes the connection in the middle of DATA (after the client sent the
message, before any reply). With nothing
planned, messages are accepted. Recipients in ``refuse`` are refused at RCPT.
``quits`` counts the QUIT commands: a client that closes its connection properly.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

USERNAME = "mailer@noc.test"
PASSWORD = "smtp-test-password-7c1f"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    plan: deque[str] = field(default_factory=deque)
    refuse: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0
    quits: int = 0
    in_data: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_commands += 1
            action = self.plan.popleft() if self.plan else "ok"
        self.in_data.set()
        if action == "slow":  # hold the reply: the client is in the middle of DATA
            await asyncio.sleep(1.5)
            action = "ok"
        if action == "drop":
            server.transport.close()
            return "421 4.4.2 connection dropped"  # never reaches the client
        if action != "ok":
            return action
        login = session.auth_data
        with self.lock:
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    raw=bytes(envelope.original_content or envelope.content),
                    tls=session.ssl is not None,
                    login=login.decode() if isinstance(login, bytes) else login,
                )
            )
        return "250 2.0.0 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, auth_data=auth_data.login if ok else None)


@dataclass
class SmtpServer:
    host: str
    port: int
    ca_file: Path
    handler: Handler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` messages arrived (the mailer may run in another process)."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(workdir: Path) -> Iterator[SmtpServer]:
    """A running server; STARTTLS required before AUTH, AUTH required before MAIL."""
    import trustme
    from aiosmtpd.controller import Controller

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(tls)
    ca_file = workdir / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    handler = Handler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=_authenticator,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, ca_file, handler)
    finally:
        controller.stop()
        asyncio.set_event_loop(None)
