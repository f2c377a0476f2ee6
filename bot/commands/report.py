"""`gig report`: a member flags a gig for the admins; the Report button on every posting opens a form for the reason.

Typed, `gig report 3` reports at once (with `reason=` if given). The button asks for the reason first where the
platform opens forms (Slack, Discord); submitting the form runs this command again with the reason. The reply never
says who else reported, and enough reporters hide the gig until an admin decides (bot.services.reports).
"""

from __future__ import annotations

from dataclasses import replace

from bot.commands._params import GIG_ID
from bot.core.errors import UserError
from bot.core.registry import Param, registry
from bot.core.types import Form, FormInput, InputKind, Reply
from bot.dispatch.context import BUTTON, Context
from bot.services import reports
from bot.services.cards import gig_card
from bot.services.gigs import get_gig
from bot.store.models import Gig


def report_form(ctx: Context, gig: Gig) -> Form:
    """The form the Report button opens: an optional reason, with the gig above it."""
    card = gig_card(gig, ctx.t, 0, ctx.today())
    return Form("report", ctx.t.label("report.form_title", id=gig.id), (
        FormInput("reason", ctx.t.label("report.form_reason"), kind=InputKind.MULTILINE,
                  placeholder=ctx.t.label("report.form_reason_hint")),
    ), ctx.t.label("report.form_submit"), args=(str(gig.id),),
        cards=(replace(card, buttons=(), fields=(), footer=""),))


@registry.command("report", GIG_ID, Param("reason"), button=True)
async def report(ctx: Context, id: int, reason: str = "") -> Reply:
    """Report a gig that looks fake or breaks the rules; admins see it with the reason."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    reports.check_can_report(gig, ctx.member, ctx.clock, ctx.community)
    if ctx.via == BUTTON and ctx.place.forms:  # the Report button asks for the reason where the platform can
        if await reports.reported_by(ctx.session, gig.id, ctx.member):
            raise UserError("report.already", id=gig.id)
        return Reply(form=report_form(ctx, gig))
    await reports.report(ctx.session, ctx.community, gig, ctx.member, reason, ctx.clock)
    return Reply(ctx.t("report.done", id=gig.id, title=gig.title))  # never who else reported, nor how many
