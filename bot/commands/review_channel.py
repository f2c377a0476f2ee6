"""`gig admin review-channel`: the channel of this place where admins see held and reported gigs.

Each place of a community (a Slack workspace, a Discord server) may have one; a held gig's card goes to every one
of them (bot.services.review). A review channel shows gigs members must not see yet, so it can never be a job
channel of its place (its default channel or a route's channel), and `gig route` refuses it likewise.
"""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.params import read_channel
from bot.core.registry import Param, registry
from bot.core.types import ChannelRef, Reply, Role
from bot.dispatch.context import Context
from bot.services import review
from bot.store import locks
from bot.store.models import Workspace

OFF = ("off", "none", "aucun", "aucune")


def _here(ctx: Context) -> Workspace:
    if ctx.workspace is None:
        raise UserError("queue.channel_no_place")
    return ctx.workspace


@registry.command("admin review-channel", Param("channel", positional=True), role=Role.ADMIN)
async def review_channel(ctx: Context, channel: str = "") -> Reply:
    """Set the channel of this place where admins review held and reported gigs, or `off`; alone, show it."""
    here = _here(ctx)
    platform = ctx.place.platform
    if not channel.strip():
        if here.review_channel:
            return Reply(ctx.t("queue.channel_is", channel=ChannelRef(platform, here.review_channel)))
        return Reply(ctx.t("queue.channel_none"))
    await locks.lock(ctx.session, ctx.community)  # a route added at the same moment sees this channel, or this it
    await ctx.session.refresh(here)
    if channel.strip().lower() in OFF:
        here.review_channel = None
        reply = Reply(ctx.t("queue.channel_off"))
    else:
        chosen = read_channel(channel)
        if chosen in await review.job_channels(ctx.session, here):
            raise UserError("queue.channel_is_job", channel=ChannelRef(platform, chosen))
        here.review_channel = chosen
        reply = Reply(ctx.t("queue.channel_set", channel=ChannelRef(platform, chosen)))
    ctx.audit("settings.review_channel", here.id, platform=platform, channel=here.review_channel)
    return reply

