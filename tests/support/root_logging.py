"""Putting the root logger back: ``cli.main()`` and ``logs.setup_logging`` point it at a file."""

from __future__ import annotations

import logging


def reset_root_logger(handlers: list[logging.Handler], level: int) -> None:
    """Give the root logger back exactly ``handlers`` and ``level``; close the ones added."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
