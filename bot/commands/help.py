"""`gig help [command]`: what the acting member may run, with usage lines from the registry.

Help about a command the member may not run still says what it does, and who may run it. The command may be typed
as any platform spells it: `route add`, `/gig-admin route add`, or Discord's translated names (`gig-admin route
ajouter`).
"""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.i18n import SUPPORTED_LOCALES, catalog
from bot.core.registry import CommandSpec, Param, describe_usage, named, registry
from bot.core.text import ADMIN_GROUP, GROUP
from bot.core.types import Reply, Rich, Role, Text
from bot.dispatch.context import Context

FOOTER_EXAMPLES = ("post", "apply")  # the footer's `/gig help <command>` example: the first one the member may run


@registry.command("help", Param("command", positional=True, greedy=True))
async def help(ctx: Context, command: str = "") -> Reply:
    """List the commands this member may run, or explain one, or list those of a group (`help admin outbox`)."""
    name = registered_name(command)
    if name in registry.groups():
        lines = group_help(ctx, name)
    elif name:
        spec = registry.commands.get(name)
        if spec is None:
            raise UserError("errors.unknown_command", name=command)
        lines = [describe_usage(spec, ctx.t.label), ctx.t(f"help.{spec.key}")]
        if ctx.t.has(f"example.{spec.key}"):
            lines.append(ctx.t("help.example", example=ctx.t(f"example.{spec.key}")))
        if spec.role.rank > ctx.role.rank:
            lines.append(who_may_run(ctx, spec.role, spec.name))
    else:
        visible = registry.visible_to(ctx.role)
        lines = [ctx.t("help.header", role=ctx.t(f"help.role_{ctx.role.value}"))]
        lines += [line(ctx, spec, usage=False) for spec in visible]
        example = next(name for name in FOOTER_EXAMPLES if registry.commands[name] in visible)
        lines.append(ctx.t("help.footer", example=named(example)))
    return Reply(ctx.t.commands(Rich.join("\n", lines)))  # the usage lines' commands in the member's language


def group_help(ctx: Context, group: str) -> list[Text]:
    """A group's commands this member may run; if none, all of them, and who may run them."""
    members = [spec for spec in sorted(registry, key=lambda s: s.name) if spec.name.startswith(group + " ")]
    allowed = [spec for spec in members if spec.role.rank <= ctx.role.rank]
    lines: list[Text] = [line(ctx, spec) for spec in allowed or members]
    if not allowed:
        lines.append(who_may_run(ctx, min((spec.role for spec in members), key=lambda role: role.rank), group))
    return lines


def line(ctx: Context, spec: CommandSpec, usage: bool = True) -> Rich:
    """`• /gig route add <channel> … — what it does`."""
    return Rich.of("• ", describe_usage(spec, ctx.t.label) if usage else spec.ref, " — ", ctx.t(f"help.{spec.key}"))


def who_may_run(ctx: Context, role: Role, name: str) -> Rich:
    """The line that says who may run a command or group: `Only admins can run /gig route add.`."""
    return ctx.t(f"errors.forbidden_{role.value}", command=named(name))


def registered_name(typed: str) -> str:
    """The registry's name for a command or group as typed on any platform (`/gig-admin outbox retry`, `aide`)."""
    words = typed.lower().removeprefix("/").split()
    admin = words[:1] == [ADMIN_GROUP]
    if words[:1] in ([GROUP], [ADMIN_GROUP]):
        words = words[1:]
    own = {word for name in registry.commands for word in name.split(" ")}
    shown = {catalog(locale).get(f"discord.names.{word}", word): word for locale in SUPPORTED_LOCALES for word in own}
    name = " ".join(shown.get(word, word) for word in words)
    known = registry.commands.keys() | registry.groups()
    if admin and name not in known and f"admin {name}" in known:
        return f"admin {name}"
    return name
