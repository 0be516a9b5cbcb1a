"""``noc-console mailer``: deliver the outbox (reset links) over SMTP, or into a folder.

Runs until SIGTERM or SIGINT (a systemd service), or with ``--once`` delivers
what is due and exits (cron). A stop request lets the message in flight finish
and be recorded, then exits 0. A database that stops answering is waited for
(one log line per outage); at start-up it must answer, or the command fails
with one line like every other.

Log lines go to the log file and to stderr (journald keeps them for a
service); none carries a link, a token or the SMTP password.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from types import FrameType

from noc_console.cli.common import EXIT_OK, CliError, Commands, Run
from noc_console.cli.connecting import connected, require_schema

log = logging.getLogger("noc_console.mailer")


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``mailer`` command."""
    p = commands.add_parser(
        "mailer",
        parents=[db_after],
        help="deliver queued mail (reset links) over SMTP, or into the demo's folder",
    )
    p.add_argument(
        "--once", action="store_true", help="deliver what is due now and exit (for cron)"
    )
    p.set_defaults(handler=cmd_mailer)


def _log_to_stderr() -> None:
    from noc_console.logs import RedactSecrets

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("noc-console mailer: %(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def cmd_mailer(run: Run) -> int:
    from noc_console.mail_settings import smtp_password
    from noc_console.services.context import ServiceContext
    from noc_console.services.mailer import Relay, make_transport

    settings = run.settings()
    mail = settings.mail
    password = None
    if mail.transport == "smtp" and mail.username:
        password = smtp_password(mail, os.environ)
        run.remember(password)
        if not password:
            raise CliError(
                f"no SMTP password for {mail.password_account}: store it with"
                " `noc-console mail set-password` or set NOC_CONSOLE_SMTP_PASSWORD"
            )
    _log_to_stderr()
    with connected(run) as engine:
        require_schema(engine)
        ctx = ServiceContext(engine, portal_reset_url=settings.portal_reset_url)
        relay = Relay(ctx, mail, make_transport(mail, password))

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info(
                "stop requested (%s): finishing the message in flight", signal.Signals(signum).name
            )
            relay.stop.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            log.info("mailer %s started: delivering to %s", relay.worker, mail.where)
            counts = relay.run_once() if run.args.once else relay.run_forever()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    summary = ", ".join(
        f"{counts.get(state, 0)} {state}" for state in ("sent", "retrying", "failed", "expired")
    )
    log.info("mailer %s stopped: %s", relay.worker, summary)
    print(f"mail: {summary}")
    return EXIT_OK
