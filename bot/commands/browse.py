"""`gig list`, `gig search`, `gig more` and `gig show`: browsing open gigs, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from bot.commands._params import GIG_ID
from bot.commands.edit import owner_card
from bot.core.buttons import button_id
from bot.core.errors import UserError
from bot.core.registry import Kind, Param, registry
from bot.core.syntax import quote
from bot.core.types import Button, Card, Reply, Rich, Text, UserText
from bot.dispatch.context import Context
from bot.services import applications, pages
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
FILTER_NAMES = tuple(param.name for param in FILTERS if param.name != "page")


@registry.command("list", *FILTERS)
async def list_gigs(ctx: Context, page: int = 1, **filters: Any) -> Reply:
    """Open gigs, newest first, narrowed by the given filters."""
    return await _browse(ctx, "list", filters, page)


@registry.command("search", Param("text", required=True, positional=True, greedy=True), *FILTERS)
async def search(ctx: Context, text: str, page: int = 1, **filters: Any) -> Reply:
    """Open gigs holding every word (or one of its tag aliases) in their title, description or tags."""
    return await _browse(ctx, "search", {"text": text, **filters}, page)


@registry.command("more", Param("query", required=True, positional=True),
                  Param("page", Kind.INT, required=True, positional=True), button=True)
async def more(ctx: Context, query: str, page: int) -> Reply:
    """Another page of a list or search: what its Next page button runs, with the key of the kept query."""
    kept = await pages.kept_query(ctx.session, ctx.community.id, query, ctx.now())
    if kept is None:
        raise UserError("list.expired")
    command, options = kept
    return await _browse(ctx, command, options, page)


@registry.command("show", GIG_ID, button=True)
async def show(ctx: Context, id: int) -> Reply:
    """One gig in full, with its Apply button while it is open (for its poster and admins: Edit, and when edited)."""
    gig = await get_gig(ctx.session, ctx.community.id, id)
    count = await applications.count_for(ctx.session, gig.id)
    return Reply(cards=(await owner_card(ctx, gig, gig_card(gig, ctx.t, count, ctx.today(), full=True)),))


async def _browse(ctx: Context, command: str, options: dict[str, Any], page: int) -> Reply:
    """One page of a list (options: the filters) or a search (also `text`), with the way to the next page."""
    if options.get("tag"):
        options = {**options, "tag": normalise_tag(options["tag"])}
    min_budget = options.get("min_budget")
    budget = parse_budget(min_budget, "") if min_budget else None  # no currency: amounts in any currency
    flt = GigFilter(
        tag=options.get("tag"),
        remote=options.get("remote"),
        location=options.get("location"),
        min_budget=budget.low if budget else None,
        currency=budget.currency if budget else None,
        text=options.get("text"),
    )
    gigs, total = await search_gigs(ctx.session, ctx.community.id, ctx.today(), flt, page,
                                    ctx.page_size)
    if total == 0:
        return Reply(ctx.t(f"{command}.empty"))
    many = total > COUNT_LIMIT
    pages_in_all = -(-total // ctx.page_size)
    if not gigs:
        raise UserError("list.no_page_many" if many else "list.no_page", page=page, count=pages_in_all)
    cards = tuple(summary_card(ctx, gig) for gig in gigs)
    if many:
        header = ctx.t("list.header_many", page=page, total=COUNT_LIMIT)
    else:
        header = ctx.t("list.header", page=page, pages=pages_in_all, total=total)
    if not (len(gigs) == ctx.page_size if many else page < pages_in_all):
        return Reply(header, cards=cards)
    key = await pages.keep_query(ctx.session, ctx.community.id, command, options, ctx.now())
    hint = ctx.t("list.more", command=command_line(command, options, page + 1))
    return Reply(Rich.join("\n", [header, hint]), cards=cards,
                 buttons=(Button(ctx.t.label("list.button_more"), button_id("more", f"{key}.{page + 1}")),))


def command_line(command: str, options: dict[str, Any], page: int) -> str:
    """The command that shows `page` of a list or search, quoted so that it runs as typed."""
    parts = [f"/gig {command}", *(quote(word) for word in str(options.get("text", "")).split())]
    for name in FILTER_NAMES:
        value = options.get(name)
        if value is not None:
            parts.append(f"{name}={'yes' if value is True else 'no' if value is False else quote(str(value))}")
    return " ".join([*parts, f"page={page}"])


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

