"""What the Slack adapter does after its acks: a few workers, fed from the durable inbox (bot.services.inbox).

A request is written to the inbox before its ack and queued here; a worker claims the row and runs it. A sweep (at
start and every SWEEP_EVERY seconds) runs the rows a stopped process left, and forgets old rows and keys.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App
from bot.scheduler import worker_name
from bot.services import inbox, replicas

log = logging.getLogger(__name__)

WORKERS = 2
SWEEP_EVERY = 30.0  # seconds between looks for requests a dead process left
Run = Callable[[inbox.Request], Awaitable[None]]


class Workers:
    """A queue of work run by a few workers; the few keep the event loop free for the next acks."""

    def __init__(self, core: App, platform: str, run: Run, count: int = WORKERS) -> None:
        self.core = core
        self.platform = platform
        self.run = run
        self.count = count
        self.name = worker_name()
        self.queue: asyncio.Queue[Awaitable[None]] = asyncio.Queue()
        self.workers: list[asyncio.Task[None]] = []

    def qsize(self) -> int:
        """How much work waits."""
        return self.queue.qsize()

    async def join(self) -> None:
        """Wait until the queued work is done."""
        await self.queue.join()

    def later(self, work: Awaitable[None]) -> None:
        """Queue work to run after the ack."""
        if not self.workers:
            self.workers = [asyncio.ensure_future(self._worker()) for _ in range(self.count)]
        self.queue.put_nowait(work)

    async def _worker(self) -> None:
        while True:
            work = await self.queue.get()
            try:
                await work
            except Exception:
                log.exception("Slack work failed")
            finally:
                self.queue.task_done()

    async def close(self) -> None:
        """Finish the queued work and stop the workers."""
        await self.queue.join()
        for worker in self.workers:
            worker.cancel()

    async def receive(self, kind: str, payload: dict[str, Any], response_url: str | None,
                      ack: Callable[..., Awaitable[None]], key: str | None = None) -> None:
        """Write the request to the inbox, then ack it, then queue it for a worker of this process.

        A request whose key is in the inbox already (Slack's retry of one some replica received) is only acked.
        """
        request = await inbox.receive(self.core.engine, self.platform, kind, payload, response_url,
                                      self.core.clock.now(), self.name, key)
        await ack()
        if request is None:
            log.info("dropping a repeated Slack request %s", key)
            return
        self.later(self._run_claimed(request))

    async def _run_claimed(self, request: inbox.Request) -> None:
        """Run a claimed request and mark it done, whatever happened: a failed answer is not run twice."""
        try:
            await self.run(request)
        except Exception:
            log.exception("Slack request %s failed", request.id)
        finally:
            await inbox.finish(self.core.sessions, request.id, self.name, self.core.clock.now())

    async def sweep(self) -> int:
        """Run the requests no process finished (at start, and now and then); forget old ones; return how many."""
        now = self.core.clock.now()
        left = await inbox.claim_left(self.core.sessions, self.platform, self.name, now)
        for request in left:
            log.warning("running Slack request %s received at %s, left by a stopped process", request.id,
                        request.received_at)
            self.later(self._run_claimed(request))
        async with self.core.sessions() as session:
            await inbox.prune(session, now)
            await replicas.prune(session, now)
            await session.commit()
        return len(left)

    async def sweep_every(self, seconds: float = SWEEP_EVERY) -> None:
        """Sweep now and every `seconds`, until cancelled."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("Slack inbox sweep failed")
            await asyncio.sleep(seconds)
