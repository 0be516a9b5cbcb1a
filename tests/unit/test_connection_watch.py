"""ConnectionWatch: which connection answer counts and when the outage starts and ends."""

from __future__ import annotations

from noc_console.runtime.connection_watch import ConnectionWatch


def test_only_the_latest_attempt_counts() -> None:
    watch = ConnectionWatch()
    first = watch.next_attempt()
    second = watch.next_attempt()
    assert (first, second) == (1, 2)
    assert watch.is_stale(first)
    assert not watch.is_stale(second)


def test_an_outage_is_news_once_and_keeps_the_newest_reason() -> None:
    watch = ConnectionWatch()
    assert not watch.is_down
    assert watch.report_problem("server gone")
    assert not watch.report_problem("still gone")
    assert watch.is_down and watch.problem == "still gone"


def test_an_answer_ends_the_outage_once() -> None:
    watch = ConnectionWatch()
    assert not watch.answered()  # nothing to end
    watch.report_problem("server gone")
    assert watch.answered()
    assert watch.problem is None
    assert not watch.answered()


def test_the_periodic_check_waits_for_a_login_and_leaves_an_outage_to_the_retries() -> None:
    watch = ConnectionWatch()
    assert not watch.wants_health_check(logged_in=False)
    assert watch.wants_health_check(logged_in=True)
    watch.report_problem("server gone")
    assert not watch.wants_health_check(logged_in=True)
