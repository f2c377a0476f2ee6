"""CPU time of each event-loop step: how long the loop thread computed between two awaits, whatever the machine's load.

A wall-clock heartbeat (bench/probe.py) says how late the loop answered, which grows when other processes share the
cores; the CPU time a step took on the loop's thread (`time.thread_time`) does not, so it is the measure to hold
under a limit. Every callback the loop runs (a task's step from one await to the next, a timer, an I/O callback)
goes through `asyncio.events.Handle._run`: `LoopCPU` wraps it while it is entered.

    with LoopCPU() as steps:
        await work()
    print(steps.summary())  # step_cpu_ms_p50/p99/max, steps over the limit, the largest steps and where they ended

The wrapper costs about a microsecond a step. Work in other threads (aiosqlite's SQLite calls) is not counted: it
does not hold the loop.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import time
from array import array
from types import FrameType
from typing import Any

from bench.probe import spread

LIMIT = 0.050  # seconds of CPU a step may take
LARGEST = 8  # how many of the largest steps the summary describes
NOTED = 0.005  # a step above this CPU time has its place recorded


class LoopCPU:
    """Measures the CPU time of every loop step while entered (one at a time: it patches the Handle class)."""

    def __init__(self, limit: float = LIMIT, largest: int = LARGEST) -> None:
        self.limit = limit
        self.largest = largest
        self.cpu = array("d")
        self.wall_max = 0.0
        self.top: list[tuple[float, float, int, float, str]] = []  # (cpu, wall, order, gc, where): the largest
        self._original: Any = None
        self.gc_cpu = 0.0  # CPU time of the step running now spent in the cyclic garbage collector
        self.gc_max = 0.0  # the longest collection
        self.gc_total = 0.0
        self._gc_started = 0.0

    def __enter__(self) -> LoopCPU:
        if getattr(asyncio.events.Handle._run, "__loopcpu__", False):
            raise RuntimeError("LoopCPU is already measuring")
        self._original = original = asyncio.events.Handle._run
        meter = self

        def run(handle: asyncio.events.Handle) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                original(handle)
            finally:
                meter.note(handle, time.thread_time() - cpu, time.perf_counter() - wall)

        run.__loopcpu__ = True  # type: ignore[attr-defined]
        asyncio.events.Handle._run = run  # type: ignore[method-assign]
        gc.callbacks.append(self._collecting)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        gc.callbacks.remove(self._collecting)

    def _collecting(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.thread_time()
            return
        spent = time.thread_time() - self._gc_started
        self.gc_cpu += spent
        self.gc_total += spent
        self.gc_max = max(self.gc_max, spent)

    def note(self, handle: asyncio.events.Handle, cpu: float, wall: float) -> None:
        """Count one step; remember where the largest ones ended."""
        self.cpu.append(cpu)
        collected, self.gc_cpu = self.gc_cpu, 0.0
        if wall > self.wall_max:
            self.wall_max = wall
        if cpu < NOTED or (len(self.top) >= self.largest and cpu <= self.top[0][0]):
            return
        entry = (cpu, wall, len(self.cpu), collected, where(handle))
        if len(self.top) < self.largest:
            heapq.heappush(self.top, entry)
        else:
            heapq.heapreplace(self.top, entry)

    def summary(self) -> dict[str, Any]:
        """Steps, their CPU time in ms (p50, p99, max), how many went over the limit, and the largest ones."""
        return {"loop_steps": len(self.cpu), **spread(self.cpu, "step_cpu_ms", scale=1000, digits=2),
                "step_wall_ms_max": round(self.wall_max * 1000, 1), "gc_cpu_s": round(self.gc_total, 3),
                "gc_ms_max": round(self.gc_max * 1000, 1),
                f"steps_over_{round(self.limit * 1000)}ms_cpu": sum(cpu > self.limit for cpu in self.cpu),
                "largest_steps": [{"cpu_ms": round(cpu * 1000, 1), "wall_ms": round(wall * 1000, 1), "step": order,
                                   "gc_ms": round(collected * 1000, 1), "ended_at": place}
                                  for cpu, wall, order, collected, place in sorted(self.top, reverse=True)]}


def where(handle: asyncio.events.Handle) -> str:
    """Where a step ended: the innermost await of the task it ran, or the callback's name."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        if task.done():
            return f"{_name(coro)} (returned)"
        return " > ".join(_chain(coro)[-3:]) or _name(coro)
    return getattr(callback, "__qualname__", repr(callback))


def _chain(awaitable: Any) -> list[str]:
    """file:line function of each frame along a coroutine's await chain, outermost first."""
    places: list[str] = []
    while awaitable is not None and len(places) < 40:
        frame: FrameType | None = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is not None:
            places.append(f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno} {frame.f_code.co_name}")
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
    return places


def _name(coro: Any) -> str:
    return str(getattr(coro, "__qualname__", coro))
