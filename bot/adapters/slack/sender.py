"""Delivering the outbox to Slack: reposts, posting edits (chat.update), DMs and files; Slack's answers classified."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
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
from bot.core.types import Message

EDIT, DM = OutboxKind.EDIT, OutboxKind.DM
FILE_REF = "file:"  # a message ref "<channel>:file:<file id>": a share whose ts Slack did not answer

log = logging.getLogger(__name__)

RECIPIENT_REFUSED = {"cannot_dm_bot", "user_not_found", "user_disabled", "messages_tab_disabled"}
CHANNEL_REFUSED = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "message_not_found",
                   "cant_update_message", "edit_window_closed"}
PAYLOAD_REJECTED = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
                    "invalid_arg_name", "too_many_attachments", "invalid_attachments", "invalid_metadata_format",
                    "missing_argument", "file_type_not_allowed", "file_upload_size_restricted", "file_uploads_disabled",
                    "file_uploads_except_images_disabled", "snippet_too_large", "alt_txt_too_large"}
NOT_AUTHORIZED = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope", "no_permission",
                  "not_allowed_token_type", "ekm_access_denied", "team_access_not_granted"}
PLATFORM_FAILING = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
UPLOAD_STATUS = re.compile(r"\(status: (\d+),")  # slack_sdk's message when the POST to the upload URL fails


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


def classify_upload(error: SlackRequestError) -> DeliveryFailure:
    """A failed POST of a file's bytes to its upload URL, or a file slack_sdk refused before any request.

    slack_sdk reports the upload URL's status only in its message; without one it refused the file itself
    (no data, larger than Slack's 1 GB): our bug.
    """
    found = UPLOAD_STATUS.search(str(error))
    status = int(found.group(1)) if found else None
    if status is not None and (status >= 500 or status in (408, 429)):
        return PlatformFailing(f"upload {status}")
    return PayloadRejected(f"upload refused ({status})" if status else f"file refused: {error}")


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
            failure = classify(error, message.kind)
            if message.message.attachments and str(failure) == "missing_scope":  # its answer is a dict, with needed
                needed = str(error.response.get("needed") or "")
                if needed.startswith("files:"):  # an app installed before files:write was asked for: only messages
                    raise PayloadRejected(f"missing_scope {needed}: reinstall the app to grant it") from error
            raise failure from error
        except SlackRequestError as error:
            raise classify_upload(error) from error
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise PlatformFailing(f"timeout: {error}", unknown_outcome=True) from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise PlatformFailing(f"connection failed: {error}") from error
        except (aiohttp.ClientError, OSError) as error:  # the connection dropped, maybe after sending
            raise PlatformFailing(f"connection lost: {error!r}", unknown_outcome=True) from error

    async def _send(self, message: Outgoing) -> Sent:
        content: dict[str, Any] = {"text": blocks.fallback_text(message.message),
                                   "blocks": blocks.message_blocks(message.message)}
        if message.kind == EDIT:  # the text and cards only: Slack cannot replace a message's files
            assert message.message_ref is not None
            channel, _, ts = message.message_ref.partition(":")
            if ts.startswith(FILE_REF):  # a message shared with files: Slack gave no ts to update it by
                raise ChannelRefused("cant_update_message: a message shared with files has no ts")
            await self.client.chat_update(channel=channel, ts=ts, **content)
            return Sent(message.message_ref)
        dm_channel = None
        channel = message.destination
        if message.kind == DM:
            channel = dm_channel = await self._dm_channel(message)
        if message.message.attachments:
            return await self._share(channel, message.message, dm_channel)
        response = await self.client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                                      **content)
        return Sent(f"{response['channel']}:{response['ts']}", dm_channel)

    async def _share(self, channel: str, message: Message, dm_channel: str | None) -> Sent:
        """The text and every file as one message (files.completeUploadExternal), so they arrive, or not, together.

        Uploading the bytes shows nothing: only the completion shares them, so a retry after a failed upload
        never shows anything twice. Slack answers the completion with the files, not the message's ts, so the
        reference names the channel and the first file: an edit of it cannot be made (see `_send`).
        Cards go as the share's blocks; plain text as initial_comment (mrkdwn, escaped; Slack then ignores blocks).
        """
        files = [{"filename": a.filename, "content": a.data, "title": a.filename} for a in message.attachments]
        text: dict[str, Any] = {}
        if message.cards:
            text["blocks"] = json.dumps(blocks.message_blocks(message))  # sent as a form field, JSON-encoded
        elif message.text:
            text["initial_comment"] = blocks.comment_text(message)
        response = await self.client.files_upload_v2(file_uploads=files, channel=channel, **text)
        first = (response.get("files") or [{}])[0]
        return Sent(f"{channel}:{FILE_REF}{first.get('id', '')}", dm_channel)

    async def _dm_channel(self, message: Outgoing) -> str:
        user = message.destination
        known = message.dm_channel or self.dm_channels.get(user)
        if known is None:
            opened = await self.client.conversations_open(users=user)
            known = str(opened["channel"]["id"])
        self.dm_channels[user] = known
        return known
