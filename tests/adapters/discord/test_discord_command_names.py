"""On Discord, help, usage lines, errors and DMs name commands as Discord runs them: admin ones under /gig-admin."""

import re

from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID
from tests.adapters.discord.test_discord_adapter import posted, run

SLACK_SPELLINGS = re.compile(r"/gig (route|role|admin)\b")  # how Slack and the console name admin commands


async def test_help_usage_and_errors_name_admin_commands_under_gig_admin(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    listing = await run(rig, "gig help", user=CAROL_ID)
    for command in ("/gig-admin route add", "/gig-admin role add", "/gig-admin settings", "/gig-admin outbox retry",
                    "/gig apply", "/gig help"):
        assert command in listing, command
    assert SLACK_SPELLINGS.findall(listing) == []
    usage = await run(rig, "gig help", {"command": "route add"}, user=CAROL_ID)
    assert usage.splitlines()[0].startswith("/gig-admin route add <")
    assert "Example: /gig-admin route add #python-gigs" in usage
    assert (await run(rig, "gig help", {"command": "/gig-admin outbox retry"}, user=CAROL_ID)).startswith(
        "/gig-admin outbox retry <")
    how = await run(rig, "gig-admin settings", user=CAROL_ID)
    assert "Change them with /gig-admin settings first_nudge=" in how and SLACK_SPELLINGS.findall(how) == []
    missing = await run(rig, "gig-admin outbox retry", {"message": 99}, user=CAROL_ID)
    assert "See /gig-admin outbox list." in missing
    refused = await run(rig, "gig help", {"command": "route add"}, user=ALICE_ID)
    assert "Only admins can run `/gig-admin route add`." in refused
    assert await run(rig, "gig-admin role add", {"member": str(ALICE_ID), "role": "poster"}, user=ALICE_ID) == \
        "Only admins can run `/gig-admin role add`."


async def test_in_french_commands_have_the_names_a_french_client_shows(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    rig.fake.locales[CAROL_ID] = "fr"
    listing = await run(rig, "gig help", user=CAROL_ID)
    assert "/gig-admin route ajouter" in listing and "/gig candidater" in listing
    assert "/gig aide" in listing and SLACK_SPELLINGS.findall(listing) == []
    usage = await run(rig, "gig help", {"command": "gig-admin route ajouter"}, user=CAROL_ID)  # as her client shows it
    assert usage.splitlines()[0].startswith("/gig-admin route ajouter <")


async def test_a_dm_through_the_outbox_names_commands_as_discord_runs_them(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    rig.fake.locales[ALICE_ID] = "fr"
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    alice_dm = int(rig.fake.dm_channel(ALICE_ID)["id"])
    dms = "\n".join(m.get("content") or "" for m in rig.fake.channel_messages(alice_dm))
    assert "/gig liste" in dms and "/gig list " not in dms, dms  # the closing notice's hint, as her client names it
