"""A console whose terminal hangs up ends by itself instead of spinning forever.

The child gets a pseudo-terminal as its standard streams but no controlling
terminal (a new session), so closing the master sends it no SIGHUP: the case
of a console started under ``make`` whose SSH session or tmux window dropped.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from noc_console.runtime.terminal import CHECK_SECONDS, terminal_gone, watched_fd


def test_a_hung_up_terminal_is_seen() -> None:
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        assert terminal_gone(slave)
    finally:
        os.close(slave)


def test_no_terminal_is_watched_under_the_test_runner() -> None:
    assert watched_fd() is None  # pytest's standard input is not a terminal


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminal semantics of Linux")
def test_the_console_exits_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOC_CONSOLE_")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    env["TERM"] = "xterm-256color"
    master, slave = pty.openpty()
    url = f"sqlite+pysqlite:///{tmp_path / 'portal.sqlite3'}"
    child = subprocess.Popen(
        [sys.executable, "-m", "noc_console", "--db", url, "--lang", "en"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # no controlling terminal: no SIGHUP will come
    )
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"Operator" not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        assert b"Operator" in seen, "the console never drew its login screen"
        os.close(master)
        master = -1
        # It ends by itself: the wait is generous (a loaded CI machine took over 20 s to
        # wind the app down); how soon is the watcher's CHECK_SECONDS, not this test's.
        child.wait(timeout=max(90, CHECK_SECONDS * 4))
    finally:
        if master >= 0:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode is not None
