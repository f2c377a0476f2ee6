"""Unsigned, badly signed or malformed requests to the real HTTP endpoint: 401 or 400, one log line, nothing run."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.store.replicas import InboxRequest
from tests.adapters.slack.conftest import SECRET, SlackRig, texts

FORM = "application/x-www-form-urlencoded"


def sign(timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


async def post_raw(slack: SlackRig, body: bytes, content_type: str = FORM, timestamp: str | None = None,
                   signed: bool = True) -> tuple[int, str]:
    """POST these exact bytes, signed correctly or with a wrong signature."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": sign(ts, body) if signed else "v0=" + "0" * 64}
    async with aiohttp.ClientSession() as http, http.post(slack.url, data=body, headers=headers) as response:
        return response.status, await response.text()


BAD = {
    "a non-numeric timestamp": (b"token=x&command=%2Fgig&text=help", FORM, "soon", False, 401),
    "a signed non-numeric timestamp": (b"token=x&command=%2Fgig&text=help", FORM, "12ab", True, 401),
    "an unsigned non-UTF-8 body": (b"text=caf\xe9&command=%2Fgig", FORM, None, False, 401),
    "a signed non-UTF-8 body": (b"text=caf\xe9&command=%2Fgig", FORM, None, True, 400),
    "an unsigned bad payload": (b"payload=" + quote("{not json").encode(), FORM, None, False, 401),
    "a signed bad payload": (b"payload=" + quote("{not json").encode(), FORM, None, True, 400),
    "a signed payload that is not an object": (b"payload=" + quote("[1, 2]").encode(), FORM, None, True, 400),
    "a signed bad JSON event": (b'{"type": "event_callback", ', "application/json", None, True, 400),
    "a signed bad charset": (b"text=hi", FORM + "; charset=no-such-charset", None, True, 400),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_a_bad_request_is_refused_before_bolt_with_one_log_line(slack: SlackRig, case: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    body, content_type, timestamp, signed, status = BAD[case]
    with caplog.at_level(logging.INFO):
        answer = await post_raw(slack, body, content_type, timestamp, signed)
    assert answer == (status, json.dumps({"error": "invalid request"}))
    assert not any(record.exc_info for record in caplog.records), caplog.text
    ours = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(ours) == 1 and "refused a Slack request" in ours[0].getMessage(), caplog.text
    await slack.adapter.work.join()
    async with slack.core.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxRequest)) == 0
    assert slack.fake.made("response_url") == []


async def test_a_well_signed_request_still_reaches_bolt(slack: SlackRig) -> None:
    answer = await slack.command("U1", "help")
    assert answer.args["text"]


async def test_a_nul_in_a_slack_command_gets_the_same_answer_on_both_databases(slack: SlackRig) -> None:
    answer = await slack.command("UADMIN", 'post title="Fix\x00 my form" budget=150')
    assert "U+0000" in texts(answer) and "`title`" in texts(answer)
    assert "no gig #1" in texts(await slack.command("UADMIN", "show 1"))
