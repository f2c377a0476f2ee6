"""`gig admin trust @member [yes|no]`: admins mark a poster as trusted, so only what their gigs say can hold them.

A trusted poster skips the holds about who posts (first gig, posting limits per day and week); screening still holds
or refuses their gigs for what they say. Posters also become trusted by publishing `trusted_after` gigs. For linked
identities the flag is the person's (a named member is resolved to their person when the command is read).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from bot.commands.review import member_ref
from bot.core.registry import Kind, Param, registry
from bot.core.types import Reply, Role
from bot.dispatch.context import Context
from bot.services import gate
from bot.services.screening import ScreeningSettings
from bot.store.models import Member


@registry.command("admin trust", Param("member", Kind.MEMBER, required=True, positional=True),
                  Param("trusted", Kind.BOOL, positional=True), role=Role.ADMIN)
async def admin_trust(ctx: Context, member: Member, trusted: bool = True) -> Reply:
    """Mark a member as a trusted poster (yes, the default) or withdraw it (no)."""
    changed = await ctx.session.execute(
        update(Member).where(Member.id == member.id, Member.trusted != trusted).values(trusted=trusted)
        .execution_options(synchronize_session=False))
    set_committed_value(member, "trusted", trusted)
    name = member_ref(member)
    if changed.rowcount != 1:  # type: ignore[attr-defined]  # already so, or another admin did it a moment ago
        return Reply(ctx.t("trust.unchanged_yes" if trusted else "trust.unchanged_no", name=name))
    ctx.audit("member.trust", member.id, trusted=trusted)
    if trusted:
        return Reply(ctx.t("trust.granted", name=name))
    settings = ScreeningSettings.of(ctx.community.settings)
    done = await gate.record(ctx.session, ctx.community.id, member, ctx.now())
    if done.published >= settings.trusted_after:
        return Reply(ctx.t("trust.withdrawn_still", name=name, count=done.published, after=settings.trusted_after))
    return Reply(ctx.t("trust.withdrawn", name=name, count=settings.trusted_after))
