"""Running service calls from many threads at once, with a bound on how long anything may take.

A deadlock or a lock that is never released shows up as a thread still alive
after its join timeout: the helper fails the test instead of hanging CI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ThreadRun:
    """What a batch of threads left behind: unexpected errors and the wall time."""

    errors: list[BaseException] = field(default_factory=list)
    seconds: float = 0.0


def run_threads(n: int, target: Callable[[int], None], *, timeout: float = 120.0) -> ThreadRun:
    """Start ``n`` threads running ``target(i)``; join each within ``timeout`` seconds in total.

    Every exception a thread did not handle is collected (a thread's own
    traceback would otherwise only be printed, and the test would pass).
    """
    run = ThreadRun()
    lock = threading.Lock()

    def wrapped(i: int) -> None:
        try:
            target(i)
        except BaseException as err:
            with lock:
                run.errors.append(err)

    threads = [
        threading.Thread(target=wrapped, args=(i,), name=f"reliability-{i}", daemon=True)
        for i in range(n)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    deadline = started + timeout
    for t in threads:
        t.join(timeout=max(deadline - time.perf_counter(), 0.0))
    run.seconds = time.perf_counter() - started
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, f"threads still running after {timeout:.0f} s (deadlock?): {alive}"
    return run
