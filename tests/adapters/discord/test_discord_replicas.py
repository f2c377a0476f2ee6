"""Two replicas, each with its own gateway session, receive the same interactions: each is acted on once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.adapters.discord.adapter import DiscordAdapter
from bot.store.models import ApplicationEvent
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID
from tests.adapters.discord.test_discord_adapter import custom_ids, posted


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Wait for a condition (checked between event-loop turns), failing after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_an_interaction_both_sessions_receive_is_acted_on_once(discord_rig: DiscordRig,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    message = await posted(discord_rig)
    other = DiscordAdapter(discord_rig.core, discord_rig.core.settings, guild_ready_timeout=0.05)
    async with discord_rig.fake.connected(other.client):
        discord_rig.fake.fan_out = True
        apply = next(c for c in custom_ids(message) if c.startswith("gig:apply:"))
        caplog.set_level("INFO", logger="bot.adapters.discord.adapter")
        sent = await discord_rig.fake.click(message, apply, user=ALICE_ID)
        await sent.callback()
        await until(lambda: "already taken by another session" in caplog.text, "the second session to step back")
        assert len(calls_for(discord_rig, sent.id)) == 1
        submitted = await discord_rig.fake.submit_modal(sent, {"pitch": "I can start today"}, user=ALICE_ID)
        await submitted.callback()
        await until(lambda: caplog.text.count("already taken by another session") == 2, "the modal's second session")
        assert len(calls_for(discord_rig, submitted.id)) == 1  # either session may take a modal submission
        slash = await discord_rig.fake.slash("gig mine", {}, user=ALICE_ID)
        await slash.callback()
        await until(lambda: caplog.text.count("already taken by another session") == 3, "the second one")
        assert len(calls_for(discord_rig, slash.id)) == 1
    async with discord_rig.core.sessions() as session:
        events = (await session.execute(select(func.count()).select_from(ApplicationEvent))).scalar_one()
    assert events == 1
    assert discord_rig.fake.errors == []


def calls_for(rig: DiscordRig, interaction_id: int) -> list[object]:
    return [c for c in rig.fake.calls if c.path.startswith(f"/interactions/{interaction_id}/")]
