"""`gig my-data`: every row the bot keeps about me, as one JSON file sent to me alone.

The file rides on the reply (Reply.attachments): Discord sends it with the private answer, Slack uploads it to my
DM with the bot, the console writes it under GIGBOT_DATA_DIR and prints the path.
"""

from __future__ import annotations

from bot.core.i18n import Term
from bot.core.registry import registry
from bot.core.types import Attachment, Reply, Rich, Text
from bot.dispatch.context import Context
from bot.services import member_data

SHOWN = ("members", "applications", "gigs_posted", "reports_made", "nudges", "link_codes", "audit_entries")


def file_name(ctx: Context) -> str:
    """`gigbot-data-slack-U123-2026-11-23.json`: whose data, from where, and when."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in ctx.identity.platform_user_id)[:40]
    return f"gigbot-data-{ctx.identity.platform}-{safe}-{ctx.today().isoformat()}.json"


@registry.command("my-data")
async def my_data(ctx: Context) -> Reply:
    """Everything the bot keeps about me (settings, applications, gigs, reports) as a JSON file."""
    document = await member_data.collect(ctx.session, ctx.community, ctx.member)
    counts = member_data.counts(document)
    lines: list[Text] = [ctx.t("mydata.done")]
    lines += [ctx.t("mydata.line", what=Term(f"mydata.kind.{name}", count=counts[name])) for name in SHOWN]
    lines.append(ctx.t("mydata.forget_hint"))
    return Reply(Rich.join("\n", lines),
                 attachments=(Attachment(file_name(ctx), member_data.as_json(document), "application/json"),))
