"""The demo's escalation runs: every stage on the board, and history for the supervisors."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select

from noc_console.clock import FixedClock
from noc_console.models import Operator, Role
from noc_console.services import escalation_runs as runs
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs import Stage
from tests.db.test_demo import _seed


def test_the_demo_board_shows_each_stage_and_history(engine: Engine, clock: FixedClock) -> None:
    _seed(engine, clock)
    ctx = ServiceContext(engine, clock=clock)
    with ctx.sessions() as s:
        sara = s.scalars(select(Operator).where(Operator.username == "sara.supervisora")).one()
        who = Principal(sara.id, sara.username, sara.display_name, Role.SUPERVISOR)
    board = runs.board(ctx, who)
    now = clock.now()
    stages = Counter(runs.position(r, now).stage for r in board.runs)
    assert stages == {Stage.DUE: 2, Stage.CALLING: 1, Stage.ACKNOWLEDGED: 1}
    due = [r for r in board.runs if runs.position(r, now).stage is Stage.DUE]
    assert sorted(runs.position(r, now).seconds(now) < 60 for r in due) == [False, True]
    stats = runs.period_stats(ctx, who, now - timedelta(days=61), now + timedelta(seconds=1))
    assert sum(s.runs for s in stats) >= 20
    assert any(s.acknowledged_at_l1 for s in stats)
