"""PageWindow: which page is due, which answers are stale, what the window holds."""

from __future__ import annotations

from dataclasses import dataclass

from noc_console.screens.paging import PageWindow


@dataclass(frozen=True)
class Page:
    number: int
    next_cursor: str | None


def page(number: int, *, last: bool = False) -> Page:
    return Page(number, None if last else f"after-{number}")


def loaded(window: PageWindow[Page], *numbers: int) -> None:
    """Fetch and receive ``numbers`` in order, each below the window."""
    for number in numbers:
        if number:
            assert window.next_index() == number
            assert window.fetch(number) == f"after-{number - 1}"
        window.arrived(number, page(number))
        side = window.place(number, page(number))
        assert side == "below"
        if window.keep is not None:
            window.trim(side, min(len(window.pages), window.keep))


def test_a_new_list_waits_for_its_first_page() -> None:
    window: PageWindow[Page] = PageWindow(keep=3)
    assert window.restart() == 1
    assert window.loading_first and not window.loading_more
    assert window.fetching == 0 and window.next_index() is None
    assert window.next_cursor is None  # nothing held yet
    window.arrived(0, page(0))
    window.place(0, page(0))
    assert not window.loading_first
    assert window.first_page == page(0)
    assert window.next_cursor == "after-0" and window.next_index() == 1


def test_one_page_at_a_time_and_stale_answers() -> None:
    window: PageWindow[Page] = PageWindow()
    generation = window.restart()
    loaded(window, 0)
    window.fetch(window.next_index() or 0)
    assert window.loading_more
    assert window.next_index() is None  # already on its way
    assert window.expects(generation, 1)
    assert not window.expects(generation, 2)  # not the request on its way
    assert not window.expects(generation - 1, 1)  # an older list
    assert window.restart() == generation + 1
    assert not window.is_current(generation)


def test_the_list_ends_where_a_page_has_no_next_cursor() -> None:
    window: PageWindow[Page] = PageWindow()
    window.restart()
    window.arrived(0, page(0, last=True))
    window.place(0, page(0, last=True))
    assert window.next_cursor is None and window.next_index() is None


def test_the_window_evicts_far_pages_and_remembers_their_cursors() -> None:
    window: PageWindow[Page] = PageWindow(keep=3)
    window.restart()
    loaded(window, 0, 1, 2, 3, 4)
    assert [p.number for p in window.pages] == [2, 3, 4]
    assert window.start == 2 and window.end == 5
    assert window.previous_index() == 1
    assert window.fetch(1) == "after-0"  # the evicted page's cursor was kept
    window.arrived(1, page(1))
    side = window.place(1, page(1))
    assert side == "above"
    window.trim(side, 3)
    assert [p.number for p in window.pages] == [1, 2, 3] and window.start == 1
    assert window.place(7, page(7)) is None  # not next to the window: dropped


def test_back_to_top_uses_the_kept_first_page() -> None:
    window: PageWindow[Page] = PageWindow(keep=3)
    assert window.back_to_top() is None  # no list yet
    window.restart()
    loaded(window, 0, 1, 2, 3)
    window.fetch(4)
    assert window.back_to_top() == page(0)
    assert window.pages == [page(0)] and window.start == 0
    assert window.fetching is None  # the page on its way no longer fits: dropped on arrival


def test_a_failure_keeps_the_pages() -> None:
    window: PageWindow[Page] = PageWindow()
    window.restart()
    loaded(window, 0)
    window.fetch(1)
    window.failed()
    assert window.pages == [page(0)] and not window.loading_more
    assert window.next_index() == 1  # it may be asked for again
