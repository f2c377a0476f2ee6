"""The command registry: each command is declared once, with its typed parameters, role and help."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.types import CommandRef, Reply, Rich, Role

Handler = Callable[..., Awaitable[Reply]]
MAX_WORDS = 3  # `admin outbox retry`: Discord nests group > subgroup > command, no deeper


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
    """A command: `name` has one to three words (`admin outbox retry`); `button` lets `gig:<name>:<value>` run it."""

    name: str
    handler: Handler
    params: tuple[Param, ...] = ()
    role: Role = Role.MEMBER
    button: bool = False
    form: bool = False  # with nothing given the handler answers with its form; it checks required fields itself
    gig_owner: bool = False  # the poster of the gig named by `id` may run it whatever their role now

    @property
    def key(self) -> str:
        """The catalog key stem of this command, e.g. `route_add`."""
        return self.name.replace(" ", "_")

    @property
    def ref(self) -> CommandRef:
        """The command as a reference, for text that names it."""
        return CommandRef(self.name, self.role is Role.ADMIN)

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
    _refs: dict[str, CommandRef] = field(default_factory=dict, init=False, repr=False, compare=False)

    def add(self, spec: CommandSpec) -> None:
        """Register a command, refusing one that could not be told apart from another or called as declared."""
        words = spec.name.split(" ")
        if not 1 <= len(words) <= MAX_WORDS or not all(words) or spec.name != spec.name.lower():
            raise ValueError(f"command {spec.name!r}: a name is one to {MAX_WORDS} lowercase words")
        if spec.name in self.commands:
            raise ValueError(f"command {spec.name!r} is declared twice")
        names = [p.name for p in spec.params]
        if len(names) != len(set(names)):
            raise ValueError(f"command {spec.name!r} declares a parameter twice")
        if spec.name in self.groups():
            raise ValueError(f"command {spec.name!r} has the name of a group of commands")
        clash = next((" ".join(words[:n]) for n in range(1, len(words)) if " ".join(words[:n]) in self.commands), None)
        if clash is not None:
            raise ValueError(f"command {spec.name!r} would make the command {clash!r} a group")
        id_param = spec.param("id")
        if spec.gig_owner and (id_param is None or id_param.kind is not Kind.GIG):
            raise ValueError(f"command {spec.name!r}: gig_owner needs a gig `id` parameter")
        check_signature(spec)
        self.commands[spec.name] = spec
        self._refs.clear()

    def command(
        self, name: str, *params: Param, role: Role = Role.MEMBER, button: bool = False, form: bool = False,
        gig_owner: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorate a handler `async def f(ctx, **params) -> Reply` to declare it."""

        def declare(handler: Handler) -> Handler:
            self.add(CommandSpec(name, handler, params, role, button, form, gig_owner))
            return handler

        return declare

    def resolve(self, words: tuple[str, ...]) -> tuple[CommandSpec | None, tuple[str, ...]]:
        """Find the command the first one to three words name, the longest first; return it and the rest."""
        lowered = [w.lower() for w in words[:MAX_WORDS]]
        for count in range(len(lowered), 0, -1):
            spec = self.commands.get(" ".join(lowered[:count]))
            if spec is not None:
                return spec, words[count:]
        return None, words

    def groups(self) -> set[str]:
        """Every leading part of a longer command's name (`route`, `admin`, `admin outbox`)."""
        return {" ".join(name.split(" ")[:n]) for name in self.commands for n in range(1, name.count(" ") + 1)}

    def reference(self, words: Sequence[str]) -> tuple[CommandRef, int] | None:
        """The command or group the first words name, the longest, as a reference; and how many words it took.

        A group is an admin reference when all its commands are for admins (`route`: /gig-admin route on Discord).
        """
        if not self._refs:
            for spec in self.commands.values():
                self._refs[spec.name] = spec.ref
            for group in self.groups():
                admin = all(s.role is Role.ADMIN for s in self.commands.values() if s.name.startswith(group + " "))
                self._refs[group] = CommandRef(group, admin)
        for count in range(min(len(words), MAX_WORDS), 0, -1):
            ref = self._refs.get(" ".join(words[:count]))
            if ref is not None:
                return ref, count
        return None

    def typed_name(self, words: tuple[str, ...]) -> str:
        """The command name an unknown invocation meant: its words through the longest group, plus one."""
        lowered = [w.lower() for w in words[:MAX_WORDS]]
        groups = self.groups()
        count = next((n for n in range(len(lowered) - 1, 0, -1) if " ".join(lowered[:n]) in groups), 0)
        return " ".join(words[:count + 1])

    def visible_to(self, role: Role) -> list[CommandSpec]:
        """Commands a member with this role may run, in name order."""
        return sorted((c for c in self.commands.values() if c.role.rank <= role.rank), key=lambda c: c.name)

    def __iter__(self) -> Any:
        return iter(self.commands.values())


registry = Registry()


def check_signature(spec: CommandSpec) -> None:
    """Fail unless the handler takes every declared parameter by keyword and declares every one it requires.

    After the context, a handler parameter without a default must be a required declared parameter (a form's
    handler is called with nothing at all, so all of its parameters need defaults).
    """
    where = f"command {spec.name!r} ({spec.handler.__module__}.{spec.handler.__qualname__})"
    parameters = list(inspect.signature(spec.handler).parameters.values())
    if not parameters or parameters[0].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                                    inspect.Parameter.POSITIONAL_OR_KEYWORD):
        raise ValueError(f"{where}: the handler must take the context first")
    accepted = {p.name: p for p in parameters[1:]
                if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    unknown = [p.name for p in spec.params if p.name not in accepted and not takes_any]
    if unknown:
        raise ValueError(f"{where}: the handler takes no parameter {', '.join(unknown)}")
    for name, parameter in accepted.items():
        if parameter.default is not inspect.Parameter.empty:
            continue
        declared = spec.param(name)
        if declared is None:
            raise ValueError(f"{where}: handler parameter {name!r} is not declared")
        if not declared.required or spec.form:
            raise ValueError(f"{where}: handler parameter {name!r} needs a default, as it may not be given")
    extra = [p.name for p in parameters[1:] if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                          inspect.Parameter.VAR_POSITIONAL)]
    if extra:
        raise ValueError(f"{where}: handler parameters {', '.join(extra)} cannot be given by keyword")


def named(command: str) -> Rich:
    """A registered command's name as bot text, so that a catalog's `/gig {command}` names it for each platform."""
    return Rich((command,))


def describe_usage(spec: CommandSpec, t: Callable[..., str]) -> Rich:
    """`/gig apply <id> [pitch=...]`: the usage line built from the declaration, the command as a reference."""
    parts: list[str] = []
    for param in spec.params:
        placeholder = "|".join(param.choices) if param.choices else t(f"params.{param.name}")
        if param.positional:
            text = f"<{placeholder}>" + ("..." if param.greedy else "")
        else:
            text = f"{param.name}=<{placeholder}>"
        parts.append(text if param.required else f"[{text}]")
    return Rich.of(spec.ref, *(" " + part for part in parts))

