import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.commands import registry
from tests.adapters.slack.conftest import SECRET, SlackClient, SlackRig, payload, texts
from tests.adapters.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_gigbot_run_serves_slack_over_http_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIGBOT_", "SLACK_"))} | {
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "GIGBOT_SLACK_API_URL": f"{fake.url}/api",
        "GIGBOT_HTTP_PORT": str(port), "GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'slack.db'}",
        "GIGBOT_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stderr is not None
        while b"Slack: serving" not in (line := await asyncio.wait_for(process.stderr.readline(), 60)):
            assert line, "gigbot run stopped before serving"
        answer = await SlackClient(fake, f"http://127.0.0.1:{port}/slack/events").command("U1", "help")
        assert "What you can run (member):" in texts(answer)
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        await fake.stop()


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
    assert manifest["oauth_config"]["scopes"]["bot"] == ["commands", "chat:write", "im:write", "users:read"]
    assert manifest["settings"]["interactivity"] == {"is_enabled": True,
                                                     "request_url": "https://gigs.example.org/slack/events"}
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    for spec in registry:
        assert f"/gig {spec.name}:" in manifest["display_information"]["long_description"]
    socket_mode = subprocess.run([sys.executable, "-m", "bot", "slack-manifest", "--socket-mode"],
                                 capture_output=True, text=True, cwd=ROOT, timeout=60)
    parsed = yaml.safe_load(socket_mode.stdout)
    assert parsed["settings"]["socket_mode_enabled"] is True and "url" not in parsed["features"]["slash_commands"][0]

