"""Closing a gig, by its poster or when its apply-by date passes: every posting updated, applicants told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.clock import Clock
from bot.core.i18n import Term
from bot.core.states import ApplicationStatus
from bot.core.types import Message
from bot.services import applications, identities, nudges, outbox, postings
from bot.services.gigs import CLOSED, OPEN
from bot.services.members import translator_for
from bot.store.models import Application, Community, Gig, Member

# (why the gig closed, whether the applicant was interviewing) -> the notice they get
NOTICES = {("expired", False): "close.dm_expired", ("expired", True): "close.dm_expired_interviewing",
           ("filled", False): "close.dm", ("filled", True): "close.dm_filled_interviewing",
           ("closed", False): "close.dm", ("closed", True): "close.dm_interviewing"}


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
    updated, told = await tell_everyone(session, community, gig, clock, found, hired, expired)
    return Closed(updated, told, overridden)


async def tell_everyone(session: AsyncSession, community: Community, gig: Gig, clock: Clock,
                        found: Sequence[Application] | None = None, hired: Application | None = None,
                        expired: bool = False) -> tuple[int, int]:
    """A gig that no longer takes applications: edit every posting, DM the pending applicants, cancel its nudges.

    Also what taking a live gig down after review does. Returns (postings updated, applicants told).
    """
    if found is None:
        found = await applications.of_gig(session, gig.id)
    updated = await postings.refresh(session, community, gig, clock)
    title = gig.title
    told = 0
    targets = await identities.dm_identities(session, [application.member for application in found])
    for application in found:
        if application is hired or application.status not in applications.PENDING:
            continue
        why = "expired" if expired else "filled" if hired is not None else "closed"
        key = NOTICES[why, application.status == applications.INTERVIEWING]
        await notify(session, community, application.member, key, clock, targets.get(application.member_id),
                     id=gig.id, title=title)
        told += 1
    if hired is not None:
        await notify(session, community, hired.member, "close.dm_hired", clock, targets.get(hired.member_id),
                     id=gig.id, title=title)
    await nudges.cancel_for_gig(session, gig.id)
    return updated, told


async def notify(session: AsyncSession, community: Community, member: Member, key: str, clock: Clock,
                 to: Member | None = None, **values: object) -> None:
    """DM a closing notice in the member's language, held until their quiet hours are over (`to`: see enqueue_dm)."""
    message = Message(translator_for(member, community)(key, **values))
    now = clock.now()
    await outbox.enqueue_dm(session, member, message, clock, not_before=nudges.reachable_at(member, community, now),
                            to=to)


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
