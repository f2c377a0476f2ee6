"""`gig post`: validate a gig, refuse duplicates, store it and repost it to every matching channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.core.registry import Param, describe_usage, registry
from bot.core.types import ChannelRef, Form, FormInput, InputKind, Reply, Rich, Role
from bot.dispatch.context import Context
from bot.services import postings
from bot.services.budget import min_paid
from bot.services.cards import gig_card
from bot.services.gigs import GIG_FIELDS, create_gig, find_duplicate, validate_gig
from bot.store import locks

REQUIRED = ("title", "budget")


def post_form(t: Translator, values: Mapping[str, str] | None = None) -> Form:
    """The post form: every field of a gig, the essentials first (a platform that must split it shows those first).

    `values` fill its inputs (`gig edit` opens it with the gig's fields).
    """
    yes_no = (("yes", t.label("post.form_remote_yes")), ("no", t.label("post.form_remote_no")))
    form = Form("post", t.label("post.form_title"), (
        FormInput("title", t.label("post.form_gig_title"), required=True, placeholder=t.label("post.form_title_hint")),
        FormInput("budget", t.label("post.form_budget"), required=True, placeholder=t.label("post.form_budget_hint")),
        FormInput("tags", t.label("post.form_tags"), placeholder="wordpress, php"),
        FormInput("description", t.label("post.form_description"), kind=InputKind.MULTILINE),
        FormInput("apply_url", t.label("post.form_apply_url"), placeholder="https://"),
        FormInput("remote", t.label("post.form_remote"), kind=InputKind.CHOICE, choices=yes_no),
        FormInput("location", t.label("post.form_location"), placeholder=t.label("post.form_location_hint")),
        FormInput("hours", t.label("post.form_hours"), kind=InputKind.NUMBER, placeholder="10"),
        FormInput("apply_by", t.label("post.form_apply_by"), kind=InputKind.DATE),
        FormInput("source", t.label("post.form_source"), placeholder=t.label("post.form_source_hint")),
    ), t.label("post.form_submit"))
    if values:
        form = replace(form, inputs=tuple(replace(item, value=values.get(item.name, "")) for item in form.inputs))
    return form


@registry.command("post", *(Param(name, required=name in REQUIRED) for name in GIG_FIELDS), role=Role.POSTER,
                  form=True)
async def post(ctx: Context, **fields: str) -> Reply:
    """Post a gig; with no fields, answer with the post form and an example."""
    if not fields:
        usage = describe_usage(registry.commands["post"], ctx.t.label)
        return Reply(ctx.t("post.how", usage=usage), form=post_form(ctx.t))
    draft = validate_gig(fields, ctx.today(), ctx.settings.default_currency, min_paid(ctx.community.settings))
    await locks.lock(ctx.session, ctx.community)  # two identical posts at once: the second sees the first
    earlier = await find_duplicate(ctx.session, ctx.community.id, ctx.member, draft, ctx.now())
    if earlier is not None:
        raise UserError("post.duplicate", id=earlier.id, title=earlier.title)
    gig = await create_gig(ctx.session, ctx.community.id, ctx.member, draft, ctx.now())
    gig.workspace_id = ctx.workspace.id if ctx.workspace else None  # the place it came from (none in a Discord DM)
    targets = await postings.publish(ctx.session, ctx.community, gig, ctx.clock)
    ctx.audit("gig.post", gig.id, title=gig.title)
    channels = Rich.join(", ", [Rich.of(ChannelRef(platform, channel)) for platform, channel in targets]) \
        or ctx.t("post.no_channel")
    return Reply(ctx.t("post.done", id=gig.id, title=gig.title, channels=channels),
                 cards=(gig_card(gig, ctx.t, 0, ctx.today(), full=True),))
