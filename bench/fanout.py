"""Fan-out benchmark: one gig to 50 Slack and 50 Discord channels plus 1,000 DMs on each, through the real senders.

    PYTHONPATH=. .venv/bin/python -m bench.fanout [--backend sqlite|postgresql] [--slow] [--scale 1]

The fakes of Slack and Discord enforce declared limits and answer 429 with Retry-After past them; gigbot's
delivery loops (bot/adapters/delivery.py) deliver the outbox with the same limits declared to their pacer. The
floor of each platform is the largest of (requests / limit) over its limited resources; the result is the time
to deliver everything as a ratio to that floor. `--slow` makes one channel of each platform answer in 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import defaultdict
from typing import Any

import discord
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bench.harness import DATABASES, PG_ADMIN_URL
from bot.adapters.delivery import DeliveryLoop
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.slack.sender import SlackSender
from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.types import Button, Card, Field, Reply
from bot.services import outbox
from bot.services.pacing import Limits
from bot.store.db import migrate
from bot.store.models import Community, Member, Workspace
from tests.adapters.discord.fake_discord import GUILD_ID, TOKEN, FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack

CHANNELS, DMS = 50, 1000
SLOW = 2.0  # seconds per call in the slow channel
BURST = 5  # requests a limit lets through at once


class Bucket:
    """A token bucket: `rate` per second, `burst` at once; `take` says how long to wait if it is empty."""

    def __init__(self, rate: float, burst: int = BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class LimitedSlack(FakeSlack):
    """chat.postMessage limited per channel and per workspace, as declared; one channel may be slow."""

    def __init__(self, per_channel: float, workspace: float, slow: str | None) -> None:
        super().__init__(keep_calls=False)
        self.channels: dict[str, Bucket] = defaultdict(lambda: Bucket(per_channel, burst=1))
        self.workspace = Bucket(workspace)
        self.slow = slow
        self.limited = 0
        self.done_at: dict[str, float] = {}

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "chat.postMessage":
            channel = str((await request.json()).get("channel", "")) if request.content_type == "application/json" \
                else str((await request.post()).get("channel", ""))
            wait = max(self.channels[channel].take(), self.workspace.take())
            if wait > 0:
                self.limited += 1
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(max(1, round(wait)))})
            if channel == self.slow:
                await asyncio.sleep(SLOW)
            answer = await super().api(request)
            self.done_at[channel] = time.monotonic()
            return answer
        return await super().api(request)


class LimitedDiscord(FakeDiscord):
    """Discord's global budget for the bot, as declared (429 global past it); one channel may be slow."""

    def __init__(self, per_second: float, slow: str | None) -> None:
        super().__init__(echo_messages=False)
        self.budget = Bucket(per_second)
        self.slow = slow
        self.limited = 0
        self.done_at: dict[str, float] = {}

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        if path.startswith("/channels/"):
            wait = self.budget.take()
            if wait > 0:
                self.limited += 1
                self.rate_limit_next(request.method, path, retry_after=wait, is_global=True)
            elif path == f"/channels/{self.slow}/messages":
                await asyncio.sleep(SLOW)
        answer = await super()._api(request)
        if path.endswith("/messages") and answer.status == 200:
            self.done_at[path.split("/")[2]] = time.monotonic()
        return answer


async def seed(app: App, slack_channels: list[str], discord: FakeDiscord, discord_channels: list[str]) -> None:
    """The fan-out of one gig: a posting per channel and a DM per member, DM channels already open."""
    card = Card("#1 · Scrape 200 product pages into a CSV", "A small paid job for a Python developer.",
                (Field("Budget", "150 EUR"), Field("Where", "remote")), (Button("Apply", "gig:apply:1", "primary"),))
    now = app.clock.now()
    async with app.sessions() as session:
        for platform, channels in (("slack", slack_channels), ("discord", discord_channels)):
            community = Community(name=platform, default_locale="en", timezone="UTC", default_channels={},
                                  settings={}, created_at=now)
            session.add(community)
            await session.flush()
            session.add(Workspace(community_id=community.id, platform=platform, external_id=f"{platform}-ws"))
            for channel in channels:
                outbox.enqueue(session, community.id, platform, outbox.POST, channel, Reply(cards=(card,)), app.clock)
            for n in range(DMS):
                if platform == "slack":
                    user, dm = f"U{n:05d}", f"D{n:05d}"
                else:
                    user_id = discord.add_user(f"member{n}")
                    user, dm = str(user_id), discord.dm_channel(user_id)["id"]
                member = Member(community_id=community.id, platform=platform, platform_user_id=user,
                                display_name=f"member {n}", is_poster=False, nudges_enabled=True,
                                dm_undeliverable=False, dm_channel=dm, created_at=now)
                session.add(member)
                await session.flush()
                outbox.enqueue_dm(session, member, Reply(cards=(card,)), app.clock)
        await session.commit()


