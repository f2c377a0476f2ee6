"""Communities and members: found by their platform ids, created on first contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.i18n import Translator, normalise_locale
from bot.core.types import Actor, Place, Role
from bot.store.models import Community, Member, Workspace

CONSOLE = "console"
MAX_DISPLAY_NAME = 100  # the column size
MAX_NAME = 100  # community and workspace names


async def community_for(session: AsyncSession, place: Place, settings: Settings, now: datetime,
                        actor: Actor | None = None) -> Community:
    """The community a workspace belongs to; a new workspace starts a community of its own."""
    return (await place_for(session, place, settings, now, actor))[0]


async def place_for(session: AsyncSession, place: Place, settings: Settings, now: datetime,
                    actor: Actor | None = None) -> tuple[Community, Workspace | None]:
    """The community and workspace row of a place; a new workspace starts a community of its own.

    A Discord DM carries no server: it belongs to the community the member was last seen in, and to no workspace.
    """
    if not place.workspace_id and actor is not None:
        seen = (await session.execute(
            select(Community).join(Member, Member.community_id == Community.id)
            .where(Member.platform == actor.platform, Member.platform_user_id == actor.user_id)
            .order_by(Member.id.desc()).limit(1))).scalar_one_or_none()
        if seen is not None:
            return seen, None
    found = await _workspace_community(session, place)
    if found is not None:
        community, workspace = found
        if place.workspace_name and workspace.name != place.workspace_name[:MAX_NAME]:
            workspace.name = place.workspace_name[:MAX_NAME]
        return community, workspace
    default = settings.default_channel if place.platform == CONSOLE else None
    locale = normalise_locale(place.locale) or settings.default_locale
    try:
        async with session.begin_nested():
            community = Community(name=(place.workspace_name or place.workspace_id)[:MAX_NAME], default_locale=locale,
                                  settings={}, created_at=now)
            session.add(community)
            await session.flush()
            workspace = Workspace(community_id=community.id, platform=place.platform, external_id=place.workspace_id,
                                  name=(place.workspace_name or place.workspace_id)[:MAX_NAME],
                                  default_channel=default)
            session.add(workspace)
            await session.flush()
    except IntegrityError:  # another process created it first
        found = await _workspace_community(session, place)
        assert found is not None
        return found
    return community, workspace


async def _workspace_community(session: AsyncSession, place: Place) -> tuple[Community, Workspace] | None:
    query = select(Community, Workspace).join(Workspace).where(
        Workspace.platform == place.platform, Workspace.external_id == place.workspace_id)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (row[0], row[1])


async def reader_language(sessions: async_sessionmaker[AsyncSession], place: Place, actor: Actor,
                          settings: Settings) -> Translator:
    """The language an actor reads, looked up without creating anything (for adapters' own lines)."""
    async with sessions() as session:
        found = await _workspace_community(session, place)
        if found is None:
            return Translator(normalise_locale(actor.locale) or settings.default_locale)
        community = found[0]
        member = await _find(session, community.id, actor.platform, actor.user_id)
        if member is None:
            return Translator(normalise_locale(actor.locale) or community.default_locale)
        return translator_for(member, community)


async def member_for(session: AsyncSession, community: Community, actor: Actor, now: datetime,
                     workspace: Workspace | None = None) -> Member:
    """The member behind an actor, created on first contact; keeps their name and platform locale current."""
    member = await _find(session, community.id, actor.platform, actor.user_id)
    if member is None:
        member = await _create(session, community.id, actor.platform, actor.user_id, actor.display_name, now,
                               workspace.id if workspace else None)
    name = actor.display_name[:MAX_DISPLAY_NAME]  # a platform name longer than the column is cut, never refused
    if name and member.display_name != name:
        member.display_name = name
    platform_locale = normalise_locale(actor.locale)
    if platform_locale and member.platform_locale != platform_locale:
        member.platform_locale = platform_locale
    return member


async def member_by_user_id(session: AsyncSession, community_id: int, platform: str, user_id: str,
                            now: datetime) -> Member:
    """A member of this platform named in a command; created if they never used the bot."""
    member = await _find(session, community_id, platform, user_id)
    if member is None:
        member = await _create(session, community_id, platform, user_id, user_id, now)
    return member


def role_of(member: Member, actor: Actor, settings: Settings) -> Role:
    """Admins come from GIGBOT_ADMINS or the platform (Discord's Manage Server); posters from `role add`."""
    if actor.platform_admin or (actor.platform.lower(), actor.user_id) in settings.admin_ids:
        return Role.ADMIN
    return Role.POSTER if member.is_poster else Role.MEMBER


async def _find(session: AsyncSession, community_id: int, platform: str, user_id: str) -> Member | None:
    query = select(Member).where(
        Member.community_id == community_id, Member.platform == platform, Member.platform_user_id == user_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _create(session: AsyncSession, community_id: int, platform: str, user_id: str, name: str, now: datetime,
                  workspace_id: int | None = None) -> Member:
    try:
        async with session.begin_nested():
            member = Member(community_id=community_id, platform=platform, platform_user_id=user_id,
                            display_name=(name or user_id)[:MAX_DISPLAY_NAME], is_poster=False, nudges_enabled=True,
                            dm_undeliverable=False, created_at=now, workspace_id=workspace_id)
            session.add(member)
            await session.flush()
            return member
    except IntegrityError:  # created concurrently by another invocation
        found = await _find(session, community_id, platform, user_id)
        assert found is not None
        return found


async def set_locale(sessions: async_sessionmaker[AsyncSession], place: Place, actor: Actor, settings: Settings,
                     clock: Clock, locale: str) -> None:
    """Set the language an actor reads (the console's /lang; `gig settings lang=` later)."""
    async with sessions() as session:
        community = await community_for(session, place, settings, clock.now())
        member = await member_for(session, community, actor, clock.now())
        member.locale = locale
        await session.commit()


def translator_for(member: Member, community: Community) -> Translator:
    """The language a member reads: chosen, else their platform's, else the community default."""
    return Translator(member.locale or member.platform_locale or community.default_locale)
