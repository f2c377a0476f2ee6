"""Slack HTTP benchmark: ack latency of /gig list and /gig apply against a minimal bolt app that only acks.

    PYTHONPATH=. .venv/bin/python -m bench.slack_http run [--seconds 30] [--concurrency 20]

Seeds 100,000 gigs and 1,000,000 applications into a fresh PostgreSQL database, starts a fake Slack Web API in
this process and two processes, a minimal slack-bolt app and `gigbot run`, then, for each target, sends correctly
signed slash commands over HTTP from `concurrency` closed-loop clients for `seconds` and times each HTTP answer
(the ack) and, for gigbot, the command's answer at response_url.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import asyncpg
from slack_sdk.signature import SignatureVerifier

from bot.core.words import document

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
ADMIN_DSN = os.environ.get("GIGBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TAGS = ["python", "php", "react", "design", "wordpress", "django", "node.js", "go"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed(dsn: str, gigs: int, applications: int, members: int = 20_000) -> float:
    """Fill the schema with SQL (generate_series): communities, members, gigs with a tag each, applications."""
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    await connection.execute("""
        INSERT INTO community (name, default_locale, timezone, default_channels, settings, created_at)
        VALUES ('bench', 'en', 'UTC', '{}', '{"quiet": "off"}', now());
        INSERT INTO workspace (community_id, platform, external_id) VALUES (1, 'slack', 'T1');""")
    await connection.execute(f"""
        INSERT INTO member (community_id, platform, platform_user_id, display_name, is_poster, nudges_enabled,
                            dm_undeliverable, created_at)
        SELECT 1, 'slack', 'U' || g, 'user' || g, g <= 10, true, false, now()
        FROM generate_series(1, {members}) g""")
    tag_words = [document(tag).strip() for tag in TAGS]  # the search words of each tag, as gigbot writes them
    await connection.execute(f"""
        INSERT INTO gig (community_id, poster_id, title, title_key, description, budget_min, budget_max, currency,
                         hourly, remote, location, apply_by, source, status, created_at, search_text)
        SELECT 1, 1 + g % 10, 'Gig number ' || g, 'gig number ' || g, 'A small paid job, number ' || g,
               10000 + (g % 500) * 100, 20000 + (g % 500) * 100, 'EUR', g % 7 = 0, g % 3 <> 0,
               CASE WHEN g % 3 = 0 THEN 'Paris' ELSE '' END, date '2030-12-31', '', 'open',
               now() - make_interval(secs => {gigs} - g),
               ' gig number ' || g || ' a small paid job ' || (ARRAY{tag_words!r})[1 + g % {len(TAGS)}] || ' '
        FROM generate_series(1, {gigs}) g""")
    stored = await connection.fetchval("SELECT search_text FROM gig WHERE id = 5")
    assert stored == document("Gig number 5", "A small paid job, number 5", TAGS[5 % len(TAGS)]), stored
    await connection.execute(f"""
        INSERT INTO gig_tag (gig_id, tag, position)
        SELECT g, (ARRAY{TAGS!r})[1 + g % {len(TAGS)}], 0 FROM generate_series(1, {gigs}) g""")
    per_gig = max(1, applications // gigs)
    await connection.execute(f"""
        INSERT INTO application (gig_id, member_id, status, pitch, reminders, created_at, updated_at)
        SELECT 1 + a / {per_gig}, 11 + (a::bigint * 7919) % ({members} - 10), 'applied', '', true, now(), now()
        FROM generate_series(0, {applications} - 1) a""")
    await connection.execute("ANALYZE")
    await connection.close()
    return time.perf_counter() - started


@dataclass
class Target:
    """A server to measure: its URL and what to type after /gig."""

    name: str
    url: str
    texts: list[str]


class Load:
    """Closed-loop clients, each like a member typing commands one after another.

    A client sends a signed slash command and times the HTTP answer (the ack); against gigbot it then waits for
    the command's real answer at response_url before sending the next, as a person would. Against the minimal
    app, which answers nothing else, it sends the next at once.
    """

    def __init__(self, target: Target, fake: Any, concurrency: int, wait_for_answer: bool) -> None:
        self.target = target
        self.fake = fake
        self.concurrency = concurrency
        self.wait_for_answer = wait_for_answer
        self.verifier = SignatureVerifier(SECRET)
        self.sent = 0
        self.busy = 0  # answered "busy" in the ack itself (gigbot's queue was full)
        self.queued = 0  # acked with an empty body: an answer will follow at response_url
        self.acks: list[float] = []
        self.answers: list[float] = []

    def body(self, worker: int) -> tuple[str, str]:
        self.sent += 1
        token = f"{self.target.name[:6]}-{self.sent}"
        user = f"UB{worker}x{self.sent % 100}"
        return token, urlencode({
            "token": "x", "team_id": "T1", "team_domain": "bench", "channel_id": "C1", "channel_name": "general",
            "user_id": user, "user_name": user.lower(), "command": "/gig", "text": random.choice(self.target.texts),
            "api_app_id": "A1", "response_url": f"{self.fake.url}/response/{token}", "trigger_id": f"{token}.t"})

    async def run(self, seconds: float) -> None:
        self.acks, self.answers = [], []
        deadline = time.perf_counter() + seconds
        connector = aiohttp.TCPConnector(limit=self.concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:
            await asyncio.gather(*(self._client(http, n, deadline) for n in range(self.concurrency)))

    async def _client(self, http: aiohttp.ClientSession, worker: int, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while time.perf_counter() < deadline:
            token, body = self.body(worker)
            answered = loop.create_future()
            self.fake.answers[token] = answered
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body)}
            started = time.perf_counter()
            async with http.post(self.target.url, data=body, headers=headers) as response:
                ack = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{self.target.name}: HTTP {response.status}")
            self.acks.append(time.perf_counter() - started)
            if ack:
                self.busy += 1
                continue
            self.queued += 1
            if self.wait_for_answer:
                await asyncio.wait_for(answered, 60)
                self.answers.append(time.perf_counter() - started)
            self.fake.answers.pop(token, None)


def percentiles(latencies: list[float], prefix: str) -> dict[str, float]:
    """p50, p90, p99, max and mean in milliseconds."""
    ordered = sorted(latencies)
    if not ordered:
        return {}
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {f"{prefix}_p50_ms": pick(0.50), f"{prefix}_p90_ms": pick(0.90), f"{prefix}_p99_ms": pick(0.99),
            f"{prefix}_max_ms": round(ordered[-1] * 1000, 2),
            f"{prefix}_mean_ms": round(statistics.fmean(ordered) * 1000, 2)}


def summary(load: Load, seconds: float) -> dict[str, Any]:
    return {"target": load.target.name, "requests": len(load.acks), "per_second": round(len(load.acks) / seconds, 1),
            "answered_busy": load.busy, **percentiles(load.acks, "ack"), **percentiles(load.answers, "answer")}


async def start(args: list[str], env: dict[str, str], ready: bytes) -> asyncio.subprocess.Process:
    """Start a process and wait for the line that says it serves."""
    process = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env,
                                                   stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stderr is not None and process.stdout is not None
    reader = process.stderr if ready.startswith(b"Slack") else process.stdout
    while ready not in (line := await asyncio.wait_for(reader.readline(), 120)):
        if not line:
            raise RuntimeError(f"{args} stopped: {(await process.stderr.read()).decode()[-2000:]}")
    return process


async def settle(fake: Any, answers: int, limit: float = 120) -> None:
    """Wait until the bot has answered every command it queued, so one run's leftovers do not slow the next."""
    deadline = time.perf_counter() + limit
    while fake.counts["response_url"] < answers and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)


