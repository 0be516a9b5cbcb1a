"""Issue 13 from the lookup: start an escalation run for a result, then open the run.

A self-contained step beside the lookup screen (the modal asks, the run screen
follows); who may start a run is ``may_start_run`` in the lookup's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.search.dto import CustomerHit


def start_run(
    screen: Screen[Any],
    ctx: ServiceContext,
    principal: Principal,
    hit: CustomerHit,
    *,
    read_only: bool,
) -> None:
    """Ask for the run's details over ``screen``; once started, open the run on top."""
    from noc_console.screens.run_start.screen import RunStartModal

    def started(run_id: int | None) -> None:
        if run_id is None:
            return
        from noc_console.screens.run.screen import RunScreen

        screen.app.push_screen(RunScreen(ctx, principal, run_id, read_only=read_only))

    screen.app.push_screen(
        RunStartModal(ctx, principal, hit.customer_id, hit.legal_name),
        started,
    )
