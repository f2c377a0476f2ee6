"""`/gig-admin screening` on Discord: one command with an action choice and typed options, run by admins only."""

from sqlalchemy import select

from bot.store.models import Community
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, APP_ID, CAROL_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import run


async def test_screening_syncs_with_its_choices_and_options_within_discord_s_limits(discord_rig: DiscordRig) -> None:
    [sync] = discord_rig.fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    admin = next(c for c in sync.json if c["name"] == "gig-admin")
    screening = next(o for o in admin["options"] if o["name"] == "screening")
    assert screening["type"] == 1 and screening["name_localizations"]["fr"] == "filtrage"
    options = {o["name"]: o for o in screening["options"]}
    assert len(options) <= 25 and {"change", "hold", "refuse", "off_platform", "word", "domain"} <= options.keys()
    assert [c["value"] for c in options["change"]["choices"]] == ["set", "block", "allow", "unblock", "unallow",
                                                                  "reset"]
    assert options["change"]["choices"][1]["name_localizations"]["fr"] == "bloquer"
    assert not any(o.get("required") for o in options.values())


async def test_admins_show_set_and_block_from_options_and_members_are_refused(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    shown = await run(rig, "gig-admin screening", user=CAROL_ID)
    assert "How gigs are screened in this community" in shown
    assert "Change them: /gig-admin screening set hold=50" in shown  # as Discord names admin commands
    changed = await run(rig, "gig-admin screening", {"change": "set", "hold": "55", "off_platform": "off"},
                        user=CAROL_ID)
    assert "• hold: 40 → 55" in changed and "• off_platform: on, weight 45 → off" in changed
    blocked = await run(rig, "gig-admin screening", {"change": "block", "word": "Crypto, agency"}, user=CAROL_ID)
    assert blocked == "Added to the blocked words (the community's policy): crypto, agency."
    wrong = await run(rig, "gig-admin screening", {"change": "set", "hold": "500"}, user=CAROL_ID)
    assert "can't be above the refuse threshold" in wrong
    refused = await run(rig, "gig-admin screening", {"change": "reset"}, user=ALICE_ID)
    assert refused == "Only admins can run `/gig-admin screening`."
    async with rig.core.sessions() as session:
        [community] = (await session.execute(select(Community))).scalars()
    assert community.settings["screening"] == {"hold_at": 55, "off": ["off_platform"],
                                               "blocked_words": ["agency", "crypto"]}
