"""`gig role add|remove <member> poster`: admins let members post gigs."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from bot.commands.review import member_ref
from bot.core.registry import Kind, Param, registry
from bot.core.types import Reply, Role
from bot.dispatch.context import Context
from bot.store.models import Member

ROLE_PARAMS = (
    Param("member", Kind.MEMBER, required=True, positional=True),
    Param("role", Kind.CHOICE, required=True, positional=True, choices=("poster",)),
)


@registry.command("role add", *ROLE_PARAMS, role=Role.ADMIN)
async def role_add(ctx: Context, member: Member, role: str) -> Reply:
    """Give a member the poster role."""
    return await _set_poster(ctx, member, True)


@registry.command("role remove", *ROLE_PARAMS, role=Role.ADMIN)
async def role_remove(ctx: Context, member: Member, role: str) -> Reply:
    """Take the poster role back."""
    return await _set_poster(ctx, member, False)


async def _set_poster(ctx: Context, member: Member, value: bool) -> Reply:
    """Change the role where it differs, so of two presses at once only one is recorded as the change."""
    changed = await ctx.session.execute(
        update(Member).where(Member.id == member.id, Member.is_poster != value).values(is_poster=value)
        .execution_options(synchronize_session=False))
    set_committed_value(member, "is_poster", value)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return Reply(ctx.t("role.unchanged", name=member_ref(member), role="poster"))
    key = "role.added" if value else "role.removed"
    ctx.audit("role.poster", member.id, value=value)
    return Reply(ctx.t(key, name=member_ref(member), role="poster"))
