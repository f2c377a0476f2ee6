"""Nudge tick benchmark: a burst of due nudges, a steady stream of them, and APScheduler's own date jobs.

    PYTHONPATH=. .venv/bin/python -m bench.nudges burst --backend postgresql --count 100000
    PYTHONPATH=. .venv/bin/python -m bench.nudges steady --backend sqlite --count 100000 --spread-seconds 600
    PYTHONPATH=. .venv/bin/python -m bench.nudges apscheduler --count 100000
    PYTHONPATH=. .venv/bin/python -m bench.nudges machine

bench/README.md says what is measured and holds the results. Each command prints one JSON line. A nudge
scenario seeds a fresh database (a file under /tmp, or a new PostgreSQL database named bench_*) in one
subprocess and measures in another, fresh one, so that the peak RSS it reports belongs to the measured work and
not to seeding; then it drops the database. APScheduler runs in a fresh subprocess too.

Seeded due times count from ANCHOR. The measuring process runs gigbot's real SystemClock, set once to a constant
offset (it still runs at real speed) so that ANCHOR falls where the scenario wants it: a moment before the burst
starts, or LEAD after the steady-state Scheduler starts.

The Scheduler's refused tick runs (APScheduler's EVENT_JOB_MAX_INSTANCES) are counted: the bug these runs found,
a tick that stopped for good, showed as one such refusal (see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench import harness
from bench.harness import DATABASES, PG_ADMIN_URL
from bench.probe import Countdown, measured, peak_rss_mib, rss_mib, spread
from bot.app import App, build_app, settle_heap
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.states import NudgeState
from bot.scheduler import Scheduler
from bot.services.nudge_tick import BATCH, TickResult
from bot.store.db import make_engine, migrate, session_factory
from bot.store.models import Nudge, OutboxMessage
from tests.seed import seed_due_nudges

MODULE = "bench.nudges"  # how the stages run this module in their own processes
ANCHOR = datetime(2030, 1, 1, tzinfo=UTC)  # nudge i is due at ANCHOR + i * spread / count
SEEDED = ANCHOR - timedelta(days=2)  # when the seeded applications were made
MOMENT = timedelta(milliseconds=1)  # burst: how long before the drain starts everything fell due
LEAD = timedelta(seconds=3)  # steady: how long after the Scheduler starts the first nudge falls due
GRACE = timedelta(seconds=60)  # steady: how long past the last due time the run may take before it is cut
STOP_WAIT = timedelta(seconds=10)  # steady: how long a tick still running at the end may take to finish


@dataclass(frozen=True)
class Load:
    """What a nudge scenario runs: how many nudges, over how long they fall due, and the Scheduler's knobs."""

    count: int
    spread_seconds: float = 0.0
    batch: int = BATCH

    @classmethod
    def of(cls, args: argparse.Namespace) -> Load:
        """The load the command line asks for."""
        return cls(args.count, args.spread_seconds, args.batch)

    def argv(self) -> tuple[str, ...]:
        """The same load as command-line options, for a stage run in a subprocess."""
        return ("--count", str(self.count), "--spread-seconds", str(self.spread_seconds), "--batch", str(self.batch))

    def due(self, i: int) -> datetime:
        """When nudge i falls due: evenly from ANCHOR to ANCHOR + spread_seconds."""
        return ANCHOR + timedelta(seconds=i * self.spread_seconds / self.count)


class MeteredScheduler(Scheduler):
    """The real Scheduler, counting the nudges it sends and timing each pass over the due nudges that found work.

    It also counts the tick runs APScheduler refuses because the tick is still running (EVENT_JOB_MAX_INSTANCES).
    """

    def __init__(self, app: App, load: Load) -> None:
        super().__init__(app, worker="bench", batch=load.batch)
        self.aps.add_listener(self._refused, EVENT_JOB_MAX_INSTANCES)
        self.sent = Countdown(load.count)
        self.passes: list[float] = []
        self.refused = 0
        self.ticks = 0

    async def send_due(self) -> TickResult:
        """One pass, as the Scheduler runs it, timed and counted."""
        started = time.perf_counter()
        result = await super().send_due()
        if result.claimed:
            self.passes.append(time.perf_counter() - started)
        self.sent.add(result.sent)
        return result

    async def tick(self) -> TickResult:
        """The Scheduler's tick, counted."""
        self.ticks += 1
        return await super().tick()

    def report(self) -> dict[str, Any]:
        """What the Scheduler itself did: tick runs, passes that found work, tick runs APScheduler refused."""
        return {"pipelines": self.pipelines, "batch": self.batch, "ticks": self.ticks, "passes": len(self.passes),
                **spread(self.passes, "pass_s"), "tick_runs_refused": self.refused}

    def _refused(self, _event: JobSubmissionEvent) -> None:
        self.refused += 1


