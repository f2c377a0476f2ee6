"""Linking places: merging one community into another (`gig admin join`), and giving a place its own again.

A join moves everything of the joining place's community into the code's community in the command's transaction:
its places, gigs (tags and postings follow their gig), applications (they follow their member), nudges, routes,
outbox rows, audit entries and link codes. The same platform identity known to both becomes one member
(`member_merge.absorb`). The joining community's row is deleted, so the other community's settings apply.

`unlink` (in bot.services.place_split) undoes it for one place, with the gigs and members that came from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import member_merge
from bot.store.models import (
    Application,
    AuditEntry,
    BrowseQuery,
    Community,
    Gig,
    LinkCode,
    Member,
    Nudge,
    OutboxMessage,
    Route,
    Workspace,
)

MOVED_WITH_COMMUNITY = (Workspace, Gig, Nudge, Route, OutboxMessage, AuditEntry, LinkCode)


@dataclass(frozen=True)
class Merged:
    """What a join brought over."""

    gigs: int
    members: int  # members of the joining community, merged or moved
    merged: int  # of them, identities the community already knew (now one member each)


async def places_of(session: AsyncSession, community_id: int) -> list[Workspace]:
    """A community's places in the order `gig admin places` numbers them."""
    query = select(Workspace).where(Workspace.community_id == community_id).order_by(Workspace.id)
    return list((await session.execute(query.execution_options(populate_existing=True))).scalars())


async def merge(session: AsyncSession, target: Community, source: Community) -> Merged:
    """Move everything of `source` into `target` and delete `source`; the caller holds both rows' locks."""
    src, dst = source.id, target.id
    gigs = await _count(session, Gig, src)
    theirs = list((await session.execute(select(Member).where(Member.community_id == src).order_by(Member.id)
                                         .execution_options(populate_existing=True))).scalars())
    mine = {(m.platform, m.platform_user_id): m for m in (await session.execute(
        select(Member).where(Member.community_id == dst).execution_options(populate_existing=True))).scalars()}
    merged = 0
    for member in theirs:
        twin = mine.get((member.platform, member.platform_user_id))
        if twin is not None:
            await _absorb(session, member, twin)
            merged += 1
    await session.execute(update(Member).where(Member.community_id == src).values(community_id=dst)
                          .execution_options(synchronize_session=False))
    for model in MOVED_WITH_COMMUNITY:
        await session.execute(update(model).where(model.community_id == src).values(community_id=dst)
                              .execution_options(synchronize_session=False))
    await session.execute(delete(BrowseQuery).where(BrowseQuery.community_id == src)
                          .execution_options(synchronize_session=False))
    await settle_links(session, dst)
    await session.flush()
    await session.execute(delete(Community).where(Community.id == src).execution_options(synchronize_session=False))
    session.expunge(source)
    return Merged(gigs=gigs, members=len(theirs), merged=merged)


async def _absorb(session: AsyncSession, source: Member, target: Member) -> None:
    """One identity known to both communities becomes the target's member; a person link survives when it can.

    If only the source was linked to a person, the target takes that link. If the target already belongs to a person
    (linked, or others link to it), the target community's link wins: the source is split first, so the applications
    it made come over with it.
    """
    await session.refresh(source)  # earlier merges may have repointed its link
    await session.refresh(target)
    person = source.linked_to_id
    if person is not None and (target.linked_to_id is not None or await _is_person(session, target.id)):
        await member_merge.split(session, source)
        person = None
    await member_merge.absorb(session, source, target)
    if person is not None:
        target.linked_to_id = person
        await session.flush()


async def _is_person(session: AsyncSession, member_id: int) -> bool:
    return bool((await session.execute(select(exists().where(Member.linked_to_id == member_id)))).scalar())


async def settle_links(session: AsyncSession, community_id: int) -> None:
    """Every linked identity points at its person directly and holds nothing: what it holds goes to the person.

    A merge can leave an identity linked to an identity (the person it pointed at was absorbed into a linked one);
    a link that would go round in a circle is cut where it is found.
    """
    links: dict[int, int | None] = {identity: person for identity, person in await session.execute(
        select(Member.id, Member.linked_to_id).where(Member.community_id == community_id,
                                                     Member.linked_to_id.is_not(None)))}
    for identity, person in links.items():
        root: int | None = person
        seen = {identity}
        while root in links and root not in seen:
            seen.add(root)
            root = links[root]
        if root in seen:
            root = None
        if root != person:
            await session.execute(update(Member).where(Member.id == identity).values(linked_to_id=root)
                                  .execution_options(synchronize_session=False))
            links[identity] = root
    holding = select(Member.id, Member.linked_to_id).where(
        Member.community_id == community_id, Member.linked_to_id.is_not(None),
        or_(exists().where(Application.member_id == Member.id), exists().where(Gig.poster_id == Member.id),
            exists().where(Gig.filled_by_id == Member.id), exists().where(Nudge.member_id == Member.id)))
    for identity, holder in (await session.execute(holding)).all():
        if holder is not None:  # the applications it made keep saying so, so that unlinking gives them back
            await session.execute(update(Application).where(
                Application.member_id == identity, Application.applied_as_id.is_(None))
                .values(applied_as_id=identity).execution_options(synchronize_session=False))
            await member_merge.transfer(session, identity, holder)


async def _count(session: AsyncSession, model: type[Gig] | type[Member], community_id: int) -> int:
    query = select(func.count()).select_from(model).where(model.community_id == community_id)
    return int((await session.execute(query)).scalar_one())
