"""The console's garbage-collector policy: what it changes, when, and that it is undone."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from noc_console import gc_policy
from noc_console.gc_policy import COLLECT_AFTER, FULL_THRESHOLD, IDLE_COLLECT_SECONDS, GcPolicy


class _Cycle:
    """An object that refers to itself: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    """Whatever a test does, the next one finds the collector as this one did."""
    saved = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    yield
    if gc_policy._owner is not None:
        gc_policy._owner.undo()
    gc.unfreeze()
    gc.set_threshold(*saved)


def _garbage_cycle() -> weakref.ref[_Cycle]:
    return weakref.ref(_Cycle())


def test_disabled_policy_never_touches_the_collector() -> None:
    before = gc.get_threshold()
    policy = GcPolicy(enabled=False)
    policy.started()
    policy.freeze("connect")
    policy.settle("login")
    assert policy.idle(IDLE_COLLECT_SECONDS * 10) is False
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    policy.undo()
    assert gc.get_threshold() == before


def test_started_raises_only_the_full_threshold_and_undo_restores_it() -> None:
    young, middle, full = before = gc.get_threshold()
    policy = GcPolicy(enabled=True)
    policy.started()
    assert policy.active
    assert gc.get_threshold() == (young, middle, max(full, FULL_THRESHOLD))
    policy.undo()
    assert not policy.active
    assert gc.get_threshold() == before


def test_freeze_and_settle_move_objects_out_of_collections_until_undo() -> None:
    policy = GcPolicy(enabled=True)
    policy.freeze("connect")  # before started(): nothing happens
    assert gc.get_freeze_count() == 0
    policy.started()
    policy.freeze("connect")
    assert gc.get_freeze_count() > 0
    policy.undo()
    assert gc.get_freeze_count() == 0


def test_settle_frees_garbage_before_freezing_where_freeze_keeps_it() -> None:
    policy = GcPolicy(enabled=True)
    policy.started()
    kept = _garbage_cycle()
    policy.freeze("connect")  # no collection first: the cycle is frozen with the rest
    gc.collect()
    assert kept() is not None
    freed = _garbage_cycle()
    policy.settle("login")  # unfreeze, collect, freeze: neither cycle survives
    assert kept() is None and freed() is None
    assert gc.get_freeze_count() > 0
    policy.undo()
    assert gc.get_freeze_count() == 0


def test_full_collections_run_when_due_at_quiet_moments_only() -> None:
    policy = GcPolicy(enabled=True)
    assert policy.collect_if_due("screen change") is False  # not started
    policy.started()
    gc.collect()  # the count of middle collections starts from zero
    assert policy.collect_if_due("screen change") is False  # nothing grew since
    for _ in range(COLLECT_AFTER):
        gc.collect(1)  # each one counts towards the next full collection, as real use would
    cycle = _garbage_cycle()
    assert policy.idle(IDLE_COLLECT_SECONDS - 0.5) is False  # the operator is still typing
    assert cycle() is not None
    assert policy.idle(IDLE_COLLECT_SECONDS) is True
    assert cycle() is None
    assert policy.idle(IDLE_COLLECT_SECONDS + 60) is False  # nothing new since
    for _ in range(COLLECT_AFTER):
        gc.collect(1)
    cycle = _garbage_cycle()
    assert policy.collect_if_due("screen change") is True
    assert cycle() is None
    policy.undo()


def test_a_newer_app_takes_the_collector_over_from_an_older_one() -> None:
    """An app that never unmounted (a failed test) does not leave its settings behind."""
    before = gc.get_threshold()
    old, new = GcPolicy(enabled=True), GcPolicy(enabled=True)
    old.started()
    old.freeze("connect")
    new.started()
    assert not old.active and new.active
    assert gc.get_freeze_count() == 0  # the old freeze was undone
    assert gc.get_threshold() == (before[0], before[1], max(before[2], FULL_THRESHOLD))
    old.undo()  # a late exit of the old app changes nothing any more
    assert new.active
    new.undo()
    assert gc.get_threshold() == before
