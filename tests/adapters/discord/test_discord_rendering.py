"""What members see on Discord: closed postings without dead buttons, one button row per listed gig, mentions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.services import expiry
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID, GIGS_ID, GUILD_ID, TOKEN
from tests.adapters.discord.test_discord_adapter import POST, custom_ids, posted, run


async def test_a_closed_posting_loses_its_apply_and_details_buttons(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    message = await posted(rig)
    assert custom_ids(message) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    assert "Closed #1" in await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [stored] = rig.fake.channel_messages(GIGS_ID)
    assert stored["embeds"][0]["title"].startswith("[Closed]") and custom_ids(stored) == []


async def test_a_posting_closed_by_its_apply_by_date_loses_its_buttons_too(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    rig.core.clock.advance(timedelta(days=230))  # type: ignore[attr-defined]  # past 2027-06-30
    assert (await expiry.close_expired(rig.core.sessions, rig.core.clock))[0] == 1
    await rig.deliver()
    [stored] = rig.fake.channel_messages(GIGS_ID)
    assert stored["embeds"][0]["title"].startswith("[Closed]") and custom_ids(stored) == []


@pytest.fixture
def settings() -> Settings:
    """Discord's test settings with the largest page size an operator may configure."""
    return Settings(admins=f"discord:{CAROL_ID}", database_url="sqlite+aiosqlite:///:memory:", _env_file=None,
                    discord_token=TOKEN, discord_guild_ids=str(GUILD_ID), page_size=25)


async def test_a_list_gives_each_gig_its_own_row_of_buttons_within_discords_limits(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    for number in range(1, 7):
        assert "Posted gig" in await run(rig, "gig post", POST | {"title": f"WordPress form number {number}"},
                                         user=CAROL_ID)
    sent = await rig.fake.slash("gig list", {}, user=ALICE_ID)
    data = (await sent.callback()).json["data"]
    assert "page 1 of 2 (6 in all)" in data["content"] and "page=2" in data["content"]
    embeds, rows = data["embeds"], data["components"]
    assert len(embeds) == 4 and len(rows) == 5  # a row per gig and the Next page row, within Discord's 5 rows
    assert [b["custom_id"].split(":")[1] for b in rows[-1]["components"]] == ["more"]
    for embed, row in zip(embeds, rows[:-1], strict=True):
        gig = embed["title"].split(" ")[0]  # "#6"
        buttons = row["components"]
        assert [b["custom_id"] for b in buttons] == [f"gig:apply:{gig[1:]}", f"gig:show:{gig[1:]}"]
        assert all(b["label"].endswith(gig) for b in buttons)  # the row names its gig: embeds show above rows
    second = (await (await rig.fake.slash("gig list", {"page": 2}, user=ALICE_ID)).callback()).json["data"]
    assert [e["title"].split(" ")[0] for e in second["embeds"]] == ["#2", "#1"]
    assert "at most 4 gigs on Discord" in await run(rig, "gig help", {"command": "list"})  # the cap is documented


async def test_one_card_keeps_its_plain_labels(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig post", POST, user=CAROL_ID)
    data = (await (await rig.fake.slash("gig list", {}, user=ALICE_ID)).callback()).json["data"]
    assert [b["label"] for row in data["components"] for b in row["components"]] == ["Apply", "Details"]


async def test_admins_see_the_channel_of_an_undelivered_posting_as_a_mention(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    rig.fake.fail_next("POST", f"/channels/{GIGS_ID}/messages", 403, 50001, "Missing Access")
    await rig.deliver()
    [notice] = rig.fake.dm_messages(CAROL_ID)
    assert f"to <#{GIGS_ID}> on discord" in notice["content"]
    assert f"post to <#{GIGS_ID}>" in await run(rig, "gig-admin outbox list", user=CAROL_ID)
