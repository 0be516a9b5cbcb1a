"""``noc-console portal complete-reset URL``: the portal's side of a reset link, by hand.

For trying the whole loop without a portal (the demo): open the mail the
mailer left in the folder, paste its link here (a used or expired one is
refused before the password prompt), choose a new password; the
same ``portal_auth.complete_reset`` the portal calls does the rest, so the
link works once, before it expires, and the password policy applies.
"""

from __future__ import annotations

import argparse
from urllib.parse import parse_qs, urlsplit

from noc_console.cli.common import EXIT_OK, CliError, Commands, Run, command_group
from noc_console.cli.connecting import connected, require_schema
from noc_console.cli.prompts import ask_new_password

MAX_URL = 2048


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``portal`` command and its actions."""
    actions = command_group(commands, "portal", "the portal's side, by hand (demo, tests)")
    p = actions.add_parser(
        "complete-reset",
        parents=[db_after],
        help="choose a new portal password with a reset link from a mail",
    )
    p.add_argument("link", metavar="URL", help="the reset link, as the mail shows it")
    p.set_defaults(handler=cmd_complete_reset)


def token_of(url: str, template: str) -> str:
    """The token in ``url``, read by the ``[portal] reset_url`` template (or its query)."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise CliError("that is not a reset link")
    head, _, tail = template.partition("{token}")
    if url.startswith(head) and url.endswith(tail) and len(url) > len(head) + len(tail):
        return url[len(head) : len(url) - len(tail)]
    found = parse_qs(urlsplit(url).query).get("token")
    if found and found[0]:
        return found[0]
    raise CliError("that is not a reset link of this portal ([portal] reset_url)")


def cmd_complete_reset(run: Run) -> int:
    from noc_console.services import portal_auth
    from noc_console.services.context import ServiceContext

    settings = run.settings()
    token = token_of(run.args.link, settings.portal_reset_url)
    run.remember(token)
    with connected(run) as engine:
        require_schema(engine)
        ctx = ServiceContext(engine, portal_reset_url=settings.portal_reset_url)
        # a used, replaced or expired link is refused before anyone types a password
        portal_auth.check_reset_link(ctx, token)
        password = ask_new_password("the portal user")
        run.remember(password)
        portal_auth.complete_reset(ctx, token, password)
    print("password changed: sign in to the portal with it (the link no longer works)")
    return EXIT_OK