async def until_delivered(fake: LimitedSlack | LimitedDiscord, count: int, started: float, limit: float) -> float:
    while len(fake.done_at) < count and time.monotonic() - started < limit:
        await asyncio.sleep(0.05)
    return max(fake.done_at.values()) - started


async def main(backend: str, url: str, slow: bool, scale: float) -> dict[str, Any]:
    slack_limits = Limits(per_channel=1.0, per_request=1 / 50).scaled(scale)  # 1 msg/s per channel, 50/s in all
    discord_limits = Limits(per_request=1 / 50).scaled(scale)  # 50 requests/s for the bot
    slack_channels = [f"C{n:04d}" for n in range(CHANNELS)]
    slack_fake = await LimitedSlack(1 / slack_limits.per_channel, 1 / slack_limits.per_request,
                                    slack_channels[0] if slow else None).start()
    discord_fake = LimitedDiscord(1 / discord_limits.per_request, None)
    discord_channels = [str(discord_fake.add_channel(GUILD_ID, f"gigs-{n}")) for n in range(CHANNELS)]
    discord_fake.slow = discord_channels[0] if slow else None
    await discord_fake.start()
    settings = Settings(database_url=url, _env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                        slack_api_url=f"{slack_fake.url}/api/", discord_token=TOKEN)
    app = build_app(settings, SystemClock())
    await migrate(app.engine)
    await seed(app, slack_channels, discord_fake, discord_channels)
    with discord_fake.patched():
        client = discord.Client(intents=discord.Intents.none())
        await client.login(TOKEN)
        loops = [DeliveryLoop(app, "slack", SlackSender(AsyncWebClient(token="xoxb-bench",
                              base_url=f"{slack_fake.url}/api/", retry_handlers=[])), limits=slack_limits),
                 DeliveryLoop(app, "discord", DiscordSender(client), limits=discord_limits)]
        started = time.monotonic()
        tasks = [asyncio.create_task(loop.run()) for loop in loops]
        total = CHANNELS + DMS
        slack_time, discord_time = await asyncio.gather(until_delivered(slack_fake, total, started, 300),
                                                        until_delivered(discord_fake, total, started, 300))
        for loop in loops:
            loop.stop()
        await asyncio.gather(*tasks)
        await client.close()
    await app.close()
    await slack_fake.stop()
    await discord_fake.stop()
    slack_floor = max(total * slack_limits.per_request, 1 * slack_limits.per_channel)
    discord_floor = total * discord_limits.per_request

    def others(fake: LimitedSlack | LimitedDiscord, slow_channel: str | None) -> float:
        return max(at for channel, at in fake.done_at.items() if channel != slow_channel) - started

    return {"backend": backend, "slow_channel": slow, "scale": scale, "messages_per_platform": total,
            "slack": {"seconds": round(slack_time, 2), "floor": round(slack_floor, 2),
                      "ratio": round(slack_time / slack_floor, 3), "delivered": len(slack_fake.done_at),
                      "answered_429": slack_fake.limited,
                      "others_ratio": round(others(slack_fake, slack_fake.slow) / slack_floor, 3)},
            "discord": {"seconds": round(discord_time, 2), "floor": round(discord_floor, 2),
                        "ratio": round(discord_time / discord_floor, 3), "delivered": len(discord_fake.done_at),
                        "answered_429": discord_fake.limited,
                        "invalid": sum(1 for c in discord_fake.calls if 400 <= c.status < 500 and c.status != 429),
                        "others_ratio": round(others(discord_fake, discord_fake.slow) / discord_floor, 3)}}


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench.fanout")
    parser.add_argument("--backend", choices=sorted(DATABASES), default="sqlite")
    parser.add_argument("--slow", action="store_true", help="one channel per platform answers in 2 s")
    parser.add_argument("--scale", type=float, default=1.0, help="declared limits this many times faster")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    args = parser.parse_args()
    with DATABASES[args.backend](f"bench_fanout_{os.getpid()}", args.pg_url) as url:
        print(json.dumps(asyncio.run(main(args.backend, url, args.slow, args.scale))))


if __name__ == "__main__":
    cli()
