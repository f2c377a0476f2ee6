"""A delivery loop per platform: it drains the outbox when poked, and again when a retry falls due."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.services import outbox
from bot.store.models import OutboxMessage

log = logging.getLogger(__name__)

IDLE = timedelta(minutes=1)


class DeliveryLoop:
    """Delivers one platform's outbox messages in order, through that platform's sender."""

    def __init__(self, app: App, platform: str, send: outbox.Sender) -> None:
        self.app = app
        self.platform = platform
        self.send = send
        self.wanted = asyncio.Event()
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Stop after the message being sent: run() returns, leaving the rest for the next start."""
        self.stopping.set()
        self.wanted.set()

    def poke(self) -> None:
        """Something was written to the outbox: deliver soon."""
        self.wanted.set()

    async def drain(self) -> int:
        """Deliver everything due now; return how many were sent."""
        sent = 0
        while not self.stopping.is_set():
            delivered = await outbox.deliver_due(self.app.sessions, self.platform, self.send, self.app.clock,
                                                 stop=self.stopping)
            if not delivered:
                break
            sent += delivered
        return sent

    async def run(self) -> None:
        """Deliver until stopped, sleeping until poked or until the next retry is due."""
        while not self.stopping.is_set():
            self.wanted.clear()
            try:
                await self.drain()
            except Exception:  # a database hiccup must not end delivery for good
                log.exception("%s delivery failed; trying again shortly", self.platform)
            try:
                await asyncio.wait_for(self.wanted.wait(), timeout=(await self._until_next_retry()).total_seconds())
            except TimeoutError:
                pass

    async def _until_next_retry(self) -> timedelta:
        async with self.app.sessions() as session:
            due = (await session.execute(select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.platform == self.platform, OutboxMessage.state == outbox.PENDING))).scalar()
        if due is None:
            return IDLE
        return max(timedelta(seconds=0.05), min(IDLE, due - self.app.clock.now()))
