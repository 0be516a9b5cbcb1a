"""How a built message leaves: over SMTP (smtplib), or into a folder of ``.eml`` files.

A transport either returns (the server accepted the message) or raises
``DeliveryError`` saying whether trying again may help (``temporary``: a 4xx
reply, a refused or dropped connection, a timeout) or not (a 5xx reply), with
the server's reply in words. The reply is cleaned of control characters and
cut short; the SMTP password never appears in it (smtplib never echoes it, and
``DeliveryError`` is built here only from the reply and the error's type).

smtplib and not aiosmtplib: the relay sends one message at a time from a plain
loop (several mailers scale it out), so blocking calls with timeouts are the
simplest correct thing; an event loop would add a dependency and nothing else.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from noc_console.mail_settings import MailSettings

REPLY_MAX = 300


class DeliveryError(Exception):
    """The message was not accepted; ``reply`` says why, ``temporary`` whether to retry."""

    def __init__(self, reply: str, *, temporary: bool) -> None:
        super().__init__(reply)
        self.reply = reply
        self.temporary = temporary


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def clean_reply(text: str) -> str:
    """One line of printable text, at most ``REPLY_MAX`` characters."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat[:REPLY_MAX]


def _reply(code: int, message: bytes | str) -> str:
    raw = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return clean_reply(f"{code} {raw}")


def classify(err: BaseException) -> DeliveryError:
    """What a failure of smtplib (or the socket under it) means for the message."""
    if isinstance(err, DeliveryError):
        return err
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(err.recipients.values()), (550, b"recipient refused"))
        return DeliveryError(_reply(code, message), temporary=400 <= code < 500)
    if isinstance(err, smtplib.SMTPAuthenticationError):
        # The server's account, not this message: wait and retry, the reply says why.
        return DeliveryError(_reply(err.smtp_code, err.smtp_error), temporary=True)
    if isinstance(err, smtplib.SMTPResponseException):
        code = err.smtp_code
        return DeliveryError(_reply(code, err.smtp_error), temporary=not 500 <= code < 600)
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return DeliveryError("connection closed by the server", temporary=True)
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return DeliveryError(clean_reply(f"server does not support it: {err}"), temporary=True)
    if isinstance(err, socket.timeout | TimeoutError):
        return DeliveryError("timed out waiting for the server", temporary=True)
    if isinstance(err, ConnectionRefusedError):
        return DeliveryError("connection refused", temporary=True)
    if isinstance(err, ssl.SSLError):
        return DeliveryError(
            clean_reply(f"TLS failed: {err.reason or type(err).__name__}"), temporary=True
        )
    if isinstance(err, OSError):
        return DeliveryError(
            clean_reply(f"cannot reach the server: {err.strerror or type(err).__name__}"),
            temporary=True,
        )
    return DeliveryError(clean_reply(f"{type(err).__name__}"), temporary=True)


@dataclass
class SmtpTransport:
    """One SMTP connection, opened on first use and kept between messages (closed on error)."""

    settings: MailSettings
    password: str | None = None
    _smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        ca = self.settings.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=self._context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, self.password or "")
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message)
        except BaseException as err:
            self.close()
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            raise classify(err) from None
        if refused:  # only some recipients refused; ours is the only one
            code, reply = next(iter(refused.values()))
            raise DeliveryError(_reply(code, reply), temporary=400 <= code < 500)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _quietly_close(smtp)


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@dataclass
class FolderTransport:
    """Each message becomes ``<folder>/<Message-ID>.eml``, written whole or not at all.

    The same message written twice (a crash before it was marked sent) overwrites
    its own file: the folder never holds a duplicate.
    """

    folder: Path

    def path_of(self, message: EmailMessage) -> Path:
        name = str(message["Message-ID"] or "message").strip("<>").replace("/", "_")
        return self.folder / f"{name}.eml"

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.path_of(message)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".sending-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(message.as_bytes())
                os.chmod(tmp, 0o600)  # the file holds a working link until it is used
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as err:
            raise DeliveryError(
                clean_reply(f"cannot write to {self.folder}: {err.strerror or type(err).__name__}"),
                temporary=True,
            ) from None

    def close(self) -> None:
        return None


def make_transport(settings: MailSettings, password: str | None) -> Transport:
    if settings.transport == "folder":
        assert settings.folder is not None
        return FolderTransport(settings.folder)
    return SmtpTransport(settings, password)
