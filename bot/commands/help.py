"""`gig help [command]`: what the acting member may run, with usage lines from the registry."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.registry import Param, describe_usage, registry
from bot.core.types import Reply, Rich, Text
from bot.dispatch.context import Context


@registry.command("help", Param("command", positional=True, greedy=True))
async def help(ctx: Context, command: str = "") -> Reply:
    """List the commands this member may run, or explain one, or list those of a group (`help admin outbox`)."""
    name = " ".join(command.lower().split())
    if name in registry.groups():
        specs = [spec for spec in registry.visible_to(ctx.role) if spec.name.startswith(name + " ")]
        if specs:
            return Reply(Rich.join("\n", [
                Rich.of(f"• {describe_usage(spec, ctx.t.label)} — ", ctx.t(f"help.{spec.key}")) for spec in specs]))
    if command:
        spec = registry.commands.get(name)
        if spec is None or spec.role.rank > ctx.role.rank:
            raise UserError("errors.unknown_command", name=command)
        lines: list[Text] = [describe_usage(spec, ctx.t.label), ctx.t(f"help.{spec.key}")]
        if ctx.t.has(f"example.{spec.key}"):
            lines.append(ctx.t("help.example", example=ctx.t(f"example.{spec.key}")))
        if ctx.t.has(f"help_note.{spec.key}"):
            lines.append(ctx.t(f"help_note.{spec.key}"))
        return Reply(Rich.join("\n", lines))
    lines = [ctx.t("help.header", role=ctx.t(f"help.role_{ctx.role.value}"))]
    for spec in registry.visible_to(ctx.role):
        lines.append(Rich.of(f"• /gig {spec.name} — ", ctx.t(f"help.{spec.key}")))
    lines.append(ctx.t("help.footer"))
    return Reply(Rich.join("\n", lines))
