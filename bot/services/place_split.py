"""Unlinking a place: it gets a community of its own again, with the gigs posted there and the members first seen there.

The new community starts with a copy of the old one's settings, timezone and language. What moves: the place, its
routes, the gigs posted there (their postings, and the outbox rows of those postings, follow them), the members
first seen there with their nudges and DMs. A person link that crosses the split is undone first: each identity
keeps the applications it made. A gig and its poster end up on the same side: when a poster stays behind, the gig
goes to an identity of the same person on the gig's side, else to a new member of the poster's platform identity.
Applications stay as they are: a member's application to a gig of the other side stays in their pipeline.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import member_merge
from bot.services.members import MAX_NAME
from bot.store.models import Community, Gig, LinkCode, Member, Nudge, OutboxMessage, Posting, Route, Workspace

COPIED = ("display_name", "locale", "platform_locale", "is_poster", "timezone", "quiet_hours", "nudges_enabled",
          "dm_undeliverable", "dm_channel", "dm_platform")


@dataclass(frozen=True)
class Split:
    """What an unlink moved to the place's new community."""

    community: Community
    gigs: int
    members: int
    links: int  # person links undone because they crossed the split


async def split_place(session: AsyncSession, community: Community, place: Workspace, now: datetime) -> Split:
    """Give `place` a community of its own; the caller holds the community's lock and checked it has other places."""
    new = Community(name=(place.name or place.external_id)[:MAX_NAME], default_locale=community.default_locale,
                    timezone=community.timezone, settings=copy.deepcopy(community.settings), created_at=now)
    session.add(new)
    await session.flush()
    members = {m.id: m for m in (await session.execute(select(Member).where(Member.community_id == community.id)
                                                       .execution_options(populate_existing=True))).scalars()}
    moving = sorted(m.id for m in members.values() if m.workspace_id == place.id)
    moved_ids = set(moving)
    person = {m.id: m.linked_to_id or m.id for m in members.values()}
    moved = Gig.workspace_id == place.id
    crossing = list((await session.execute(select(Gig).where(
        Gig.community_id == community.id, or_(moved & Gig.poster_id.not_in(moving),
                                              Gig.workspace_id.is_distinct_from(place.id) & Gig.poster_id.in_(moving)))
        .execution_options(populate_existing=True))).scalars())
    moved_count = (await session.execute(select(func.count()).select_from(Gig).where(
        Gig.community_id == community.id, moved))).scalar_one()
    links = 0
    for member in members.values():
        if member.linked_to_id is not None and (member.id in moved_ids) != (member.linked_to_id in moved_ids):
            links += 1
            await member_merge.split(session, member)
    place.community_id = new.id
    await session.execute(update(Member).where(Member.id.in_(moving)).values(community_id=new.id)
                          .execution_options(synchronize_session=False))
    await session.flush()
    stand_ins: dict[tuple[int, int], int] = {}  # (poster, community) -> the member who takes their gigs there
    for gig in crossing:
        side = new.id if gig.workspace_id == place.id else community.id
        key = (gig.poster_id, side)
        if key not in stand_ins:
            here = moving if side == new.id else sorted(set(members) - set(moving))
            twin = next((m for m in here if person[m] == person[gig.poster_id]), None)
            stand_ins[key] = twin if twin is not None else await _copy(
                session, members[gig.poster_id], side, place.id if side == new.id else None, now)
        await session.execute(update(Nudge).where(Nudge.gig_id == gig.id, Nudge.member_id == gig.poster_id,
                                                  Nudge.application_id.is_(None))
                              .values(member_id=stand_ins[key]).execution_options(synchronize_session=False))
        gig.poster_id = stand_ins[key]
    await session.flush()
    gig_ids = select(Gig.id).where(Gig.community_id == community.id, moved)
    await _move_rows(session, community.id, new.id, place.id, moving, gig_ids)
    await session.execute(update(Gig).where(Gig.community_id == community.id, moved).values(community_id=new.id)
                          .execution_options(synchronize_session=False))
    return Split(community=new, gigs=int(moved_count), members=len(moving), links=links)


async def _copy(session: AsyncSession, poster: Member, community_id: int, workspace_id: int | None,
                now: datetime) -> int:
    """A member of the poster's platform identity in the other community, with the same settings."""
    member = Member(community_id=community_id, platform=poster.platform, platform_user_id=poster.platform_user_id,
                    created_at=now, workspace_id=workspace_id, **{name: getattr(poster, name) for name in COPIED})
    session.add(member)
    await session.flush()
    return member.id


async def _move_rows(session: AsyncSession, old: int, new: int, place_id: int, moving: list[int],
                     gig_ids: Select[Any]) -> None:
    """Routes of the place, nudges and DMs of the members who moved, outbox rows of the gigs that moved."""
    quiet = {"synchronize_session": False}
    await session.execute(update(Route).where(Route.community_id == old, Route.workspace_id == place_id)
                          .values(community_id=new).execution_options(**quiet))
    member_community = select(Member.community_id).where(Member.id == Nudge.member_id).scalar_subquery()
    await session.execute(update(Nudge).where(Nudge.community_id == old).values(community_id=member_community)
                          .execution_options(**quiet))
    postings = select(Posting.id).where(Posting.gig_id.in_(gig_ids))
    await session.execute(update(OutboxMessage).where(OutboxMessage.community_id == old, or_(
        OutboxMessage.posting_id.in_(postings),
        OutboxMessage.posting_id.is_(None) & OutboxMessage.member_id.in_(moving))).values(community_id=new)
        .execution_options(**quiet))
    await session.execute(delete(LinkCode).where(LinkCode.community_id == old, LinkCode.used_at.is_(None), or_(
        LinkCode.workspace_id == place_id, LinkCode.member_id.in_(moving))).execution_options(**quiet))
