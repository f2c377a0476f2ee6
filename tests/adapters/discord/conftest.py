"""The real discord.py client of the bot against the local fake Discord (REST under /api/v10 and the gateway)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord import adapter
from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.sender import DiscordSender
from bot.app import App
from bot.config import Settings
from bot.services import delivery
from tests.adapters.discord.fake_discord import CAROL_ID, GUILD_ID, TOKEN, FakeDiscord


@pytest.fixture(autouse=True)
def answer_within_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer interactions at once however loaded the machine is; tests of the deferred answer set DEFER_AFTER to 0."""
    monkeypatch.setattr(adapter, "DEFER_AFTER", 60.0)


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=f"discord:{CAROL_ID}", database_url="sqlite+aiosqlite:///:memory:", _env_file=None,
                    discord_token=TOKEN, discord_guild_ids=str(GUILD_ID))


class DiscordRig:
    """The fake, the bot's adapter connected to it, and the outbox delivered through the real sender."""

    def __init__(self, core: App, fake: FakeDiscord) -> None:
        self.core = core
        self.fake = fake
        self.adapter: DiscordAdapter | None = None
        self._connection: contextlib.AbstractAsyncContextManager[Any] | None = None

    async def connect(self) -> DiscordAdapter:
        """A fresh adapter and client (as after a restart), logged in and ready."""
        self.adapter = DiscordAdapter(self.core, self.core.settings, guild_ready_timeout=0.05)
        self._connection = self.fake.connected(self.adapter.client)
        await self._connection.__aenter__()
        return self.adapter

    async def disconnect(self) -> None:
        if self._connection is not None:
            await self._connection.__aexit__(None, None, None)
            self._connection = None

    async def deliver(self) -> int:
        assert self.adapter is not None
        sender = DiscordSender(self.adapter.client)
        sent = 0
        while delivered := await delivery.deliver_due(self.core.sessions, "discord", sender, self.core.clock,
                                                                admins=self.core.settings.admin_ids):
            sent += delivered
        return sent


@pytest.fixture
async def discord_rig(app: App) -> AsyncIterator[DiscordRig]:
    fake = await FakeDiscord().start()
    rig = DiscordRig(app, fake)
    with fake.patched():
        await rig.connect()
        try:
            yield rig
        finally:
            await rig.disconnect()
    await fake.stop()
    assert fake.errors == []
