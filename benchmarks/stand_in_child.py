"""A UI benchmark child with one of the console's stand-ins swapped for the stock part.

``python -m benchmarks.stand_in_child MODE --swap SWAP ...`` runs
``benchmarks.ui_child`` MODE with the other arguments, after the swap, so the
very same measurement compares the console as shipped with the console
without that part (``benchmarks.stand_ins`` reads both):

* ``as-shipped``: nothing swapped;
* ``gc-off``: the app built with ``gc_policy=False`` (Python's own collector);
* ``datatable``: LineTable's two overrides removed, so every table of the console
  draws and measures its cells through DataTable's own code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def as_shipped() -> None:
    """Nothing to change: the A of the A/B."""


def gc_off() -> None:
    """Every console app the child builds leaves the collector at Python's defaults."""
    from benchmarks import ui_child

    def console_app(url: str) -> Any:
        # Imported here, not at the swap: the lookup child wraps the search service
        # before any screen imports it.
        from noc_console.app import make_app
        from noc_console.config import load_settings

        return make_app(load_settings(db_flag=url, lang_flag="pt_BR"), gc_policy=False)

    ui_child.console_app = console_app


def datatable() -> None:
    """LineTable (and every table built on it) falls back to DataTable's methods."""
    from noc_console.widgets.line_table import LineTable

    for name in ("_render_cell", "_update_dimensions"):
        delattr(LineTable, name)


SWAPS: dict[str, Callable[[], None]] = {
    "as-shipped": as_shipped,
    "gc-off": gc_off,
    "datatable": datatable,
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    at = args.index("--swap")
    swap = args[at + 1]
    del args[at : at + 2]
    SWAPS[swap]()
    from benchmarks import ui_child

    return ui_child.main(args)


if __name__ == "__main__":
    sys.exit(main())
