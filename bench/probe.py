"""Measuring tools shared by the benchmarks: an event-loop heartbeat, RSS, percentiles and a countdown."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import resource
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

HEARTBEAT = 0.010  # seconds between the heartbeat's wake-ups
BLOCK_LIMIT = 0.100  # a wake-up later than this counts as a long block


def peak_rss_mib() -> float:
    """The process's peak resident set size so far, in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    """The process's resident set size now, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (every process: PostgreSQL and others' work too)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def load_average() -> float:
    """The machine's load average over the last minute."""
    with open("/proc/loadavg") as loadavg:
        return float(loadavg.read().split()[0])


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile q (0-100) of already sorted values; None when there are none."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def spread(values: Sequence[float], name: str, scale: float = 1.0, digits: int = 3) -> dict[str, Any]:
    """p50, p99 and max of values (times scale), as name_p50, name_p99, name_max."""
    ordered = sorted(values)
    result: dict[str, Any] = {}
    for label, q in (("p50", 50), ("p99", 99), ("max", 100)):
        value = percentile(ordered, q)
        result[f"{name}_{label}"] = None if value is None else round(value * scale, digits)
    return result


class Countdown:
    """Counts work done towards a target; `done` is set once it is reached."""

    def __init__(self, target: int) -> None:
        self.left = target
        self.done = asyncio.Event()
        if target <= 0:
            self.done.set()

    def add(self, count: int) -> None:
        """Count `count` more pieces of work done."""
        self.left -= count
        if self.left <= 0:
            self.done.set()


class Heartbeat:
    """A task that sleeps HEARTBEAT in a loop and records how late each wake-up is: how long the loop was blocked."""

    def __init__(self, period: float = HEARTBEAT) -> None:
        self.period = period
        self.delays: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._expected = 0.0

    async def __aenter__(self) -> Heartbeat:
        self._task = asyncio.create_task(self._beat())
        await asyncio.sleep(0)  # let it arm its first sleep before the measured work starts
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        overdue = asyncio.get_running_loop().time() - self._expected
        if overdue > 0:  # the work ended during a block that this wake-up has not seen the end of yet
            self.delays.append(overdue)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._expected = loop.time() + self.period
            await asyncio.sleep(self.period)
            self.delays.append(loop.time() - self._expected)

    def summary(self) -> dict[str, Any]:
        """The loop's blocks in milliseconds: p50, p99, max, and how many wake-ups were later than BLOCK_LIMIT."""
        return {**spread(self.delays, "loop_block_ms", scale=1000, digits=1), "heartbeats": len(self.delays),
                "loop_blocks_over_100ms": sum(delay > BLOCK_LIMIT for delay in self.delays)}


async def measured(work: Callable[[], Awaitable[None]]) -> dict[str, Any]:
    """Run work under a heartbeat and a loop-step CPU meter (bench/loopcpu.py).

    Reports its wall time, this process's CPU time, the loop's blocks, the CPU time of its steps, the peak RSS after,
    and the machine's load: the load average before, and the CPU time other processes used meanwhile.
    """
    from bench.loopcpu import LoopCPU  # it imports this module's spread

    load = load_average()
    with LoopCPU() as steps:
        async with Heartbeat() as heartbeat:
            started, cpu_started, busy = time.perf_counter(), time.process_time(), busy_cpu_seconds()
            await work()
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
            busy = busy_cpu_seconds() - busy
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3), **heartbeat.summary(),
            **steps.summary(), "rss_peak_mib": round(peak_rss_mib(), 1), "load_1min_before": load,
            "machine_busy_cpu_s": round(busy, 1), "others_cpu_s": round(busy - cpu_seconds, 1)}
