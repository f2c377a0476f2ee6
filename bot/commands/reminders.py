"""`gig snooze` and `gig reminders`: a member's say over the nudges about one application."""

from __future__ import annotations

from bot.commands._params import GIG_ID
from bot.core.errors import UserError
from bot.core.registry import Kind, Param, registry
from bot.core.types import Reply
from bot.dispatch.context import Context
from bot.services import applications, identities, nudges
from bot.services.gigs import OPEN, get_gig
from bot.services.policy import timezone_for
from bot.services.timing import format_moment
from bot.store.models import Application


async def my_application(ctx: Context, gig_id: int) -> Application:
    """The acting member's application to a gig, or a user error saying to apply first."""
    gig = await get_gig(ctx.session, ctx.community.id, gig_id)
    application = await applications.find(ctx.session, gig.id, ctx.member.id)
    if application is None:
        raise UserError("status.not_applied", id=gig.id)
    await applications.lock(ctx.session, application)  # two presses at once run one after the other
    return application


@registry.command("snooze", GIG_ID, button=True)
async def snooze(ctx: Context, id: int) -> Reply:
    """Remind me again about this application in a day."""
    application = await my_application(ctx, id)
    if application.status not in applications.PENDING or not application.reminders:
        raise UserError("reminders.nothing_to_snooze", id=id)
    if application.gig.status != OPEN:
        raise UserError("reminders.snooze_closed", id=id)
    if not ctx.member.nudges_enabled or (await identities.dm_identity(ctx.session, ctx.member)).dm_undeliverable:
        raise UserError("reminders.cannot_reach")
    wanted = ctx.now() + nudges.SNOOZE
    due = await nudges.snooze(ctx.session, application, ctx.community, ctx.now())
    zone = timezone_for(ctx.member.timezone, ctx.community.timezone)
    key = "reminders.snoozed" if due == wanted else "reminders.snoozed_quiet"
    return Reply(ctx.t(key, id=id, when=format_moment(due, zone, ctx.t.locale), zone=zone))


@registry.command("reminders", GIG_ID, Param("state", Kind.BOOL, required=True, positional=True), button=True)
async def reminders(ctx: Context, id: int, state: bool) -> Reply:
    """Turn the reminders about one application on or off."""
    application = await my_application(ctx, id)
    if state != application.reminders:
        application.reminders = state
        if state:
            await nudges.resume(ctx.session, application.id, ctx.now())
        else:
            await nudges.pause(ctx.session, application.id)
    return Reply(ctx.t("reminders.on" if application.reminders else "reminders.off", id=id))
