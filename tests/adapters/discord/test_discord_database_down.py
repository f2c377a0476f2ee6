"""Discord while the database fails before a command runs: the member still gets an answer, "try again"."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.test_discord_adapter import run
from tests.faults import TRY_AGAIN, Breakdown


async def test_a_discord_command_gets_try_again_when_the_lookup_fails(discord_rig: DiscordRig) -> None:
    with Breakdown(discord_rig.core.engine) as breakdown:
        breakdown.lookups()
        assert TRY_AGAIN in await run(discord_rig, "gig list")


async def test_a_discord_command_gets_try_again_when_the_database_is_down(discord_rig: DiscordRig) -> None:
    with Breakdown(discord_rig.core.engine) as breakdown:
        await breakdown.everything()
        assert TRY_AGAIN in await run(discord_rig, "gig list")
