"""Dispatch: parse, find the command, check who may run it, read its parameters, run it in one transaction."""

from __future__ import annotations

import difflib
import itertools
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.buttons import parse_button_id
from bot.core.clock import Clock, local_date
from bot.core.errors import FieldErrors, UserError
from bot.core.i18n import Translator
from bot.core.params import convert
from bot.core.registry import CommandSpec, Kind, Registry, describe_usage, named
from bot.core.syntax import ParsedText, parse_command_text
from bot.core.text import plain
from bot.core.types import Actor, Place, Reply, Rich
from bot.dispatch.context import BUTTON, FORM, TEXT, Context
from bot.services import gigs, members, suggest
from bot.store import reach
from bot.store.events import take_changed, take_written
from bot.store.reach import DATABASE_ERRORS

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs invocations from any adapter against one registry, one database and one clock."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings, registry: Registry
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.registry = registry
        self.listeners: dict[str, list[Callable[[], None]]] = {}
        self.broadcast: Callable[[set[str]], None] | None = None  # tells other processes (PostgreSQL NOTIFY)

    async def run_text(self, text: str, actor: Actor, place: Place) -> Reply:
        """Run `/gig <subcommand> ...` text as typed on Slack or the console."""
        return await self._run(actor, place, lambda: parse_command_text(text), TEXT)

    async def press(self, raw_id: str, actor: Actor, place: Place) -> Reply:
        """Run the command behind a button id `gig:<action>:<value>`."""

        def parsed() -> ParsedText:
            press = parse_button_id(raw_id)
            spec = self.registry.commands.get(press.action.replace("_", " ")) or self._hyphenated(press.action)
            if spec is None or not spec.button:
                raise UserError("errors.bad_button", id=raw_id)
            values = press.value.split(".") if press.value else []  # `gig:status:3.hired` -> status 3 hired
            return ParsedText((*spec.name.split(" "), *values), {})

        return await self._run(actor, place, parsed, BUTTON)

    async def submit(
        self, command: str, values: dict[str, str], actor: Actor, place: Place, args: tuple[str, ...] = (),
        via: str = FORM,
    ) -> Reply:
        """Run a command from a submitted form (or typed options, via=TEXT); empty values count as not given."""
        options = {k: v for k, v in values.items() if v and v.strip()}
        return await self._run(actor, place, lambda: ParsedText((*command.split(" "), *args), options), via)

    def _hyphenated(self, action: str) -> CommandSpec | None:
        """The command a button's action names when its name holds a hyphen (`forget_me` runs `forget-me`).

        A button id's action has only letters and `_`, so each `_` stands for a space or a hyphen.
        """
        parts = action.split("_")
        if len(parts) > 6:
            return None
        for joints in itertools.product(" -", repeat=len(parts) - 1):
            name = parts[0] + "".join(joint + part for joint, part in zip(joints, parts[1:], strict=True))
            if name in self.registry.commands:
                return self.registry.commands[name]
        return None

    async def _run(self, actor: Actor, place: Place, parse: Callable[[], ParsedText], via: str) -> Reply:
        async with self.sessions() as session:
            now = self.clock.now()
            try:
                community, workspace = await members.place_for(session, place, self.settings, now, actor)
                identity = await members.member_for(session, community, actor, now, workspace)
                member = await members.person_of(session, identity)  # a linked identity acts as its person
                await members.seen(session, identity, member, now)
                await session.commit()
            except DATABASE_ERRORS as error:
                return self.unavailable(actor, error)
            take_changed(session)  # meeting a member for the first time is not the command's change
            t = members.translator_for(member, community, identity)
            ctx = Context(session, self.clock, self.settings, community, member, actor, place,
                          members.role_of(member, actor, self.settings, identity), t, via, workspace, identity)
            try:
                reply = await self._call(ctx, parse())
            except UserError as error:
                await session.rollback()
                return error_reply(error, t)
            except Exception:
                await session.rollback()
                log.exception("command failed for %s:%s", actor.platform, actor.user_id)
                return Reply(t("errors.internal"), ok=False)
            written = take_written(session)
            changed = take_changed(session)
            await session.commit()
        self.notify(written)
        return replace(reply, changed=changed) if changed else reply

    def unavailable(self, actor: Actor, error: BaseException) -> Reply:
        """The answer when the database fails before a command runs: try again soon; the log says why."""
        log.error("database unavailable, %s:%s got 'try again': %s", actor.platform, actor.user_id,
                  reach.reason(error))
        return Reply(Translator(actor.locale or self.settings.default_locale)("errors.unavailable"), ok=False)

    async def suggest(self, kind: Kind, typed: str, actor: Actor, place: Place) -> list[tuple[str, str]]:
        """Choices for a parameter while it is typed (Discord's autocomplete): (label, value) pairs."""
        try:
            return await self._suggest(kind, typed, actor, place)
        except DATABASE_ERRORS as error:
            log.error("database unavailable, no suggestions: %s", reach.reason(error))
            return []

    async def _suggest(self, kind: Kind, typed: str, actor: Actor, place: Place) -> list[tuple[str, str]]:
        async with self.sessions() as session:
            community = await members.community_for(session, place, self.settings, self.clock.now(), actor)
            await session.commit()
            if kind is Kind.GIG:
                return await suggest.gigs(session, community.id, local_date(self.clock.now(), community.timezone),
                                          typed)
            return await suggest.tags(session, community.id, typed)

    def listen(self, topic: str, listener: Callable[[], None]) -> None:
        """Call listener after each commit that wrote something of topic (see bot.store.events)."""
        self.listeners.setdefault(topic, []).append(listener)

    def notify(self, topics: set[str]) -> None:
        """Tell the listeners of these topics that something was written, in this process and the others."""
        self.wake_here(topics)
        if topics and self.broadcast is not None:
            self.broadcast(topics)

    def wake_here(self, topics: set[str]) -> None:
        """Call this process's listeners of these topics (also when another process wrote something)."""
        for topic in topics:
            for listener in self.listeners.get(topic, []):
                listener()

    async def _call(self, ctx: Context, parsed: ParsedText) -> Reply:
        spec, rest = self.registry.resolve(parsed.words) if parsed.words else (self.registry.commands["help"], ())
        if spec is None:
            raise self._unknown(parsed.words)
        if ctx.role.rank >= spec.role.rank:
            return await spec.handler(ctx, **await bind(ctx, spec, rest, parsed.options))
        forbidden = UserError(f"errors.forbidden_{spec.role.value}", command=named(spec.name))
        if not spec.gig_owner:
            raise forbidden
        try:  # the poster of a gig keeps control of it whatever their role now: only new posts need the role
            kwargs = await bind(ctx, spec, rest, parsed.options)
        except UserError:
            raise forbidden from None
        if not await gigs.posted_by(ctx.session, ctx.community.id, kwargs["id"], ctx.member.id):
            raise forbidden
        return await spec.handler(ctx, **kwargs)

    def _unknown(self, words: tuple[str, ...]) -> UserError:
        name = self.registry.typed_name(words)
        close = difflib.get_close_matches(name.lower(), list(self.registry.commands), n=1)
        if close:
            return UserError("errors.unknown_command_suggest", name=name, suggestion=named(close[0]))
        return UserError("errors.unknown_command", name=name)


