"""`gig route add|list|remove|default`: which channels receive which gigs."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.core.errors import UserError
from bot.core.params import read_channel
from bot.core.registry import Kind, Param, registry
from bot.core.types import ChannelRef, Reply, Rich, Role, Text
from bot.dispatch.context import Context
from bot.services.tags import parse_tags
from bot.store import locks
from bot.store.models import Route

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
    for route in await _routes(ctx):
        if (route.platform, route.channel, sorted(route.tags), route.remote, route.location.lower()) == (
                ctx.place.platform, channel, sorted(tag_list), remote, location.lower()):
            raise UserError("route.duplicate", id=route.id)
    route = Route(community_id=ctx.community.id, platform=ctx.place.platform, channel=channel, tags=tag_list,
                  remote=remote, location=location, created_by_id=ctx.member.id, created_at=ctx.now())
    ctx.session.add(route)
    await ctx.session.flush()
    ctx.audit("route.add", route.id, channel=channel)
    return Reply(ctx.t("route.added", id=route.id, rule=_describe(ctx, route)))


@registry.command("route list", role=Role.ADMIN)
async def route_list(ctx: Context) -> Reply:
    """The routes and default channels of this community."""
    defaults = sorted(ctx.community.default_channels.items())
    lines = [ctx.t("route.default_line", platform=p, channel=ChannelRef(p, c)) for p, c in defaults]
    lines += [ctx.t("route.line", id=r.id, rule=_describe(ctx, r)) for r in await _routes(ctx)]
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
    return Reply(ctx.t("route.removed", id=id, rule=_describe(ctx, route)))


@registry.command("route default", Param("channel", required=True, positional=True), role=Role.ADMIN)
async def route_default(ctx: Context, channel: str) -> Reply:
    """Set the channel of this platform that receives every gig, or `off`."""
    await locks.lock(ctx.session, ctx.community)  # re-read: another platform's default may have changed meanwhile
    channels = dict(ctx.community.default_channels)
    if channel.strip().lower() in OFF:
        channels.pop(ctx.place.platform, None)
        reply = Reply(ctx.t("route.default_off", platform=ctx.place.platform))
    else:
        channels[ctx.place.platform] = read_channel(channel)
        channel_ref = ChannelRef(ctx.place.platform, channels[ctx.place.platform])
        reply = Reply(ctx.t("route.default_set", platform=ctx.place.platform, channel=channel_ref))
    ctx.community.default_channels = channels
    ctx.audit("route.default", ctx.place.platform, channel=channels.get(ctx.place.platform))
    return reply


async def _routes(ctx: Context) -> list[Route]:
    query = select(Route).where(Route.community_id == ctx.community.id).order_by(Route.id)
    return list((await ctx.session.execute(query)).scalars())


def _describe(ctx: Context, route: Route) -> Rich:
    criteria: list[Text] = []
    if route.tags:
        criteria.append(ctx.t("route.by_tags", tags=", ".join(route.tags)))
    if route.remote is not None:
        criteria.append(ctx.t("route.remote_yes" if route.remote else "route.remote_no"))
    if route.location:
        criteria.append(ctx.t("route.by_location", location=route.location))
    rule = Rich.join(" + ", criteria) if criteria else ctx.t("route.every_gig")
    return ctx.t("route.rule", platform=route.platform, channel=ChannelRef(route.platform, route.channel),
                 rule=rule)
