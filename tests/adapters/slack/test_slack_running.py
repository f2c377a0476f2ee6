import asyncio
import contextlib
import socket
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_app
from bot.commands import registry
from bot.config import Settings
from bot.core.clock import FrozenClock, SystemClock
from bot.store.models import Nudge, OutboxMessage
from tests.adapters.process import ROOT, Gigbot
from tests.adapters.slack.conftest import SECRET, SlackClient, SlackRig, payload, texts
from tests.adapters.slack.fake_slack import FakeSlack
from tests.seed import seed_due_nudges


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_gigbot(database: Path, fake: FakeSlack, port: int) -> Gigbot:
    """`gigbot run` with Slack configured, once it serves HTTP."""
    bot = await Gigbot.start({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "GIGBOT_SLACK_API_URL": f"{fake.url}/api",
        "GIGBOT_HTTP_PORT": str(port), "GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GIGBOT_LOG_LEVEL": "WARNING"})
    await bot.logged("Slack: serving")
    return bot


async def first_batch_sent(database: Path) -> None:
    """Wait (at most 60 s) until the bot has written its first outbox messages."""
    for _ in range(3000):
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
            if db.execute("SELECT count(*) FROM outbox_message").fetchone()[0]:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("no nudge was sent within 60 s")


async def test_gigbot_run_serves_slack_over_http_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    port = free_port()
    process = await start_gigbot(tmp_path / "slack.db", fake, port)
    try:
        answer = await SlackClient(fake, f"http://127.0.0.1:{port}/slack/events").command("U1", "help")
        assert "What you can run (member):" in texts(answer)
    finally:
        assert await process.stop() == 0
        await fake.stop()


async def test_sigterm_while_nudges_are_being_sent_lets_the_batch_finish_and_exits(tmp_path: Path) -> None:
    """Regression: cancelling the tick mid-transaction left an aiosqlite connection open, and the process hung."""
    database = tmp_path / "busy.db"
    now = SystemClock().now()
    app = build_app(Settings(), FrozenClock(now), f"sqlite+aiosqlite:///{database}")
    try:
        await app.prepare_database()
        await seed_due_nudges(app.sessions, 5000, now, lambda i: now - timedelta(days=3))
    finally:
        await app.close()
    fake = await FakeSlack().start()
    process = await start_gigbot(database, fake, free_port())
    try:
        await first_batch_sent(database)  # the start-up tick is sending the 5,000 due nudges when the signal comes
        assert await process.stop() == 0
    finally:
        await fake.stop()
    app = build_app(Settings(), FrozenClock(now), f"sqlite+aiosqlite:///{database}")
    try:
        async with app.sessions() as session:
            states = dict((await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))).all())
            messages = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
    finally:
        await app.close()
    assert states.get("sent", 0) == messages  # each batch ended whole: a message for every nudge marked sent
    assert sum(states.values()) == 5000 and states.get("claimed", 0) == 0


async def test_socket_mode_receives_envelopes_and_acks_them(slack: SlackRig) -> None:
    handler = await slack.adapter.connect_socket_mode("xapp-test")
    try:
        command = payload("slash_command") | {"user_id": "U1", "text": "help",
                                              "response_url": slack.response_url()}
        await slack.fake.envelopes.put({"envelope_id": "env-1", "type": "slash_commands",
                                        "accepts_response_payload": True, "payload": command})
        ack = await slack.fake.next("socket_ack")
        assert ack.args["envelope_id"] == "env-1"
        answer = await slack.fake.next("response_url")
        assert "What you can run (member):" in texts(answer)
        event = payload("app_home_opened")
        for attempt in (0, 1):  # a retried event envelope carries the same event_id: handled once
            await slack.fake.envelopes.put({"envelope_id": f"env-ev{attempt}", "type": "events_api",
                                            "accepts_response_payload": False, "retry_attempt": attempt,
                                            "retry_reason": "timeout" if attempt else "", "payload": event})
            assert (await slack.fake.next("socket_ack")).args["envelope_id"] == f"env-ev{attempt}"
        await slack.fake.next("views.publish")
        await slack.settle()
        assert len(slack.fake.made("views.publish")) == 1
    finally:
        await handler.close_async()


def test_the_manifest_is_yaml_generated_from_the_registry() -> None:
    import subprocess

    import yaml

    result = subprocess.run([sys.executable, "-m", "bot", "slack-manifest", "--url", "https://gigs.example.org/"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/gig" and command["url"] == "https://gigs.example.org/slack/events"
    assert command["should_escape"] is True and len(command["usage_hint"]) <= 100
    scopes = ["commands", "chat:write", "im:write", "users:read", "files:write"]
    assert manifest["oauth_config"]["scopes"]["bot"] == scopes
    assert manifest["settings"]["interactivity"] == {"is_enabled": True,
                                                     "request_url": "https://gigs.example.org/slack/events"}
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened", "app_uninstalled",
                                                                         "tokens_revoked"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    for spec in registry:
        assert f"/gig {spec.name}:" in manifest["display_information"]["long_description"]
    socket_mode = subprocess.run([sys.executable, "-m", "bot", "slack-manifest", "--socket-mode"],
                                 capture_output=True, text=True, cwd=ROOT, timeout=60)
    parsed = yaml.safe_load(socket_mode.stdout)
    assert parsed["settings"]["socket_mode_enabled"] is True and "url" not in parsed["features"]["slash_commands"][0]

