"""The permission matrix through the dispatcher, as the console and the test adapter run it: every command and
every button × member, poster, admin and the gig's own poster (see tests/commands/matrix.py)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.commands import registry
from bot.core.types import Reply
from tests.commands.matrix import BUTTONS, SAMPLES, Outcome, World, mark_trusted, missing_samples, walk
from tests.conftest import PLATFORM, Harness, as_text

ACTORS = {"admin": "admin", "poster": "poppy", "member": "mia", "owner": "olga"}


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the matrix runs on SQLite; the commands' own tests cover PostgreSQL


class Console:
    """The test adapter: Actor("test", name), in #general of workspace T1."""

    name = PLATFORM

    def __init__(self, app: App) -> None:
        self.app = app
        self.harness = Harness(app)

    def values(self, role: str) -> dict[str, str]:
        return {"member": "@mia", "poster": "@poppy", "owner": "@olga", "channel": "#php", "gigs": "#gigs",
                "review": "#review"}

    @staticmethod
    def outcome(reply: Reply) -> Outcome:
        return Outcome(as_text(reply), reply.ok, reply.form is not None)

    async def command(self, role: str, line: str) -> Outcome:
        return self.outcome(await self.harness.run(ACTORS[role], f"/gig {line}"))

    async def press(self, role: str, button: str) -> Outcome:
        return self.outcome(await self.harness.press(ACTORS[role], button))

    async def settle(self) -> None:
        pass

    async def trust(self, role: str) -> None:
        await mark_trusted(self.app, PLATFORM, ACTORS[role])


def test_every_command_and_button_has_sample_arguments() -> None:
    assert missing_samples(registry) == []
    assert set(BUTTONS) <= set(SAMPLES)


async def test_every_command_and_button_for_every_role_through_dispatch(app: App, database: str) -> None:
    console = Console(app)
    world = World(app, database)
    await world.build(console)
    failures, ran = await walk(registry, console, world)
    assert not failures, f"{len(failures)} of {ran} cells:\n" + "\n".join(failures)
