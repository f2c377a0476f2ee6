"""Nudges: which timed DMs an application or a gig gets, written as rows in the change's own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import applications
from bot.services.policy import NudgePolicy
from bot.store.events import NUDGES, note_written
from bot.store.models import Application, Community, Gig, Nudge

FOLLOW_UP, FOLLOW_UP_AGAIN, NEWS_CHECK = "follow_up", "follow_up_again", "news_check"
NO_RESPONSE, POSTER_REVIEW = "no_response", "poster_review"
PENDING, CLAIMED, SENT, CANCELLED, SKIPPED = "pending", "claimed", "sent", "cancelled", "skipped"
OPEN_STATES = (PENDING, CLAIMED)
SNOOZE = timedelta(days=1)


def plan(status: str, previous: str | None, policy: NudgePolicy) -> list[tuple[str, timedelta]]:
    """The nudges an application at this status gets, and after how long; one second follow-up at most."""
    if status == applications.APPLIED:
        return [(FOLLOW_UP, policy.first_nudge), (NEWS_CHECK, policy.news_check)]
    if status == applications.FOLLOWED_UP and previous != applications.FOLLOWED_UP:
        return [(FOLLOW_UP_AGAIN, policy.second_nudge), (NEWS_CHECK, policy.news_check)]
    if status == applications.FOLLOWED_UP:
        return [(NEWS_CHECK, policy.news_check)]
    if status == applications.INTERVIEWING:
        return [(NEWS_CHECK, policy.news_check)]
    return []


def add(session: AsyncSession, community_id: int, member_id: int, kind: str, due: datetime, now: datetime,
        application_id: int | None = None, gig_id: int | None = None) -> Nudge:
    """Write one pending nudge."""
    nudge = Nudge(community_id=community_id, member_id=member_id, application_id=application_id, gig_id=gig_id,
                  kind=kind, due_at=due, state=PENDING, attempts=0, created_at=now)
    session.add(nudge)
    note_written(session, NUDGES)
    return nudge


async def cancel_for_application(session: AsyncSession, application_id: int) -> None:
    """Cancel the application's nudges that are not sent yet."""
    await session.execute(update(Nudge).where(Nudge.application_id == application_id,
                                              Nudge.state.in_(OPEN_STATES)).values(state=CANCELLED))


async def cancel_for_gig(session: AsyncSession, gig_id: int) -> None:
    """Cancel every unsent nudge about a gig: its applications' and its poster's."""
    applications_of_gig = select(Application.id).where(Application.gig_id == gig_id)
    await session.execute(update(Nudge).where(
        (Nudge.gig_id == gig_id) | Nudge.application_id.in_(applications_of_gig),
        Nudge.state.in_(OPEN_STATES)).values(state=CANCELLED))


async def reschedule(session: AsyncSession, application: Application, community: Community, now: datetime,
                     previous: str | None = None) -> None:
    """After any status change: drop the pending nudges and plan those of the new status."""
    await cancel_for_application(session, application.id)
    if not application.reminders:
        return
    for kind, delay in plan(application.status, previous, NudgePolicy.of(community)):
        add(session, community.id, application.member_id, kind, now + delay, now, application_id=application.id)


async def after_apply(session: AsyncSession, application: Application, gig: Gig, community: Community,
                      now: datetime) -> None:
    """A new application's nudges, and the poster's review reminder on the gig's first application."""
    await reschedule(session, application, community, now)
    first = (await session.execute(select(Nudge.id).where(Nudge.gig_id == gig.id, Nudge.kind == POSTER_REVIEW)
                                   .limit(1))).first()
    if first is None:
        add(session, community.id, gig.poster_id, POSTER_REVIEW, now + NudgePolicy.of(community).poster_review, now,
            gig_id=gig.id)


async def snooze(session: AsyncSession, application: Application, now: datetime) -> datetime:
    """Remind again in a day: the last nudge sent (a follow-up if none was) comes back, once."""
    last = (await session.execute(
        select(Nudge.kind).where(Nudge.application_id == application.id, Nudge.state == SENT,
                                 Nudge.kind != NO_RESPONSE).order_by(Nudge.sent_at.desc(), Nudge.id.desc()).limit(1)
    )).scalar_one_or_none() or FOLLOW_UP
    await session.execute(update(Nudge).where(Nudge.application_id == application.id, Nudge.kind == last,
                                              Nudge.state.in_(OPEN_STATES)).values(state=CANCELLED))
    due = now + SNOOZE
    add(session, application.gig.community_id, application.member_id, last, due, now, application_id=application.id)
    return due
