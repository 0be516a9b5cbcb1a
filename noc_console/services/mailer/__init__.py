"""Delivering the outbox: ``noc-console mailer`` and what the analyst sees of it.

``queue`` claims rows and records outcomes (and removes the link from a row
once it is final), ``message`` builds the mail, ``transport`` sends it (SMTP or
a folder of ``.eml`` files), ``policy`` decides when to retry, ``relay`` is the
loop; ``status`` is the read model the console shows, ``reissue`` replaces a
link whose mail failed.
"""

from noc_console.services.mailer.message import LinkMail, build_link_mail, message_id
from noc_console.services.mailer.policy import RetryPolicy
from noc_console.services.mailer.queue import Claim, claim_next, record_failure, record_sent
from noc_console.services.mailer.reissue import Reissued, reissue_link
from noc_console.services.mailer.relay import Relay, policy_of, worker_name
from noc_console.services.mailer.status import (
    LinkStatus,
    effective_state,
    link_statuses,
    settled,
)
from noc_console.services.mailer.transport import (
    DeliveryError,
    FolderTransport,
    SmtpTransport,
    Transport,
    make_transport,
)

__all__ = [
    "Claim",
    "DeliveryError",
    "FolderTransport",
    "LinkMail",
    "LinkStatus",
    "Reissued",
    "Relay",
    "RetryPolicy",
    "SmtpTransport",
    "Transport",
    "build_link_mail",
    "claim_next",
    "effective_state",
    "link_statuses",
    "make_transport",
    "message_id",
    "policy_of",
    "record_failure",
    "record_sent",
    "reissue_link",
    "settled",
    "worker_name",
]
