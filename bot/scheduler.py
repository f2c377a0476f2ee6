"""APScheduler wiring: two fixed jobs in its memory store, the nudge tick and gig expiry.

Nudges are rows in our database, not APScheduler jobs: the tick claims the due ones, then schedules itself for
the next due time (never later than MAX_SLEEP, so another process's nudges are not missed for long), and any
commit that writes nudges wakes it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.services.expiry import close_expired
from bot.services.nudge_tick import BATCH, LEASE, TickResult, next_due, run_due
from bot.store.events import NUDGES, OUTBOX

log = logging.getLogger(__name__)

TICK, EXPIRY = "nudge_tick", "gig_expiry"
MAX_SLEEP = timedelta(minutes=5)
GATHER = timedelta(milliseconds=100)  # between passes: nudges falling due within it go out in one batch
EXPIRY_EVERY = timedelta(minutes=15)
STOP_GRACE = timedelta(seconds=8)  # a running job ends its batch within this when stopping, else it is cancelled


def worker_name() -> str:
    """The name of this process in its claims: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    """Runs the nudge tick and gig expiry for one process."""

    def __init__(self, app: App, worker: str | None = None, batch: int = BATCH, lease: timedelta = LEASE) -> None:
        self.app = app
        self.worker = worker or worker_name()
        self.batch = batch
        self.lease = lease
        self.pipelines = 2 if app.engine.dialect.name == "postgresql" else 1
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._running = False
        self._again = False
        self.stopping = asyncio.Event()
        self._busy: set[asyncio.Future[None]] = set()

    def start(self) -> None:
        """Start APScheduler with the expiry job and an immediate tick (nudges that fell due while down)."""
        self.aps.start()
        self.aps.add_job(self.expire, "interval", seconds=EXPIRY_EVERY.total_seconds(), id=EXPIRY,
                         replace_existing=True, next_run_time=datetime.now(UTC), coalesce=True,
                         misfire_grace_time=None)
        self.app.dispatcher.listen(NUDGES, self.wake)
        self.wake()

    async def stop(self, grace: timedelta = STOP_GRACE) -> None:
        """Stop scheduling and let a running job end its batch before APScheduler stops.

        APScheduler's own shutdown cancels running jobs; a job cancelled mid-transaction can leave a database
        connection open, and with aiosqlite an open connection's thread keeps the process from exiting.
        """
        self.stopping.set()
        if not self.aps.running:
            return
        self.aps.pause()
        if self._busy:
            await asyncio.wait(self._busy, timeout=grace.total_seconds())
        if self.aps.running:
            self.aps.shutdown(wait=False)

    @contextlib.asynccontextmanager
    async def _job(self) -> AsyncIterator[None]:
        """A running job, which stop() waits for."""
        done = asyncio.get_running_loop().create_future()
        self._busy.add(done)
        try:
            yield
        finally:
            done.set_result(None)
            self._busy.discard(done)

    def wake(self) -> None:
        """Run the tick now (or once more, if it is running)."""
        self._again = True
        if not self._running and self.aps.running:
            self._schedule(timedelta(0))

    def _schedule(self, delay: timedelta) -> None:
        run_at = datetime.now(UTC) + max(timedelta(0), min(delay, MAX_SLEEP))
        # max_instances=2: the tick re-adds itself while its own run is still finishing, and APScheduler refuses
        # a run beyond max_instances and drops the date job, which would stop the tick for good. Two passes never
        # overlap anyway: wake() schedules only when no tick runs, and a running tick reschedules itself once.
        self.aps.add_job(self.tick, "date", run_date=run_at, id=TICK, replace_existing=True,
                         misfire_grace_time=None, max_instances=2)

    async def tick(self) -> TickResult:
        """Send what is due, then sleep until the next due nudge."""
        self._running = True
        total = TickResult()
        upcoming = None
        try:
            async with self._job():
                while not self.stopping.is_set():
                    self._again = False
                    total.add(await self.send_due())
                    async with self.app.sessions() as session:
                        upcoming = await next_due(session)
                    if not self._again:
                        break
        finally:
            self._running = False
        if self.aps.running and not self.stopping.is_set():
            self._schedule(max(GATHER, upcoming - self.app.clock.now()) if upcoming else MAX_SLEEP)
        return total

    async def send_due(self) -> TickResult:
        """One pass over the due nudges; the adapters hear of the outbox messages it wrote."""
        result = await run_due(self.app.sessions, self.app.clock, self.worker, self.batch, self.lease,
                               on_batch=self._sent, pipelines=self.pipelines, stop=self.stopping)
        if result.claimed:
            log.info("nudge tick: %s", result)
        return result

    def _sent(self, result: TickResult) -> None:
        if result.sent:
            self.app.dispatcher.notify({OUTBOX})

    async def expire(self) -> int:
        """Close the gigs past their apply-by date."""
        async with self._job():
            closed, written = await close_expired(self.app.sessions, self.app.clock)
        self.app.dispatcher.notify(written)
        return closed

    async def run_now(self) -> TickResult:
        """Expiry, then every due nudge: at start and when the console moves its clock."""
        await self.expire()
        return await self.send_due()
