"""Slack while the database fails: the lookup (answered through response_url) or the inbox itself (in the ack)."""

from __future__ import annotations

import json

from tests.adapters.slack.conftest import SlackRig, texts
from tests.faults import TRY_AGAIN, Breakdown


async def test_slack_answers_try_again_when_the_lookup_fails(slack: SlackRig) -> None:
    with Breakdown(slack.core.engine) as breakdown:
        breakdown.lookups()
        assert TRY_AGAIN in texts(await slack.command("U1", "list"))


async def test_slack_acks_with_try_again_when_the_database_is_down(slack: SlackRig) -> None:
    await slack.command("U1", "help")
    with Breakdown(slack.core.engine) as breakdown:
        await breakdown.everything()
        status, body = await slack.post(slack.command_body("U1", "list"), "application/x-www-form-urlencoded")
    assert status == 200 and TRY_AGAIN in json.loads(body)["text"]
