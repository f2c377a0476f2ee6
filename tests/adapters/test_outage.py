"""Ten minutes of outage on Slack and Discord, on the injected clock: nothing lost, nothing twice, nobody blamed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.adapters.delivery import DeliveryLoop
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.slack import blocks
from bot.app import App
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.delivery import OutboxState
from bot.scheduler import Scheduler
from bot.services import outbox
from bot.store.events import OUTBOX
from bot.store.models import Member, OutboxMessage
from tests.adapters.discord.conftest import DiscordRig, discord_rig  # noqa: F401 - the fixture
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID, CAROL_ID, GIGS_ID, GUILD_ID, TOKEN
from tests.adapters.discord.test_discord_adapter import POST as DISCORD_POST
from tests.adapters.discord.test_discord_adapter import run
from tests.adapters.slack.conftest import SECRET, SlackRig, slack, texts  # noqa: F401 - the fixture

SLACK_POST = 'post title="Fix my WordPress form" budget="150 EUR" tags=wordpress'
OUTAGE = timedelta(minutes=10)
SLACK_DELIVERY = frozenset({"chat.postMessage", "chat.update", "conversations.open"})
DISCORD_DELIVERY = ("/channels/**", "/users/@me/channels")


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=f"slack:UADMIN,discord:{CAROL_ID}", database_url="sqlite+aiosqlite:///:memory:",
                    _env_file=None, slack_bot_token="xoxb-test", slack_signing_secret=SECRET, discord_token=TOKEN,
                    discord_guild_ids=str(GUILD_ID))


class Ticker:
    """Moves the injected clock a second at a time, once every delivery task is asleep on it (none is mid-request),
    so ten minutes on the clock take a few seconds and no request sees the clock jump under it."""

    def __init__(self, clock: FrozenClock, expected_sleepers: Callable[[], int]) -> None:
        self.clock = clock
        self.expected_sleepers = expected_sleepers
        self.sleeping = 0
        self.moved = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        until = self.clock.now() + timedelta(seconds=seconds)
        self.sleeping += 1
        try:
            while self.clock.now() < until:
                moved = self.moved
                await moved.wait()
        finally:
            self.sleeping -= 1

    async def run(self, duration: timedelta, step: timedelta = timedelta(seconds=1)) -> None:
        end = self.clock.now() + duration
        while self.clock.now() < end:
            for _ in range(2000):  # wait for every loop and channel task to be asleep (a request takes a few ms)
                if self.sleeping >= self.expected_sleepers():
                    break
                await asyncio.sleep(0.001)
            self.clock.advance(step)
            moved, self.moved = self.moved, asyncio.Event()
            moved.set()
            await asyncio.sleep(0)


async def before_the_outage(on_slack: SlackRig, rig: DiscordRig) -> None:
    await on_slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await on_slack.command("UADMIN", SLACK_POST)
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    await run(rig, "gig post", DISCORD_POST, user=CAROL_ID)
    await on_slack.deliver()
    await rig.deliver()
    for user in ("U1", "U2"):
        await on_slack.command(user, "apply 1")
    for member in (ALICE_ID, BOB_ID):
        assert "You applied" in await run(rig, "gig apply", {"id": 2}, user=member)  # ids count across communities
    await on_slack.deliver()
    await rig.deliver()


async def test_a_ten_minute_outage_delivers_everything_in_order_once_and_blames_no_one(
        app: App, slack: SlackRig, discord_rig: DiscordRig) -> None:  # noqa: F811 - fixtures, not the imports
    rig = discord_rig
    clock = app.clock
    assert isinstance(clock, FrozenClock) and rig.adapter is not None
    clock.advance(timedelta(hours=3))  # applications at noon, so their nudges fall due at noon two days later
    await before_the_outage(slack, rig)
    clock.advance(timedelta(days=2, minutes=-5))
    end = clock.now() + OUTAGE
    slack.fake.outage(end, clock.now, SLACK_DELIVERY)
    rig.fake.outage(end, clock.now, DISCORD_DELIVERY)
    loops: list[DeliveryLoop] = []
    ticker = Ticker(clock, lambda: len(loops) + sum(len(loop.active) for loop in loops))
    loops += [DeliveryLoop(app, "slack", slack.sender, sleep=ticker.sleep),
              DeliveryLoop(app, "discord", DiscordSender(rig.adapter.client), sleep=ticker.sleep)]
    for loop in loops:
        app.dispatcher.listen(OUTBOX, loop.poke)
    tasks = [asyncio.create_task(loop.run()) for loop in loops]

    await ticker.run(timedelta(minutes=1))
    await slack.command("UADMIN", 'post title="Second WordPress form" budget=90 tags=wordpress')
    assert "You applied" in texts(await slack.command("U3", "apply 3"))
    await run(rig, "gig post", DISCORD_POST | {"title": "Second WordPress form"}, user=CAROL_ID)
    assert "You applied" in await run(rig, "gig apply", {"id": 4}, user=ALICE_ID)
    await ticker.run(timedelta(minutes=5))
    await Scheduler(app, worker="t").run_now()  # the nudges planned two days ago fall due now, mid-outage
    await ticker.run(end - clock.now())
    assert slack.fake.refused > 10 and rig.fake.refused > 10  # the outage was met, again and again
    await ticker.run(timedelta(seconds=30))  # delivery resumes within 30 s of the platforms recovering
    for loop in loops:
        loop.stop()
    await asyncio.gather(*tasks)

    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
        blamed = (await session.execute(select(Member).where(Member.dm_undeliverable))).scalars().all()
    assert blamed == []
    assert {row.state for row in rows} <= {OutboxState.SENT, OutboxState.SUPERSEDED}, [
        (row.id, row.platform, row.kind, row.state, row.last_error) for row in rows if row.state != "sent"]
    nudges = [row for row in rows if row.kind == "dm" and "follow up" in str(row.payload).lower()]
    assert len(nudges) == 4  # U1, U2, Alice and Bob were each nudged once

    slack_sent = [row for row in rows if row.platform == "slack" and row.kind != "edit"]
    for channel in {row.destination for row in slack_sent}:
        expected = [blocks.fallback_text(outbox.from_payload(row.payload)) for row in slack_sent
                    if row.destination == channel]
        where = f"D{channel}" if channel.startswith("U") else channel
        got = [c.args["text"] for c in slack.fake.made("chat.postMessage") if c.args["channel"] == where]
        assert got == expected, channel  # in order, each once

    discord_sent = [row for row in rows if row.platform == "discord" and row.kind != "edit"]
    for destination in {row.destination for row in discord_sent}:
        channel = int(rig.fake.dm_channel(int(destination))["id"]) if destination != str(GIGS_ID) else GIGS_ID
        nonces = [int(m["nonce"]) for m in rig.fake.channel_messages(channel)]
        assert nonces == [row.id for row in discord_sent if row.destination == destination], destination