async def main(seconds: float, concurrency: int, gigs: int, applications: int, modes: list[str]) -> dict[str, Any]:
    name = f"bench_slack_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    processes: list[asyncio.subprocess.Process] = []
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIGBOT_", "SLACK_"))}
        db_env = env | {"GIGBOT_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://")}
        migrate = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "migrate", cwd=ROOT, env=db_env)
        assert await migrate.wait() == 0
        seeded = await seed(dsn, gigs, applications)
        from tests.adapters.slack.fake_slack import FakeSlack

        fake = await FakeSlack(keep_calls=False).start()
        fake_url = fake.url
        bot_port, minimal_port = free_port(), free_port()
        slack_env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
                     "GIGBOT_SLACK_API_URL": f"{fake_url}/api/", "GIGBOT_LOG_LEVEL": "WARNING"}
        processes.append(await start(["-m", "bench.slack_http", "minimal", "--port", str(minimal_port)],
                                     env | slack_env, b"minimal ready"))
        processes.append(await start(["-m", "bot", "run"], db_env | slack_env | {"GIGBOT_HTTP_PORT": str(bot_port)},
                                     b"Slack: serving"))
        targets = [
            Target("minimal bolt app (ack only)", f"http://127.0.0.1:{minimal_port}/slack/events", ["list"]),
            Target("gigbot /gig list", f"http://127.0.0.1:{bot_port}/slack/events",
                   ["list", "list tag=python", "list remote=yes page=2", "search number 4242"]),
            Target("gigbot /gig apply", f"http://127.0.0.1:{bot_port}/slack/events",
                   [f"apply {random.randint(1, gigs)}" for _ in range(5000)]),
        ]
        report: dict[str, Any] = {"seconds": seconds, "concurrency": concurrency, "gigs": gigs,
                                  "applications": applications, "seed_seconds": round(seeded, 1)}
        queued = 0
        for mode in modes:
            results = []
            for target in targets:
                load = Load(target, fake, concurrency, wait_for_answer=mode == "members" and "gigbot" in target.name)
                await load.run(min(3.0, seconds))  # warm-up
                load.busy = 0
                await load.run(seconds)
                results.append(summary(load, seconds))
                print(json.dumps({"mode": mode, **results[-1]}), flush=True)
                if "gigbot" in target.name:
                    queued += load.queued
                    await settle(fake, queued)
            minimal_p99 = results[0]["ack_p99_ms"]
            report[mode] = {"results": results,
                            "ack_p99_ratio_list": round(results[1]["ack_p99_ms"] / minimal_p99, 2),
                            "ack_p99_ratio_apply": round(results[2]["ack_p99_ms"] / minimal_p99, 2)}
        await fake.stop()
        return report
    finally:
        for process in processes:
            process.terminate()
            await process.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def serve_minimal(port: int) -> None:
    """The baseline: a slack-bolt AsyncApp whose /gig listener only acks, served the same way."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token="xoxb-bench", base_url=os.environ["GIGBOT_SLACK_API_URL"]),
                    signing_secret=SECRET)

    @bolt.command("/gig")
    async def gig(ack: Any) -> None:
        await ack()

    runner = web.AppRunner(bolt.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("minimal ready", flush=True)
    await asyncio.Event().wait()


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench.slack_http")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--seconds", type=float, default=30)
    run.add_argument("--concurrency", type=int, default=20)
    run.add_argument("--gigs", type=int, default=100_000)
    run.add_argument("--applications", type=int, default=1_000_000)
    run.add_argument("--mode", choices=["flood", "members", "both"], default="both",
                     help="flood: clients send the next command as soon as the ack comes; members: against gigbot "
                          "they wait for the command's answer first")
    sub.add_parser("minimal").add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.command == "minimal":
        asyncio.run(serve_minimal(args.port))
    else:
        modes = ["flood", "members"] if args.mode == "both" else [args.mode]
        print(json.dumps(asyncio.run(main(args.seconds, args.concurrency, args.gigs, args.applications, modes)),
                         indent=2))


if __name__ == "__main__":
    cli()
