"""`gig apply` and `gig withdraw`: the Apply button takes the same path as the command."""

from __future__ import annotations

from dataclasses import replace

from bot.commands._params import GIG_ID
from bot.core.errors import UserError
from bot.core.i18n import Term
from bot.core.registry import Param, registry
from bot.core.states import ApplicationStatus, NudgeKind
from bot.core.types import Form, FormInput, InputKind, Reply, Rich, Text
from bot.dispatch.context import BUTTON, Context
from bot.services import applications, nudges, postings
from bot.services.cards import gig_card
from bot.services.gigs import get_gig, is_open
from bot.services.policy import NudgePolicy
from bot.store.models import Gig


def apply_form(ctx: Context, gig: Gig) -> Form:
    """The pitch form the Apply button opens, with the gig above it."""
    card = gig_card(gig, ctx.t, 0, ctx.today())
    return Form("apply", ctx.t.label("apply.form_title", id=gig.id), (
        FormInput("pitch", ctx.t.label("apply.form_pitch"), kind=InputKind.MULTILINE,
                  placeholder=ctx.t.label("apply.form_pitch_hint")),
    ), ctx.t.label("apply.form_submit"), args=(str(gig.id),), cards=(replace(card, buttons=(), fields=(), footer=""),))


@registry.command("apply", GIG_ID, Param("pitch"), button=True)
async def apply(ctx: Context, id: int, pitch: str = "") -> Reply:
    """Apply to an open gig, with an optional pitch for the poster."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    if not is_open(gig, ctx.today()):
        raise UserError("apply.closed", id=gig.id)
    if gig.hidden_at is not None:
        raise UserError("report.hidden_apply", id=gig.id)
    if ctx.via == BUTTON and ctx.place.forms:  # the Apply button opens the pitch form where the platform can
        await applications.check_can_apply(ctx.session, gig, ctx.member)
        return Reply(form=apply_form(ctx, gig))
    application = await applications.apply(ctx.session, gig, ctx.member, pitch, ctx.now(), ctx.identity)
    planned = await nudges.after_apply(ctx.session, application, gig, ctx.community, ctx.now())
    await postings.refresh(ctx.session, ctx.community, gig, ctx.clock)
    lines: list[Text] = [ctx.t("apply.done", id=gig.id, title=gig.title)]
    if gig.apply_url:
        lines.append(ctx.t("apply.external", url=gig.apply_url))
    lines.append(ctx.t("apply.next", id=gig.id))
    if ctx.member.nudges_enabled and any(nudge.kind == NudgeKind.FOLLOW_UP for nudge in planned):
        lines.append(ctx.t("apply.reminder", days=Term(
            "time.days", count=NudgePolicy.of(ctx.community).first_nudge.days or 1)))
    elif ctx.member.nudges_enabled:  # the gig closes before the reminder would come, so none is planned
        lines.append(ctx.t("apply.no_reminder", id=gig.id, date=gig.apply_by))
    return Reply(Rich.join("\n", lines))


@registry.command("withdraw", GIG_ID, button=True)
async def withdraw(ctx: Context, id: int) -> Reply:
    """Withdraw my application to a gig."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    application = await applications.find(ctx.session, gig.id, ctx.member.id)
    if application is None:
        raise UserError("status.not_applied", id=gig.id)
    await applications.lock(ctx.session, application)
    previous = await applications.transition(ctx.session, application, ApplicationStatus.WITHDRAWN, ctx.member,
                                             ctx.now())
    await nudges.reschedule(ctx.session, application, ctx.community, ctx.now(), previous)
    await postings.refresh(ctx.session, ctx.community, gig, ctx.clock)
    return Reply(ctx.t("withdraw.done", id=gig.id, title=gig.title))
