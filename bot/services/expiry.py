"""Expiry: a gig closes by itself once its apply-by date has passed in its community's timezone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock, local_date
from bot.services import audit
from bot.services.closing import close_gig, notify
from bot.services.gigs import OPEN
from bot.store.events import take_written
from bot.store.models import Community, Gig


async def close_expired(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> tuple[int, set[str]]:
    """Close every open gig past its apply-by date; return how many, and what the transaction wrote."""
    now = clock.now()
    closed = 0
    async with sessions() as session:
        for community in (await session.execute(select(Community))).scalars().all():
            today = local_date(now, community.timezone)
            gigs = (await session.execute(select(Gig).where(
                Gig.community_id == community.id, Gig.status == OPEN, Gig.apply_by < today).order_by(Gig.id)
            )).scalars().all()
            for gig in gigs:
                result = await close_gig(session, community, gig, clock, actor=None, expired=True)
                if result is None:  # another process closed it meanwhile, and told everyone
                    continue
                await notify(session, community, gig.poster, "close.poster_expired", clock, None, id=gig.id,
                             title=gig.title, **result.counts())
                audit.write(session, community.id, None, now, "gig.expire", gig.id)
                closed += 1
        written = take_written(session)
        await session.commit()
    return closed, written
