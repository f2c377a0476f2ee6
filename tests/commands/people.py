"""A test adapter for one community on Slack and Discord at once: members on both, and a second community."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.types import Actor, Place, Reply
from bot.services import delivery, outbox
from bot.store.models import Base, Community, Workspace
from tests.conftest import START, as_text

# who -> (platform, user id, display name); `_d` names are Discord identities
PEOPLE = {
    "admin": ("slack", "UADMIN", "Admin"), "ana": ("slack", "UANA", "Ana"), "bob": ("slack", "UBOB", "Bob"),
    "ana_d": ("discord", "1001", "ana.d"), "bob_d": ("discord", "1002", "bobby"), "cid_d": ("discord", "1003", "Cid"),
    "admin_d": ("discord", "1000", "Mod"),
}
SLACK = Place("slack", "T1", "CGEN", "general", workspace_name="Acme")
DISCORD = Place("discord", "G1", "500", "general", workspace_name="Acme server")
ELSEWHERE = Place("discord", "G2", "900", "general", workspace_name="Other server")  # another community
ADMINS = "slack:UADMIN,discord:1000"
NOT_A_CHANGE = {"last_seen_at"}  # noted when a member is seen, before the command runs


@dataclass(frozen=True)
class Delivered:
    """A delivered outbox message and the platform it went to."""

    platform: str
    out: outbox.Outgoing

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


class People:
    """Runs commands as Slack or Discord members of one community and delivers both platforms' outboxes."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.sent: list[Delivered] = []

    async def setup(self) -> None:
        """One community with the Slack workspace T1 and the Discord server G1, #gigs the default of each."""
        async with self.app.sessions() as session:
            community = Community(name="Acme", default_locale="en", settings={}, created_at=START)
            session.add(community)
            await session.flush()
            session.add_all([Workspace(community_id=community.id, platform="slack", external_id="T1", name="Acme"),
                             Workspace(community_id=community.id, platform="discord", external_id="G1",
                                       name="Acme server")])
            await session.commit()
        await self.ok("admin", "/gig route default gigs")
        await self.ok("admin_d", "/gig route default 777")

    def actor(self, who: str) -> Actor:
        platform, user_id, name = PEOPLE[who]
        return Actor(platform, user_id, name)

    def place(self, who: str) -> Place:
        return SLACK if PEOPLE[who][0] == "slack" else DISCORD

    async def run(self, who: str, line: str, place: Place | None = None) -> Reply:
        return await self.app.dispatcher.run_text(line, self.actor(who), place or self.place(who))

    async def ok(self, who: str, line: str, place: Place | None = None) -> str:
        reply = await self.run(who, line, place)
        assert reply.ok, as_text(reply)
        return as_text(reply)

    async def fails(self, who: str, line: str, place: Place | None = None) -> str:
        reply = await self.run(who, line, place)
        assert not reply.ok, as_text(reply)
        return as_text(reply)

    async def press(self, who: str, button: str) -> Reply:
        return await self.app.dispatcher.press(button, self.actor(who), self.place(who))

    async def deliver(self) -> list[Delivered]:
        """Deliver what is due on both platforms; return what this call sent."""
        before = len(self.sent)
        for platform in ("slack", "discord"):
            async def send(message: outbox.Outgoing, platform: str = platform) -> outbox.Sent:
                self.sent.append(Delivered(platform, message))
                return outbox.Sent(f"M{message.id}", dm_channel=f"D{message.destination}" if message.kind == "dm"
                                   else None)

            while await delivery.deliver_due(self.app.sessions, platform, send, self.app.clock):
                pass
        return self.sent[before:]

    async def code(self, who: str, place: Place | None = None) -> str:
        """A person code made by `who`, as the reply shows it."""
        reply = await self.ok(who, "/gig link", place)
        return next(word.strip(".,()`") for word in reply.split() if len(word.strip(".,()`")) == 9
                    and word.strip(".,()`")[4] == "-")


async def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that a refused command changed nothing (but who was seen when)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in NOT_A_CHANGE]
            found = await session.execute(select(*columns))
            rows[table.name] = sorted((tuple(row) for row in found), key=repr)
    return rows
