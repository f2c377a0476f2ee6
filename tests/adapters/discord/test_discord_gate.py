"""The posting gate on Discord: a held post's answer, and an admin's Publish anyway button."""

from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import BOB_ID, CAROL_ID
from tests.adapters.discord.test_discord_adapter import EPHEMERAL, content, run

FIRST = {"title": "Logo for a bakery", "budget": "120 EUR", "tags": "design",
         "description": "Our bakery needs a simple logo with a wordmark and two colour variants, as SVG and PNG."}
PING = {"title": "Survey page", "budget": "50 EUR",
        "description": "@everyone read this: a small survey page to build for the whole community, one form."}


async def test_a_first_gig_is_held_and_an_admins_ping_comes_with_publish_anyway(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    assert "can now post" in await run(rig, "gig-admin role add", {"member": str(BOB_ID), "role": "poster"},
                                       user=CAROL_ID)
    held = await run(rig, "gig post", FIRST, user=BOB_ID)
    assert held.startswith('Gig #1 "Logo for a bakery" is waiting for an admin\'s review before it goes live.')
    assert "First gig: an admin looks at every new poster's first gig." in held

    sent = await rig.fake.slash("gig post", PING, user=CAROL_ID)
    callback = await sent.callback()
    data = callback.json["data"]
    assert callback.json["type"] == 4 and data["flags"] & EPHEMERAL and data["allowed_mentions"] == {"parse": []}
    text = content(callback)
    assert 'Gig #2 "Survey page" is held: posted by anyone else, it would wait for review.' in text
    assert "• Pings the whole channel: @everyone." in text.splitlines()  # pings nobody: no allowed mentions
    buttons = [c for row in data["components"] for c in row["components"]]
    assert [(b["custom_id"], b["style"]) for b in buttons if b["custom_id"] == "gig:approve:2"] == [
        ("gig:approve:2", 1)]
    assert any("Publish anyway" in b["label"] for b in buttons)
    assert not any(b["custom_id"].startswith("gig:apply:") for b in buttons)  # a held gig takes no applications
