"""A misheard name on the lookup screen (issue 16): found, and the reason says what the typo
was taken for, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from noc_console.widgets.results import ResultsTable, match_reason
from tests.ui.helpers import add_operator, logged_in, search_for, table_rows


@pytest.fixture
def world(portal_url: str) -> dict[str, int]:
    from tests.ui.helpers import seed_world

    add_operator(portal_url)
    return seed_world(portal_url)


def _rows(app: Any) -> list[str]:
    return table_rows(app.screen.query_one(ResultsTable))


async def test_a_typo_is_forgiven_and_labelled(portal_url: str, world: dict[str, int]) -> None:
    async with logged_in(portal_url) as pilot:
        app = pilot.app
        await search_for(pilot, "padria")  # one letter short of 'Padaria'
        rows = _rows(app)
        assert rows and rows[0].startswith("Padaria São João Ltda")
        assert "legal name: Padaria São João Ltda (similar to Padaria)" in rows[0]
        # The word is underlined in the name too: a narrow column may cut the words after.
        reason = match_reason(app.screen.query_one(ResultsTable).records[0])
        underlined = [reason.plain[s.start : s.end] for s in reason.spans if s.style == "underline"]
        assert underlined == ["Padaria"]
        await search_for(pilot, "joao padar")  # words out of order, the last one cut
        rows = _rows(app)
        assert rows[0].startswith("Padaria São João Ltda")
        assert "similar to" not in rows[0]
