"""A delivery loop per platform: channels delivered side by side, each in order, woken by poke() or a due retry."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
from datetime import timedelta

from bot.app import App
from bot.core.delivery import RetryPolicy, Sender
from bot.services.delivery import Delivery
from bot.services.pacing import LIMITS, NO_LIMITS, Limits, Sleep

log = logging.getLogger(__name__)

IDLE = timedelta(minutes=1)
BUSY_WAIT = timedelta(seconds=1)  # while channels are being delivered, retries are looked for this often
CHANNELS = 16  # channels delivered at once; the platform's global budget is enforced by the pacer, not by this
READ_AHEAD = 8


class DeliveryLoop:
    """Delivers one platform's outbox: a task per channel with due messages, at most `channels` at once."""

    def __init__(self, app: App, platform: str, send: Sender, *, channels: int = CHANNELS,
                 limits: Limits | None = None, policy: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.app = app
        self.platform = platform
        self.send = send
        self.channels = channels
        self.sleep = sleep
        self.delivery = Delivery(app.sessions, platform, send, app.clock, policy=policy or RetryPolicy(),
                                 limits=limits if limits is not None else LIMITS.get(platform, NO_LIMITS),
                                 admins=app.settings.admin_ids, sleep=sleep)
        self.active: dict[str, asyncio.Task[int]] = {}
        self.queued: collections.deque[str] = collections.deque()  # due channels read ahead, not started yet
        self.poked = True
        self.sent = 0
        self.wanted = asyncio.Event()
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Stop after the messages being sent: run() returns, leaving the rest for the next start."""
        self.stopping.set()
        self.wanted.set()

    def poke(self) -> None:
        """Something was written to the outbox: deliver soon."""
        self.poked = True
        self.wanted.set()

    async def drain(self) -> int:
        """Deliver everything due now, channels side by side; return how many were sent."""
        before = self.sent
        while not self.stopping.is_set():
            started = await self._start_due()
            if not started and not self.active:
                break
            await asyncio.wait(list(self.active.values()), return_when=asyncio.FIRST_COMPLETED)
        return self.sent - before

    async def run(self) -> None:
        """Deliver until stopped, sleeping until poked, a channel finishes, or the next retry is due."""
        try:
            while not self.stopping.is_set():
                self.wanted.clear()
                try:
                    await self._start_due()
                except Exception:  # a database hiccup must not end delivery for good
                    log.exception("%s delivery failed; trying again shortly", self.platform)
                await self._wait()
        finally:
            await asyncio.gather(*self.active.values(), return_exceptions=True)

    async def _start_due(self) -> int:
        """Start a task for each channel with a due message that is not being delivered already.

        Due channels are read ahead (READ_AHEAD per slot), so a finished channel starts the next one without a
        query; the list is read again when it runs out, when poked, or when a retry falls due.
        """
        room = self.channels - len(self.active)
        if room <= 0:
            return 0
        if self.poked or not self.queued:
            self.poked = False
            fresh = await self.delivery.due_channels(self.channels * READ_AHEAD, busy=self.active)
            self.queued = collections.deque(fresh)
        started = 0
        while self.queued and started < room:
            destination = self.queued.popleft()
            if destination in self.active:
                continue
            task = asyncio.create_task(self.delivery.deliver_channel(destination, self.stopping),
                                       name=f"{self.platform} delivery to {destination}")
            self.active[destination] = task
            task.add_done_callback(functools.partial(self._finished, destination))
            started += 1
        return started

    def _finished(self, destination: str, task: asyncio.Task[int]) -> None:
        self.active.pop(destination, None)
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("%s delivery to %s failed", self.platform, destination, exc_info=task.exception())
        else:
            self.sent += task.result()
        self.wanted.set()  # a channel is free again: look for more

    async def _wait(self) -> None:
        if self.stopping.is_set():
            return
        timeout = BUSY_WAIT
        if not self.active and not self.queued:
            try:
                until = await self.delivery.next_due()
            except Exception:
                log.exception("%s delivery could not read the next retry", self.platform)
                until = None
            timeout = IDLE if until is None else max(timedelta(seconds=0.05), min(IDLE, until))
        wanted = asyncio.create_task(self.wanted.wait())
        timer = asyncio.ensure_future(self.sleep(timeout.total_seconds()))
        try:
            await asyncio.wait({wanted, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if timer.done():
                self.poked = True  # a retry may have fallen due: read the due channels again
            for task in (wanted, timer):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
