"""Closing a gig, by its poster or when its apply-by date passes: every posting updated, applicants told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.clock import Clock
from bot.core.i18n import Term
from bot.core.states import ApplicationStatus
from bot.core.types import Message
from bot.services import applications, nudges, outbox, postings
from bot.services.gigs import CLOSED, OPEN
from bot.services.members import translator_for
from bot.store.models import Application, Community, Gig, Member


@dataclass(frozen=True)
class Closed:
    """What closing did: postings updated, pending applicants told."""

    postings: int
    told: int
    overridden: ApplicationStatus | None = None  # the hired member's own record that the poster's word replaced

    def counts(self) -> dict[str, Term]:
        """The counted phrases of the closing messages: `3 postings updated`, `1 pending applicant told`."""
        return {"postings": Term("close.postings", count=self.postings), "told": Term("close.told", count=self.told)}


async def close_gig(session: AsyncSession, community: Community, gig: Gig, clock: Clock, actor: Member | None,
                    hired: Application | None = None, expired: bool = False) -> Closed | None:
    """Close the gig, mark `hired` hired, edit every posting, DM the pending applicants, cancel its nudges.

    None when the gig was no longer open: another press or process closed it first and told everyone.
    """
    now = clock.now()
    if not await mark_closed(session, gig, now, hired):
        return None
    found = await applications.of_gig(session, gig.id)
    overridden = None
    if hired is not None:  # the poster's record wins, also over a member who marked themselves rejected
        await applications.lock(session, hired)
        if hired.status != applications.HIRED:
            previous = await applications.transition(session, hired, applications.HIRED, actor, now, override=True)
            overridden = previous if applications.HIRED not in applications.ALLOWED[previous] else None
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
    return Closed(updated, told, overridden)


async def mark_closed(session: AsyncSession, gig: Gig, now: datetime, hired: Application | None) -> bool:
    """Close the gig where it is still open; False if it was not (only one closer sends the notices)."""
    filled_by = hired.member_id if hired else None
    changed = await session.execute(
        update(Gig).where(Gig.id == gig.id, Gig.status == OPEN)
        .values(status=CLOSED, closed_at=now, filled_by_id=filled_by).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in (("status", CLOSED), ("closed_at", now), ("filled_by_id", filled_by)):
        set_committed_value(gig, name, value)
    return True
