"""Communities and members: found by their platform ids, created on first contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.clock import Clock, as_utc
from bot.core.i18n import Translator, normalise_locale
from bot.core.types import Actor, Place, Role
from bot.store.models import Community, Member, Workspace

CONSOLE = "console"
MAX_DISPLAY_NAME = 100  # the column size
MAX_NAME = 100  # community and workspace names
SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often: not a write on every command


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
        return translator_for(await person_of(session, member), community, member)


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


async def seen(session: AsyncSession, identity: Member, person: Member, now: datetime) -> None:
    """Note that an identity was just used, so a person's DMs can go to the platform they used last.

    Written when it is older than SEEN_EVERY, or when another identity of the person was seen since (then just
    after that one, so the one acting now is the latest even on a frozen clock): not a write on every command.
    """
    if identity.last_seen_at is None or now - identity.last_seen_at >= SEEN_EVERY:
        identity.last_seen_at = now
        return
    latest = (await session.execute(select(func.max(Member.last_seen_at)).where(
        or_(Member.id == person.id, Member.linked_to_id == person.id), Member.id != identity.id))).scalar()
    if latest is not None and as_utc(latest) >= identity.last_seen_at:
        identity.last_seen_at = max(now, as_utc(latest) + timedelta(microseconds=1))


async def person_of(session: AsyncSession, identity: Member) -> Member:
    """The member an identity acts as: the person it is linked to (`gig link`), else itself."""
    if identity.linked_to_id is None:
        return identity
    person = await session.get(Member, identity.linked_to_id)
    return identity if person is None else person


async def member_by_user_id(session: AsyncSession, community_id: int, platform: str, user_id: str,
                            now: datetime) -> Member:
    """The person behind a member of this platform named in a command; created if they never used the bot."""
    member = await _find(session, community_id, platform, user_id)
    if member is None:
        member = await _create(session, community_id, platform, user_id, user_id, now)
    return await person_of(session, member)


def role_of(member: Member, actor: Actor, settings: Settings, identity: Member | None = None) -> Role:
    """Admins come from GIGBOT_ADMINS or the platform (Discord's Manage Server); posters from `role add`.

    A linked person is a poster if any of its identities was made one; admin stays the acting platform's word.
    """
    if actor.platform_admin or (actor.platform.lower(), actor.user_id) in settings.admin_ids:
        return Role.ADMIN
    poster = member.is_poster or (identity is not None and identity.is_poster)
    return Role.POSTER if poster else Role.MEMBER


async def identity_of(session: AsyncSession, community_id: int, platform: str, user_id: str) -> Member | None:
    """The identity of this platform user in a community, if known (not the person it may be linked to)."""
    return await _find(session, community_id, platform, user_id)


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
        member = await person_of(session, await member_for(session, community, actor, clock.now()))
        member.locale = locale
        await session.commit()


def translator_for(member: Member, community: Community, identity: Member | None = None) -> Translator:
    """The language a member reads: chosen, else their platform's (the acting identity's), else the community's."""
    platform_locale = identity.platform_locale if identity is not None else None
    return Translator(member.locale or platform_locale or member.platform_locale or community.default_locale)
