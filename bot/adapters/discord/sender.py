"""Delivering the outbox to Discord: reposts, posting edits and DMs, every failure classified by whose it is."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord

from bot.adapters.discord import render
from bot.adapters.discord.forum import Forums
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

log = logging.getLogger(__name__)

RECIPIENT_REFUSED = {50007, 10013, 50033}  # cannot send messages to this user; unknown user; invalid recipient
CHANNEL_REFUSED = {10003, 50001, 50013, 10008, 50083, 10004}  # unknown channel, missing access/permissions, ...
HISTORY = 50  # recent messages read to find an earlier attempt by its nonce


def classify(error: discord.HTTPException, kind: str) -> DeliveryFailure:
    """discord.py's exception as one of the three outcomes.

    A 429 here means discord.py already waited out five rate limits on the route: the platform is failing, not a
    refusal. 401 and 403 count toward Discord's invalid-request ban, so neither is ever retried.
    """
    text = f"{error.status} {error.code}: {error.text}"
    if error.status == 429 or error.status >= 500:
        return PlatformFailing(text)
    if error.status == 401:
        return NotAuthorized(text)
    if error.code in RECIPIENT_REFUSED and kind == OutboxKind.DM:
        return RecipientRefused(text)
    if error.code in CHANNEL_REFUSED or error.status in (403, 404):
        return ChannelRefused(text)
    return PayloadRejected(text)  # 400 50035 invalid form body and the like: our rendering


class DiscordSender:
    """An outbox sender over discord.py's REST client (it waits out 429s itself, per route bucket)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.dm_channels: dict[str, str] = {}
        self.forums = Forums(client)

    async def __call__(self, message: Outgoing) -> Sent:
        """Send one outbox message; every failure leaves as one of the delivery failure classes."""
        try:
            return await self._send(message)
        except discord.HTTPException as error:
            raise classify(error, message.kind) from error
        except TimeoutError as error:
            raise PlatformFailing(f"timeout: {error}", unknown_outcome=True) from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise PlatformFailing(f"connection failed: {error}") from error
        except (aiohttp.ClientError, OSError) as error:
            raise PlatformFailing(f"connection lost: {error!r}", unknown_outcome=True) from error

    async def _send(self, message: Outgoing) -> Sent:
        rendered = render.message(message.message)
        parts = rendered.send_kwargs()
        forum = None if message.kind == OutboxKind.DM else await self.forums.forum(int(message.destination))
        if forum is not None and message.kind == OutboxKind.EDIT:
            assert message.message_ref is not None
            await self.forums.edit(forum, message.message_ref, message.message, rendered.send_kwargs(edit=True))
            return Sent(message.message_ref)
        if forum is not None:  # a thread per gig; no nonce there, so it always looks for an earlier attempt first
            return Sent(await self.forums.post(forum, message.message, parts))
        if message.kind == OutboxKind.EDIT:
            assert message.message_ref is not None
            channel_id, _, message_id = message.message_ref.partition(":")
            channel = self.client.get_partial_messageable(int(channel_id))
            await channel.get_partial_message(int(message_id)).edit(**rendered.send_kwargs(edit=True))
            return Sent(message.message_ref)
        dm_channel = None
        channel_id = message.destination
        if message.kind == OutboxKind.DM:
            channel_id = dm_channel = await self._dm_channel(message)
        if message.check_first and (earlier := await self._find_earlier(channel_id, message.id, parts)) is not None:
            return Sent(earlier, dm_channel)
        # the outbox id as nonce, enforced: sent again after a crash or a lost answer, it gives back the first
        # message instead of a second one while Discord remembers the nonce (a few minutes; later, check_first)
        sent = await self.client.get_partial_messageable(int(channel_id)).send(**parts, nonce=message.id)
        return Sent(f"{channel_id}:{sent.id}", dm_channel)

    async def _find_earlier(self, channel_id: str, outbox_id: int, parts: dict[str, Any]) -> str | None:
        """A message of ours among the channel's recent ones that is this one, sent by an earlier attempt.

        Discord shows the nonce only in the create answer and the gateway event, not in the history: a message
        of the bot with the same content and embed titles counts as the earlier attempt.
        """
        recent = await self.client.http.logs_from(int(channel_id), HISTORY)
        bot_id = str(self.client.user.id) if self.client.user else None
        content = parts.get("content") or ""
        titles = [e.title for e in parts.get("embeds", [])]
        for found in recent:
            if found.get("author", {}).get("id") != bot_id:
                continue
            same = (found.get("content") or "") == content and [e.get("title") for e in found.get("embeds", [])] \
                == titles
            if str(found.get("nonce")) == str(outbox_id) or same:
                return f"{channel_id}:{found['id']}"
        return None

    async def _dm_channel(self, message: Outgoing) -> str:
        """POST /users/@me/channels once per member; the member row keeps the channel."""
        user = message.destination
        known = message.dm_channel or self.dm_channels.get(user)
        if known is None:
            opened = await self.client.http.start_private_message(int(user))
            known = str(opened["id"])
        self.dm_channels[user] = known
        return known
