"""The app commands, generated from the core registry: /gig for everyone, /gig-admin for the Manage Server few.

Discord applies default_member_permissions to top-level commands only, so admin subcommands live in their own
group, /gig-admin, hidden from members by that permission; the core's own check still runs on every call.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import discord
from discord import app_commands

from bot.adapters.discord.translator import text
from bot.core.i18n import Translator
from bot.core.registry import CommandSpec, Kind, Param, Registry
from bot.core.text import ADMIN_GROUP, GROUP, command_words
from bot.core.types import Role

TAG_PARAMS = ("tag", "tags")
ANNOTATIONS: dict[Kind, Any] = {
    Kind.TEXT: str, Kind.INT: app_commands.Range[int, 1], Kind.GIG: app_commands.Range[int, 1], Kind.BOOL: bool,
    Kind.MEMBER: discord.User, Kind.CHANNEL: discord.TextChannel | discord.ForumChannel, Kind.CHOICE: str,
}
OnCommand = Callable[[discord.Interaction[Any], CommandSpec, dict[str, Any]], Awaitable[None]]
Suggest = Callable[[discord.Interaction[Any], Kind, str], Awaitable[list[app_commands.Choice[str]]]]


def build(registry: Registry, on_command: OnCommand, suggest: Suggest) -> list[app_commands.Group]:
    """The two top-level groups with every registered command in them."""
    english = Translator("en").label
    gig = app_commands.Group(name=text(GROUP, "discord.names.gig"), description=text(
        "Post, find, apply to and track small paid gigs", "discord.gig"), guild_only=True)
    admin = app_commands.Group(name=text(ADMIN_GROUP, "discord.names.gig_admin"), description=text(
        "Routes, roles and community settings", "discord.gig_admin"), guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True))
    subgroups: dict[tuple[str, str], app_commands.Group] = {}
    for spec in sorted(registry, key=lambda s: s.name):
        top = admin if spec.role is Role.ADMIN else gig
        words = discord_words(spec)
        if len(words) > 2:
            raise ValueError(f"command {spec.name!r} would be /{top.name} {' '.join(words)}: Discord nests only "
                             "group > subgroup > command")
        parent = top
        if len(words) == 2:
            key = (top.name, words[0])
            if key not in subgroups:
                subgroups[key] = app_commands.Group(
                    name=text(words[0], f"discord.names.{words[0]}"), parent=top,
                    description=text(english(f"discord.groups.{words[0]}"), f"discord.groups.{words[0]}"))
            parent = subgroups[key]
        if parent.get_command(words[-1]) is not None:
            raise ValueError(f"command {spec.name!r}: /{top.name} {' '.join(words)} is taken by another command")
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=text(words[-1], f"discord.names.{words[-1]}"), parent=parent,
            description=text(english(f"help.{spec.key}")[:100], f"help.{spec.key}"),
            callback=_callback(spec, on_command))  # type: ignore[arg-type]
        for param in spec.params:
            if param.kind is Kind.GIG or param.name in TAG_PARAMS:
                kind = Kind.GIG if param.kind is Kind.GIG else Kind.TEXT
                command.autocomplete(param.name)(_autocomplete(suggest, kind))  # type: ignore[arg-type]
        parent.add_command(command)
    return [gig, admin]


def discord_words(spec: CommandSpec) -> list[str]:
    """The words under /gig or /gig-admin: `admin outbox retry` is /gig-admin outbox retry, as `admin` is implied."""
    return command_words(spec.name, spec.role is Role.ADMIN, "discord")[1:]


def _callback(spec: CommandSpec, on_command: OnCommand) -> Callable[..., Awaitable[None]]:
    """A callback whose signature declares the command's typed options, required ones first."""

    async def callback(interaction: discord.Interaction[Any], **options: Any) -> None:
        await on_command(interaction, spec, options)

    ordered = sorted(spec.params, key=lambda p: not _required(spec, p))
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
    parameters += [inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                     annotation=_annotation(p, _required(spec, p)),
                                     default=inspect.Parameter.empty if _required(spec, p) else None) for p in ordered]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    english = Translator("en").label
    app_commands.describe(**{p.name: text(english(f"params.{p.name}")[:100], f"params.{p.name}")
                             for p in spec.params})(callback)
    app_commands.rename(**{p.name: text(p.name, f"discord.names.{p.name}") for p in spec.params})(callback)
    choices = {p.name: [app_commands.Choice(name=_choice_name(english, p, c), value=c) for c in p.choices]
               for p in spec.params if p.choices}
    if choices:
        app_commands.choices(**choices)(callback)
    return callback


def _choice_name(english: Callable[..., str], param: Param, value: str) -> app_commands.locale_str:
    """A choice shown by its name in the member's language (`entretien`), sent as its value (`interviewing`)."""
    key = f"choice.{param.name}.{value}.name"
    return text(english(key), key)


def _required(spec: CommandSpec, param: Param) -> bool:
    """Required on Discord: never for a command with a form, which opens its modal when run with no options."""
    return param.required and not spec.form


def _annotation(param: Param, required: bool) -> Any:
    annotation = ANNOTATIONS[param.kind]
    return annotation if required else Optional[annotation]  # noqa: UP045 - Range does not support `|`


def _autocomplete(suggest: Suggest, kind: Kind) -> Callable[..., Awaitable[list[app_commands.Choice[Any]]]]:
    async def complete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[Any]]:
        return await suggest(interaction, kind, current)

    return complete
