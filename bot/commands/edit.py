"""`gig edit` and `gig history`: a poster or an admin changes a gig, screened again; postings and applicants follow.

The change is kept as a revision (`gig history`); applicants hear only of what matters to them (bot.services.editing).
"""

from __future__ import annotations

from dataclasses import replace

from bot.commands._params import GIG_ID
from bot.commands.posting import post_form
from bot.commands.review import member_ref, own_gig
from bot.core.buttons import button_id
from bot.core.clock import local_date
from bot.core.errors import UserError
from bot.core.i18n import Term
from bot.core.registry import Param, registry
from bot.core.syntax import quote
from bot.core.types import Button, Card, Field, Reply, Rich, Role, Text, UserText
from bot.dispatch.context import Context
from bot.services import editing, gate, nudges, postings, review, verdicts
from bot.services.budget import min_paid
from bot.services.gigs import GIG_FIELDS, HELD, find_duplicate
from bot.services.policy import timezone_for
from bot.services.screening import Tier
from bot.services.timing import format_moment
from bot.store import locks
from bot.store.models import Gig, Member

SHOWN = 60  # characters of a field's old and new values in `gig history`


@registry.command("edit", GIG_ID, *(Param(name) for name in GIG_FIELDS), role=Role.POSTER, button=True,
                  gig_owner=True)
async def edit(ctx: Context, id: int, **fields: str) -> Reply:
    """Change fields of my gig; with none, answer with the post form filled with the gig as it is."""
    gig = await own_gig(ctx, id)
    await locks.lock(ctx.session, gig)  # an approval, a close or another edit at the same moment waits
    editing.check_editable(gig)
    before = editing.current(gig)
    if not fields:
        return edit_form(ctx, gig)
    draft = editing.edited(gig, fields, ctx.today(), min_paid(ctx.community.settings))
    changed = editing.changes(before, draft)
    if not changed:
        return Reply(ctx.t("edit.unchanged", id=gig.id))
    if {"title", "apply_url"} & changed.keys():  # as when posting: not the title or link of another recent gig
        earlier = await find_duplicate(ctx.session, ctx.community.id, gig.poster, draft, ctx.now(), exclude=gig.id)
        if earlier is not None:
            raise UserError("edit.duplicate", id=earlier.id, title=earlier.title, gig=gig.id)
    verdict = await verdicts.screen_draft(ctx.session, ctx.community, draft, ctx.now(), exclude=gig.id)
    if verdict.tier is Tier.REFUSE and not ctx.is_admin:
        raise UserError("edit.refused", id=gig.id, reasons=gate.bullets(gate.reasons(ctx.t, verdict)))
    old_end = nudges.gig_end(gig, ctx.community)
    was_held = gig.status == HELD
    holds = (gig.screening or {}).get("holds", []) if was_held else []  # who posted: only an approval lifts them
    editing.apply(ctx.session, gig, draft, changed, ctx.member, ctx.now())
    stored = verdicts.to_json(verdict, holds)
    if verdict.tier is not Tier.PUBLISH:  # an admin's refused edit is held too, for another admin to look at
        await review.hold(ctx.session, ctx.community, gig, stored, ctx.clock)
    else:
        gig.screening = stored
        if was_held:  # the review card shows the gig as it now reads
            await review.show(ctx.session, ctx.community, gig, ctx.clock)
    await ctx.session.flush()
    updated = await postings.refresh(ctx.session, ctx.community, gig, ctx.clock,
                                     retitle=bool({"title", "tags"} & changed.keys()))
    if "apply_by" in changed:
        await editing.follow_apply_by(ctx.session, ctx.community, gig, old_end, ctx.now())
    told = await editing.tell_applicants(ctx.session, ctx.community, gig, editing.mattering(before, draft), ctx.clock)
    ctx.audit("gig.edit", gig.id, fields=sorted(changed), tier=str(verdict.tier))
    lines: list[Text] = [ctx.t("edit.done", id=gig.id, title=gig.title, fields=", ".join(changed),
                               postings=Term("close.postings", count=updated),
                               told=Term("edit.told", count=told))]
    if verdict.tier is not Tier.PUBLISH:
        lines.append(ctx.t("edit.held", reasons=gate.bullets(gate.reasons(ctx.t, verdict))))
    elif was_held:
        lines.append(ctx.t("edit.still_held"))
    return Reply(Rich.join("\n", lines))


def edit_form(ctx: Context, gig: Gig) -> Reply:
    """The post form filled with the gig's fields, sending `gig edit <id>`; the same fields as a command line."""
    values = editing.typed(editing.current(gig))
    form = replace(post_form(ctx.t, values), command="edit", title=ctx.t.label("edit.form_title", id=gig.id),
                   submit=ctx.t.label("edit.form_submit"), args=(str(gig.id),))
    line = " ".join([f"/gig edit {gig.id}", *(f"{name}={quote(value)}" for name, value in values.items() if value)])
    return Reply(ctx.t("edit.how", id=gig.id, line=line), form=form)


@registry.command("history", GIG_ID, role=Role.POSTER, button=True, gig_owner=True)
async def history(ctx: Context, id: int) -> Reply:
    """Every edit of my gig: when, by whom, and each field's old and new value."""
    gig = await own_gig(ctx, id)
    found = await editing.revisions(ctx.session, gig.id)
    if not found:
        return Reply(ctx.t("history.empty", id=gig.id))
    lines: list[Text] = [ctx.t("history.header", id=gig.id, title=gig.title, count=len(found))]
    zone = timezone_for(ctx.member.timezone, ctx.community.timezone)
    for revision in found:
        editor = await ctx.session.get(Member, revision.editor_id) if revision.editor_id else None
        who: Text = Rich.of(member_ref(editor)) if editor is not None else ctx.t("history.someone")
        lines.append(ctx.t("history.line", at=format_moment(revision.at, zone, ctx.t.locale), who=who))
        for name, (old, new) in revision.changes.items():
            lines.append(Rich.of(f"    {name}: ", UserText(_short(old)), " → ", UserText(_short(new))))
    return Reply(Rich.join("\n", lines))


def _short(value: str) -> str:
    value = " ".join(value.split()) or "-"
    return value if len(value) <= SHOWN else value[:SHOWN].rstrip() + "…"


async def owner_card(ctx: Context, gig: Gig, card: Card) -> Card:
    """`gig show` for the gig's poster or an admin: when it was last edited, and an Edit button while it may be."""
    if gig.poster_id != ctx.member.id and not ctx.is_admin:
        return card
    fields = card.fields
    if gig.edited_at is not None:
        zone = timezone_for(ctx.member.timezone, ctx.community.timezone)
        count = await editing.revision_count(ctx.session, gig.id)
        when = ctx.t("edit.edited", date=local_date(gig.edited_at, zone), count=count, id=gig.id)
        fields += (Field(ctx.t("edit.field_edited"), when),)
    buttons = card.buttons
    if gig.status in editing.EDITABLE:
        buttons += (Button(ctx.t.label("edit.button"), button_id("edit", gig.id)),)
    return replace(card, fields=fields, buttons=buttons)
