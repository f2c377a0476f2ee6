"""`gig applicants` and `gig close`: what the poster sees of a gig, and closing it everywhere."""

from __future__ import annotations

from bot.commands._params import GIG_ID
from bot.core.errors import UserError
from bot.core.registry import Kind, Param, registry
from bot.core.types import MemberRef, Reply, Rich, Role, Text, UserText
from bot.dispatch.context import Context
from bot.services import applications, identities
from bot.services.closing import close_gig
from bot.services.gigs import CLOSED, get_gig
from bot.store.models import Gig, Member

MAX_PITCH_SHOWN = 300


async def own_gig(ctx: Context, gig_id: int) -> Gig:
    """A gig the acting member posted, or any gig for an admin."""
    gig = await get_gig(ctx.session, ctx.community.id, gig_id)
    if gig.poster_id != ctx.member.id and not ctx.is_admin:
        raise UserError("review.not_yours", id=gig.id)
    return gig


@registry.command("applicants", GIG_ID, role=Role.POSTER, button=True, gig_owner=True)
async def applicants(ctx: Context, id: int) -> Reply:
    """Who applied to my gig, with their status and pitch."""
    gig = await own_gig(ctx, id)
    found = await applications.of_gig(ctx.session, gig.id)
    if not found:
        return Reply(ctx.t("applicants.empty", id=gig.id))
    lines: list[Text] = [ctx.t("applicants.header", id=gig.id, title=gig.title, count=len(found))]
    applied_as = await identities.applied_as(ctx.session, found)  # on Slack or Discord, whichever they applied from
    for application in found:
        lines.append(ctx.t("applicants.line", name=member_ref(applied_as[application.id]),
                           status=applications.status_name(application.status),
                           date=application.created_at.date()))
        if application.pitch:
            pitch = application.pitch
            if len(pitch) > MAX_PITCH_SHOWN:
                pitch = pitch[:MAX_PITCH_SHOWN] + "…"
            lines.append(Rich.of("    “", UserText(pitch), "”"))
    return Reply(Rich.join("\n", lines))


def member_ref(member: Member) -> MemberRef:
    """A member as a reference: a mention on their platform, their name and platform elsewhere (`Ana (Discord)`)."""
    return MemberRef(member.platform, member.platform_user_id, member.display_name)


@registry.command("close", GIG_ID, Param("filled_by", Kind.MEMBER),
                  role=Role.POSTER, button=True, gig_owner=True)
async def close(ctx: Context, id: int, filled_by: Member | None = None) -> Reply:
    """Close my gig, update every posting and tell the pending applicants."""
    gig = await own_gig(ctx, id)
    if gig.status == CLOSED:
        raise UserError("close.already", id=gig.id)
    hired = await applications.find(ctx.session, gig.id, filled_by.id) if filled_by else None
    if filled_by is not None and hired is None:
        raise UserError("close.not_applicant", name=member_ref(filled_by), id=gig.id)
    closed = await close_gig(ctx.session, ctx.community, gig, ctx.clock, ctx.member, hired)
    if closed is None:  # a second press, or another replica, closed it a moment ago
        raise UserError("close.already", id=gig.id)
    ctx.audit("gig.close", gig.id, filled_by=filled_by.id if filled_by else None)
    lines: list[Text] = [ctx.t("close.done", id=gig.id, title=gig.title, **closed.counts())]
    if filled_by is not None and closed.overridden is not None:
        lines.append(ctx.t("close.hired_override", name=member_ref(filled_by),
                           status=applications.status_name(closed.overridden)))
    return Reply(Rich.join("\n", lines))

