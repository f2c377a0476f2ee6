"""`gig link` and `gig unlink`: one person on Slack and Discord, with one pipeline and one set of settings."""

from __future__ import annotations

from bot.core.i18n import Term
from bot.core.registry import Param, registry
from bot.core.text import platform_name
from bot.core.types import Reply, Rich, Text
from bot.dispatch.context import Context
from bot.services import identities, link_codes

OTHER_PLATFORM = {"slack": "discord", "discord": "slack"}


@registry.command("link", Param("code", positional=True))
async def link(ctx: Context, code: str = "") -> Reply:
    """Link my accounts on Slack and Discord: with no code, get one; with a code from the other platform, link."""
    if not code.strip():
        return make_code(ctx)
    linked = await identities.link(ctx.session, ctx.identity, code, ctx.now())
    ctx.audit("member.link", linked.identity.id, person=linked.person.id)
    t = ctx.translator_for(linked.person)
    dm = await identities.dm_identity(ctx.session, linked.person)
    where = "settings.dm_chosen" if linked.person.dm_platform == dm.platform else "settings.dm_last"
    return Reply(Rich.join("\n", [
        t("link.linked", here=platform_name(linked.identity.platform), name=identities.described(linked.identity),
          other_platform=platform_name(linked.person.platform), other=identities.described(linked.person)),
        t("link.shared"),
        t(where, platform=platform_name(dm.platform)) + " " + t("link.dms_how"),
    ]))


def make_code(ctx: Context) -> Reply:
    """A new person code made by this identity, and what to do with it on the other platform."""
    row = link_codes.make(ctx.session, link_codes.PERSON, ctx.community.id, ctx.identity.id, ctx.now(),
                          ctx.workspace.id if ctx.workspace else None)
    other = OTHER_PLATFORM.get(ctx.identity.platform)
    where = ctx.t("link.other_platform", platform=platform_name(other)) if other else ctx.t("link.any_platform")
    minutes = int(link_codes.LIFETIME.total_seconds() // 60)
    return Reply(ctx.t("link.code", code=link_codes.shown(row.code), where=where,
                       lifetime=Term("time.minutes", count=minutes)))


@registry.command("unlink")
async def unlink(ctx: Context) -> Reply:
    """Split my linked accounts again; each takes back the applications it made."""
    done = await identities.unlink(ctx.session, ctx.identity)
    ctx.audit("member.unlink", ctx.identity.id, identities=[identity.id for identity, _ in done.split])
    lines: list[Text] = [
        ctx.t("link.unlinked", platform=platform_name(identity.platform), name=identities.described(identity),
              other_platform=platform_name(done.person.platform), other=identities.described(done.person),
              applications=Term("link.applications", count=moved))
        for identity, moved in done.split]
    lines.append(ctx.t("link.unlinked_after", other_platform=platform_name(done.person.platform)))
    return Reply(Rich.join("\n", lines))
