"""The reset-link mail: multipart text + HTML in the recipient's language, one stable Message-ID.

The Message-ID is derived from the outbox row (its id and creation time), so a
crash between "the server accepted it" and "marked sent" yields at worst one
duplicate carrying the same id, which mail clients fold into one. The HTML
part has no image, no remote resource and no tracking of any kind; every value
in it is escaped. The mail says who asked (the NOC, with the ticket), until
when the link works, and what to do if the customer did not ask for it.

Texts are marked with ``N_`` and translated for the recipient, not for the
process: the mailer serves pt_BR and en users in one run.
"""

from __future__ import annotations

import gettext
import html
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from functools import cache

from noc_console.i18n import DOMAIN, LOCALE_DIR, N_
from noc_console.mail_settings import MailSettings

TIME_ZONE = "America/Sao_Paulo"

SUBJECT = N_("Reset your Service Portal password (ticket {ticket})")
GREETING = N_("Hello, {name}.")
WHO_ASKED = N_(
    "The NOC team of {provider} created this link to reset your Service Portal password"
    " (login {login}), as asked on ticket {ticket}."
)
OPEN_LINK = N_("Open this link to choose a new password:")
BUTTON = N_("Choose a new password")
EXPIRES = N_("The link works only once and expires on {when} (Brasília time).")
NOT_YOU = N_(
    "If you did not ask for this, do not open the link: your current password keeps"
    " working. Tell the NOC, quoting ticket {ticket}."
)
AUTOMATIC = N_("This message was sent automatically; replies are not read.")


@dataclass(frozen=True)
class LinkMail:
    """What one reset-link mail says; ``url`` carries the token and stays out of repr."""

    outbox_id: int
    created_at: datetime
    recipient: str
    full_name: str
    login: str
    ticket_ref: str
    expires_at: datetime
    language: str
    url: str = field(repr=False)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
    )


def message_id(outbox_id: int, created_at: datetime, from_address: str) -> str:
    """``<noc-outbox-42.20261125131000@example.com.br>``: the same for every try of a row."""
    domain = from_address.rpartition("@")[2] or "localhost"
    return f"<noc-outbox-{outbox_id}.{created_at:%Y%m%d%H%M%S}@{domain}>"


def _when(moment: datetime, language: str) -> str:
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    locale = "pt_BR" if language == "pt_BR" else "en_US"
    return str(format_datetime(moment, format="medium", tzinfo=ZoneInfo(TIME_ZONE), locale=locale))


def build_link_mail(mail: LinkMail, settings: MailSettings) -> EmailMessage:
    tr = _translations(mail.language).gettext
    ticket = mail.ticket_ref or "—"
    values = {
        "name": mail.full_name,
        "provider": settings.from_name,
        "login": mail.login,
        "ticket": ticket,
        "when": _when(mail.expires_at, mail.language),
    }
    paragraphs = [
        tr(GREETING).format(**values),
        tr(WHO_ASKED).format(**values),
        tr(OPEN_LINK).format(**values),
        mail.url,
        tr(EXPIRES).format(**values),
        tr(NOT_YOU).format(**values),
        "-- \n" + settings.from_name + "\n" + tr(AUTOMATIC),
    ]
    message = EmailMessage()
    message["Subject"] = tr(SUBJECT).format(ticket=ticket)
    message["From"] = Address(display_name=settings.from_name, addr_spec=settings.from_address)
    message["To"] = mail.recipient
    message["Date"] = rfc2822_date(mail.created_at)
    message["Message-ID"] = message_id(mail.outbox_id, mail.created_at, settings.from_address)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n\n".join(paragraphs) + "\n")
    message.add_alternative(_html(mail, paragraphs, tr(BUTTON)), subtype="html")
    # After the parts exist: a Content-* header set earlier would move into the text part.
    message["Content-Language"] = "pt-BR" if mail.language == "pt_BR" else "en"
    return message


def _html(mail: LinkMail, paragraphs: list[str], button: str) -> str:
    e = html.escape
    greeting, who, open_link, url, expires, not_you, signature = paragraphs
    lang = "pt-BR" if mail.language == "pt_BR" else "en"
    href = e(url, quote=True)
    sign = "<br>".join(e(line) for line in signature.splitlines()[1:])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>'
        '<body style="font-family: sans-serif; line-height: 1.4">\n'
        f"<p>{e(greeting)}</p>\n<p>{e(who)}</p>\n<p>{e(open_link)}</p>\n"
        f'<p><a href="{href}" style="font-weight: bold">{e(button)}</a></p>\n'
        f'<p style="font-family: monospace; word-break: break-all">{e(url)}</p>\n'
        f"<p>{e(expires)}</p>\n<p>{e(not_you)}</p>\n"
        f'<p style="color: #555">{sign}</p>\n</body></html>\n'
    )
