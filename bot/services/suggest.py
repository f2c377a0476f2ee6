"""Suggestions while a member types (Discord's autocomplete): open gigs by number or title, known tags."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.gigs import GigFilter, open_gigs
from bot.store.models import Gig, GigTag

LIMIT = 25  # Discord shows at most 25 choices
LABEL = 100


async def gigs(session: AsyncSession, community_id: int, today: date, typed: str) -> list[tuple[str, str]]:
    """Open gigs whose number starts with, or whose title contains, what was typed: (label, gig id)."""
    text = typed.strip().lstrip("#").lower()
    query = open_gigs(community_id, today, GigFilter())
    if text:
        by_number = cast(Gig.id, String).startswith(text) if text.isdigit() else None
        by_title = func.lower(Gig.title).contains(text, autoescape=True)
        query = query.where(or_(by_title, by_number) if by_number is not None else by_title)
    rows = await session.execute(query.order_by(Gig.created_at.desc(), Gig.id.desc()).limit(LIMIT))
    return [(f"#{gig.id} {gig.title}"[:LABEL], str(gig.id)) for gig in rows.scalars()]


async def tags(session: AsyncSession, community_id: int, typed: str) -> list[tuple[str, str]]:
    """Tags used on this community's gigs that start with what was typed, most used first."""
    text = typed.strip().lstrip("#").lower()
    uses = func.count().label("uses")
    query = (select(GigTag.tag, uses).join(Gig, Gig.id == GigTag.gig_id).where(Gig.community_id == community_id)
             .group_by(GigTag.tag).order_by(uses.desc(), GigTag.tag).limit(LIMIT))
    if text:
        query = query.where(GigTag.tag.startswith(text, autoescape=True))
    return [(tag, tag) for tag, _ in await session.execute(query)]

