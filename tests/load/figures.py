"""Figures for the benchmark: latency percentiles and a process's CPU and peak memory."""

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` from 0 to 1) of `values`, or None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency_summary(latencies_s: list[float], expected: int) -> dict:
    """p50, p99 and max in milliseconds, with how many arrived out of how many expected."""
    return {
        "p50_ms": milliseconds(percentile(latencies_s, 0.50)),
        "p99_ms": milliseconds(percentile(latencies_s, 0.99)),
        "max_ms": milliseconds(max(latencies_s) if latencies_s else None),
        "delivered": len(latencies_s),
        "expected": expected,
    }


def milliseconds(seconds: float | None) -> float | None:
    """Seconds as milliseconds, rounded to a tenth."""
    return None if seconds is None else round(seconds * 1000, 1)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def runqueue_wait_seconds(pid: int) -> float:
    """How long a process's main thread was ready to run but waited for a CPU.

    From /proc/<pid>/schedstat. On a shared machine this tells the server's own slowness
    from the time other programs held the cores.
    """
    with open(f"/proc/{pid}/schedstat") as schedstat:
        return int(schedstat.read().split()[1]) / 1e9


@dataclass
class CpuMeter:
    """Seconds of CPU used (or, with another `read`, waited for) by some processes."""

    pids: list[int]
    read: Callable[[int], float] = cpu_seconds
    last: float = 0.0

    def __post_init__(self):
        self.last = self.total()

    def total(self) -> float:
        """Seconds used by all the processes so far."""
        return sum(self.read(pid) for pid in self.pids)

    def lap(self) -> float:
        """Seconds used since the previous lap (or since the meter was made)."""
        now = self.total()
        used, self.last = now - self.last, now
        return round(used, 2)
