"""Moving what a member owns to another member: linking identities into one person, merging two communities.

`transfer` moves what a person has (gigs, applications, nudges) and keeps the source row: a linked identity stays
known by its platform id. `absorb` also moves every reference the history keeps (audit, status events, routes,
codes, outbox rows, reports) and deletes the source: the same platform identity known to two merged communities. `split`
undoes a link: the identity takes back the applications it made (Application.applied_as_id).

Two applications to one gig become one: the earlier row is kept (so `applied` keeps its first date), it takes the
later one's status if that one moved later, and the later one's status events and nudges move onto it.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.states import NudgeState
from bot.store.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Gig,
    GigReport,
    GigRevision,
    LinkCode,
    Member,
    Nudge,
    OutboxMessage,
    Route,
)

CLOSED_NUDGE = (NudgeState.SENT, NudgeState.CANCELLED, NudgeState.SKIPPED)


async def transfer(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Give the target member the source member's gigs, applications and nudges."""
    if source_id == target_id:
        return
    await _merge_applications(session, source_id, target_id)
    for column in (Gig.poster_id, Gig.filled_by_id):
        await session.execute(update(Gig).where(column == source_id).values({column.key: target_id})
                              .execution_options(synchronize_session=False))
    await session.execute(update(Nudge).where(Nudge.member_id == source_id).values(member_id=target_id)
                          .execution_options(synchronize_session=False))


async def absorb(session: AsyncSession, source: Member, target: Member) -> None:
    """Merge the source member into the target and delete it; no reference to it is left."""
    await transfer(session, source.id, target.id)
    moves = ((Application, Application.applied_as_id), (ApplicationEvent, ApplicationEvent.actor_id),
             (AuditEntry, AuditEntry.actor_id), (Route, Route.created_by_id), (LinkCode, LinkCode.member_id),
             (OutboxMessage, OutboxMessage.member_id), (Member, Member.linked_to_id),
             (GigReport, GigReport.member_id),  # reports are of one community's gigs: no gig has two of them
             (Gig, Gig.reviewed_by_id), (GigRevision, GigRevision.editor_id))
    for table, column in moves:
        await session.execute(update(table).where(column == source.id).values({column.key: target.id})
                              .execution_options(synchronize_session=False))
    target.is_poster = target.is_poster or source.is_poster
    target.trusted = target.trusted or source.trusted
    for name in ("locale", "timezone", "quiet_hours", "dm_channel", "dm_platform"):
        if getattr(target, name) is None and getattr(source, name) is not None:
            setattr(target, name, getattr(source, name))
    await session.flush()
    await session.execute(delete(Member).where(Member.id == source.id).execution_options(synchronize_session=False))
    session.expunge(source)


async def _merge_applications(session: AsyncSession, source_id: int, target_id: int) -> None:
    fresh = {"populate_existing": True}  # rows loaded earlier in the session may predate an UPDATE of member_id
    mine = {a.gig_id: a for a in (await session.execute(
        select(Application).where(Application.member_id == target_id).execution_options(**fresh))).scalars()}
    theirs = (await session.execute(select(Application).where(Application.member_id == source_id)
                                    .execution_options(**fresh))).scalars().all()
    for other in theirs:
        kept = mine.get(other.gig_id)
        if kept is None:
            other.member_id = target_id
            continue
        first, second = (kept, other) if kept.created_at <= other.created_at else (other, kept)
        if second.updated_at > first.updated_at:
            first.status, first.updated_at = second.status, second.updated_at
        first.pitch = first.pitch or second.pitch
        await session.execute(update(ApplicationEvent).where(ApplicationEvent.application_id == second.id)
                              .values(application_id=first.id).execution_options(synchronize_session=False))
        await session.execute(update(Nudge).where(Nudge.application_id == second.id, Nudge.state.not_in(CLOSED_NUDGE))
                              .values(state=NudgeState.CANCELLED).execution_options(synchronize_session=False))
        await session.execute(update(Nudge).where(Nudge.application_id == second.id)
                              .values(application_id=first.id).execution_options(synchronize_session=False))
        await session.delete(second)
        await session.flush()  # the (gig, member) pair is free before the kept row takes it
        first.member_id = target_id
    await session.flush()


async def split(session: AsyncSession, identity: Member) -> int:
    """Unlink an identity from its person; it takes back the applications it made. Returns how many."""
    person_id = identity.linked_to_id
    if person_id is None:
        return 0
    identity.linked_to_id = None
    moved = await session.execute(
        update(Application).where(Application.member_id == person_id, Application.applied_as_id == identity.id)
        .values(member_id=identity.id).execution_options(synchronize_session=False))
    await session.execute(
        update(Nudge).where(Nudge.member_id == person_id, Nudge.application_id.in_(
            select(Application.id).where(Application.member_id == identity.id))).values(member_id=identity.id)
        .execution_options(synchronize_session=False))
    await session.flush()
    return int(moved.rowcount)  # type: ignore[attr-defined]