async def bind(ctx: Context, spec: CommandSpec, words: tuple[str, ...], options: dict[str, str]) -> dict[str, Any]:
    """Match words and key=value options to the command's parameters and convert them; report every bad one."""
    usage = describe_usage(spec, ctx.t.label)
    raw: dict[str, str] = {}
    positionals = list(spec.positionals)
    remaining = list(words)
    while remaining and positionals:
        positional = positionals.pop(0)
        raw[positional.name] = " ".join(remaining) if positional.greedy else remaining[0]
        remaining = [] if positional.greedy else remaining[1:]
    if remaining:
        raise UserError("errors.too_many_words", words=" ".join(remaining), usage=usage)
    for key, value in options.items():
        if spec.param(key) is None:
            names = ", ".join(p.name for p in spec.params if not p.positional) or "-"
            raise UserError("errors.unknown_option", key=key, command=named(spec.name), known=names)
        if key in raw:
            raise UserError("errors.given_twice", key=key)
        raw[key] = value
    if spec.form and not raw:
        return {}
    missing = [p.name for p in spec.params if p.required and not raw.get(p.name, "").strip()]
    if missing and not spec.form:  # a form's handler reports missing fields itself, so forms can show them by field
        raise UserError("errors.missing", names=", ".join(missing), usage=usage)
    values: dict[str, Any] = {}
    errors: dict[str, UserError] = {}
    for name, text in raw.items():
        param = spec.param(name)
        assert param is not None
        try:
            values[name] = convert(param, text)
            if param.kind is Kind.MEMBER:  # named members are looked up, or created if they never used the bot
                values[name] = await members.member_by_user_id(
                    ctx.session, ctx.community.id, ctx.actor.platform, values[name], ctx.now())
        except UserError as error:
            errors[name] = error
    if errors:
        raise FieldErrors(errors)
    return values


def error_reply(error: UserError, t: Translator) -> Reply:
    """The friendly reply for a user error; field errors list every field and keep them apart for forms."""
    if isinstance(error, FieldErrors):
        fields = {name: t(e.key, **e.params) for name, e in error.errors.items()}
        shown = {name: plain(message) for name, message in fields.items()}  # under a form's inputs: plain text
        if len(fields) == 1:
            return Reply(next(iter(fields.values())), field_errors=shown, ok=False)
        lines = [t("errors.fields", count=len(fields))] + [Rich.of(f"• {name}: ", message)
                                                           for name, message in fields.items()]
        return Reply(Rich.join("\n", lines), field_errors=shown, ok=False)
    return Reply(t(error.key, **error.params), ok=False)
