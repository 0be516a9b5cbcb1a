"""Memory and CPU of a process from /proc (psutil is not a dependency of the console).

Linux only, like the benchmark machine: VmRSS / VmHWM from /proc/<pid>/status,
utime + stime from /proc/<pid>/stat.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size now, in MiB (reported as MB, as the issue does)."""
    return _status_kib(pid, "VmRSS") / 1024


def hwm_mb(pid: int | str = "self") -> float:
    """Peak resident set size (since start, or since reset_hwm), in MiB."""
    return _status_kib(pid, "VmHWM") / 1024


def reset_hwm() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux >= 4.0); False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time consumed so far by the process (all its threads)."""
    raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of the full line
    return (utime + stime) / CLOCK_TICKS
