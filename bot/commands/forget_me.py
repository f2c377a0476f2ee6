"""`gig forget-me [confirm]`: a warning and a confirm button, then my personal data deleted (bot.services.forgetting).

Applications and their statuses stay under an anonymous member, so the community's counts do not change.
"""

from __future__ import annotations

from bot.core.buttons import button_id
from bot.core.registry import Kind, Param, registry
from bot.core.types import Button, Card, Reply, Rich, Text
from bot.dispatch.context import Context
from bot.services import forgetting

CONFIRM = "confirm"


@registry.command("forget-me", Param("confirm", Kind.CHOICE, positional=True, choices=(CONFIRM,)), button=True)
async def forget_me(ctx: Context, confirm: str | None = None) -> Reply:
    """Delete my personal data (asks to confirm first); my open gigs are closed."""
    if confirm != CONFIRM:
        button = Button(ctx.t.label("forget.button_confirm"), button_id("forget_me", CONFIRM), "danger")
        return Reply(cards=(Card(ctx.t("forget.title"), ctx.t("forget.warning"), buttons=(button,)),))
    done = await forgetting.forget(ctx.session, ctx.community, ctx.member, ctx.clock)
    lines: list[Text] = [ctx.t("forget.done")]
    for name in ("identities", "pitches", "reports", "codes", "nudges", "gigs", "dropped", "scrubbed"):
        count = getattr(done, name)
        if count or name == "identities":
            lines.append(ctx.t(f"forget.count.{name}", count=count))
    lines.append(ctx.t("forget.after"))
    return Reply(Rich.join("\n", lines), gone=True)
