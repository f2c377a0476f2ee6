"""Nudges: which timed DMs an application or a gig gets, written as rows in the change's own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.states import ApplicationStatus, NudgeKind, NudgeState
from bot.services.nudge_rules import RULES, Start, Stop, kinds, planned
from bot.services.policy import NudgePolicy
from bot.store.events import NUDGES, note_written
from bot.store.models import Application, Community, Gig, Nudge

OPEN_STATES = (NudgeState.PENDING, NudgeState.CLAIMED)
SNOOZE = timedelta(days=1)


def plan(status: ApplicationStatus, previous: ApplicationStatus | None,
         policy: NudgePolicy) -> list[tuple[NudgeKind, timedelta]]:
    """The nudges an application at this status gets, and after how long (bot.services.nudge_rules)."""
    return [(rule.kind, rule.due_after(policy)) for rule in planned(status, previous)]


def add(session: AsyncSession, community_id: int, member_id: int, kind: NudgeKind, due: datetime, now: datetime,
        application_id: int | None = None, gig_id: int | None = None) -> Nudge:
    """Write one pending nudge."""
    nudge = Nudge(community_id=community_id, member_id=member_id, application_id=application_id, gig_id=gig_id,
                  kind=kind, due_at=due, state=NudgeState.PENDING, attempts=0, created_at=now)
    session.add(nudge)
    note_written(session, NUDGES)
    return nudge


async def cancel_for_application(session: AsyncSession, application_id: int) -> None:
    """Cancel the application's nudges that are not sent yet and that a status change stops."""
    await session.execute(update(Nudge).where(Nudge.application_id == application_id,
                                              Nudge.kind.in_(kinds(stopped_by=Stop.STATUS_CHANGE)),
                                              Nudge.state.in_(OPEN_STATES)).values(state=NudgeState.CANCELLED))


async def cancel_for_gig(session: AsyncSession, gig_id: int) -> None:
    """Cancel every unsent nudge about a gig: its applications' and its poster's."""
    applications_of_gig = select(Application.id).where(Application.gig_id == gig_id)
    await session.execute(update(Nudge).where(
        (Nudge.gig_id == gig_id) | Nudge.application_id.in_(applications_of_gig),
        Nudge.kind.in_(kinds(stopped_by=Stop.GIG_CLOSED)), Nudge.state.in_(OPEN_STATES))
        .values(state=NudgeState.CANCELLED))


async def reschedule(session: AsyncSession, application: Application, community: Community, now: datetime,
                     previous: ApplicationStatus | None = None) -> None:
    """After any status change: drop the pending nudges and plan those of the new status."""
    await cancel_for_application(session, application.id)
    if not application.reminders:
        return
    for kind, delay in plan(application.status, previous, NudgePolicy.of(community)):
        add(session, community.id, application.member_id, kind, now + delay, now, application_id=application.id)


async def after_apply(session: AsyncSession, application: Application, gig: Gig, community: Community,
                      now: datetime) -> None:
    """A new application's nudges, and the poster's reminders planned by the gig's first application."""
    await reschedule(session, application, community, now)
    for rule in (rule for rule in RULES.values() if rule.start is Start.FIRST_APPLICATION):
        first = (await session.execute(select(Nudge.id).where(Nudge.gig_id == gig.id, Nudge.kind == rule.kind)
                                       .limit(1))).first()
        if first is None:
            add(session, community.id, gig.poster_id, rule.kind, now + rule.due_after(NudgePolicy.of(community)), now,
                gig_id=gig.id)


async def snooze(session: AsyncSession, application: Application, now: datetime) -> datetime:
    """Remind again in a day: the last nudge sent (a follow-up if none was) comes back, once."""
    last = (await session.execute(
        select(Nudge.kind).where(Nudge.application_id == application.id, Nudge.state == NudgeState.SENT,
                                 Nudge.kind.in_(kinds(snoozable=True)))
        .order_by(Nudge.sent_at.desc(), Nudge.id.desc()).limit(1)
    )).scalar_one_or_none() or NudgeKind.FOLLOW_UP
    await session.execute(update(Nudge).where(Nudge.application_id == application.id, Nudge.kind == last,
                                              Nudge.state.in_(OPEN_STATES)).values(state=NudgeState.CANCELLED))
    due = now + SNOOZE
    add(session, application.gig.community_id, application.member_id, last, due, now, application_id=application.id)
    return due
