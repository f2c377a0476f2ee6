"""The console adapter: the gig board in a terminal, interactive or from a script, with a movable clock."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import stat
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from bot.adapters import console_where as where
from bot.app import App
from bot.core.clock import FrozenClock, SystemClock, as_utc
from bot.core.i18n import SUPPORTED_LOCALES, normalise_locale
from bot.core.text import Text, plain
from bot.core.types import Actor, Attachment, Card, Message, Place, Reply
from bot.scheduler import Scheduler
from bot.services import delivery, members, outbox
from bot.store import reach
from bot.store.reach import DATABASE_ERRORS

log = logging.getLogger(__name__)

PLATFORM = members.CONSOLE
DURATION = re.compile(r"^\+(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
# The console clock stays before this, so that what the services add to it (apply-by dates, nudge timings, up to a
# year or so each) stays within datetime's range (year 9999).
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
LINE_LIMIT = 1 << 20  # bytes in one line of standard input


def render(destination: str, message: Reply | Message, here: str = PLATFORM) -> list[str]:
    """A reply or message as console lines, each starting with its destination; text prints as typed.

    `here` is the platform it is read on: a member of another platform reads with theirs, `@ana (Discord)`.
    """
    lines = plain(message.text, here).splitlines() if message.text else []
    for card in message.cards:
        lines.extend(render_card(card, here))
    if isinstance(message, Reply) and message.buttons:
        lines.append(" ".join(f"[{button.label}]({button.id})" for button in message.buttons))
    lines += [f"(file {attachment.filename}, {len(attachment.data)} bytes)"
              for attachment in getattr(message, "attachments", ())]
    return [f"[{destination}] {line}".rstrip() for line in lines]


def render_card(card: Card, here: str = PLATFORM) -> list[str]:
    """A card as text: title, body, fields, buttons with their ids, footer."""
    lines = [f"== {plain(card.title, here)} =="]
    lines += [f"  {line}" for line in plain(card.body, here).splitlines()]
    lines += [f"  {plain(field.label, here)}: {plain(field.value, here)}" for field in card.fields]
    if card.buttons:
        lines.append("  " + " ".join(f"[{button.label}]({button.id})" for button in card.buttons))
    if card.footer:
        lines.append(f"  ({plain(card.footer, here)})")
    return lines


class Console:
    """Reads console lines, runs them against the core, prints replies and delivers the outbox of every platform.

    No real adapter runs beside it, so it prints what the bot sends on Slack and Discord too (`[discord #jobs] ...`).
    """

    def __init__(self, app: App, write: Callable[[str], None], scheduler: Scheduler, echo: bool = False) -> None:
        self.app = app
        self.write = write
        self.scheduler = scheduler
        self.echo = echo
        self.delivering = asyncio.Lock()
        self.shown: dict[str, list[str]] = {}  # message ref -> its lines, so an edit prints only what changed
        self.actor = Actor(PLATFORM, "admin", "admin", platform_admin=True)
        self.place: Place = where.place_on(PLATFORM)
        self.code: str | None = None  # the last link code printed, typed again by `{code}` in a line

    def say(self, destination: str, text: Text) -> None:
        """Print text, each line behind its destination."""
        for line in render(destination, Reply(text), self.place.platform):
            self.write(line)

    async def answer(self, key: str, /, **params: object) -> None:
        """Answer a console line in the acting member's language."""
        t = await members.reader_language(self.app.sessions, self.place, self.actor, self.app.settings)
        self.say("reply", t(f"console.{key}", **params))

    async def handle(self, line: str) -> bool:
        """Run one console line, then deliver what became due; return False when the console should stop."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        filled = where.fill_code(line, self.code)
        if filled is None:
            if self.echo:
                self.write(f"[{self.prompt()}>] {line}")
            await self.answer("no_code", placeholder=where.CODE_PLACEHOLDER)
            return True
        line = filled
        if self.echo:
            self.write(f"[{self.prompt()}>] {line}")
        word, _, rest = line.partition(" ")
        if word in ("/quit", "/exit"):
            return False
        try:
            await self.run_line(word, rest.strip(), line)
        except DATABASE_ERRORS as error:  # the console's own lines read and write the database too
            await self.show(self.app.dispatcher.unavailable(self.actor, error))
        await self.deliver()
        return True

    async def run_line(self, word: str, rest: str, line: str) -> None:
        """Run one console line that is not /quit."""
        if word == "/gig":
            await self.show(await self.app.dispatcher.run_text(rest, self.actor, self.place))
        elif word == "/press":
            await self.show(await self.app.dispatcher.press(rest, self.actor, self.place))
        elif word == "/as":
            await self.switch(rest)
        elif word == "/on":
            await self.move_to(rest)
        elif word == "/clock":
            await self.move_clock(rest)
        elif word == "/lang":
            await self.set_language(rest)
        elif word in ("/help", "help"):
            await self.answer("help")
        else:
            await self.answer("unknown_line", line=repr(line))

    def prompt(self) -> str:
        """Who acts where: `admin` at the console's own place, else `ana@discord:guild1#general`."""
        return where.prompt(self.actor, self.place)

    def prompt_line(self) -> str:
        """The interactive prompt: `> ` at the console's own place, else who acts where (`ana@slack:T1#general> `)."""
        return "> " if where.is_home(self.place) else f"{self.prompt()}> "

    async def show(self, reply: Reply) -> None:
        """Print a command's reply (private to the actor); its files are written under GIGBOT_DATA_DIR."""
        lines = render("reply", replace(reply, attachments=()), self.place.platform)
        self.code = where.last_code(lines, self.code)
        for line in lines:
            self.write(line)
        for attachment in reply.attachments:
            path = self.save(attachment)
            t = await members.reader_language(self.app.sessions, self.place, self.actor, self.app.settings)
            self.say("reply", t("mydata.written", path=str(path)))

    def save(self, attachment: Attachment) -> Path:
        """Write a reply's file in the data directory (made if missing); return its path as configured."""
        directory = Path(self.app.settings.data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / Path(attachment.filename).name  # a name, never a path into another directory
        path.write_bytes(attachment.data)
        return path

    async def move_to(self, rest: str) -> None:
        """`/on <platform> [place] [#channel]`: act there from now on; `/on` alone says where the console acts."""
        if rest:
            place = where.read_on(rest)
            if place is None:
                await self.answer("on_usage", platforms=", ".join(where.PLATFORMS))
                return
            self.place = place
            self.actor = where.acting_on(self.actor, place)
        await self.say_where()

    async def say_where(self) -> None:
        """Say on which platform, place and channel the console acts, and as whom."""
        t = await members.reader_language(self.app.sessions, self.place, self.actor, self.app.settings)
        place = t(f"console.on_{self.place.platform}", place=self.place.workspace_id, channel=self.place.channel_id)
        key = "console.on_where_admin" if self.actor.platform_admin else "console.on_where"
        self.say("reply", t(key, where=place, name=self.actor.user_id))

    async def switch(self, rest: str) -> None:
        """`/as <name> [--admin]`."""
        words = rest.split()
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or not re.match(r"^@?[A-Za-z0-9_.-]{1,64}$", names[0]):
            await self.answer("as_usage")
            return
        name = names[0].lstrip("@")
        self.actor = Actor(self.place.platform, name, name, platform_admin="--admin" in words)
        await self.answer("now_acting_admin" if self.actor.platform_admin else "now_acting", name=name)

    async def move_clock(self, rest: str) -> None:
        """`/clock +2d` or `/clock set <ISO time>`, then run whatever became due."""
        clock = self.app.clock
        assert isinstance(clock, FrozenClock | SystemClock)
        when = clock_target(rest, clock.now())
        if isinstance(when, str):
            await self.answer(when, latest=LATEST.date().isoformat())
            return
        clock.set(when)
        await self.answer("clock_now", time=clock.now().isoformat(timespec="minutes"))
        await self.scheduler.run_now()

    async def set_language(self, rest: str) -> None:
        """`/lang fr`: the acting member's language."""
        locale = normalise_locale(rest)
        if locale is None:
            await self.answer("lang_usage", locales="|".join(SUPPORTED_LOCALES))
            return
        await members.set_locale(self.app.sessions, self.place, self.actor, self.app.settings, self.app.clock,
                                 locale)
        await self.answer("lang_set")

    async def catch_up(self) -> None:
        """At start: close expired gigs and send the nudges that fell due while the bot was down."""
        await self.scheduler.run_now()
        await self.deliver()

    def poke(self) -> None:
        """Deliver in the background (the scheduler wrote outbox messages)."""
        asyncio.get_running_loop().create_task(self.deliver())

    async def deliver(self) -> None:
        """Deliver every due message of the console, Slack and Discord from the outbox, in order per platform."""
        async with self.delivering:
            try:
                for platform in where.PLATFORMS:
                    send = functools.partial(self.send, platform=platform)
                    while await delivery.deliver_due(self.app.sessions, platform, send, self.app.clock):
                        pass
            except DATABASE_ERRORS as error:  # what waits stays in the outbox for the next delivery
                log.error("console delivery stopped, the database is unavailable: %s", reach.reason(error))

    async def send(self, message: outbox.Outgoing, platform: str = PLATFORM) -> outbox.Sent:
        """Print one outbox message where it goes; its id is its console message reference."""
        destination = where.destination_label(platform, message.kind, message.destination)
        lines = render(destination, message.message, platform)
        if message.kind == outbox.DM:
            self.code = where.last_code(lines, self.code)
        ref = message.message_ref if message.kind == outbox.EDIT else str(message.id)
        assert ref is not None
        before = self.shown.get(ref)
        self.shown[ref] = lines
        if message.kind == outbox.EDIT:
            self.write(f"[{destination}] (message {ref} edited)")
            lines = lines if before is None else [line for line in lines if line not in before]
        for line in lines:
            self.write(line)
        return outbox.Sent(ref)


def clock_target(rest: str, now: datetime) -> datetime | str:
    """The time `/clock <rest>` moves to, or the catalog key (under console.) that says what is wrong."""
    match = DURATION.match(rest)
    if not match and not rest.startswith("set "):
        return "clock_usage"
    try:
        if match:
            when = now + timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
        else:
            try:
                when = as_utc(datetime.fromisoformat(rest[4:].strip()))
            except ValueError:
                return "clock_set_usage"
    except (OverflowError, ValueError):  # past datetime's range, or a number of thousands of digits
        return "clock_out_of_range"
    if when >= LATEST:
        return "clock_out_of_range"
    return "clock_forward_only" if when < now else when


async def run_script(console: Console, lines: AsyncIterator[str] | list[str]) -> None:
    """Run console lines one after another until the end or /quit."""
    if isinstance(lines, list):
        for line in lines:
            if not await console.handle(line):
                return
        return
    async for line in lines:
        if not await console.handle(line):
            return


async def stdin_lines(prompt: Callable[[], None]) -> AsyncIterator[str]:
    """Lines of standard input until its end, read without blocking the event loop.

    A terminal, a pipe or a socket is watched by the event loop; a regular file or a device such as /dev/null
    cannot be (epoll refuses them), and never makes a read wait, so it is read directly.
    """
    if sys.stdin is None:  # started with standard input closed
        return
    read = await _line_reader(sys.stdin.buffer)
    while True:
        prompt()
        raw = await read()
        if not raw:
            return
        yield raw.decode("utf-8", errors="replace")


async def _line_reader(stream: BinaryIO) -> Callable[[], Awaitable[bytes]]:
    """A function that reads the next line of `stream` (b"" at its end)."""
    fd = stream.fileno()
    mode = os.fstat(fd).st_mode
    if os.isatty(fd) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream)
        return reader.readline

    async def read_directly() -> bytes:
        return stream.readline(LINE_LIMIT)

    return read_directly