async def burst(clock: SystemClock, scheduler: MeteredScheduler, load: Load) -> None:
    """Every nudge fell due by a moment ago (over the last spread_seconds): one Scheduler.tick() drains them.

    APScheduler is not started, so the tick does not reschedule itself and its wall time is the drain's. With a
    spread, lateness includes how long each nudge had already waited when the drain started.
    """
    clock.set(ANCHOR + timedelta(seconds=load.spread_seconds) + MOMENT)
    await scheduler.tick()


async def steady(clock: SystemClock, scheduler: MeteredScheduler, load: Load) -> None:
    """APScheduler drives the tick from LEAD before the first due time until every nudge is sent (or GRACE ends)."""
    clock.set(ANCHOR - LEAD)
    scheduler.start()
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(scheduler.sent.done.wait(), (LEAD + GRACE).total_seconds() + load.spread_seconds)
    finally:
        await scheduler.stop(STOP_WAIT)
        await asyncio.sleep(0.1)  # APScheduler shuts down in a loop callback: let it run


DRAINS: dict[str, Callable[[SystemClock, MeteredScheduler, Load], Awaitable[None]]] = {
    "burst": burst, "steady": steady}


async def run_nudges(scenario: str, url: str, load: Load) -> dict[str, Any]:
    """Drain the seeded nudges as the scenario says; lateness is read back from the database afterwards."""
    clock = SystemClock()
    app = build_app(Settings(_env_file=None), clock, url)
    scheduler = MeteredScheduler(app, load)
    settle_heap()  # as `gigbot run` does once started
    try:
        result = await measured(lambda: DRAINS[scenario](clock, scheduler, load))
        result.update(await outcome(app.sessions))
    finally:
        await app.close()
    return {**result, "per_second": round(result["sent"] / result["seconds"]), **scheduler.report()}


