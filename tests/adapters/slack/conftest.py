"""The real slack-bolt app over HTTP on a real port, with its Web API client pointed at a local fake Slack."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter, make_outbox_client
from bot.adapters.slack.sender import SlackSender
from bot.app import App
from bot.config import Settings
from bot.services import delivery
from tests.adapters.slack.fake_slack import Call, FakeSlack

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


class SlackClient:
    """Sends signed, real-format requests to a bot at `url` and reads what it did through the fake Web API."""

    def __init__(self, fake: FakeSlack, url: str) -> None:
        self.fake = fake
        self.url = url
        self.responses = 0

    async def post(self, body: str, content_type: str, timestamp: int | None = None, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sign = signature or SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign,
                       **(headers or {})}
        async with aiohttp.ClientSession() as http, http.post(self.url, data=body.encode(),
                                                               headers=all_headers) as response:
            return response.status, await response.text()

    def response_url(self) -> str:
        self.responses += 1
        return f"{self.fake.url}/response/{self.responses}"

    def command_body(self, user: str, text: str, channel: str = "C1") -> str:
        body = payload("slash_command") | {"user_id": user, "user_name": user.lower(), "text": text,
                                           "channel_id": channel, "response_url": self.response_url()}
        return urlencode(body)

    async def command(self, user: str, text: str, channel: str = "C1") -> Call:
        """Run `/gig text` and return what the bot answered through response_url."""
        status, body = await self.post(self.command_body(user, text, channel), "application/x-www-form-urlencoded")
        assert (status, body) == (200, ""), (status, body)
        return await self.fake.next("response_url")

    async def interact(self, body: dict[str, Any]) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")

    async def press(self, user: str, action_id: str, where: str = "message") -> tuple[int, str]:
        body = copy.deepcopy(payload(f"block_actions_{where}"))
        body["user"] |= {"id": user, "username": user.lower(), "name": user.lower()}
        body["actions"][0] |= {"action_id": action_id, "value": action_id}
        if where == "message":
            body["response_url"] = self.response_url()
        return await self.interact(body)

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> tuple[int, str]:
        """Submit a modal the bot opened, with these input values."""
        body = copy.deepcopy(payload("view_submission"))
        body["user"] |= {"id": user, "username": user.lower(), "name": user.lower()}
        body["view"] |= {"callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
                         "blocks": view["blocks"]}
        inputs = [block for block in view["blocks"] if block["type"] == "input"]
        body["view"]["state"]["values"] = {
            block["block_id"]: {"value": state(block["element"], values.get(block["block_id"]))} for block in inputs}
        return await self.interact(body)

    async def event(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, str]:
        return await self.post(json.dumps(body), "application/json", headers=headers)


def state(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """The state Slack sends for an input element holding `value` (None: left empty)."""
    kind = element["type"]
    if kind == "static_select":
        chosen = next((o for o in element["options"] if o["value"] == value), None)
        assert value is None or chosen is not None, f"{value!r} is not an option"
        return {"type": kind, "selected_option": chosen}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value or None}
    return {"type": kind, "value": value or None}


class SlackRig(SlackClient):
    """A SlackClient for a bot running in this process, with its core and adapter at hand."""

    def __init__(self, core: App, fake: FakeSlack, adapter: SlackAdapter, url: str) -> None:
        super().__init__(fake, url)
        self.core = core
        self.adapter = adapter
        self.sender = SlackSender(make_outbox_client(core.settings.model_copy(
            update={"slack_api_url": f"{fake.url}/api/"})))

    async def settle(self) -> None:
        """Wait for the work the bot does after its acks, then forget the calls made so far."""
        await self.adapter.work.join()
        for queue in self.fake.queues.values():
            while not queue.empty():
                queue.get_nowait()

    async def deliver(self) -> int:
        """Deliver the Slack outbox through the real sender to the fake."""
        sent = 0
        while delivered := await delivery.deliver_due(self.core.sessions, "slack", self.sender, self.core.clock,
                                                                admins=self.core.settings.admin_ids):
            sent += delivered
        return sent


def texts(call: Call) -> str:
    """Every piece of text in a message or view the bot sent, for assertions."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call.args)
    return "\n".join(found)


def action_ids(call: Call) -> list[str]:
    blocks = call.args.get("blocks") or call.args.get("view", {}).get("blocks", [])
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.fixture
def settings() -> Settings:
    return Settings(admins="slack:UADMIN", database_url="sqlite+aiosqlite:///:memory:", _env_file=None,
                    slack_bot_token="xoxb-test", slack_signing_secret=SECRET)


@pytest.fixture
async def slack(app: App) -> AsyncIterator[SlackRig]:
    fake = await FakeSlack(users={"UADMIN": {"name": "ada", "admin": False}, "UFR": {"name": "claire",
                                                                                   "locale": "fr-FR"}}).start()
    settings = app.settings.model_copy(update={"slack_api_url": f"{fake.url}/api/"})
    adapter = SlackAdapter(app, settings)
    runner = web.AppRunner(adapter.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield SlackRig(app, fake, adapter, f"http://127.0.0.1:{port}{EVENTS_PATH}")
    await adapter.close()
    await runner.cleanup()
    await fake.stop()


