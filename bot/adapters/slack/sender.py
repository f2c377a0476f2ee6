"""Delivering the outbox to Slack: reposts, posting edits (chat.update) and DMs, paced per channel."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.services import outbox

log = logging.getLogger(__name__)

PACE = 1.0  # chat.postMessage allows about one message per second per channel
PERMANENT = {  # refusals that will not change by retrying: the message is dropped (a DM: the member is marked)
    "cannot_dm_bot", "user_not_found", "user_disabled", "account_inactive", "channel_not_found", "not_in_channel",
    "is_archived", "messages_tab_disabled", "restricted_action", "message_not_found", "cant_update_message",
    "invalid_blocks", "msg_too_long", "no_text", "invalid_auth", "not_authed", "missing_scope",
}


class SlackSender:
    """An outbox sender for Slack; DM channels are opened once (the member row keeps them) and cached here."""

    def __init__(self, client: AsyncWebClient, pace: float = PACE,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.pace = pace
        self.sleep = sleep
        self.monotonic = monotonic
        self.last_post: dict[str, float] = {}
        self.dm_channels: dict[str, str] = {}

    async def __call__(self, message: outbox.Outgoing) -> outbox.Sent:
        """Send one outbox message; Slack's refusals become PermanentFailure or a retry."""
        try:
            return await self._send(message)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in PERMANENT:
                raise outbox.PermanentFailure(code) from error
            raise outbox.RetryLater(code or "slack error", after=5) from error

    async def _send(self, message: outbox.Outgoing) -> outbox.Sent:
        content: dict[str, Any] = {"text": blocks.fallback_text(message.message),
                                   "blocks": blocks.message_blocks(message.message)}
        if message.kind == outbox.EDIT:
            assert message.message_ref is not None
            channel, _, ts = message.message_ref.partition(":")
            await self.client.chat_update(channel=channel, ts=ts, **content)
            return outbox.Sent(message.message_ref)
        dm_channel = None
        channel = message.destination
        if message.kind == outbox.DM:
            channel = dm_channel = await self._dm_channel(message)
        await self._wait_turn(channel)
        response = await self.client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                                      **content)
        return outbox.Sent(f"{response['channel']}:{response['ts']}", dm_channel)

    async def _dm_channel(self, message: outbox.Outgoing) -> str:
        user = message.destination
        known = message.dm_channel or self.dm_channels.get(user)
        if known is None:
            opened = await self.client.conversations_open(users=user)
            known = str(opened["channel"]["id"])
        self.dm_channels[user] = known
        return known

    async def _wait_turn(self, channel: str) -> None:
        """Keep to about one message per second per channel (short bursts are fine for Slack, floods are not)."""
        if self.pace <= 0:
            return
        wait = self.last_post.get(channel, float("-inf")) + self.pace - self.monotonic()
        if wait > 0:
            await self.sleep(wait)
        self.last_post[channel] = self.monotonic()
