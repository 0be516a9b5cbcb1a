"""Ending the console when its terminal is gone (a dropped SSH session, a closed tmux).

Textual's Linux driver reads end of input on a hung-up terminal as "stdin is a
pipe" and spins on it; when no SIGHUP reaches the console (started under
``make``, for one) it stays alive at most of a core, holding its database
pool, forever. A hung-up terminal fails ``tcgetattr`` with EIO, so the app
asks every few seconds and exits cleanly when it does. Plain Python: no Textual.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

CHECK_SECONDS = 5.0
EXIT_GRACE_SECONDS = 3.0


def watched_fd() -> int | None:
    """The terminal to watch: standard input when it is one (pipes and tests have none)."""
    stdin = sys.__stdin__
    try:
        fd = stdin.fileno() if stdin is not None else -1
    except (AttributeError, ValueError, OSError):
        return None
    return fd if fd >= 0 and os.isatty(fd) else None


def terminal_gone(fd: int) -> bool:
    """True once the terminal on ``fd`` has hung up (or the platform cannot tell: never)."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal: nothing to watch
        return False
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return True
    return False


def exit_soon_regardless(grace: float = EXIT_GRACE_SECONDS) -> None:
    """Make sure the process ends even if a clean exit blocks on the dead terminal.

    Restoring a terminal that is gone can block inside the driver; nobody is there
    to see it, so after ``grace`` seconds the logs are flushed and the process ends.
    """

    def _end() -> None:
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(grace, _end)
    timer.daemon = True
    timer.start()
