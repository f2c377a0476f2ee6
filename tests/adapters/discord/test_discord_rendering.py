"""What members see on Discord: closed postings without dead buttons, one button row per listed gig, mentions."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import CAROL_ID, GIGS_ID
from tests.adapters.discord.test_discord_adapter import custom_ids, posted, run


async def test_a_closed_posting_loses_its_apply_and_details_buttons(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    message = await posted(rig)
    assert custom_ids(message) == ["gig:apply:1", "gig:show:1"]
    assert "Closed #1" in await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [stored] = rig.fake.channel_messages(GIGS_ID)
    assert stored["embeds"][0]["title"].startswith("[Closed]") and custom_ids(stored) == []
