"""The run view's "<name> calling…": claimed on opening, renewed before it expires, let go.

A hint for the other consoles, never in the operator's way: a failure is
logged by its type and forgotten. When to renew is ``RunViewState``'s rule
(``claim_due``); this collaborator only makes the calls, off the event loop.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.escalation_runs.dto import RunDetail

log = logging.getLogger(__name__)


class Presence:
    """The view's claim on one run, told to every console through the database."""

    def __init__(
        self, node: DOMNode, ctx: ServiceContext, principal: Principal, run_id: int
    ) -> None:
        self.node = node  # runs the renewal's worker (and cancels it when it goes)
        self.ctx = ctx
        self.principal = principal
        self.run_id = run_id

    def call(self, working: bool) -> None:
        """Tell the database; blocking (a thread's work)."""
        from noc_console.services import escalation_runs

        try:
            escalation_runs.set_working(self.ctx, self.principal, self.run_id, working=working)
        except Exception as err:  # noqa: BLE001 - a hint only: never in the operator's way
            log.info("presence not recorded (%s)", type(err).__name__)

    def claim_and_read(self, services: Any) -> RunDetail:
        """The first read of a view that claims: claimed first, so it shows its own claim."""
        self.call(True)
        detail: RunDetail = services.run_detail(self.ctx, self.principal, self.run_id)
        return detail

    def renew(self) -> None:
        """Renew the claim in a thread worker of the view."""
        self.node.run_worker(
            partial(self.call, True),
            thread=True,
            exit_on_error=False,
            group="presence",
        )

    def release(self) -> None:
        """The view closes: let go in a daemon thread (the view's workers are gone by now)."""
        threading.Thread(target=self.call, args=(False,), name="run-presence", daemon=True).start()
