"""A delivery loop per platform: channels delivered side by side, each in order, woken by poke() or a due retry."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import timedelta

from bot.app import App
from bot.core.delivery import RetryPolicy, Sender
from bot.services import delivery_batch
from bot.services.delivery import Delivery
from bot.services.delivery_batch import Delivered
from bot.services.pacing import LIMITS, NO_LIMITS, Limits, Sleep

log = logging.getLogger(__name__)

IDLE = timedelta(minutes=1)
BUSY_WAIT = timedelta(seconds=1)  # while messages are being sent, retries are looked for this often
CHANNELS = 64  # messages (each the head of its channel) in flight at once; the pacer enforces the platform's budget
REFILL = 8  # claim again once this many slots are free (or when poked, or when a retry may be due): batches, not ones


class DeliveryLoop:
    """Delivers one platform's outbox: the due heads of many channels claimed, paced and settled in batches.

    Each claimed message is sent by its own task, so a slow channel holds one slot and nothing else; a channel's
    next message is claimed only once its previous one is settled, which keeps each channel in order.
    """

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
        self.active: dict[str, asyncio.Task[None]] = {}  # destination -> the task sending its head
        self.delivered: list[Delivered] = []  # sent, not settled yet
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
            self.poked = True
            started = await self._start_due()
            if not started and not self.active:
                break
            if self.active:
                await asyncio.wait(list(self.active.values()), return_when=asyncio.FIRST_COMPLETED)
        await self._settle()
        return self.sent - before

    async def run(self) -> None:
        """Deliver until stopped, sleeping until poked, enough sends finish, or the next retry is due."""
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
            await self._settle()

    async def _settle(self) -> None:
        delivered, self.delivered = self.delivered, []
        try:
            await delivery_batch.settle(self.delivery, delivered)
        except BaseException:
            self.delivered = delivered + self.delivered  # kept for the next try; their lease covers them meanwhile
            raise
        self.sent += len(delivered)

    async def _start_due(self) -> int:
        """Settle what was sent, then claim due channel heads for the free slots and start a send task for each."""
        room = self.channels - len(self.active)
        if self.stopping.is_set() or room <= 0 or (room < REFILL and not self.poked):
            return 0
        await self._settle()  # first, so each settled channel's next message can be claimed now
        self.poked = False
        claimed = await delivery_batch.claim(self.delivery, room)
        for message in claimed:
            destination = message.outgoing.destination
            task = asyncio.create_task(self._deliver(message), name=f"{self.platform} delivery to {destination}")
            self.active[destination] = task
            task.add_done_callback(functools.partial(self._finished, destination))
        return len(claimed)

    async def _deliver(self, message: delivery_batch.Claimed) -> None:
        if message.wait > 0:
            await self.sleep(message.wait)
        try:
            sent = await self.send(message.outgoing)
        except Exception as error:  # noqa: BLE001 - every failure is settled by its class
            await delivery_batch.fail(self.delivery, message, error)
            return
        self.delivered.append(Delivered(message, sent, self.app.clock.now()))

    def _finished(self, destination: str, task: asyncio.Task[None]) -> None:
        self.active.pop(destination, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s delivery to %s failed", self.platform, destination, exc_info=task.exception())
        self.wanted.set()  # a slot is free again: look for more

    async def _wait(self) -> None:
        if self.stopping.is_set():
            return
        timeout = BUSY_WAIT
        if not self.active:
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
