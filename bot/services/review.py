"""The review queue's plumbing: holding a gig, and its card in every review channel of the community, kept current.

Each place (Slack workspace, Discord server) may name a review channel (`workspace.review_channel`). A gig's card
there is a posting of kind `review`, so it is delivered and edited through the outbox like any copy of a gig.
`show` posts the card where it is not yet, or as a fresh message when something new needs an admin's eye (a hold, a
report after a decision); otherwise it edits the card in place, so every review channel shows the current state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.buttons import button_id
from bot.core.clock import Clock
from bot.core.i18n import Translator
from bot.core.types import Button, Card, Message, Rich, UserText
from bot.services import outbox
from bot.services.gigs import HELD
from bot.services.postings import REVIEW
from bot.store.models import Community, Gig, OutboxMessage, Posting, Workspace


async def review_channels(session: AsyncSession, community: Community) -> list[tuple[str, str]]:
    """(platform, channel) of every review channel of the community's places, once each."""
    rows = await session.execute(select(Workspace.platform, Workspace.review_channel).where(
        Workspace.community_id == community.id, Workspace.review_channel.is_not(None)).order_by(Workspace.id))
    return list(dict.fromkeys((platform, channel) for platform, channel in rows.all() if channel))


def review_card(gig: Gig, t: Translator) -> Card:
    """A gig as admins review it: its text, why it waits, and Approve / Reject while it waits."""
    buttons: tuple[Button, ...] = ()
    if gig.status == HELD or gig.hidden_at is not None:
        buttons = (Button(t.label("queue.button_approve"), button_id("approve", gig.id), "primary"),
                   Button(t.label("queue.button_reject"), button_id("reject", gig.id), "danger"))
    return Card(Rich.of(f"#{gig.id} · ", UserText(gig.title)), Rich((UserText(gig.description),)), (), buttons,
                ref=f"#{gig.id}")


async def show(session: AsyncSession, community: Community, gig: Gig, clock: Clock, fresh: bool = False) -> int:
    """Bring the gig's card up to date in every review channel: post it, or post it again when `fresh`, else edit it.

    Returns how many review channels were reached.
    """
    t = Translator(community.default_locale)
    card = review_card(gig, t)
    existing = {(p.platform, p.channel): p for p in await review_postings(session, gig)}
    channels = await review_channels(session, community)
    for platform, channel in channels:
        posting = existing.get((platform, channel))
        if posting is None:
            posting = Posting(gig_id=gig.id, platform=platform, channel=channel, created_at=clock.now(), kind=REVIEW)
            session.add(posting)
            await session.flush()
        if fresh or posting.message_ref is None and not await _queued(session, posting):
            outbox.enqueue(session, community.id, platform, outbox.POST, channel, Message(cards=(card,)), clock,
                           posting_id=posting.id)
        else:
            outbox.enqueue(session, community.id, platform, outbox.EDIT, channel,
                           Message(cards=(card,), edits=posting.id), clock)
    return len(channels)


async def review_postings(session: AsyncSession, gig: Gig) -> Sequence[Posting]:
    """The gig's cards in review channels."""
    return (await session.execute(select(Posting).where(Posting.gig_id == gig.id, Posting.kind == REVIEW)
                                  .order_by(Posting.id))).scalars().all()


async def _queued(session: AsyncSession, posting: Posting) -> bool:
    """Whether a post of this posting already waits in the outbox (an edit then follows it)."""
    found = await session.execute(select(OutboxMessage.id).where(
        OutboxMessage.posting_id == posting.id, OutboxMessage.kind == outbox.POST).limit(1))
    return found.first() is not None


async def hold(session: AsyncSession, community: Community, gig: Gig, verdict: dict[str, Any], clock: Clock) -> int:
    """Hold a gig for review with its stored verdict, and show it in the review channels; return how many."""
    gig.status, gig.screening = HELD, verdict
    return await show(session, community, gig, clock, fresh=True)
