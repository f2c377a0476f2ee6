"""Routing: which channels a gig is reposted to, by tags, remote and location."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Community, Gig, Route, Workspace


def route_matches(route: Route, gig: Gig) -> bool:
    """A route matches when each criterion it sets holds; a route with none takes every gig."""
    if route.tags and not set(route.tags) & set(gig.tag_names):
        return False
    if route.remote is not None and route.remote != gig.remote:
        return False
    return not route.location or route.location.lower() in gig.location.lower()


async def destinations(session: AsyncSession, community: Community, gig: Gig) -> list[tuple[str, str]]:
    """(platform, channel) pairs for a new gig on every place of the community: defaults, then routes, once each."""
    defaults = await session.execute(select(Workspace.platform, Workspace.default_channel).where(
        Workspace.community_id == community.id, Workspace.default_channel.is_not(None)).order_by(Workspace.id))
    found: list[tuple[str, str]] = [(platform, channel) for platform, channel in defaults if channel]
    routes = (await session.execute(
        select(Route).where(Route.community_id == community.id).order_by(Route.id)
    )).scalars()
    for route in routes:
        target = (route.platform, route.channel)
        if route_matches(route, gig) and target not in found:
            found.append(target)
    return found
