"""`gig home`: my applications and the open gigs in my niches (Slack shows it in the App Home tab)."""

from __future__ import annotations

from bot.commands.browse import summary_card
from bot.core.registry import registry
from bot.core.types import Reply, Rich, Text
from bot.dispatch.context import Context
from bot.services import applications
from bot.services.gigs import for_member

SHOWN = 10
SUGGESTED = 5


@registry.command("home")
async def home(ctx: Context) -> Reply:
    """My applications with their status, then open gigs picked from the tags of the gigs I applied to."""
    mine = await applications.of_member(ctx.session, ctx.member.id)
    lines: list[Text] = [ctx.t("home.mine", count=len(mine))] if mine else [ctx.t("mine.empty")]
    for application in mine[:SHOWN]:
        lines.append(ctx.t("home.line", id=application.gig_id, title=application.gig.title,
                           status=applications.status_name(application.status)))
    gigs, niches = await for_member(ctx.session, ctx.community.id, ctx.today(), ctx.member.id, SUGGESTED)
    if niches:
        lines.append(ctx.t("home.niches", tags=", ".join(niches)))
    lines.append(ctx.t("home.suggested") if gigs else ctx.t("home.none"))
    return Reply(Rich.join("\n", lines), cards=tuple(summary_card(ctx, gig) for gig in gigs))
