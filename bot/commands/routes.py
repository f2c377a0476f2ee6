"""`gig route add|list|remove|default`: which channels receive which gigs."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.core.errors import UserError
from bot.core.params import read_channel
from bot.core.registry import Kind, Param, registry
from bot.core.types import ChannelRef, Reply, Rich, Role, Text
from bot.dispatch.context import Context
from bot.services import review
from bot.services.tags import parse_tags
from bot.store import locks
from bot.store.models import Route, Workspace

OFF = ("off", "none", "aucun")


@registry.command("route add", Param("channel", Kind.CHANNEL, required=True, positional=True), Param("tags"),
                  Param("remote", Kind.BOOL), Param("location"), role=Role.ADMIN)
async def route_add(ctx: Context, channel: str, tags: str = "", remote: bool | None = None,
                    location: str = "") -> Reply:
    """Send gigs with these tags, remote or location to a channel of this platform."""
    tag_list = parse_tags(tags)
    if len(location) > 100:
        raise UserError("gig.too_long", name="location", max=100, length=len(location))
    await locks.lock(ctx.session, ctx.community)  # two identical adds at once: the second sees the first
    await _not_review(ctx, channel)
    for route in await _routes(ctx):
        if (route.platform, route.channel, sorted(route.tags), route.remote, route.location.lower()) == (
                ctx.place.platform, channel, sorted(tag_list), remote, location.lower()):
            raise UserError("route.duplicate", id=route.id)
    route = Route(community_id=ctx.community.id, platform=ctx.place.platform, channel=channel, tags=tag_list,
                  remote=remote, location=location, created_by_id=ctx.member.id, created_at=ctx.now(),
                  workspace_id=ctx.workspace.id if ctx.workspace else None)
    ctx.session.add(route)
    await ctx.session.flush()
    ctx.audit("route.add", route.id, channel=channel)
    return Reply(ctx.t("route.added", id=route.id, rule=_describe(ctx, route, await _places(ctx))))


@registry.command("route list", role=Role.ADMIN)
async def route_list(ctx: Context) -> Reply:
    """The routes and default channels of this community."""
    places = await _places(ctx)
    lines = [ctx.t("route.default_line", platform=_where(w.platform, w.id, places),
                   channel=ChannelRef(w.platform, w.default_channel)) for w in places.values() if w.default_channel]
    lines += [ctx.t("route.line", id=r.id, rule=_describe(ctx, r, places)) for r in await _routes(ctx)]
    if not lines:
        return Reply(ctx.t("route.none"))
    return Reply(Rich.join("\n", [ctx.t("route.header"), *lines]))


@registry.command("route remove", Param("id", Kind.INT, required=True, positional=True), role=Role.ADMIN)
async def route_remove(ctx: Context, id: int) -> Reply:
    """Remove a route by its number (see `gig route list`)."""
    route = await ctx.session.get(Route, id)
    if route is None or route.community_id != ctx.community.id:
        raise UserError("route.not_found", id=id)
    removed = await ctx.session.execute(delete(Route).where(Route.id == id, Route.community_id == ctx.community.id)
                                        .execution_options(synchronize_session=False))
    if removed.rowcount != 1:  # type: ignore[attr-defined]  # a second press removed nothing
        raise UserError("route.not_found", id=id)
    ctx.session.expunge(route)
    ctx.audit("route.remove", id)
    return Reply(ctx.t("route.removed", id=id, rule=_describe(ctx, route, await _places(ctx))))


@registry.command("route default", Param("channel", required=True, positional=True), role=Role.ADMIN)
async def route_default(ctx: Context, channel: str) -> Reply:
    """Set the channel of this place that receives every gig, or `off`."""
    if ctx.workspace is None:
        raise UserError("route.no_place")
    await locks.lock(ctx.session, ctx.community)
    if channel.strip().lower() in OFF:
        ctx.workspace.default_channel = None
        reply = Reply(ctx.t("route.default_off", platform=ctx.place.platform))
    else:
        await _not_review(ctx, read_channel(channel))
        ctx.workspace.default_channel = read_channel(channel)
        channel_ref = ChannelRef(ctx.place.platform, ctx.workspace.default_channel)
        reply = Reply(ctx.t("route.default_set", platform=ctx.place.platform, channel=channel_ref))
    ctx.audit("route.default", ctx.place.platform, channel=ctx.workspace.default_channel)
    return reply


async def _not_review(ctx: Context, channel: str) -> None:
    """A review channel shows gigs members must not see yet: it never reposts gigs too."""
    if await review.is_review_channel(ctx.session, ctx.community, ctx.workspace, ctx.place.platform, channel):
        raise UserError("route.is_review_channel", channel=ChannelRef(ctx.place.platform, channel))


async def _routes(ctx: Context) -> list[Route]:
    query = select(Route).where(Route.community_id == ctx.community.id).order_by(Route.id)
    return list((await ctx.session.execute(query)).scalars())


async def _places(ctx: Context) -> dict[int, Workspace]:
    query = select(Workspace).where(Workspace.community_id == ctx.community.id).order_by(Workspace.id)
    return {w.id: w for w in (await ctx.session.execute(query)).scalars()}


def _where(platform: str, workspace_id: int | None, places: dict[int, Workspace]) -> str:
    """The platform, and the place's name when the community has more than one place on that platform."""
    place = places.get(workspace_id) if workspace_id is not None else None
    same_platform = sum(1 for w in places.values() if w.platform == platform)
    return f"{platform} ({place.name})" if place is not None and same_platform > 1 and place.name else platform


def _describe(ctx: Context, route: Route, places: dict[int, Workspace]) -> Rich:
    criteria: list[Text] = []
    if route.tags:
        criteria.append(ctx.t("route.by_tags", tags=", ".join(route.tags)))
    if route.remote is not None:
        criteria.append(ctx.t("route.remote_yes" if route.remote else "route.remote_no"))
    if route.location:
        criteria.append(ctx.t("route.by_location", location=route.location))
    rule = Rich.join(" + ", criteria) if criteria else ctx.t("route.every_gig")
    return ctx.t("route.rule", platform=_where(route.platform, route.workspace_id, places),
                 channel=ChannelRef(route.platform, route.channel),
                 rule=rule)
