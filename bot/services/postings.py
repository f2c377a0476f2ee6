"""Postings: every copy of a gig in a channel, kept current (applicant count, closed) through the outbox."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, local_date
from bot.core.i18n import Translator
from bot.core.types import Message
from bot.services import applications, outbox
from bot.services.cards import gig_card, gig_topic
from bot.services.routing import destinations
from bot.store.models import Community, Gig, Posting

GIG, REVIEW = "gig", "review"  # Posting.kind: a copy in a job channel, or a card in a review channel


async def refresh(session: AsyncSession, community: Community, gig: Gig, clock: Clock, retitle: bool = False) -> int:
    """Queue an edit of every posting of the gig to show it as it is now; return how many.

    `retitle`: the title or tags changed, so a thread per gig (a Discord forum post) is renamed and re-tagged too.
    """
    count = await applications.count_for(session, gig.id)
    t, today = Translator(community.default_locale), local_date(clock.now(), community.timezone)
    card, topic = gig_card(gig, t, count, today), gig_topic(gig, t, today)
    if retitle:
        topic = replace(topic, retitle=True)
    postings = (await session.execute(select(Posting).where(Posting.gig_id == gig.id, Posting.kind == GIG)
                                      )).scalars().all()
    for posting in postings:
        outbox.enqueue(session, community.id, posting.platform, outbox.EDIT, posting.channel,
                       Message(cards=(card,), edits=posting.id, topic=topic), clock)
    return len(postings)


async def publish(session: AsyncSession, community: Community, gig: Gig, clock: Clock) -> list[tuple[str, str]]:
    """Repost a gig to every channel of the community that takes it, through the outbox; return those channels.

    A gig that was live before (held again by an edit) has copies already: they are brought up to date instead.
    """
    t, today = Translator(community.default_locale), local_date(clock.now(), community.timezone)
    message = Message(cards=(gig_card(gig, t, 0, today),), topic=gig_topic(gig, t, today))
    found = await session.execute(select(Posting.platform, Posting.channel).where(
        Posting.gig_id == gig.id, Posting.kind == GIG))
    copies = {(platform, channel) for platform, channel in found.all()}
    if copies:
        await refresh(session, community, gig, clock)
    targets = await destinations(session, community, gig)
    for platform, channel in targets:
        if (platform, channel) in copies:
            continue
        posting = Posting(gig_id=gig.id, platform=platform, channel=channel, created_at=clock.now(), kind=GIG)
        session.add(posting)
        await session.flush()
        outbox.enqueue(session, community.id, platform, outbox.POST, channel, message, clock, posting_id=posting.id)
    return targets
