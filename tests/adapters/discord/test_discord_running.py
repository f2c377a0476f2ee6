from pathlib import Path

from tests.adapters.discord.fake_discord import APP_ID, GUILD_ID, TOKEN, FakeDiscord
from tests.adapters.process import Gigbot


async def test_gigbot_run_connects_to_discord_syncs_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    process = await Gigbot.start({
        "DISCORD_TOKEN": TOKEN, "GIGBOT_DISCORD_API_URL": fake.api_url, "GIGBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "GIGBOT_DISCORD_GUILD_IDS": str(GUILD_ID), "GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"})
    try:
        sync = await fake.next_call("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands", timeout=60)
        assert {c["name"] for c in sync.json} == {"gig", "gig-admin"}
        await fake.wait_ready(timeout=30)
        assert fake.identifies and fake.identifies[0]["intents"] == 1  # GUILDS only: no privileged intents
        sent = await fake.slash("gig help", {})
        assert "What you can run" in (await sent.callback(timeout=30)).json["data"]["content"]
    finally:
        assert await process.stop() == 0
        await fake.stop()
