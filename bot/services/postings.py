"""Postings: every copy of a gig in a channel, kept current (applicant count, closed) through the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, local_date
from bot.core.i18n import Translator
from bot.core.types import Message
from bot.services import applications, outbox
from bot.services.cards import gig_card, gig_topic
from bot.store.models import Community, Gig, Posting


async def refresh(session: AsyncSession, community: Community, gig: Gig, clock: Clock) -> int:
    """Queue an edit of every posting of the gig to show it as it is now; return how many."""
    count = await applications.count_for(session, gig.id)
    t, today = Translator(community.default_locale), local_date(clock.now(), community.timezone)
    card, topic = gig_card(gig, t, count, today), gig_topic(gig, t, today)
    postings = (await session.execute(select(Posting).where(Posting.gig_id == gig.id))).scalars().all()
    for posting in postings:
        outbox.enqueue(session, community.id, posting.platform, outbox.EDIT, posting.channel,
                       Message(cards=(card,), edits=posting.id, topic=topic), clock)
    return len(postings)
