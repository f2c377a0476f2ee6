"""`gig admin link|join|places|unlink`: one community on several Slack workspaces and Discord servers.

An admin gets a one-time code with `admin link`; an admin of the other place types it with `admin join` there, and
that place's community merges into the code's one (bot.services.places). `admin unlink` gives a place its own
community again (bot.services.place_split). Replies are private, as every command reply is.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.errors import UserError
from bot.core.i18n import DEFAULT_LOCALE, catalog
from bot.core.registry import Kind, Param, registry
from bot.core.text import command_words
from bot.core.types import ChannelRef, Reply, Rich, Role, Text
from bot.dispatch.context import Context
from bot.services import audit, link_codes, place_split, places
from bot.store import locks
from bot.store.models import Community, LinkCode, Member, Route, Workspace

PLATFORM_NAMES = {"slack": "Slack", "discord": "Discord", "console": "Console"}
JOIN = "admin join"


def platform_name(platform: str) -> str:
    """A platform as people name it: Slack, Discord (others as the adapter calls them)."""
    return PLATFORM_NAMES.get(platform, platform)


def place_name(place: Workspace) -> Text:
    """`Slack acme`, `Discord Students`: the platform and the place's name (`Console` for the console's one)."""
    name = place.name or place.external_id
    if name.lower() == place.platform.lower():
        return Rich.of(platform_name(place.platform))
    return Rich.of(platform_name(place.platform) + " ", name)


def _here(ctx: Context) -> Workspace:
    if ctx.workspace is None:
        raise UserError("place.no_place")
    return ctx.workspace


def _typed_on(platform: str, locale: str, code: str) -> str:
    """How `admin join` is typed on a platform, in the reader's language where Discord translates command names."""
    words = command_words(JOIN, True, platform)
    if platform == "discord" and locale != DEFAULT_LOCALE:
        words = [catalog(locale).get(f"discord.names.{word.replace('-', '_')}", word) for word in words]
    return f"/{' '.join(words)} {code}"


@registry.command("admin link", role=Role.ADMIN)
async def admin_link(ctx: Context) -> Reply:
    """A one-time code an admin of another Slack workspace or Discord server types there to share this board."""
    here = _here(ctx)
    row = link_codes.make(ctx.session, link_codes.PLACE, ctx.community.id, ctx.member.id, ctx.now(), here.id)
    code = link_codes.shown(row.code)
    minutes = int(link_codes.LIFETIME.total_seconds() // 60)
    ctx.audit("place.link", here.id)
    return Reply(ctx.t("place.code", code=code, minutes=minutes, community=ctx.community.name,
                       slack=_typed_on("slack", ctx.t.locale, code), discord=_typed_on("discord", ctx.t.locale, code),
                       tz=ctx.community.timezone or "UTC", lang=ctx.community.default_locale))


@registry.command(JOIN, Param("code", required=True, positional=True, greedy=True), role=Role.ADMIN)
async def admin_join(ctx: Context, code: str) -> Reply:
    """Share the board of the community whose code this is: this place's gigs and members move there."""
    here = _here(ctx)
    session = ctx.session
    peek = await session.get(LinkCode, link_codes.normalise(code))
    locked = {here.community_id} | ({peek.community_id} if peek is not None else set())
    present = set(await locks.lock_ids(session, Community, locked))  # then two joins at once run one after the other
    row = await link_codes.use(session, link_codes.PLACE, code, ctx.now())
    source_id = (await session.execute(select(Workspace.community_id).where(Workspace.id == here.id))).scalar_one()
    if row.community_id == source_id:
        raise UserError("place.already_linked", place=place_name(here), community=ctx.community.name)
    if not {row.community_id, source_id} <= present:
        raise UserError("place.busy")
    target = await session.get(Community, row.community_id, populate_existing=True)
    source = await session.get(Community, source_id, populate_existing=True)
    assert target is not None and source is not None
    merged = await places.merge(session, target, source)
    await session.refresh(here)
    actor = (await session.execute(select(Member.id).where(
        Member.community_id == target.id, Member.platform == ctx.actor.platform,
        Member.platform_user_id == ctx.actor.user_id))).scalar_one_or_none()
    audit.write(session, target.id, actor, ctx.now(), "place.join", here.id, code=row.code, community=source_id,
                gigs=merged.gigs, members=merged.members, merged=merged.merged)
    others = Rich.join(", ", [place_name(w) for w in await places.places_of(session, target.id) if w.id != here.id])
    t = ctx.t
    return Reply(t("place.joined", here=place_name(here), others=others, community=target.name,
                   gigs=t("place.gigs", count=merged.gigs), members=t("place.members", count=merged.members),
                   merged=t("place.merged", count=merged.merged), tz=target.timezone or "UTC",
                   lang=target.default_locale))


@registry.command("admin places", role=Role.ADMIN)
async def admin_places(ctx: Context) -> Reply:
    """The Slack workspaces and Discord servers that share this community's board."""
    found = await places.places_of(ctx.session, ctx.community.id)
    routes = {place_id: count for place_id, count in await ctx.session.execute(select(
        Route.workspace_id, func.count()).where(Route.community_id == ctx.community.id).group_by(Route.workspace_id))}
    lines: list[Text] = [ctx.t("place.header", community=ctx.community.name)]
    for number, place in enumerate(found, 1):
        channel = (ChannelRef(place.platform, place.default_channel) if place.default_channel
                   else ctx.t("place.no_default"))
        here = ctx.t("place.here") if ctx.workspace is not None and place.id == ctx.workspace.id else ""
        review = ctx.t("place.review", channel=ChannelRef(place.platform, place.review_channel)) \
            if place.review_channel else ""
        lines.append(ctx.t("place.line", number=number, place=place_name(place), here=here, channel=channel,
                           review=review, routes=ctx.t("place.routes", count=routes.get(place.id, 0))))
    lines.append(ctx.t("place.alone_hint" if len(found) < 2 else "place.unlink_hint"))
    return Reply(Rich.join("\n", lines))


@registry.command("admin unlink", Param("place", Kind.INT, positional=True), role=Role.ADMIN)
async def admin_unlink(ctx: Context, place: int | None = None) -> Reply:
    """Give a place (this one, or a number from `gig admin places`) its own community again."""
    await locks.lock(ctx.session, ctx.community)
    found = await places.places_of(ctx.session, ctx.community.id)
    if place is None:
        if ctx.workspace is None:
            raise UserError("place.which")
        chosen = next((w for w in found if w.id == ctx.workspace.id), None)
    else:
        chosen = found[place - 1] if 1 <= place <= len(found) else None
    if chosen is None:
        raise UserError("place.no_such", number=place or 0)
    if len(found) < 2:
        raise UserError("place.only_place", place=place_name(chosen))
    split = await place_split.split_place(ctx.session, ctx.community, chosen, ctx.now())
    ctx.audit("place.unlink", chosen.id, community=split.community.id, gigs=split.gigs, members=split.members)
    audit.write(ctx.session, split.community.id, None, ctx.now(), "place.unlink", chosen.id,
                community=ctx.community.id, by=ctx.member.id)
    t = ctx.t
    links = t("place.links_undone", count=split.links) if split.links else ""
    return Reply(t("place.unlinked", place=place_name(chosen), community=split.community.name,
                   old=ctx.community.name, gigs=t("place.gigs", count=split.gigs),
                   members=t("place.members", count=split.members), links=links))
