"""The permission matrix through the real slack-bolt app and the fake Slack Web API: every command and every button
× member, poster, admin and the gig's own poster, each answer read where Slack shows it (tests/commands/matrix.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.commands import registry
from tests.adapters.slack.conftest import SlackRig, texts
from tests.commands.matrix import Outcome, World, mark_trusted, walk

USERS = {"admin": "UADMIN", "member": "U1", "poster": "U2", "owner": "U3"}


@pytest.fixture
def backend() -> str:
    return "sqlite"


class Slack:
    """Slash commands and block_actions as Slack sends them; answers from response_url or the modal opened."""

    name = "slack"

    def __init__(self, rig: SlackRig) -> None:
        self.rig = rig

    def values(self, role: str) -> dict[str, str]:
        return {"member": "<@U1|mia>", "poster": "<@U2|poppy>", "owner": "<@U3|olga>", "channel": "<#C0PHP|php>",
                "gigs": "<#C0GIGS|gigs>", "review": "<#C0REVIEW|review>"}

    async def command(self, role: str, line: str) -> Outcome:
        return Outcome(texts(await self.rig.command(USERS[role], line)))

    async def press(self, role: str, button: str) -> Outcome:
        status, body = await self.rig.press(USERS[role], button)
        assert status == 200, (status, body)
        waits = {asyncio.ensure_future(self.rig.fake.next(m)): m for m in ("response_url", "views.open")}
        done, pending = await asyncio.wait(waits, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        assert done, f"no answer to {button}"
        task = done.pop()
        return Outcome(texts(task.result()), form=waits[task] == "views.open")

    async def settle(self) -> None:
        await self.rig.settle()

    async def trust(self, role: str) -> None:
        await mark_trusted(self.rig.core, "slack", USERS[role])


async def test_every_command_and_button_for_every_role_through_slack(slack: SlackRig, database: str) -> None:
    platform = Slack(slack)
    world = World(slack.core, database)
    await world.build(platform)
    failures, ran = await walk(registry, platform, world)
    assert not failures, f"{len(failures)} of {ran} cells:\n" + "\n".join(failures)
