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
import sys
import time
from collections import defaultdict
from typing import Any

import aiohttp
import discord
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bench.harness import DATABASES, PG_ADMIN_URL
from bench.probe import measured
from bot.adapters.delivery import DeliveryLoop
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.slack.sender import SlackSender
from bot.app import App, build_app, settle_heap
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.types import Button, Card, Field, Message
from bot.services import outbox
from bot.services.pacing import Limits
from bot.store.db import migrate
from bot.store.models import Community, Member, Workspace
from tests.adapters.discord.fake_discord import GUILD_ID, TOKEN, FakeDiscord, point_discord_at
from tests.adapters.slack.fake_slack import FakeSlack

CHANNELS, DMS = 50, 1000
SLOW = 2.0  # seconds per call in the slow channel
SLACK_LIMITS = Limits(per_channel=1.0, per_request=1 / 50)  # 1 message/s per channel; 50/s in the workspace
DISCORD_LIMITS = Limits(per_request=1 / 50)  # 50 requests/s for the bot
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

    def __init__(self, limits: Limits, slow: str | None) -> None:
        super().__init__(keep_calls=False)
        self.channels: dict[str, Bucket] = defaultdict(lambda: Bucket(1 / limits.per_channel, burst=1))
        self.workspace = Bucket(1 / limits.per_request)
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


async def seed(app: App, world: dict[str, Any]) -> None:
    """The fan-out of one gig: a posting per channel and a DM per member, DM channels already open."""
    card = Card("#1 · Scrape 200 product pages into a CSV", "A small paid job for a Python developer.",
                (Field("Budget", "150 EUR"), Field("Where", "remote")), (Button("Apply", "gig:apply:1", "primary"),))
    now = app.clock.now()
    async with app.sessions() as session:
        for platform in ("slack", "discord"):
            community = Community(name=platform, default_locale="en", timezone="UTC", default_channels={},
                                  settings={}, created_at=now)
            session.add(community)
            await session.flush()
            session.add(Workspace(community_id=community.id, platform=platform, external_id=f"{platform}-ws"))
            for channel in world[platform]["channels"]:
                outbox.enqueue(session, community.id, platform, outbox.POST, channel, Message(cards=(card,)), app.clock)
            for n, (user, dm) in enumerate(world[platform]["dms"]):
                member = Member(community_id=community.id, platform=platform, platform_user_id=user,
                                display_name=f"member {n}", is_poster=False, nudges_enabled=True,
                                dm_undeliverable=False, dm_channel=dm, created_at=now)
                session.add(member)
                await session.flush()
                outbox.enqueue_dm(session, member, Message(cards=(card,)), app.clock)
        await session.commit()


async def serve_fakes(scale: float, slow: bool, dms: int) -> None:
    """In their own process, as the platforms are: both fakes, and /stats saying what they received when."""
    slack = await LimitedSlack(SLACK_LIMITS.scaled(scale), None).start()
    discord_fake = LimitedDiscord(1 / DISCORD_LIMITS.scaled(scale).per_request, None)
    discord_channels = [str(discord_fake.add_channel(GUILD_ID, f"gigs-{n}")) for n in range(CHANNELS)]
    discord_dms = []
    for n in range(dms):
        user_id = discord_fake.add_user(f"member{n}")
        discord_dms.append((str(user_id), discord_fake.dm_channel(user_id)["id"]))
    slack_channels = [f"C{n:04d}" for n in range(CHANNELS)]
    slack.slow = slack_channels[0] if slow else None
    discord_fake.slow = discord_channels[0] if slow else None
    await discord_fake.start()

    async def stats(request: web.Request) -> web.Response:
        def of(fake: LimitedSlack | LimitedDiscord, invalid: int) -> dict[str, Any]:
            others = [at for channel, at in fake.done_at.items() if channel != fake.slow]
            return {"delivered": len(fake.done_at), "last": max(fake.done_at.values(), default=0.0),
                    "others_last": max(others, default=0.0), "answered_429": fake.limited, "invalid": invalid}

        invalid = sum(1 for c in discord_fake.calls if 400 <= c.status < 500 and c.status != 429)
        return web.json_response({"slack": of(slack, 0), "discord": of(discord_fake, invalid)})

    app = web.Application()
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    world = {"stats": f"http://127.0.0.1:{port}/stats", "slack_url": slack.url, "discord_url": discord_fake.api_url,
             "gateway_url": discord_fake.gateway_url,
             "slack": {"channels": slack_channels, "dms": [(f"U{n:05d}", f"D{n:05d}") for n in range(dms)]},
             "discord": {"channels": discord_channels, "dms": discord_dms}}
    print(json.dumps(world), flush=True)
    await asyncio.Event().wait()


