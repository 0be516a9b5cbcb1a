"""The login screen's TextSpinner turns while shown and holds no timer once hidden."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from noc_console.widgets.text_spinner import FRAMES, TextSpinner


class SpinnerApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TextSpinner(id="spinner")


async def _frame_changes(spinner: TextSpinner, seconds: float) -> bool:
    """Whether the shown frame changes within ``seconds`` (generous: the CI machine is slow)."""
    before = str(spinner.content)
    for _ in range(int(seconds / 0.05)):
        await asyncio.sleep(0.05)
        if str(spinner.content) != before:
            return True
    return False


async def test_spins_while_shown_and_stops_when_hidden() -> None:
    app = SpinnerApp()
    async with app.run_test() as pilot:
        spinner = app.query_one(TextSpinner)
        spinner.spin(True)
        assert spinner.display
        assert await _frame_changes(spinner, 3.0)
        assert str(spinner.content) in FRAMES

        spinner.spin(False)
        await pilot.pause()
        assert not spinner.display
        assert spinner._timer is None
        assert not await _frame_changes(spinner, 0.5)  # five frames' time, nothing moves

        spinner.spin(True)  # shown again: one timer, turning again
        assert await _frame_changes(spinner, 3.0)
