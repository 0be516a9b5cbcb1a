"""The contract list's CSV export as a job of the browser: one at a time, in a worker thread.

The service writes the file (and decides whether values go in it); this job
picks the file name, runs the service off the UI thread and says the outcome
in a toast. The browser owns it and forwards its key and its ``ExportDone``.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.screen import Screen

from noc_console.i18n import _
from noc_console.screens.contracts.state import ContractBrowserState, ContractQuery
from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.problem import Problem, describe_problem
from noc_console.services import contracts
from noc_console.services.contracts import ExportResult
from noc_console.widgets.money import count

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext


class ExportDone(Message):
    """The export ended: ``result`` when written, else ``problem`` says why not."""

    def __init__(self, result: ExportResult | None, problem: Problem | None = None) -> None:
        super().__init__()
        self.result = result
        self.problem = problem


class ContractExport:
    """Exports the list ``state`` shows for one customer, into ``export_dir``."""

    def __init__(
        self,
        screen: Screen[None],
        state: ContractBrowserState,
        ctx: ServiceContext,
        principal: Principal,
        customer_id: int,
        export_dir: Path,
    ) -> None:
        self.screen = screen
        self.state = state
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.export_dir = export_dir

    def start(self) -> None:
        if not self.state.start_export():
            self.screen.notify(_("An export is already running."), severity="warning")
            return
        self.screen.notify(_("Exporting contracts…"), timeout=2)
        path = self.state.export_path(self.ctx.clock.now(), self.export_dir, self.customer_id)
        self.screen.run_worker(
            partial(self._write, self.state.query, path),
            name="_export_worker",
            group="contracts-export",
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def _write(self, query: ContractQuery, path: Path) -> None:
        """In the worker thread: the service writes the file; the outcome goes back by message."""
        try:
            result = contracts.export_csv(
                self.ctx,
                self.principal,
                self.customer_id,
                path,
                status=query.status,
                text=query.text,
                sort=query.sort,
                descending=query.descending,
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            self.screen.post_message(ExportDone(None, describe_problem(err)))
        else:
            self.screen.post_message(ExportDone(result))

    def finished(self, message: ExportDone) -> None:
        """Say how the export ended (a toast); a database outage is reported to the app too."""
        self.state.export_finished(message.result)
        result, problem = message.result, message.problem
        if result is not None:
            note = "" if result.values_included else " " + _("(values omitted)")
            exported = _("{rows} contracts exported to {path}").format(
                rows=count(result.rows), path=result.path
            )
            self.screen.notify(exported + note, title=_("CSV exported"), markup=False, timeout=10)
        elif problem is not None:
            detail = " ".join(m for messages in problem.fields.values() for m in messages)
            self.screen.notify(
                detail or problem.message,
                title=_("Export failed"),
                severity="error",
                markup=False,
                timeout=10,
            )
            if problem.database_down:
                self.screen.post_message(DatabaseProblem(problem.message))