async def main(backend: str, url: str, slow: bool, scale: float, dms: int) -> dict[str, Any]:
    """Start the fakes in a child process, seed the outbox, deliver it with both loops, read the fakes' counts."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fanout", "fakes", "--scale", str(scale), "--dms", str(dms),
        *(["--slow"] if slow else []), stdout=asyncio.subprocess.PIPE, limit=2**24)
    assert child.stdout is not None
    slack_limits, discord_limits = SLACK_LIMITS.scaled(scale), DISCORD_LIMITS.scaled(scale)
    try:
        world = json.loads(await child.stdout.readline())
        settings = Settings(database_url=url, _env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                            slack_api_url=f"{world['slack_url']}/api/", discord_token=TOKEN)
        app = build_app(settings, SystemClock())
        await migrate(app.engine)
        await seed(app, world)
        settle_heap()  # as `gigbot run` does once started
        with point_discord_at(world["discord_url"], world["gateway_url"]):
            http = aiohttp.ClientSession()
            client = discord.Client(intents=discord.Intents.none())
            await client.login(TOKEN)
            slack_client = AsyncWebClient(token="xoxb-bench", base_url=f"{world['slack_url']}/api/", retry_handlers=[])
            loops = [DeliveryLoop(app, "slack", SlackSender(slack_client), limits=slack_limits),
                     DeliveryLoop(app, "discord", DiscordSender(client), limits=discord_limits)]
            total = CHANNELS + dms
            started = time.monotonic()
            stats: dict[str, Any] = {}

            async def deliver() -> None:
                tasks = [asyncio.create_task(loop.run()) for loop in loops]
                while time.monotonic() - started < 600:
                    async with http.get(world["stats"]) as answer:
                        stats.update(await answer.json())
                    if all(stats[p]["delivered"] >= total for p in ("slack", "discord")):
                        break
                    await asyncio.sleep(0.1)
                for loop in loops:
                    loop.stop()
                await asyncio.gather(*tasks)

            measurement = await measured(deliver)  # CPU of this process and its loop steps, the machine's load
            await client.close()
            await http.close()
        await app.close()
    finally:
        child.kill()
        await child.wait()
    floors = {"slack": max(total * slack_limits.per_request, slack_limits.per_channel),
              "discord": total * discord_limits.per_request}
    result: dict[str, Any] = {"backend": backend, "slow_channel": slow, "scale": scale, "messages_per_platform": total,
                              **{k: measurement[k] for k in ("cpu_seconds", "step_cpu_ms_max", "loop_block_ms_max",
                                                             "load_1min_before", "others_cpu_s", "steps_over_50ms_cpu",
                                                             "gc_ms_max")},
                              "largest_steps": measurement["largest_steps"][:3]}
    for platform, floor in floors.items():
        got = stats[platform]
        result[platform] = {"seconds": round(got["last"] - started, 2), "floor": round(floor, 2),
                            "ratio": round((got["last"] - started) / floor, 3),
                            "others_ratio": round((got["others_last"] - started) / floor, 3),
                            **{k: got[k] for k in ("delivered", "answered_429", "invalid")}}
    return result


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench.fanout")
    parser.add_argument("what", nargs="?", choices=["run", "fakes"], default="run")
    parser.add_argument("--backend", choices=sorted(DATABASES), default="sqlite")
    parser.add_argument("--slow", action="store_true", help="one channel per platform answers in 2 s")
    parser.add_argument("--scale", type=float, default=1.0, help="declared limits this many times faster")
    parser.add_argument("--dms", type=int, default=DMS, help="DMs per platform (1,000 in the scenario)")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    args = parser.parse_args()
    if args.what == "fakes":
        asyncio.run(serve_fakes(args.scale, args.slow, args.dms))
        return
    with DATABASES[args.backend](f"bench_fanout_{os.getpid()}", args.pg_url) as url:
        print(json.dumps(asyncio.run(main(args.backend, url, args.slow, args.scale, args.dms))))


if __name__ == "__main__":
    cli()
