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
from bot.core.types import Actor, Card, Place, Reply
from bot.scheduler import Scheduler
from bot.services import members, outbox

PLATFORM = members.CONSOLE
WORKSPACE = "console"
CHANNEL = "general"
DURATION = re.compile(r"^\+(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
CONSOLE_HELP = """Console lines:
  /gig <subcommand> ...    run a gig command (try /gig help)
  /as <name> [--admin]     act as another member (--admin: as an admin)
  /press <button id>       press a button, e.g. /press gig:apply:1
  /clock +2d | +3h | +30m  move the clock forward and run what became due (nudges, expiry)
  /clock set <ISO time>    move the clock to a time, e.g. 2026-12-01T09:00
  /lang en|fr              set the acting member's language
  /quit                    leave"""


def render(destination: str, message: Reply) -> list[str]:
    """A reply or message as console lines, each starting with its destination."""
    lines = message.text.splitlines() if message.text else []
    for card in message.cards:
        lines.extend(render_card(card))
    return [f"[{destination}] {line}".rstrip() for line in lines]


def render_card(card: Card) -> list[str]:
    """A card as text: title, body, fields, buttons with their ids, footer."""
    lines = [f"== {card.title} =="]
    lines += [f"  {line}" for line in card.body.splitlines()]
    lines += [f"  {field.label}: {field.value}" for field in card.fields]
    if card.buttons:
        lines.append("  " + " ".join(f"[{button.label}]({button.id})" for button in card.buttons))
    if card.footer:
        lines.append(f"  ({card.footer})")
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

    def say(self, destination: str, text: str) -> None:
        """Print text, each line behind its destination."""
        for line in render(destination, Reply(text)):
            self.write(line)

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
            self.switch(rest)
        elif word == "/clock":
            await self.move_clock(rest.strip())
        elif word == "/lang":
            await self.set_language(rest.strip())
        elif word in ("/help", "help"):
            self.say("reply", CONSOLE_HELP)
        else:
            self.say("reply", f"Not a console line: {line!r}. Type /help for the console lines, /gig help for "
                              "the gig commands.")
        await self.deliver()
        return True

    async def show(self, reply: Reply) -> None:
        """Print a command's reply: private replies as [reply], announcements in the channel."""
        for line in render(f"#{self.place.channel_id}" if reply.public else "reply", reply):
            self.write(line)

    def switch(self, rest: str) -> None:
        """`/as <name> [--admin]`."""
        words = rest.split()
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or not re.match(r"^@?[A-Za-z0-9_.-]{1,64}$", names[0]):
            self.say("reply", "Usage: /as <name> [--admin], e.g. /as alice")
            return
        name = names[0].lstrip("@")
        self.actor = Actor(PLATFORM, name, name, platform_admin="--admin" in words)
        role = " (admin)" if self.actor.platform_admin else ""
        self.say("reply", f"You are now @{name}{role}.")

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
                self.say("reply", "Usage: /clock set 2026-12-01T09:00 (an ISO time, UTC unless it says otherwise)")
                return
            if when < clock.now():
                self.say("reply", "The clock only moves forward.")
                return
            clock.set(when)
        else:
            self.say("reply", "Usage: /clock +2d, /clock +3h, /clock +30m or /clock set 2026-12-01T09:00")
            return
        self.say("reply", f"The clock is now {clock.now().isoformat(timespec='minutes')}.")
        await self.scheduler.run_now()

    async def set_language(self, rest: str) -> None:
        """`/lang fr`: the acting member's language."""
        locale = normalise_locale(rest)
        if locale is None:
            self.say("reply", f"Usage: /lang {'|'.join(SUPPORTED_LOCALES)}")
            return
        await members.set_locale(self.app.sessions, self.place, self.actor, self.app.settings, self.app.clock,
                                 locale)
        self.say("reply", {"en": "Language set to English.", "fr": "Langue : français."}[locale])

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
            while await outbox.deliver_due(self.app.sessions, PLATFORM, self.send, self.app.clock):
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
