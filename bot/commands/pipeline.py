"""`gig mine` and `gig status`: my pipeline of applications and the moves I record in it."""

from __future__ import annotations

from datetime import timedelta

from bot.commands._params import GIG_ID
from bot.core.clock import local_date
from bot.core.errors import UserError
from bot.core.registry import Kind, Param, registry
from bot.core.states import ApplicationStatus
from bot.core.types import Reply, Rich, Text
from bot.dispatch.context import Context
from bot.services import applications, nudges, outcomes
from bot.services.gigs import OPEN, get_gig
from bot.store.models import Gig


@registry.command("mine")
async def mine(ctx: Context) -> Reply:
    """My applications with their status and the days since the last change."""
    mine = await applications.of_member(ctx.session, ctx.member.id)
    if not mine:
        return Reply(ctx.t("mine.empty"))
    lines: list[Text] = [ctx.t("mine.header", count=len(mine))]
    for application in mine:
        since = closed(ctx, application.gig) or changed(ctx, (ctx.now() - application.updated_at).days)
        lines.append(ctx.t("mine.line", id=application.gig_id, title=application.gig.title,
                           status=applications.status_name(application.status), since=since))
    lines.append(ctx.t("mine.hint"))
    return Reply(Rich.join("\n", lines))


def closed(ctx: Context, gig: Gig) -> Rich | None:
    """`gig closed on …` for a gig that takes no more applications (closed, filled, or past its apply-by date)."""
    if gig.status == OPEN and gig.apply_by >= ctx.today():
        return None
    day = local_date(gig.closed_at, ctx.community.timezone) if gig.closed_at else gig.apply_by + timedelta(days=1)
    return ctx.t("mine.closed", date=day)


def changed(ctx: Context, days: int) -> Rich:
    """How long since the application last changed."""
    return ctx.t("mine.today") if days == 0 else ctx.t("mine.days", count=days)


@registry.command(
    "status",
    GIG_ID,
    Param("status", Kind.CHOICE, required=True, positional=True, choices=applications.MEMBER_SETTABLE),
    button=True,
)
async def status(ctx: Context, id: int, status: str) -> Reply:
    """Record a move in my application to a gig: followed up, interviewing, hired, rejected or withdrawn."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    application = await applications.find(ctx.session, gig.id, ctx.member.id)
    if application is None:
        raise UserError("status.not_applied", id=gig.id)
    await applications.lock(ctx.session, application)
    previous = await applications.transition(ctx.session, application, ApplicationStatus(status), ctx.member,
                                             ctx.now())
    await nudges.reschedule(ctx.session, application, ctx.community, ctx.now(), previous)
    lines: list[Text] = [ctx.t("status.done", id=gig.id, title=gig.title, previous=applications.status_name(previous),
                               status=applications.status_name(status))]
    if status == ApplicationStatus.HIRED and await outcomes.tell_poster_of_hire(
            ctx.session, ctx.community, gig, ctx.identity, ctx.clock, ctx.today()):
        lines.append(ctx.t("status.hired_told", id=gig.id))
    return Reply(Rich.join("\n", lines))
