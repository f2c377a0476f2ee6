"""`gig role add|remove <member> poster`: admins let members post gigs."""

from __future__ import annotations

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
    return _set_poster(ctx, member, True)


@registry.command("role remove", *ROLE_PARAMS, role=Role.ADMIN)
async def role_remove(ctx: Context, member: Member, role: str) -> Reply:
    """Take the poster role back."""
    return _set_poster(ctx, member, False)


def _set_poster(ctx: Context, member: Member, value: bool) -> Reply:
    key = ("role.added" if value else "role.removed") if member.is_poster != value else "role.unchanged"
    member.is_poster = value
    ctx.audit("role.poster", member.id, value=value)
    return Reply(ctx.t(key, name=member_ref(member), role="poster"))
