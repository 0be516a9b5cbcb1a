"""Keyset paging of one list, as plain state: which pages are held, which one is on its way.

The contract browser and the audit log both load a list a page at a time in a
thread worker; the answer comes back stamped with the list's generation and
the page's index, so an answer for an older list (another filter or sort) or
for a request no longer current is dropped instead of being mixed in. A list
may keep only a window of pages (``keep``): the cursor of every page seen is
remembered, so a page evicted from the window is fetched again when the reader
comes back to it, and the first page is kept aside (going back to the top needs
no query). No Textual here: the screens ask this class and show its answers.
"""

from __future__ import annotations

from typing import Generic, Literal, Protocol, TypeVar


class KeysetPage(Protocol):
    """What paging needs of a page: the cursor of the page after it (None: the list ends)."""

    @property
    def next_cursor(self) -> str | None: ...


P = TypeVar("P", bound=KeysetPage)

Side = Literal["below", "above"]


class PageWindow(Generic[P]):
    """The pages of the list shown, ``pages[0]`` being page ``start`` of the whole list.

    One page is fetched at a time (``fetching``); ``keep`` (None: every page)
    is how many pages the window holds at most.
    """

    def __init__(self, keep: int | None = None) -> None:
        self.keep = keep
        self.generation = 0
        self.loading_first = False
        self.pages: list[P] = []
        self.start = 0
        self.cursors: list[str | None] = [None]  # cursors[i] fetches page i
        self.first_page: P | None = None
        self.fetching: int | None = None  # the page on its way, if any

    def restart(self) -> int:
        """A new list: nothing held, its first page on its way; returns the new generation."""
        self.generation += 1
        self.loading_first = True
        self.pages = []
        self.start = 0
        self.cursors = [None]
        self.first_page = None
        self.fetching = 0
        return self.generation

    @property
    def end(self) -> int:
        """The index of the page just below the window."""
        return self.start + len(self.pages)

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the page below the window; None when the window ends the list."""
        index = self.end
        return self.cursors[index] if self.pages and index < len(self.cursors) else None

    @property
    def loading_more(self) -> bool:
        """A page other than a new list's first is on its way (below or above the window)."""
        return self.fetching is not None and not self.loading_first

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def expects(self, generation: int, index: int) -> bool:
        """True for the answer to the request on its way; any other answer is stale."""
        return generation == self.generation and index == self.fetching

    def next_index(self) -> int | None:
        """The page to fetch below the window, or None (a page on its way, or the list ends)."""
        if self.loading_first or self.fetching is not None or self.next_cursor is None:
            return None
        return self.end

    def previous_index(self) -> int | None:
        """The page to bring back above the window, or None (one on its way, or at the top)."""
        if self.loading_first or self.fetching is not None or self.start == 0:
            return None
        return self.start - 1

    def fetch(self, index: int) -> str | None:
        """Mark page ``index`` as on its way; returns the cursor that fetches it."""
        self.fetching = index
        return self.cursors[index]

    def arrived(self, index: int, page: P) -> None:
        """Page ``index`` came: nothing is on its way now; its cursor to the next is kept."""
        self.fetching = None
        self.loading_first = False
        if index == 0:
            self.first_page = page
        if page.next_cursor is not None and len(self.cursors) == index + 1:
            self.cursors.append(page.next_cursor)

    def failed(self) -> None:
        """The page on its way could not come: the pages held stay."""
        self.loading_first = False
        self.fetching = None

    def place(self, index: int, page: P) -> Side | None:
        """Put page ``index`` next to the window; None when it is no longer next to it.

        (One fetch at a time and a new list starts a new generation, so None does not
        happen in practice: the page is then simply dropped.)
        """
        if not self.pages or index == self.end:
            if not self.pages:
                self.start = index
            self.pages.append(page)
            return "below"
        if index == self.start - 1:
            self.pages.insert(0, page)
            self.start = index
            return "above"
        return None

    def trim(self, side: Side, held: int) -> None:
        """Keep the ``held`` pages nearest to the page just placed on ``side`` (the others
        were evicted, the farthest from the reader first)."""
        if side == "below":
            evicted = len(self.pages) - held
            del self.pages[:evicted]
            self.start += evicted
        else:
            del self.pages[held:]

    def back_to_top(self) -> P | None:
        """The kept first page as the whole window (no query); None while there is none.

        A page on its way no longer fits the window: it is dropped on arrival.
        """
        if self.first_page is None or self.loading_first:
            return None
        self.fetching = None
        self.pages = [self.first_page]
        self.start = 0
        return self.first_page