async def outcome(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Nudges sent, outbox messages written, nudges per state, batches that sent, lateness (sent_at - due_at)."""
    async with sessions() as session:
        rows = (await session.execute(select(Nudge.due_at, Nudge.sent_at).where(Nudge.state == NudgeState.SENT))).all()
        outbox = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
        states = {state: n for state, n in await session.execute(select(Nudge.state, func.count())
                                                                  .group_by(Nudge.state))}
    lateness = [(sent_at - due_at).total_seconds() for due_at, sent_at in rows]
    batches = len({sent_at for _, sent_at in rows})  # a batch's nudges share its claim time
    return {"sent": len(rows), "outbox": outbox, "states": states, "batches": batches,
            **spread(lateness, "lateness_s")}


class JobLog:
    """APScheduler's side: a coroutine job that notes when it ran, and the drain that waits for all of them."""

    def __init__(self, aps: AsyncIOScheduler, count: int) -> None:
        self.aps = aps
        self.ran: list[float] = []
        self.countdown = Countdown(count)
        self.resumed = 0.0

    async def job(self) -> None:
        """The job itself."""
        self.ran.append(time.monotonic())
        self.countdown.add(1)

    async def drain(self) -> None:
        """Let the paused scheduler run its due jobs; return once every job has run."""
        self.resumed = time.monotonic()
        self.aps.resume()
        await self.countdown.done.wait()

    def lateness(self) -> list[float]:
        """Seconds from resuming (every job was due by then) to each job's run."""
        return [ran - self.resumed for ran in self.ran]


async def run_apscheduler(count: int) -> dict[str, Any]:
    """`count` date jobs, due at once, in the memory job store of a paused AsyncIOScheduler, then resumed."""
    aps = AsyncIOScheduler(timezone=UTC)
    aps.start(paused=True)
    log = JobLog(aps, count)
    started = time.perf_counter()
    due = datetime.now(UTC)
    for _ in range(count):
        aps.add_job(log.job, "date", run_date=due, misfire_grace_time=None)
    added = time.perf_counter() - started
    result = await measured(log.drain)
    aps.shutdown(wait=False)
    return {**result, "per_second": round(len(log.ran) / result["seconds"]), "ran": len(log.ran),
            "add_seconds": round(added, 3), **spread(log.lateness(), "lateness_s")}


async def seed(url: str, load: Load) -> dict[str, Any]:
    """Create the schema and load.count nudges due at load.due(i).

    PostgreSQL gets an ANALYZE, as its autovacuum would have run one on a table this size long before.
    """
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        await migrate(engine)
        await seed_due_nudges(session_factory(engine), load.count, SEEDED, load.due)
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return {"seed_seconds": round(time.perf_counter() - started, 1), "seed_rss_peak_mib": round(peak_rss_mib(), 1)}


def scenario(args: argparse.Namespace) -> dict[str, Any]:
    """Seed a fresh database in one subprocess, measure in another, drop the database."""
    head = {"scenario": args.command, "count": args.count}
    if args.command == "apscheduler":
        return {**head, **harness.child(MODULE, "run", "apscheduler", "--count", str(args.count))}
    load = Load.of(args)
    with DATABASES[args.backend](f"bench_{args.command}_{os.getpid()}", args.pg_url) as url:
        seeded = harness.child(MODULE, "seed", "--url", url, *load.argv())
        measured_run = harness.child(MODULE, "run", args.command, "--url", url, *load.argv())
    return {**head, "backend": args.backend, "spread_seconds": load.spread_seconds, **seeded, **measured_run}


def stage(args: argparse.Namespace) -> dict[str, Any]:
    """The internal stages, each run in its own process by `scenario`."""
    if args.command == "seed":
        return asyncio.run(seed(args.url, Load.of(args)))
    rss_start = round(rss_mib(), 1)  # after imports, before any work
    if args.scenario == "apscheduler":
        work = run_apscheduler(args.count)
    else:
        work = run_nudges(args.scenario, args.url, Load.of(args))
    return {"rss_start_mib": rss_start, **asyncio.run(work)}


KEPT = ("seconds", "per_second", "loop_steps", "loop_block_ms_p99", "loop_block_ms_max", "loop_blocks_over_100ms",
        "step_cpu_ms_p99", "step_cpu_ms_max", "steps_over_50ms_cpu", "gc_ms_max", "rss_peak_mib", "cpu_seconds",
        "load_1min_before", "machine_busy_cpu_s", "others_cpu_s")  # others: PostgreSQL's work too, in the burst


def compare(args: argparse.Namespace) -> dict[str, Any]:
    """APScheduler's 100,000 date jobs and the PostgreSQL burst of 100,000 nudges, one after the other."""
    runs: dict[str, Any] = {}
    for name, argv in (("apscheduler", ["apscheduler"]), ("burst_postgresql", ["burst", "--backend", "postgresql"])):
        options = parser().parse_args([*argv, "--count", str(args.count), "--pg-url", args.pg_url]
                                      if argv[0] == "burst" else [*argv, "--count", str(args.count)])
        result = scenario(options)
        runs[name] = {key: result.get(key) for key in KEPT} | {"largest_steps": result.get("largest_steps", [])[:3]}
    return {"scenario": "compare", "count": args.count, **runs}


def machine(args: argparse.Namespace) -> dict[str, Any]:
    """The machine and the versions the numbers were taken with."""
    return harness.machine(args.pg_url)


def parser() -> argparse.ArgumentParser:
    """The command line: three scenarios, the machine, and the internal stages."""
    main = argparse.ArgumentParser(prog="python -m bench.nudges", description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    burst_, steady_ = (commands.add_parser("burst", help="drain N nudges, all due, through Scheduler.tick()"),
                       commands.add_parser("steady", help="N nudges due evenly over --spread-seconds, drained by "
                                                          "the started Scheduler"))
    aps = commands.add_parser("apscheduler", help="N date jobs due at once in APScheduler's memory job store")
    machine_ = commands.add_parser("machine", help="cores, RAM, CPU model and versions")
    compare_ = commands.add_parser("compare", help="APScheduler, then the PostgreSQL burst: loop blocks side by "
                                                   "side, with the machine's load")
    seed_ = commands.add_parser("seed", help="(internal) migrate and seed the database at --url")
    run = commands.add_parser("run", help="(internal) measure one scenario in this process")
    run.add_argument("scenario", choices=("burst", "steady", "apscheduler"))
    for command in (burst_, steady_):
        command.add_argument("--backend", choices=sorted(DATABASES), default="sqlite")
    for command in (burst_, steady_, machine_, compare_):
        command.add_argument("--pg-url", default=PG_ADMIN_URL,
                             help="a PostgreSQL server and a database on it to connect to; bench_* databases are "
                                  "created and dropped there (default: %(default)s)")
    for command in (seed_, run):
        command.add_argument("--url", help="the database to seed or to drain")
    for command in (burst_, steady_, aps, seed_, run, compare_):
        command.add_argument("--count", type=int, default=100_000, help="nudges or jobs (default: %(default)s)")
    for command in (burst_, steady_, seed_, run):
        command.add_argument("--spread-seconds", type=float, default=600.0 if command is steady_ else 0.0,
                             help="due times spread evenly over this many seconds: after the start (steady), "
                                  "before it (burst) (default: %(default)s)")
        command.add_argument("--batch", type=int, default=BATCH,
                             help="nudges the Scheduler claims at a time (default: %(default)s, the engine's)")
    return main


def main(argv: list[str] | None = None) -> None:
    """Run the command and print its one JSON line."""
    args = parser().parse_args(argv)
    action = {"machine": machine, "seed": stage, "run": stage, "compare": compare}.get(args.command, scenario)
    print(json.dumps(action(args)), flush=True)


if __name__ == "__main__":
    main()
