"""`gig post`: validate a gig, refuse duplicates, screen it, and store it: reposted, held for review, or refused.

What decides is bot.services.gate: what the gig says (screening) and who posts it (first gig, posting limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.core.buttons import button_id
from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.core.registry import Param, describe_usage, registry
from bot.core.types import Button, ChannelRef, Form, FormInput, InputKind, Reply, Rich, Role
from bot.dispatch.context import Context
from bot.services import gate, postings, review, verdicts
from bot.services.budget import min_paid
from bot.services.cards import gig_card
from bot.services.gigs import GIG_FIELDS, create_gig, find_duplicate, validate_gig
from bot.services.screening import Tier
from bot.store import locks
from bot.store.models import Gig

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
    verdict = await verdicts.screen_draft(ctx.session, ctx.community, draft, ctx.now())
    decision = await gate.decide(ctx.session, ctx.community, verdict, ctx.member, ctx.identity, ctx.is_admin,
                                 ctx.now())
    if decision.refused:  # nothing is stored: the poster reads every reason and what to do
        raise UserError("gate.refused", reasons=gate.bullets(gate.reasons(ctx.t, verdict)))
    gig = await create_gig(ctx.session, ctx.community.id, ctx.member, draft, ctx.now())
    gig.workspace_id = ctx.workspace.id if ctx.workspace else None  # the place it came from (none in a Discord DM)
    ctx.audit("gig.post", gig.id, title=gig.title, tier=str(decision.tier))
    if decision.held:
        return await _hold(ctx, gig, decision)
    gig.screening = decision.stored()
    targets = await postings.publish(ctx.session, ctx.community, gig, ctx.clock)
    channels = Rich.join(", ", [Rich.of(ChannelRef(platform, channel)) for platform, channel in targets]) \
        or ctx.t("post.no_channel")
    return Reply(ctx.t("post.done", id=gig.id, title=gig.title, channels=channels),
                 cards=(gig_card(gig, ctx.t, 0, ctx.today(), full=True),))


async def _hold(ctx: Context, gig: Gig, decision: gate.Decision) -> Reply:
    """Hold the gig for review (shown in the review channels, reposted nowhere) and say why, and what comes next."""
    card = gig_card(gig, ctx.t, 0, ctx.today(), full=True)  # built while open: the held gig as it will read
    card = replace(card, buttons=(), footer=ctx.t("gate.held_footer", id=gig.id))
    await review.hold(ctx.session, ctx.community, gig, decision.stored(), ctx.clock)
    ctx.audit("gig.hold", gig.id, rules=list(decision.verdict.rules), holds=[hold.key for hold in decision.holds])
    why = gate.bullets(gate.reasons(ctx.t, decision.verdict, decision.holds))
    if not decision.admin:
        return Reply(ctx.t("gate.held", id=gig.id, title=gig.title, reasons=why), cards=(card,))
    key = "gate.admin_refused" if decision.tier is Tier.REFUSE else "gate.admin_held"
    anyway = Button(ctx.t.label("gate.button_publish_anyway"), button_id("approve", gig.id), "primary")
    return Reply(ctx.t(key, id=gig.id, title=gig.title, reasons=why), cards=(card,), buttons=(anyway,))
