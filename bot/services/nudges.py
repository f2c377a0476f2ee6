"""Nudges: which timed DMs an application or a gig gets, written as rows in the change's own transaction."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import as_utc
from bot.core.errors import UserError
from bot.core.i18n import Term
from bot.core.states import ApplicationStatus, NudgeKind, NudgeState
from bot.services.nudge_rules import RULES, Start, Stop, follow_ons, kinds, planned, rule_for
from bot.services.policy import NudgePolicy, quiet_hours_for, timezone_for
from bot.services.timing import outside_quiet_hours
from bot.store.events import NUDGES, note_written
from bot.store.models import Application, Community, Gig, Member, Nudge

OPEN_STATES = (NudgeState.PENDING, NudgeState.CLAIMED)
UNSENT = (*OPEN_STATES, NudgeState.PAUSED)
SNOOZE = timedelta(days=1)


def gig_end(gig: Gig, community: Community) -> datetime:
    """When the gig stops taking applications: the local midnight after its apply-by date (bot.services.expiry)."""
    tz = ZoneInfo(community.timezone or "UTC")
    return datetime.combine(gig.apply_by + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def reachable_at(member: Member, community: Community, when: datetime) -> datetime:
    """The first moment from `when` outside the member's quiet hours: when a DM to them may go."""
    return outside_quiet_hours(when, quiet_hours_for(member.quiet_hours, community.settings),
                               timezone_for(member.timezone, community.timezone))


def plan(status: ApplicationStatus, previous: ApplicationStatus | None,
         policy: NudgePolicy) -> list[tuple[NudgeKind, timedelta]]:
    """The nudges an application at this status gets, and after how long (bot.services.nudge_rules)."""
    return [(rule.kind, rule.due_after(policy)) for rule in planned(status, previous)]


def add(session: AsyncSession, community_id: int, member_id: int, kind: NudgeKind, due: datetime, now: datetime,
        application_id: int | None = None, gig_id: int | None = None, state: NudgeState = NudgeState.PENDING) -> Nudge:
    """Write one pending (or paused) nudge."""
    nudge = Nudge(community_id=community_id, member_id=member_id, application_id=application_id, gig_id=gig_id,
                  kind=kind, due_at=due, state=state, attempts=0, created_at=now)
    session.add(nudge)
    note_written(session, NUDGES)
    return nudge


async def cancel_for_application(session: AsyncSession, application_id: int) -> None:
    """Cancel the application's nudges that are not sent yet and that a status change stops."""
    await session.execute(update(Nudge).where(Nudge.application_id == application_id,
                                              Nudge.kind.in_(kinds(stopped_by=Stop.STATUS_CHANGE)),
                                              Nudge.state.in_(UNSENT)).values(state=NudgeState.CANCELLED))


async def cancel_for_gig(session: AsyncSession, gig_id: int) -> None:
    """Cancel every unsent nudge about a gig: its applications' and its poster's."""
    applications_of_gig = select(Application.id).where(Application.gig_id == gig_id)
    await session.execute(update(Nudge).where(
        (Nudge.gig_id == gig_id) | Nudge.application_id.in_(applications_of_gig),
        Nudge.kind.in_(kinds(stopped_by=Stop.GIG_CLOSED)), Nudge.state.in_(UNSENT))
        .values(state=NudgeState.CANCELLED))


async def reschedule(session: AsyncSession, application: Application, community: Community, now: datetime,
                     previous: ApplicationStatus | None = None) -> list[Nudge]:
    """After any status change: drop the unsent nudges and plan those of the new status; return them.

    With the application's reminders off they are planned paused, so turning them on finds the plan in place.
    Nothing is planned that could only come after the gig's end: it would be cancelled unsent.
    """
    await cancel_for_application(session, application.id)
    end = gig_end(application.gig, community)
    state = NudgeState.PENDING if application.reminders else NudgeState.PAUSED
    return [add(session, community.id, application.member_id, kind, now + delay, now,
                application_id=application.id, state=state)
            for kind, delay in plan(application.status, previous, NudgePolicy.of(community))
            if reachable_at(application.member, community, now + delay) < end]


