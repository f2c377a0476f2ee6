"""The permission matrix through the real discord.py client and the fake Discord: every command (as /gig or
/gig-admin with typed options) and every button (a click on a message holding it) × member, poster, admin and the
gig's own poster (tests/commands/matrix.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.commands import registry
from bot.core.params import convert
from bot.core.registry import Kind
from bot.core.syntax import parse_command_text
from bot.core.text import command_words
from bot.core.types import Role
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID, CAROL_ID, GENERAL_ID, GIGS_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import content
from tests.commands.matrix import Outcome, World, mark_trusted, walk

OLGA_ID = 1290000000000000404
REVIEW_ID = 1290000000000000203


@pytest.fixture
def backend() -> str:
    return "sqlite"


def options_of(line: str) -> tuple[str, dict[str, Any]]:
    """`route add <#1> tags=php` as Discord sends it: `gig-admin route add` with typed options."""
    parsed = parse_command_text(line)
    spec, rest = registry.resolve(parsed.words)
    assert spec is not None, line
    raw: dict[str, str] = {}
    positionals = list(spec.positionals)
    words = list(rest)
    while words and positionals:
        param = positionals.pop(0)
        raw[param.name] = " ".join(words) if param.greedy else words[0]
        words = [] if param.greedy else words[1:]
    assert not words, line
    raw |= parsed.options
    options: dict[str, Any] = {}
    for name, value in raw.items():
        param = spec.param(name)
        assert param is not None, (line, name)
        if param.kind in (Kind.INT, Kind.GIG):
            options[name] = int(value)
        elif param.kind is Kind.BOOL:
            options[name] = convert(param, value)
        elif param.kind in (Kind.MEMBER, Kind.CHANNEL):
            options[name] = int(re.sub(r"\D", "", value.split("|")[0]))
        else:
            options[name] = value
    return " ".join(command_words(spec.name, spec.role is Role.ADMIN, "discord")), options


class Discord:
    """Interactions as Discord sends them; answers from the interaction callback (a message or a modal)."""

    name = "discord"

    def __init__(self, rig: DiscordRig) -> None:
        self.rig = rig
        self.users = {"admin": CAROL_ID, "member": ALICE_ID, "poster": BOB_ID, "owner": OLGA_ID}

    def values(self, role: str) -> dict[str, str]:
        return {"member": f"<@{ALICE_ID}>", "poster": f"<@{BOB_ID}>", "owner": f"<@{OLGA_ID}>",
                "channel": str(GENERAL_ID), "gigs": str(GIGS_ID), "review": str(REVIEW_ID)}

    @staticmethod
    async def answer(sent: Any) -> Outcome:
        callback = await sent.callback()
        kind = callback.json["type"]
        if kind == 9:
            return Outcome(str(callback.json["data"].get("title", "")), form=True)
        if kind == 5:
            return Outcome(content(await sent.followup()))
        return Outcome(content(callback))

    async def command(self, role: str, line: str) -> Outcome:
        name, options = options_of(line)
        return await self.answer(await self.rig.fake.slash(name, options, user=self.users[role]))

    async def press(self, role: str, button: str) -> Outcome:
        message = self.rig.fake.put_message(GENERAL_ID, "A message of the bot", components=[
            {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": button}]}])
        return await self.answer(await self.rig.fake.click(message, button, user=self.users[role]))

    async def settle(self) -> None:
        assert self.rig.adapter is not None
        while self.rig.adapter.taking:
            await next(iter(self.rig.adapter.taking))

    async def trust(self, role: str) -> None:
        await mark_trusted(self.rig.core, "discord", str(self.users[role]))


async def test_every_command_and_button_for_every_role_through_discord(discord_rig: DiscordRig,
                                                                        database: str) -> None:
    fake = discord_rig.fake
    fake.add_user("olga", id=OLGA_ID, global_name="Olga")
    fake.add_member(GUILD_ID, OLGA_ID)
    fake.add_channel(GUILD_ID, "review", id=REVIEW_ID)
    platform = Discord(discord_rig)
    world = World(discord_rig.core, database)
    await world.build(platform)
    failures, ran = await walk(registry, platform, world)
    assert not failures, f"{len(failures)} of {ran} cells:\n" + "\n".join(failures)
