"""Pacing shared by every replica: the next free moment of a rate-limited resource, reserved in the database.

A reservation is one conditional UPDATE (`next_at = max(next_at, now) + cost * interval`, returning the new value),
so two processes asking at once get consecutive slots and together keep to the platform's limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.store.models import Pacing

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """A platform's declared limits: seconds between messages in one channel, seconds per request overall."""

    per_channel: float = 0.0
    per_request: float = 0.0

    def scaled(self, factor: float) -> Limits:
        """The same limits `factor` times faster (benchmarks shrink them to keep a run short)."""
        return Limits(self.per_channel / factor, self.per_request / factor)


NO_LIMITS = Limits()
LIMITS = {
    "slack": Limits(per_channel=1.0),  # chat.postMessage: about one message per second per channel
    "discord": Limits(per_request=1 / 50),  # 50 requests per second for the bot; per-route buckets stay in discord.py
}
GLOBAL = "*"  # the key of a platform-wide budget
# A platform-wide budget is paced at this share of its declared rate: paced at 100 %, one retried 429 (a late
# request, jitter) leaves no room to catch up, and every later request meets a full bucket in turn.
HEADROOM = 0.97


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


class Pacer:
    """Reserves slots of rate-limited resources and waits for them, on the injected clock and sleep."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, sleep: Sleep = asyncio.sleep) -> None:
        self.sessions = sessions
        self.clock = clock
        self.sleep = sleep

    async def reserve(self, platform: str, key: str, interval: float, cost: int = 1,
                      session: AsyncSession | None = None) -> float:
        """Take `cost` slots of `interval` seconds; return how long to wait until the first one starts.

        Given a session, it runs in that transaction (the caller commits), saving a commit per message.
        """
        if session is None:
            async with self.sessions() as own:
                wait = await self.reserve(platform, key, interval, cost, own)
                await own.commit()
                return wait
        now = self.clock.now().timestamp()
        span = interval * cost
        dialect = _dialect(session)
        later = func.greatest if dialect == "postgresql" else func.max
        reserve = (update(Pacing).where(Pacing.platform == platform, Pacing.key == key)
                   .values(next_at=later(Pacing.next_at, now) + span).returning(Pacing.next_at))
        new_next = (await session.execute(reserve)).scalar()
        if new_next is None:  # the first use of this resource
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            await session.execute(insert(Pacing).values(platform=platform, key=key, next_at=now)
                                  .on_conflict_do_nothing())
            new_next = (await session.execute(reserve)).scalar_one()
        return max(0.0, new_next - span - now)

    async def reserve_many(self, platform: str, spans: dict[str, float], session: AsyncSession) -> dict[str, float]:
        """Reserve `span` seconds of each resource in one statement (an upsert); return each one's wait.

        A new resource starts now; a known one at max(next_at, now). Runs in the caller's transaction.
        """
        now = self.clock.now().timestamp()
        dialect = _dialect(session)
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        later = func.greatest if dialect == "postgresql" else func.max
        upsert = insert(Pacing).values([{"platform": platform, "key": key, "next_at": now + span}
                                        for key, span in spans.items()])
        upsert = upsert.on_conflict_do_update(
            index_elements=[Pacing.platform, Pacing.key],
            set_={"next_at": later(Pacing.next_at, now) + (upsert.excluded.next_at - now)})
        found = await session.execute(upsert.returning(Pacing.key, Pacing.next_at))
        return {key: max(0.0, next_at - spans[key] - now) for key, next_at in found.all()}

    async def take(self, platform: str, key: str, interval: float, cost: int = 1) -> None:
        """Reserve and wait for the slot."""
        if interval <= 0:
            return
        wait = await self.reserve(platform, key, interval, cost)
        if wait > 0:
            await self.sleep(wait)

    async def try_take(self, platform: str, key: str, interval: float, session: AsyncSession | None = None) -> bool:
        """Take the resource only if it is free now (for notices sent at most once per interval).

        Given a session, it runs in that transaction (SQLite allows one writer: a second session would wait on it).
        """
        if session is None:
            async with self.sessions() as own:
                free = await self.try_take(platform, key, interval, own)
                await own.commit()
                return free
        now = self.clock.now().timestamp()
        insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
        await session.execute(insert(Pacing).values(platform=platform, key=key, next_at=now).on_conflict_do_nothing())
        taken = await session.execute(update(Pacing).where(Pacing.platform == platform, Pacing.key == key,
                                                           Pacing.next_at <= now).values(next_at=now + interval))
        return bool(taken.rowcount)  # type: ignore[attr-defined]
