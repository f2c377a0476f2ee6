"""Delivering the outbox to Slack: reposts, posting edits (chat.update) and DMs; Slack's answers classified."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.core.delivery import (
    ChannelRefused,
    DeliveryFailure,
    NotAuthorized,
    OutboxKind,
    Outgoing,
    PayloadRejected,
    PlatformFailing,
    RecipientRefused,
    Sent,
)

EDIT, DM = OutboxKind.EDIT, OutboxKind.DM

log = logging.getLogger(__name__)

RECIPIENT_REFUSED = {"cannot_dm_bot", "user_not_found", "user_disabled", "messages_tab_disabled"}
CHANNEL_REFUSED = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "message_not_found",
                   "cant_update_message", "edit_window_closed"}
PAYLOAD_REJECTED = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
                    "invalid_arg_name", "too_many_attachments", "invalid_attachments", "invalid_metadata_format"}
NOT_AUTHORIZED = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope", "no_permission",
                  "not_allowed_token_type", "ekm_access_denied", "team_access_not_granted"}
PLATFORM_FAILING = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def classify(error: SlackApiError, kind: str) -> DeliveryFailure:
    """Slack's answer as one of the three outcomes.

    account_inactive means a deactivated user for a DM, but the bot's own deactivated token elsewhere.
    """
    status = getattr(error.response, "status_code", 200)
    code = str(error.response.get("error", "") if isinstance(error.response.data, dict) else "")
    if status == 429 or code == "ratelimited":
        after = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
        return PlatformFailing("ratelimited", retry_after=float(after) if after else None)
    if status >= 500 or code in PLATFORM_FAILING:
        return PlatformFailing(f"{status} {code}".strip())
    if code in RECIPIENT_REFUSED or (code == "account_inactive" and kind == DM):
        return RecipientRefused(code)
    if code in CHANNEL_REFUSED:
        return ChannelRefused(code)
    if code in NOT_AUTHORIZED or code == "account_inactive":
        return NotAuthorized(code)
    if code in PAYLOAD_REJECTED or status == 400:
        return PayloadRejected(code or str(status))
    return PlatformFailing(code or f"HTTP {status}")  # unknown: safer to retry than to blame anyone


class SlackSender:
    """An outbox sender for Slack; DM channels are opened once (the member row keeps them) and cached here.

    Its client must not wait out 429s inside the call (make_outbox_client): the retry policy honours Retry-After
    without holding the other channels. Slack has no idempotency key, so a resend after an unknown outcome may
    post the one message in flight twice.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.dm_channels: dict[str, str] = {}

    async def __call__(self, message: Outgoing) -> Sent:
        """Send one outbox message; every failure leaves as one of the delivery failure classes."""
        try:
            return await self._send(message)
        except SlackApiError as error:
            raise classify(error, message.kind) from error
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise PlatformFailing(f"timeout: {error}", unknown_outcome=True) from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise PlatformFailing(f"connection failed: {error}") from error
        except (aiohttp.ClientError, OSError) as error:  # the connection dropped, maybe after sending
            raise PlatformFailing(f"connection lost: {error!r}", unknown_outcome=True) from error

    async def _send(self, message: Outgoing) -> Sent:
        content: dict[str, Any] = {"text": blocks.fallback_text(message.message),
                                   "blocks": blocks.message_blocks(message.message)}
        if message.kind == EDIT:
            assert message.message_ref is not None
            channel, _, ts = message.message_ref.partition(":")
            await self.client.chat_update(channel=channel, ts=ts, **content)
            return Sent(message.message_ref)
        dm_channel = None
        channel = message.destination
        if message.kind == DM:
            channel = dm_channel = await self._dm_channel(message)
        response = await self.client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                                      **content)
        return Sent(f"{response['channel']}:{response['ts']}", dm_channel)

    async def _dm_channel(self, message: Outgoing) -> str:
        user = message.destination
        known = message.dm_channel or self.dm_channels.get(user)
        if known is None:
            opened = await self.client.conversations_open(users=user)
            known = str(opened["channel"]["id"])
        self.dm_channels[user] = known
        return known
