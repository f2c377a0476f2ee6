"""`gig list`, `gig search` and `gig show`: browsing open gigs, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from bot.commands._params import GIG_ID
from bot.core.buttons import button_id
from bot.core.errors import UserError
from bot.core.registry import Kind, Param, registry
from bot.core.types import Button, Card, Reply, Rich, Text, UserText
from bot.dispatch.context import Context
from bot.services import applications
from bot.services.budget import parse_budget
from bot.services.cards import gig_card, where
from bot.services.gigs import COUNT_LIMIT, GigFilter, budget_of, get_gig, search_gigs
from bot.services.tags import normalise_tag
from bot.store.models import Gig

FILTERS = (
    Param("tag"),
    Param("remote", Kind.BOOL),
    Param("location"),
    Param("min_budget"),
    Param("page", Kind.INT),
)


@registry.command("list", *FILTERS)
async def list_gigs(ctx: Context, **filters: Any) -> Reply:
    """Open gigs, newest first, narrowed by the given filters."""
    return await _browse(ctx, "list", None, filters)


@registry.command("search", Param("text", required=True, positional=True, greedy=True), *FILTERS)
async def search(ctx: Context, text: str, **filters: Any) -> Reply:
    """Open gigs whose title, description or tags contain every word."""
    return await _browse(ctx, "search", text, filters)


@registry.command("show", GIG_ID, button=True)
async def show(ctx: Context, id: int) -> Reply:
    """One gig in full, with its Apply button while it is open."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    count = await applications.count_for(ctx.session, gig.id)
    return Reply(cards=(gig_card(gig, ctx.t, count, ctx.today(), full=True),))


async def _browse(ctx: Context, command: str, text: str | None, filters: dict[str, Any]) -> Reply:
    page = filters.pop("page", 1)
    min_budget = filters.pop("min_budget", None)
    budget = parse_budget(min_budget, "") if min_budget else None  # no currency: amounts in any currency
    tag = filters.pop("tag", None)
    flt = GigFilter(
        tag=normalise_tag(tag) if tag else None,
        remote=filters.pop("remote", None),
        location=filters.pop("location", None),
        min_budget=budget.low if budget else None,
        currency=budget.currency if budget else None,
        text=text,
    )
    gigs, total = await search_gigs(ctx.session, ctx.community.id, ctx.today(), flt, page,
                                    ctx.page_size)
    if total == 0:
        return Reply(ctx.t(f"{command}.empty"))
    many = total > COUNT_LIMIT
    pages = -(-total // ctx.page_size)
    if not gigs:
        raise UserError("list.no_page_many" if many else "list.no_page", page=page, count=pages)
    cards = tuple(summary_card(ctx, gig) for gig in gigs)
    if many:
        header = ctx.t("list.header_many", page=page, total=COUNT_LIMIT)
    else:
        header = ctx.t("list.header", page=page, pages=pages, total=total)
    more = len(gigs) == ctx.page_size if many else page < pages
    footer: Text = ctx.t("list.more", command=command, page=page + 1) if more else ""
    return Reply(Rich.join("\n", [line for line in (header, footer) if line]), cards=cards)


def summary_card(ctx: Context, gig: Gig) -> Card:
    """A gig in a list: title, one line of facts, Apply and Details."""
    parts: list[Text] = [Rich.of(UserText(budget_of(gig).display(ctx.t.locale))), where(gig, ctx.t),
                         ctx.t("list.apply_by", date=gig.apply_by)]
    if gig.tag_names:
        parts.insert(1, Rich.of(UserText(", ".join(gig.tag_names))))
    buttons = (Button(ctx.t.label("gig.button_apply"), button_id("apply", gig.id), "primary"),
               Button(ctx.t.label("gig.button_details"), button_id("show", gig.id)))
    return Card(Rich.of(f"#{gig.id} · ", UserText(gig.title)), Rich.join(" · ", parts), buttons=buttons,
                ref=f"#{gig.id}")

