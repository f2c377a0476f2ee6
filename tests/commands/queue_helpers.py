"""Holding gigs for review the way the posting gate does (`review.hold`), for tests of the review queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock, local_date
from bot.services import review, verdicts
from bot.services.budget import min_paid
from bot.services.gigs import create_gig, validate_gig
from bot.store.models import Community, Gig, GigReport, Member, Workspace

SCAM = ("Pay a registration fee of 50 EUR before you start, refunded with your first payment. "
        "Contact me only on Telegram @jobsnow to get the task list and the details of the project.")
FIRST_GIG = "gate.first_gig"  # a hold about who posts, as the gate stores it (a catalog key)


async def member(session: AsyncSession, platform: str, user_id: str) -> Member:
    return (await session.execute(select(Member).where(Member.platform == platform,
                                                       Member.platform_user_id == user_id))).scalar_one()


async def community_of(session: AsyncSession, platform: str, external_id: str) -> Community:
    place = (await session.execute(select(Workspace).where(Workspace.platform == platform,
                                                           Workspace.external_id == external_id))).scalar_one()
    found = await session.get(Community, place.community_id)
    assert found is not None
    return found


async def hold_gig(sessions: async_sessionmaker[AsyncSession], clock: Clock, poster: tuple[str, str],
                   place: tuple[str, str], title: str = "Landing page for a bakery", description: str = SCAM,
                   holds: Sequence[Any] = (), tags: str = "html,css") -> int:
    """Store a gig the way `gig post` holds it: screened, its verdict kept, its card shown; return its id.

    The poster (platform, user id) must have used the bot already.
    """
    async with sessions() as session:
        community = await community_of(session, *place)
        who = await member(session, *poster)
        today = local_date(clock.now(), community.timezone)
        draft = validate_gig({"title": title, "budget": "300 EUR", "tags": tags, "description": description},
                             today, "EUR", min_paid(community.settings))
        gig = await create_gig(session, community.id, who, draft, clock.now())
        verdict = await verdicts.screen_draft(session, community, draft, clock.now(), exclude=gig.id)
        await review.hold(session, community, gig, verdicts.to_json(verdict, holds), clock)
        await session.commit()
        return gig.id


async def report(sessions: async_sessionmaker[AsyncSession], clock: Clock, gig_id: int, reporters: Sequence[str],
                 reason: str = "", hide: bool = False, platform: str = "test") -> None:
    """Record reports as the reports command does, show them on the card, and hide the gig if asked."""
    async with sessions() as session:
        gig = await session.get(Gig, gig_id)
        assert gig is not None
        community = await session.get(Community, gig.community_id)
        assert community is not None
        for name in reporters:
            reporter = await member(session, platform, name)
            session.add(GigReport(gig_id=gig_id, member_id=reporter.id, reason=reason, created_at=clock.now()))
        if hide:
            await session.execute(update(Gig).where(Gig.id == gig_id).values(hidden_at=clock.now()))
            await session.refresh(gig)
        await session.flush()
        await review.show(session, community, gig, clock, fresh=True)
        await session.commit()


def later(clock: Any, minutes: int = 1) -> None:
    clock.advance(timedelta(minutes=minutes))
