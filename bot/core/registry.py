"""The command registry: each command is declared once, with its typed parameters, role and help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.types import Reply, Role

Handler = Callable[..., Awaitable[Reply]]


class Kind(StrEnum):
    """How a parameter's text is read."""

    TEXT = "text"
    INT = "int"
    GIG = "gig"  # a gig id, `3` or `#3`
    BOOL = "bool"  # yes/no, oui/non, true/false
    MEMBER = "member"  # @name, <@U123>, a user id
    CHANNEL = "channel"  # #name, <#C123|name>, a channel id
    CHOICE = "choice"


@dataclass(frozen=True)
class Param:
    """One parameter: positional (in order) or key=value."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    positional: bool = False
    choices: tuple[str, ...] = ()
    greedy: bool = False  # a positional that takes every remaining word


@dataclass(frozen=True)
class CommandSpec:
    """A command: `name` may be two words (`route add`); `button` lets `gig:<name>:<value>` run it."""

    name: str
    handler: Handler
    params: tuple[Param, ...] = ()
    role: Role = Role.MEMBER
    button: bool = False
    form: bool = False  # with nothing given the handler answers with its form; it checks required fields itself

    @property
    def key(self) -> str:
        """The catalog key stem of this command, e.g. `route_add`."""
        return self.name.replace(" ", "_")

    @property
    def positionals(self) -> tuple[Param, ...]:
        """Positional parameters in order."""
        return tuple(p for p in self.params if p.positional)

    def param(self, name: str) -> Param | None:
        """The parameter called name, if any."""
        return next((p for p in self.params if p.name == name), None)


@dataclass
class Registry:
    """All commands by name; a second command with the same name fails at start."""

    commands: dict[str, CommandSpec] = field(default_factory=dict)

    def add(self, spec: CommandSpec) -> None:
        """Register a command."""
        if spec.name in self.commands:
            raise ValueError(f"command {spec.name!r} is declared twice")
        names = [p.name for p in spec.params]
        if len(names) != len(set(names)):
            raise ValueError(f"command {spec.name!r} declares a parameter twice")
        self.commands[spec.name] = spec

    def command(
        self, name: str, *params: Param, role: Role = Role.MEMBER, button: bool = False, form: bool = False
    ) -> Callable[[Handler], Handler]:
        """Decorate a handler `async def f(ctx, **params) -> Reply` to declare it."""

        def declare(handler: Handler) -> Handler:
            self.add(CommandSpec(name, handler, params, role, button, form))
            return handler

        return declare

    def resolve(self, words: tuple[str, ...]) -> tuple[CommandSpec | None, tuple[str, ...]]:
        """Find the command the first one or two words name; return it and the remaining words."""
        lowered = [w.lower() for w in words[:2]]
        if len(lowered) == 2 and f"{lowered[0]} {lowered[1]}" in self.commands:
            return self.commands[f"{lowered[0]} {lowered[1]}"], words[2:]
        if lowered and lowered[0] in self.commands:
            return self.commands[lowered[0]], words[1:]
        return None, words

    def groups(self) -> set[str]:
        """First words of two-word commands (`route`, `role`)."""
        return {name.split(" ")[0] for name in self.commands if " " in name}

    def visible_to(self, role: Role) -> list[CommandSpec]:
        """Commands a member with this role may run, in name order."""
        return sorted((c for c in self.commands.values() if c.role.rank <= role.rank), key=lambda c: c.name)

    def __iter__(self) -> Any:
        return iter(self.commands.values())


registry = Registry()


def describe_usage(spec: CommandSpec, t: Callable[..., str]) -> str:
    """`/gig apply <id> [pitch=...]`: the usage line built from the declaration."""
    parts = [f"/gig {spec.name}"]
    for param in spec.params:
        placeholder = "|".join(param.choices) if param.choices else t(f"params.{param.name}")
        if param.positional:
            text = f"<{placeholder}>" + ("..." if param.greedy else "")
        else:
            text = f"{param.name}=<{placeholder}>"
        parts.append(text if param.required else f"[{text}]")
    return " ".join(parts)

