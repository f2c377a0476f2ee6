"""`gig admin outbox list` and `gig admin outbox retry <n>`: admins see what could not be delivered, and resend it.

On Discord they are /gig-admin outbox list and /gig-admin outbox retry.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.errors import UserError
from bot.core.i18n import Term
from bot.core.registry import Kind, Param, registry
from bot.core.types import Reply, Rich, Role, Text
from bot.dispatch.context import Context
from bot.services import dead_letters
from bot.services.outbox import destination_ref
from bot.services.policy import timezone_for
from bot.services.timing import format_moment
from bot.store.models import OutboxMessage


def _when(ctx: Context, when: datetime) -> str:
    """The time of the next attempt on the admin's clock and in their language (`Thu, Nov 26, 2026 10:00 AM`)."""
    zone = timezone_for(ctx.member.timezone, ctx.community.timezone)
    return f"{format_moment(when, zone, ctx.t.locale)} ({zone})"


def _line(ctx: Context, row: OutboxMessage) -> Text:
    waiting = row.state in ("pending", "sending")
    return ctx.t("outbox.line", id=row.id, platform=row.platform, kind=ctx.t(f"outbox.kind.{row.kind}"),
                 destination=destination_ref(row.platform, row.kind, row.destination),
                 state=ctx.t(f"outbox.state.{row.state}"), attempts=Term("time.attempts", count=row.attempts),
                 next=_when(ctx, row.next_attempt_at) if waiting else ctx.t("outbox.no_next"),
                 error=row.last_error[:200] if row.last_error else ctx.t("outbox.no_error"))


@registry.command("admin outbox list", role=Role.ADMIN)
async def outbox_list(ctx: Context) -> Reply:
    """Failed, dead and delayed messages, newest first, and any platform whose delivery is paused."""
    letters = await dead_letters.list_letters(ctx.session, ctx.community.id)
    lines: list[Text] = [ctx.t("outbox.paused", platform=p.platform, since=_when(ctx, p.since), reason=p.reason[:200],
                   retry_at=_when(ctx, p.retry_at)) for p in letters.pauses]
    if not letters.rows:
        return Reply(Rich.join("\n", [*lines, ctx.t("outbox.none")]))
    lines.append(ctx.t("outbox.header", count=letters.total))
    lines += [_line(ctx, row) for row in letters.rows]
    if letters.total > len(letters.rows):
        lines.append(ctx.t("outbox.more", count=letters.total - len(letters.rows)))
    return Reply(Rich.join("\n", lines))


@registry.command("admin outbox retry", Param("message", Kind.INT, required=True, positional=True), role=Role.ADMIN)
async def outbox_retry(ctx: Context, message: int) -> Reply:
    """Send a failed, dead or delayed message again now."""
    if not await dead_letters.retry(ctx.session, ctx.community.id, message, ctx.clock):
        raise UserError("outbox.not_found", id=message)
    ctx.audit("outbox.retry", message)
    return Reply(ctx.t("outbox.retried", id=message))
