"""Applications: one per member per gig, a status history, and the transitions that make sense."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.errors import UserError
from bot.core.i18n import Term
from bot.core.states import ApplicationStatus
from bot.services.gigs import OPEN
from bot.store import locks
from bot.store.models import Application, ApplicationEvent, Gig, Member

Status = ApplicationStatus
APPLIED, FOLLOWED_UP, INTERVIEWING = Status.APPLIED, Status.FOLLOWED_UP, Status.INTERVIEWING
HIRED, REJECTED, WITHDRAWN, NO_RESPONSE = Status.HIRED, Status.REJECTED, Status.WITHDRAWN, Status.NO_RESPONSE
STATUSES = tuple(Status)
MEMBER_SETTABLE = (FOLLOWED_UP, INTERVIEWING, HIRED, REJECTED, WITHDRAWN)
PENDING = (APPLIED, FOLLOWED_UP, INTERVIEWING, NO_RESPONSE)
FINAL = (HIRED, REJECTED, WITHDRAWN)
ALLOWED: dict[ApplicationStatus, tuple[ApplicationStatus, ...]] = {
    APPLIED: (FOLLOWED_UP, INTERVIEWING, HIRED, REJECTED, WITHDRAWN, NO_RESPONSE),
    FOLLOWED_UP: (FOLLOWED_UP, INTERVIEWING, HIRED, REJECTED, WITHDRAWN, NO_RESPONSE),
    INTERVIEWING: (HIRED, REJECTED, WITHDRAWN, NO_RESPONSE),
    NO_RESPONSE: (FOLLOWED_UP, INTERVIEWING, HIRED, REJECTED, WITHDRAWN),
    HIRED: (),
    REJECTED: (),
    WITHDRAWN: (),
}
MAX_PITCH = 1000


async def find(session: AsyncSession, gig_id: int, member_id: int) -> Application | None:
    """The member's application to a gig, if any."""
    query = select(Application).where(Application.gig_id == gig_id, Application.member_id == member_id)
    return (await session.execute(query)).scalar_one_or_none()


async def check_can_apply(session: AsyncSession, gig: Gig, member: Member) -> Application | None:
    """Refuse a poster's own gig, and a second application with the first one's status.

    A withdrawn application is returned instead: applying again takes it up (one application per member and gig).
    """
    if gig.poster_id == member.id:
        raise UserError("apply.own_gig", id=gig.id)
    earlier = await find(session, gig.id, member.id)
    if earlier is not None and earlier.status != WITHDRAWN:
        raise UserError("apply.already", id=gig.id, status=status_name(earlier.status),
                        date=earlier.created_at.date())
    return earlier


async def apply(session: AsyncSession, gig: Gig, member: Member, pitch: str, now: datetime,
                applied_as: Member | None = None) -> Application:
    """Record a new application by `member` (the person), made as `applied_as` (the identity that typed it).

    The gig's row is held first: applications to one gig run one after the other, so the plans made by its first
    application (the poster's review) are made once, and an application never slips past the gig's closing.
    """
    gig_id = gig.id
    await locks.lock(session, gig)
    if gig.status != OPEN:
        raise UserError("apply.closed", id=gig_id)
    if gig.hidden_at is not None:  # hidden after reports since the form opened: no applications until a decision
        raise UserError("report.hidden_apply", id=gig_id)
    withdrawn = await check_can_apply(session, gig, member)
    if len(pitch) > MAX_PITCH:
        raise UserError("gig.too_long", name="pitch", max=MAX_PITCH, length=len(pitch))
    if withdrawn is not None:
        return await apply_again(session, withdrawn, member, pitch, now, applied_as)
    application = Application(gig_id=gig.id, member_id=member.id, status=APPLIED, pitch=pitch, created_at=now,
                              updated_at=now, applied_as_id=(applied_as or member).id)
    application.gig, application.member = gig, member
    session.add(application)
    try:  # gig_id was read above: a failed flush expires every loaded object
        await session.flush()
    except IntegrityError:  # a second press at the same moment: the first one's application stands
        raise UserError("apply.already", id=gig_id, status=status_name(APPLIED), date=now.date()) from None
    session.add(ApplicationEvent(application_id=application.id, from_status=None, to_status=APPLIED,
                                 actor_id=member.id, at=now))
    return application


