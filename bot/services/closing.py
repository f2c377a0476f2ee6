"""Closing a gig, by its poster or when its apply-by date passes: every posting updated, applicants told."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.types import Message
from bot.services import applications, nudges, outbox, postings
from bot.services.gigs import CLOSED
from bot.services.members import translator_for
from bot.store.models import Application, Community, Gig, Member


@dataclass(frozen=True)
class Closed:
    """What closing did: postings updated, pending applicants told."""

    postings: int
    told: int


async def close_gig(session: AsyncSession, community: Community, gig: Gig, clock: Clock, actor: Member | None,
                    hired: Application | None = None, expired: bool = False) -> Closed:
    """Close the gig, mark `hired` hired, edit every posting, DM the pending applicants, cancel its nudges."""
    now = clock.now()
    found = await applications.of_gig(session, gig.id)
    gig.status, gig.closed_at = CLOSED, now
    gig.filled_by_id = hired.member_id if hired else None
    if hired is not None and hired.status != applications.HIRED:
        applications.transition(session, hired, applications.HIRED, actor, now)
    updated = await postings.refresh(session, community, gig, clock)
    title = gig.title
    told = 0
    for application in found:
        if application is hired or application.status not in applications.PENDING:
            continue
        t = translator_for(application.member, community)
        key = "close.dm_expired" if expired else "close.dm"
        outbox.enqueue_dm(session, application.member, Message(t(key, id=gig.id, title=title)), clock)
        told += 1
    if hired is not None:
        t = translator_for(hired.member, community)
        outbox.enqueue_dm(session, hired.member, Message(t("close.dm_hired", id=gig.id, title=title)), clock)
    await nudges.cancel_for_gig(session, gig.id)
    return Closed(updated, told)
