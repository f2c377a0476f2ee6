"""The loop-step CPU meter the benchmarks use: it sees every step, names the heavy one, and leaves asyncio as it was."""

import asyncio
import gc

import pytest

from bench.loopcpu import LoopCPU
from bot.app import settle_heap


def burn(rounds: int) -> int:
    total = 0
    for i in range(rounds):
        total += i * i % 7
    return total


async def heavy_step() -> None:
    await asyncio.sleep(0)
    burn(300_000)  # one step with far more work than any other in this test
    await asyncio.sleep(0)


async def light_steps() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_the_heaviest_step_is_found_and_named() -> None:
    original = asyncio.events.Handle._run
    with LoopCPU(limit=0.0, largest=2) as steps:
        await asyncio.gather(asyncio.create_task(light_steps()), asyncio.create_task(heavy_step()))
    assert asyncio.events.Handle._run is original
    summary = steps.summary()
    assert summary["loop_steps"] >= 50
    heaviest = summary["largest_steps"][0]
    assert "heavy_step" in heaviest["ended_at"] and "sleep" in heaviest["ended_at"]
    assert abs(heaviest["cpu_ms"] - summary["step_cpu_ms_max"]) < 0.1
    assert summary["steps_over_0ms_cpu"] >= 1
    assert len(summary["largest_steps"]) <= 2


def test_meters_do_not_nest() -> None:
    with LoopCPU(), pytest.raises(RuntimeError, match="already"):
        LoopCPU().__enter__()


def test_settle_heap_freezes_what_start_up_made() -> None:
    try:
        settle_heap()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