async def apply_again(session: AsyncSession, application: Application, member: Member, pitch: str,
                      now: datetime, applied_as: Member | None = None) -> Application:
    """Take up a withdrawn application: back to applied with the new pitch and date, both steps in its history.

    Its reminders start afresh, as for a first application; the history keeps the first date. It is now the
    application of the identity that applied again.
    """
    applied_as_id = (applied_as or member).id
    await session.execute(
        update(Application).where(Application.id == application.id)
        .values(status=APPLIED, pitch=pitch, reminders=True, created_at=now, updated_at=now,
                applied_as_id=applied_as_id)
        .execution_options(synchronize_session=False))
    for name, value in (("status", APPLIED), ("pitch", pitch), ("reminders", True), ("created_at", now),
                        ("updated_at", now), ("applied_as_id", applied_as_id)):
        set_committed_value(application, name, value)
    session.add(ApplicationEvent(application_id=application.id, from_status=WITHDRAWN, to_status=APPLIED,
                                 actor_id=member.id, at=now))
    return application


def status_name(status: str) -> Term:
    """The translatable name of a status."""
    return Term(f"status.name.{status}")


def check_transition(current: ApplicationStatus, target: ApplicationStatus) -> None:
    """Refuse a move that makes no sense, saying why."""
    if target == current and target not in ALLOWED[current]:
        raise UserError("status.already", status=status_name(target))
    if target not in ALLOWED[current]:
        if current in FINAL:
            raise UserError("status.final", status=status_name(current))
        raise UserError("status.not_allowed", current=status_name(current), target=status_name(target))


async def lock(session: AsyncSession, application: Application) -> None:
    """Hold the application's row until commit and re-read it, so two presses on it run one after the other."""
    await locks.lock(session, application)


async def transition(session: AsyncSession, application: Application, target: ApplicationStatus,
                     actor: Member | None, now: datetime, override: bool = False) -> ApplicationStatus:
    """Move an application to a new status and record it in the history; return the old status.

    The update is conditional on the status it was read at: of two presses at once, the second is told where
    the application now stands instead of writing a second history row. `override` is the poster's record of the
    outcome, which wins over whatever the member recorded.
    """
    previous = application.status
    if not override:
        check_transition(previous, target)
    moved = await session.execute(
        update(Application).where(Application.id == application.id, Application.status == previous)
        .values(status=target, updated_at=now).execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(application)
        check_transition(application.status, target)
        raise UserError("status.already", status=status_name(application.status))
    set_committed_value(application, "status", target)
    set_committed_value(application, "updated_at", now)
    session.add(ApplicationEvent(application_id=application.id, from_status=previous, to_status=target,
                                 actor_id=actor.id if actor else None, at=now))
    return previous


async def count_for(session: AsyncSession, gig_id: int) -> int:
    """How many members applied to a gig (withdrawn ones excluded)."""
    query = select(func.count()).where(Application.gig_id == gig_id, Application.status != WITHDRAWN)
    return (await session.execute(query)).scalar_one()


async def of_member(session: AsyncSession, member_id: int) -> list[Application]:
    """A member's applications, most recently changed first."""
    query = select(Application).where(Application.member_id == member_id).order_by(
        Application.updated_at.desc(), Application.id.desc())
    return list((await session.execute(query)).scalars())


async def of_gig(session: AsyncSession, gig_id: int) -> list[Application]:
    """A gig's applications, first applied first."""
    query = select(Application).where(Application.gig_id == gig_id).order_by(Application.created_at, Application.id)
    return list((await session.execute(query)).scalars())
