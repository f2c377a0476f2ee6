"""`gigbot run` with Slack and Discord configured at once, as a real process against both local fakes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord.fake_discord import ALICE_ID, GUILD_ID, TOKEN, FakeDiscord
from tests.adapters.discord.test_discord_adapter import content
from tests.adapters.process import Gigbot
from tests.adapters.slack.conftest import SECRET, SlackClient, texts
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_running import free_port

SLACK_ADMIN, SLACK_MEMBER = "U0ADMIN", "U0ANA"
SLACK_GIGS = "C0GIGS"


class TwoPlatforms:
    """Both fakes and the process; commands typed on either platform, answers read from the fakes."""

    def __init__(self, slack_fake: FakeSlack, discord_fake: FakeDiscord, port: int, database: Path) -> None:
        self.slack_fake = slack_fake
        self.discord_fake = discord_fake
        self.database = database
        self.slack = SlackClient(slack_fake, f"http://127.0.0.1:{port}/slack/events")
        self.port = port
        self.process: Gigbot | None = None

    def settings(self) -> dict[str, str]:
        """Slack over HTTP and Discord over its gateway, one SQLite file, in one process."""
        return {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
            "GIGBOT_SLACK_API_URL": f"{self.slack_fake.url}/api", "GIGBOT_HTTP_PORT": str(self.port),
            "DISCORD_TOKEN": TOKEN, "GIGBOT_DISCORD_API_URL": self.discord_fake.api_url,
            "GIGBOT_DISCORD_GATEWAY_URL": self.discord_fake.gateway_url, "GIGBOT_DISCORD_GUILD_IDS": str(GUILD_ID),
            "GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{self.database}", "GIGBOT_LOG_LEVEL": "WARNING"}

    async def start(self) -> None:
        """Start `gigbot run` and wait until Slack serves and Discord is ready."""
        self.process = await Gigbot.start(self.settings())
        await self.process.logged("Slack: serving")
        await self.discord_fake.wait_ready(timeout=60)

    async def stop(self) -> None:
        """SIGTERM; the process must exit cleanly."""
        if self.process is not None:
            process, self.process = self.process, None
            assert await process.stop() == 0, process.stderr.decode()

    async def on_slack(self, user: str, text: str, channel: str = "C1") -> str:
        """`/gig text` typed on Slack; the text of the answer."""
        return texts(await self.slack.command(user, text, channel))

    async def on_discord(self, user: int, name: str, options: dict[str, object] | None = None) -> str:
        """A Discord slash command (`gig apply`, `gig-admin route default`); the text of its answer."""
        sent = await self.discord_fake.slash(name, options or {}, user=user)
        callback = await sent.callback(timeout=30)
        if callback.json["type"] == 5:  # deferred: the answer follows
            return content(await sent.edit(timeout=30))
        return content(callback)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[TwoPlatforms]:
    slack_fake = await FakeSlack(users={SLACK_ADMIN: {"name": "sam", "admin": True},
                                        SLACK_MEMBER: {"name": "ana"}}).start()
    discord_fake = await FakeDiscord().start()
    rig = TwoPlatforms(slack_fake, discord_fake, free_port(), tmp_path / "two.db")
    try:
        await rig.start()
        yield rig
    finally:
        with contextlib.suppress(AssertionError):
            await rig.stop()
        await slack_fake.stop()
        await discord_fake.stop()
    assert discord_fake.errors == []


async def test_one_process_answers_on_slack_and_on_discord(two: TwoPlatforms) -> None:
    assert "What you can run" in await two.on_slack(SLACK_MEMBER, "help")
    assert "What you can run" in await two.on_discord(ALICE_ID, "gig help")
    await two.stop()
