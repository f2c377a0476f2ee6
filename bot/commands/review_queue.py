"""`gig review`, `gig approve` and `gig reject`: what waits for an admin's review, and deciding it.

Held gigs (screening, or who posted) and gigs hidden after reports wait here. Approve publishes a held gig or shows
a hidden one again; Reject asks for a reason (a form), which the poster receives. Each decision is made once even
when two admins press at once (bot.services.decisions); every review card of the gig then shows who decided.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.commands._params import GIG_ID
from bot.core.buttons import button_id
from bot.core.errors import FieldErrors, UserError
from bot.core.registry import Kind, Param, registry
from bot.core.types import Button, Card, ChannelRef, Form, FormInput, InputKind, Reply, Rich, Role, Text, UserText
from bot.dispatch.context import FORM, Context
from bot.services import decisions, review, verdicts
from bot.services.gigs import HELD, budget_of, get_gig
from bot.services.identities import described
from bot.store.models import Gig, GigReport

MAX_REASON = 1000


@registry.command("approve", GIG_ID, role=Role.ADMIN, button=True)
async def approve(ctx: Context, id: int) -> Reply:
    """Publish a held gig, or list a gig hidden after reports again; its poster hears it is live."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    done = await decisions.approve(ctx.session, ctx.community, gig, ctx.member, ctx.clock)
    anyway = gig.poster_id == ctx.member.id
    ctx.audit("gig.publish_anyway" if anyway else "gig.approve", gig.id, hidden=done.was_hidden,
              rules=sorted({f.rule for f in verdicts.findings_of(gig.screening)}))
    if done.was_hidden:
        return Reply(ctx.t("queue.approved_hidden", id=gig.id, title=gig.title, count=done.refreshed))
    channels = Rich.join(", ", [Rich.of(ChannelRef(platform, channel)) for platform, channel in done.published]) \
        or ctx.t("post.no_channel")
    key = "queue.published_anyway" if anyway else "queue.approved"
    return Reply(ctx.t(key, id=gig.id, title=gig.title, channels=channels))


def reject_form(ctx: Context, gig: Gig) -> Form:
    """The form Reject opens: the reason the poster will read (required)."""
    t = ctx.t
    card = Card(t("queue.card_title", id=gig.id, title=gig.title), footer=t("queue.form_note"))
    return Form("reject", t.label("queue.form_title", id=gig.id), (
        FormInput("reason", t.label("queue.form_reason"), kind=InputKind.MULTILINE, required=True,
                  placeholder=t.label("queue.form_reason_hint")),
    ), t.label("queue.form_submit"), args=(str(gig.id),), cards=(card,))


@registry.command("reject", GIG_ID, Param("reason"), role=Role.ADMIN, button=True)
async def reject(ctx: Context, id: int, reason: str = "") -> Reply:
    """Reject a held gig, or take down one hidden after reports, with a reason its poster receives."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    if not review.waiting(gig):
        raise await decisions.not_waiting(ctx.session, gig)
    reason = reason.strip()
    if not reason:
        if ctx.via == FORM:
            raise FieldErrors({"reason": UserError("queue.reason_needed", id=gig.id)})
        return Reply(ctx.t("queue.reason_how", id=gig.id), form=reject_form(ctx, gig))
    if len(reason) > MAX_REASON:
        raise FieldErrors({"reason": UserError("gig.too_long", name="reason", max=MAX_REASON, length=len(reason))})
    done = await decisions.reject(ctx.session, ctx.community, gig, ctx.member, reason, ctx.clock)
    ctx.audit("gig.reject", gig.id, reason=reason, hidden=done.was_hidden)
    if done.was_hidden:
        return Reply(ctx.t("queue.taken_down", id=gig.id, title=gig.title,
                           postings=ctx.t("close.postings", count=done.refreshed),
                           told=ctx.t("close.told", count=done.told)))
    return Reply(ctx.t("queue.rejected", id=gig.id, title=gig.title))


@registry.command("review", Param("page", Kind.INT, positional=True), role=Role.ADMIN, button=True)
async def review_queue(ctx: Context, page: int = 1) -> Reply:
    """What waits for an admin's review, oldest first: held gigs and gigs hidden after reports."""
    size = ctx.page_size
    since = func.coalesce(Gig.hidden_at, Gig.edited_at, Gig.created_at)
    where = (Gig.community_id == ctx.community.id, decisions.WAITING)
    total = (await ctx.session.execute(select(func.count()).select_from(Gig).where(*where))).scalar_one()
    if total == 0:
        return Reply(ctx.t("queue.empty"))
    pages = -(-total // size)
    if not 1 <= page <= pages:
        raise UserError("list.no_page", page=page, count=pages)
    gigs = list((await ctx.session.execute(select(Gig).where(*where).order_by(since, Gig.id)
                                           .offset((page - 1) * size).limit(size))).scalars())
    reported = dict((await ctx.session.execute(
        select(GigReport.gig_id, func.count()).where(GigReport.gig_id.in_([g.id for g in gigs]))
        .group_by(GigReport.gig_id))).all())
    cards = tuple(waiting_card(ctx, gig, reported.get(gig.id, 0)) for gig in gigs)
    header = ctx.t("queue.header", page=page, pages=pages, total=total)
    if page >= pages:
        return Reply(header, cards=cards)
    return Reply(Rich.join("\n", [header, ctx.t("queue.more", page=page + 1)]), cards=cards,
                 buttons=(Button(ctx.t.label("list.button_more"), button_id("review", page + 1)),))


def waiting_card(ctx: Context, gig: Gig, reports: int) -> Card:
    """A gig in the queue: what it is, why it waits in short, and Approve / Reject."""
    t = ctx.t
    facts: list[Text] = [Rich.of(UserText(budget_of(gig).display(t.locale))), Rich.of(described(gig.poster))]
    why: list[Text] = [t("queue.why_held")] if gig.status == HELD else [t("queue.why_hidden")]
    why += [Rich.of(UserText(reason)) for reason in review.short_reasons(gig.screening, t)]
    if reports:
        why.append(t("queue.reports_short", count=reports))
    body = Rich.join("\n", [Rich.join(" · ", facts), Rich.join(" · ", why)])
    buttons = (Button(t.label("queue.button_approve"), button_id("approve", gig.id), "primary"),
               Button(t.label("queue.button_reject"), button_id("reject", gig.id), "danger"))
    return Card(t("queue.card_title", id=gig.id, title=gig.title), body, buttons=buttons, ref=f"#{gig.id}")
