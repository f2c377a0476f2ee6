"""The console adapter: the gig board in a terminal, interactive or from a script, with a movable clock."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from bot.app import App
from bot.core.clock import FrozenClock, SystemClock, as_utc
from bot.core.i18n import SUPPORTED_LOCALES, normalise_locale
from bot.core.text import Text, plain
from bot.core.types import Actor, Card, Message, Place, Reply
from bot.scheduler import Scheduler
from bot.services import delivery, members, outbox

PLATFORM = members.CONSOLE
WORKSPACE = "console"
CHANNEL = "general"
DURATION = re.compile(r"^\+(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
def render(destination: str, message: Reply | Message) -> list[str]:
    """A reply or message as console lines, each starting with its destination; text prints as typed."""
    lines = plain(message.text).splitlines() if message.text else []
    for card in message.cards:
        lines.extend(render_card(card))
    if isinstance(message, Reply) and message.buttons:
        lines.append(" ".join(f"[{button.label}]({button.id})" for button in message.buttons))
    lines += [f"(file {attachment.filename}, {len(attachment.data)} bytes)"
              for attachment in getattr(message, "attachments", ())]
    return [f"[{destination}] {line}".rstrip() for line in lines]


def render_card(card: Card) -> list[str]:
    """A card as text: title, body, fields, buttons with their ids, footer."""
    lines = [f"== {plain(card.title)} =="]
    lines += [f"  {line}" for line in plain(card.body).splitlines()]
    lines += [f"  {plain(field.label)}: {plain(field.value)}" for field in card.fields]
    if card.buttons:
        lines.append("  " + " ".join(f"[{button.label}]({button.id})" for button in card.buttons))
    if card.footer:
        lines.append(f"  ({plain(card.footer)})")
    return lines


class Console:
    """Reads console lines, runs them against the core, prints replies and delivers the console's outbox."""

    def __init__(self, app: App, write: Callable[[str], None], scheduler: Scheduler, echo: bool = False) -> None:
        self.app = app
        self.write = write
        self.scheduler = scheduler
        self.echo = echo
        self.delivering = asyncio.Lock()
        self.shown: dict[str, list[str]] = {}  # message ref -> its lines, so an edit prints only what changed
        self.actor = Actor(PLATFORM, "admin", "admin", platform_admin=True)
        self.place = Place(PLATFORM, WORKSPACE, CHANNEL, CHANNEL)

    def say(self, destination: str, text: Text) -> None:
        """Print text, each line behind its destination."""
        for line in render(destination, Reply(text)):
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
        if self.echo:
            self.write(f"[{self.actor.user_id}>] {line}")
        word, _, rest = line.partition(" ")
        if word in ("/quit", "/exit"):
            return False
        if word == "/gig":
            await self.show(await self.app.dispatcher.run_text(rest, self.actor, self.place))
        elif word == "/press":
            await self.show(await self.app.dispatcher.press(rest.strip(), self.actor, self.place))
        elif word == "/as":
            await self.switch(rest)
        elif word == "/clock":
            await self.move_clock(rest.strip())
        elif word == "/lang":
            await self.set_language(rest.strip())
        elif word in ("/help", "help"):
            await self.answer("help")
        else:
            await self.answer("unknown_line", line=repr(line))
        await self.deliver()
        return True

    async def show(self, reply: Reply) -> None:
        """Print a command's reply (private to the actor)."""
        for line in render("reply", reply):
            self.write(line)

    async def switch(self, rest: str) -> None:
        """`/as <name> [--admin]`."""
        words = rest.split()
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or not re.match(r"^@?[A-Za-z0-9_.-]{1,64}$", names[0]):
            await self.answer("as_usage")
            return
        name = names[0].lstrip("@")
        self.actor = Actor(PLATFORM, name, name, platform_admin="--admin" in words)
        await self.answer("now_acting_admin" if self.actor.platform_admin else "now_acting", name=name)

    async def move_clock(self, rest: str) -> None:
        """`/clock +2d` or `/clock set <ISO time>`, then run whatever became due."""
        clock = self.app.clock
        assert isinstance(clock, FrozenClock | SystemClock)
        match = DURATION.match(rest)
        if match:
            clock.advance(timedelta(**{UNITS[match.group(2)]: int(match.group(1))}))
        elif rest.startswith("set "):
            try:
                when = as_utc(datetime.fromisoformat(rest[4:].strip()))
            except ValueError:
                await self.answer("clock_set_usage")
                return
            if when < clock.now():
                await self.answer("clock_forward_only")
                return
            clock.set(when)
        else:
            await self.answer("clock_usage")
            return
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
        """Deliver every due console message from the outbox, in order."""
        async with self.delivering:
            while await delivery.deliver_due(self.app.sessions, PLATFORM, self.send, self.app.clock):
                pass

    async def send(self, message: outbox.Outgoing) -> outbox.Sent:
        """Print one outbox message where it goes; its id is its console message reference."""
        if message.kind == outbox.DM:
            destination = f"DM @{message.destination}"
        else:
            destination = f"#{message.destination}"
        lines = render(destination, message.message)
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
    """Lines typed on standard input, read without blocking the event loop."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        prompt()
        raw = await reader.readline()
        if not raw:
            return
        yield raw.decode("utf-8", errors="replace")
