"""Reports: a member flags a gig for admins; enough distinct reporters hide it until an admin decides.

A person reports a gig once: the identities linked into one person (`gig link`) are one reporter, whichever of them
reported first. Reports reach the review channels at once; when the distinct reporters reach the community's
`reports_to_hide` (ScreeningSettings), the gig leaves every listing, its postings say it is under review, and its
poster is told, never by whom.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, local_date
from bot.core.errors import UserError
from bot.services import audit, postings, review
from bot.services.closing import notify
from bot.services.gigs import CLOSED, HELD, OPEN, REJECTED
from bot.services.screening import ScreeningSettings
from bot.store import locks
from bot.store.models import Community, Gig, GigReport, Member

MAX_REASON = 1000
REFUSALS = {HELD: "report.held", REJECTED: "report.rejected", CLOSED: "report.closed"}


@dataclass(frozen=True)
class Reported:
    """What a report did: how many distinct members have reported the gig, and whether this one hid it."""

    reporters: int
    hidden: bool


async def reporters(session: AsyncSession, gig_id: int) -> int:
    """How many distinct people reported the gig (a forgotten reporter still counts, as one)."""
    person = func.coalesce(Member.linked_to_id, Member.id)
    known = await session.execute(select(func.count(distinct(person))).select_from(GigReport)
                                  .join(Member, Member.id == GigReport.member_id).where(GigReport.gig_id == gig_id))
    forgotten = await session.execute(select(func.count()).select_from(GigReport).where(
        GigReport.gig_id == gig_id, GigReport.member_id.is_(None)))
    return int(known.scalar_one()) + int(forgotten.scalar_one())


async def reported_by(session: AsyncSession, gig_id: int, person: Member) -> bool:
    """Whether the person, as any of their linked identities, already reported the gig."""
    found = await session.execute(select(GigReport.id).join(Member, Member.id == GigReport.member_id).where(
        GigReport.gig_id == gig_id, or_(Member.id == person.id, Member.linked_to_id == person.id)).limit(1))
    return found.first() is not None


def check_can_report(gig: Gig, person: Member, clock: Clock, community: Community) -> None:
    """Refuse a report of a gig that is not open, or of the person's own gig, with what to do instead."""
    if gig.poster_id == person.id:
        raise UserError("report.own_gig", id=gig.id)
    if gig.status in REFUSALS:
        raise UserError(REFUSALS[gig.status], id=gig.id)
    if gig.status != OPEN or gig.apply_by < local_date(clock.now(), community.timezone):
        raise UserError("report.closed", id=gig.id)


async def report(session: AsyncSession, community: Community, gig: Gig, person: Member, reason: str,
                 clock: Clock) -> Reported:
    """Record the person's report of an open gig, show it to the admins, and hide the gig at the threshold."""
    gig_id = gig.id
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise UserError("gig.too_long", name="reason", max=MAX_REASON, length=len(reason))
    await locks.lock(session, gig)  # reports of one gig one after the other: the threshold is crossed once
    check_can_report(gig, person, clock, community)
    if await reported_by(session, gig_id, person):
        raise UserError("report.already", id=gig_id)
    now = clock.now()
    try:
        async with session.begin_nested():
            session.add(GigReport(gig_id=gig_id, member_id=person.id, reason=reason, created_at=now))
    except IntegrityError:  # a second press at the same moment: the first report stands
        raise UserError("report.already", id=gig_id) from None
    audit.write(session, community.id, person.id, now, "gig.report", gig_id, reason=reason)
    count = await reporters(session, gig_id)
    hides = gig.hidden_at is None and count >= ScreeningSettings.of(community.settings).reports_to_hide
    if hides:
        gig.hidden_at = now
        audit.write(session, community.id, None, now, "gig.hide", gig_id, reports=count)
        await postings.refresh(session, community, gig, clock)
        await notify(session, community, gig.poster, "report.dm_hidden", clock, id=gig_id, title=gig.title)
    await review.show(session, community, gig, clock, fresh=True)
    return Reported(count, hides)


async def reports_of(session: AsyncSession, gig_id: int) -> list[GigReport]:
    """The gig's reports, oldest first (for admins: the review card and `gig review`)."""
    return list((await session.execute(select(GigReport).where(GigReport.gig_id == gig_id)
                                       .order_by(GigReport.created_at, GigReport.id))).scalars())