async def after_apply(session: AsyncSession, application: Application, gig: Gig, community: Community,
                      now: datetime) -> list[Nudge]:
    """A new application's nudges (returned), and the poster's reminders planned by the gig's first application."""
    mine = await reschedule(session, application, community, now)
    end = gig_end(gig, community)
    for rule in (rule for rule in RULES.values() if rule.start is Start.FIRST_APPLICATION):
        first = (await session.execute(select(Nudge.id).where(Nudge.gig_id == gig.id, Nudge.kind == rule.kind)
                                       .limit(1))).first()
        due = now + rule.due_after(NudgePolicy.of(community))
        if first is None and reachable_at(gig.poster, community, due) < end:
            add(session, community.id, gig.poster_id, rule.kind, due, now, gig_id=gig.id)
    return mine


async def pause(session: AsyncSession, application_id: int) -> None:
    """Reminders off: the application's unsent nudges wait, due times kept (a claimed one is then not sent)."""
    await session.execute(update(Nudge).where(
        Nudge.application_id == application_id, Nudge.kind.in_(kinds(stopped_by=Stop.REMINDERS_OFF)),
        Nudge.state.in_(OPEN_STATES)).values(state=NudgeState.PAUSED, claimed_by=None, claimed_until=None))


async def resume(session: AsyncSession, application_id: int, now: datetime) -> None:
    """Reminders on: the plan goes on where it stood; of the nudges that fell due meanwhile, only the latest comes now.

    Sent nudges stay sent, so nothing is repeated; the others keep their due times.
    """
    paused = list((await session.execute(select(Nudge).where(
        Nudge.application_id == application_id, Nudge.state == NudgeState.PAUSED)
        .order_by(Nudge.due_at, Nudge.id))).scalars())
    overdue = [nudge for nudge in paused if as_utc(nudge.due_at) <= now]
    for nudge in paused:
        nudge.state = NudgeState.SKIPPED if nudge in overdue[:-1] else NudgeState.PENDING
    if paused:
        note_written(session, NUDGES)


async def snooze(session: AsyncSession, application: Application, community: Community, now: datetime) -> datetime:
    """Remind again in a day, out of quiet hours: the nudge just sent at this status comes back, else the next one.

    Refused, saying why, when no nudge would come: none is planned or just sent at this status, or the gig ends
    first.
    """
    due = reachable_at(application.member, community, now + SNOOZE)
    end = gig_end(application.gig, community)
    if due >= end:
        raise UserError("reminders.snooze_after_end", id=application.gig_id, date=application.gig.apply_by)
    status = application.status
    here = [kind for kind in kinds(snoozable=True) if status in rule_for(kind).sent_at]
    just_sent = select(Nudge.kind).where(
        Nudge.application_id == application.id, Nudge.state == NudgeState.SENT, Nudge.kind.in_(here),
        Nudge.sent_at >= application.updated_at).order_by(Nudge.sent_at.desc(), Nudge.id.desc()).limit(1)
    upcoming = select(Nudge.kind).where(
        Nudge.application_id == application.id, Nudge.state.in_(OPEN_STATES), Nudge.kind.in_(here)
    ).order_by(Nudge.due_at, Nudge.id).limit(1)
    kind = ((await session.execute(just_sent)).scalar_one_or_none()
            or (await session.execute(upcoming)).scalar_one_or_none())
    if kind is None:
        raise UserError("reminders.nothing_planned", id=application.gig_id, status=Term(f"status.name.{status}"))
    again = (kind, *(rule.kind for rule in follow_ons(kind)))  # a news check sent again plans its own follow-on
    await session.execute(update(Nudge).where(Nudge.application_id == application.id, Nudge.kind.in_(again),
                                              Nudge.state.in_(OPEN_STATES)).values(state=NudgeState.CANCELLED))
    add(session, community.id, application.member_id, kind, due, now, application_id=application.id)
    return due
